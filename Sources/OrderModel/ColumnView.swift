/// A read-only view of a `Column`'s storage through raw pointers, valid inside
/// `ColumnTable.withViews`.
///
/// Why: reading a column's arrays per row (`column.bytes.withUnsafeBytes { ... }`, even through
/// an `UnsafePointer<Column>`) retains and releases the array around every call, and the
/// NDJSON encoder made such a call for every string field of every order: about a sixth of
/// `collect`'s CPU was reference counting. A view binds each array once per batch instead.
public struct ColumnView {
    public let kind: ColumnKind
    /// Rows, and how many of them are null (`Column.count`, `Column.nullCount`).
    public let count: Int
    public let nullCount: Int
    public let valid: UnsafePointer<Bool>
    public let ints: UnsafePointer<Int64>
    public let bytes: UnsafePointer<UInt8>
    public let offsets: UnsafePointer<UInt32>
    public let rowOffsets: UnsafePointer<UInt32>
    public let keyBytes: UnsafePointer<UInt8>
    public let keyOffsets: UnsafePointer<UInt32>

    @inline(__always) public func isNull(_ row: Int) -> Bool { !valid[row] }

    @inline(__always) public func int(_ row: Int) -> Int64 { ints[row] }

    /// String row `row`'s bytes.
    @inline(__always) public func string(_ row: Int) -> UnsafeRawBufferPointer {
        element(row)
    }

    /// The element indexes of a list or map row.
    @inline(__always) public func elements(_ row: Int) -> Range<Int> { Int(rowOffsets[row])..<Int(rowOffsets[row + 1]) }

    /// List or map element `i`'s value bytes.
    @inline(__always) public func element(_ i: Int) -> UnsafeRawBufferPointer {
        let a = Int(offsets[i])
        return UnsafeRawBufferPointer(start: bytes + a, count: Int(offsets[i + 1]) - a)
    }

    /// Map element `i`'s key bytes.
    @inline(__always) public func key(_ i: Int) -> UnsafeRawBufferPointer {
        let a = Int(keyOffsets[i])
        return UnsafeRawBufferPointer(start: keyBytes + a, count: Int(keyOffsets[i + 1]) - a)
    }
}

extension ColumnTable {
    /// Calls `body` with views of columns `fields` (view `i` is of column `fields[i]`), or of
    /// every column in order when `fields` is nil, all valid for the call. The table must not
    /// change meanwhile (it cannot: it is borrowed).
    public func withViews<R>(of fields: [Int]? = nil, _ body: (UnsafeBufferPointer<ColumnView>) throws -> R) rethrows -> R {
        let count = fields?.count ?? columns.count
        var views: [ColumnView] = []
        views.reserveCapacity(count)
        return try columns.withUnsafeBufferPointer { cols in
            try Self.bind(cols, fields, count, 0, &views, body)
        }
    }

    /// Binds column `fields[i]` (column `i` without `fields`), then the next ones (recursion:
    /// each pointer is only valid inside its `withUnsafe...` call, so the calls nest).
    private static func bind<R>(
        _ cols: UnsafeBufferPointer<Column>, _ fields: [Int]?, _ count: Int, _ i: Int, _ views: inout [ColumnView],
        _ body: (UnsafeBufferPointer<ColumnView>) throws -> R
    ) rethrows -> R {
        guard i < count else { return try views.withUnsafeBufferPointer { try body($0) } }
        return try cols[fields?[i] ?? i].withView { view in
            views.append(view)
            return try bind(cols, fields, count, i + 1, &views, body)
        }
    }
}

extension Column {
    /// Calls `body` with a view of this column's storage, valid for the call.
    public func withView<R>(_ body: (ColumnView) throws -> R) rethrows -> R {
        let c = self
        // Empty arrays may have no storage; a placeholder that is never read stands in.
        return try c.withValidity { valid in
            try c.ints.withUnsafeBufferPointer { ints in
                try c.bytes.withUnsafeBufferPointer { bytes in
                    try c.offsets.withUnsafeBufferPointer { offsets in
                        try c.rowOffsets.withUnsafeBufferPointer { rowOffsets in
                            try c.keyBytes.withUnsafeBufferPointer { keyBytes in
                                try c.keyOffsets.withUnsafeBufferPointer { keyOffsets in
                                    try body(ColumnView(
                                        kind: c.kind, count: c.count, nullCount: c.nullCount,
                                        valid: valid.baseAddress ?? placeholder(Bool.self),
                                        ints: ints.baseAddress ?? placeholder(Int64.self), bytes: bytes.baseAddress ?? placeholder(UInt8.self),
                                        offsets: offsets.baseAddress ?? placeholder(UInt32.self),
                                        rowOffsets: rowOffsets.baseAddress ?? placeholder(UInt32.self),
                                        keyBytes: keyBytes.baseAddress ?? placeholder(UInt8.self),
                                        keyOffsets: keyOffsets.baseAddress ?? placeholder(UInt32.self)))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A stand-in for the storage of an empty array: an aligned address that is never read (a
/// view only reads rows and elements that exist).
@inline(__always) private func placeholder<T>(_: T.Type) -> UnsafePointer<T> {
    UnsafePointer(bitPattern: MemoryLayout<T>.alignment)!
}
