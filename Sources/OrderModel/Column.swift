/// One column of a batch: typed values for a run of rows, with nulls in a validity array
/// (kept only once the column holds a null, see `validity`).
///
/// Storage depends on the kind, and everything lives in a few flat arrays so that appending a
/// value never allocates per field (the arrays grow geometrically and are reused across
/// batches through `removeAll(keepingCapacity:)`):
/// - numeric kinds: `ints` (0 where null);
/// - `.string`: the bytes of every value back to back in `bytes`, value `i` spanning
///   `offsets[i]..<offsets[i+1]`;
/// - `.stringList`: the elements as strings in `bytes`/`offsets`, row `r` owning the elements
///   `rowOffsets[r]..<rowOffsets[r+1]`;
/// - `.stringMap`: as a list, with each element's key in `keyBytes`/`keyOffsets` beside it.
public struct Column: Sendable {
    public let kind: ColumnKind
    public internal(set) var count: Int = 0
    public internal(set) var ints: [Int64] = []
    /// Whether each row holds a value, recorded only from the column's first null: while
    /// `nullCount` is 0 it stays empty and every row is valid; from the first null on it holds
    /// one entry per row. Most columns of a batch have no nulls or no values at all, and a
    /// validity entry per appended value was an array append (uniqueness and capacity checks)
    /// on every field set. Readers use `isNull` or `withValidity`.
    public internal(set) var validity: [Bool] = []
    public internal(set) var bytes = ByteArena()
    public internal(set) var offsets: [UInt32] = [0]
    public internal(set) var rowOffsets: [UInt32] = [0]
    public internal(set) var keyBytes = ByteArena()
    public internal(set) var keyOffsets: [UInt32] = [0]
    /// Number of null rows, kept up to date so writers need not count.
    public internal(set) var nullCount: Int = 0

    /// The validity of every row (allocates when the column has no null: tests and
    /// convenience code; hot paths use `withValidity` or `isNull`).
    public var valid: [Bool] { nullCount == 0 ? Array(repeating: true, count: count) : validity }

    /// Calls `body` with one flag per row (true: the row holds a value). For a column without
    /// nulls the flags come from a shared read-only buffer of trues (`AllValid`), so this
    /// allocates nothing up to its million rows.
    @inlinable @inline(__always)
    public func withValidity<R>(_ body: (UnsafeBufferPointer<Bool>) throws -> R) rethrows -> R {
        if nullCount != 0 { return try validity.withUnsafeBufferPointer(body) }
        return try AllValid.with(count: count, body)
    }

    /// Starts recording validity: the column's first null is about to be appended (here or
    /// by `appendGathering`).
    mutating func recordValidity() {
        validity.removeAll(keepingCapacity: true)
        validity.append(contentsOf: repeatElement(true, count: count))
    }

    public init(kind: ColumnKind) {
        self.kind = kind
    }

    // MARK: Appending

    /// Appends a null row.
    public mutating func appendNull() {
        switch kind {
        case .string:
            offsets.append(UInt32(bytes.count))
        case .stringList, .stringMap:
            rowOffsets.append(UInt32(offsets.count - 1))
        default:
            ints.append(0)
        }
        if nullCount == 0 { recordValidity() }
        validity.append(false)
        nullCount += 1
        count += 1
    }

    /// Appends nulls until the column holds `newCount` rows (no-op when it already does). In
    /// bulk, so a table that defers null padding fills a field left unset for many rows with one
    /// append per array instead of one per row.
    public mutating func padNulls(to newCount: Int) {
        let k = newCount - count
        guard k > 0 else { return }
        // A null or two (rows that alternate which fields they set, such as a planned order's
        // parent and child rows) cost less one at a time than three sequence appends.
        if k <= 2 && nullCount != 0 {
            for _ in 0..<k { appendNull() }
            return
        }
        switch kind {
        case .string:
            offsets.append(contentsOf: repeatElement(UInt32(bytes.count), count: k))
        case .stringList, .stringMap:
            rowOffsets.append(contentsOf: repeatElement(UInt32(offsets.count - 1), count: k))
        default:
            ints.append(contentsOf: repeatElement(0, count: k))
        }
        if nullCount == 0 { recordValidity() }
        validity.append(contentsOf: repeatElement(false, count: k))
        nullCount += k
        count = newCount
    }

    /// Appends a numeric value (`.bool` takes 0 or 1).
    @inline(__always)
    public mutating func append(_ value: Int64) {
        precondition(kind.isNumeric, "append(Int64) on a \(kind) column")
        ints.append(value)
        if nullCount != 0 { validity.append(true) }
        count += 1
    }

    /// Appends a string value from raw UTF-8 bytes.
    @inline(__always)
    public mutating func append(utf8 value: UnsafeRawBufferPointer) {
        precondition(kind == .string, "append(utf8:) on a \(kind) column")
        bytes.append(value)
        offsets.append(UInt32(bytes.count))
        if nullCount != 0 { validity.append(true) }
        count += 1
    }

    /// Appends a string value.
    public mutating func append(_ value: String) {
        precondition(kind == .string, "append(String) on a \(kind) column")
        bytes.append(contentsOf: value.utf8)
        offsets.append(UInt32(bytes.count))
        if nullCount != 0 { validity.append(true) }
        count += 1
    }

    /// Adds one element to the list or map row being built; `closeRow()` ends the row.
    @inline(__always)
    public mutating func appendElement(utf8 value: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer? = nil) {
        precondition(kind == .stringList || kind == .stringMap, "appendElement on a \(kind) column")
        bytes.append(value)
        offsets.append(UInt32(bytes.count))
        if kind == .stringMap {
            if let key { keyBytes.append(key) }
            keyOffsets.append(UInt32(keyBytes.count))
        }
    }

    /// Adds one element to the list or map row being built; `closeRow()` ends the row.
    public mutating func appendElement(_ value: String, key: String? = nil) {
        precondition(kind == .stringList || kind == .stringMap, "appendElement on a \(kind) column")
        bytes.append(contentsOf: value.utf8)
        offsets.append(UInt32(bytes.count))
        if kind == .stringMap {
            if let key { keyBytes.append(contentsOf: key.utf8) }
            keyOffsets.append(UInt32(keyBytes.count))
        }
    }

    /// Ends a list or map row holding the elements added since the previous row.
    /// A row with no elements is an empty (not null) list or map.
    public mutating func closeRow() {
        precondition(kind == .stringList || kind == .stringMap, "closeRow on a \(kind) column")
        rowOffsets.append(UInt32(offsets.count - 1))
        if nullCount != 0 { validity.append(true) }
        count += 1
    }

    /// Number of elements added to the list or map row being built and not yet closed.
    public var openElementCount: Int { offsets.count - 1 - Int(rowOffsets[rowOffsets.count - 1]) }

    /// Drops rows from the end so that `count == newCount` (used to roll back a record that
    /// failed half way through mapping). Also drops elements of an open list or map row.
    public mutating func truncate(toCount newCount: Int) {
        precondition(newCount <= count)
        if nullCount != 0 {
            for r in newCount..<count where !validity[r] { nullCount -= 1 }
            // Back to no nulls: no validity is kept (the invariant `validity` states).
            if nullCount == 0 { validity.removeAll(keepingCapacity: true) } else { validity.removeLast(count - newCount) }
        }
        switch kind {
        case .string:
            offsets.removeLast(count - newCount)
            bytes.removeLast(bytes.count - Int(offsets[newCount]))
        case .stringList, .stringMap:
            rowOffsets.removeLast(count - newCount)
            let elements = Int(rowOffsets[newCount])
            offsets.removeLast(offsets.count - 1 - elements)
            bytes.removeLast(bytes.count - Int(offsets[elements]))
            if kind == .stringMap {
                keyOffsets.removeLast(keyOffsets.count - 1 - elements)
                keyBytes.removeLast(keyBytes.count - Int(keyOffsets[elements]))
            }
        default:
            ints.removeLast(count - newCount)
        }
        count = newCount
    }

    /// Empties the column, keeping its storage for the next batch.
    public mutating func removeAll() {
        count = 0
        nullCount = 0
        ints.removeAll(keepingCapacity: true)
        validity.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        rowOffsets.removeAll(keepingCapacity: true)
        rowOffsets.append(0)
        keyBytes.removeAll(keepingCapacity: true)
        keyOffsets.removeAll(keepingCapacity: true)
        keyOffsets.append(0)
    }

    // MARK: Reading

    @inlinable public func isNull(_ row: Int) -> Bool {
        precondition(row >= 0 && row < count, "row \(row) of a column of \(count)")
        return nullCount != 0 && !validity[row]
    }

    /// The numeric value of a row (0 when null).
    @inlinable public func int(_ row: Int) -> Int64 { ints[row] }

    /// The byte range in `bytes` of a string row.
    @inlinable public func range(_ row: Int) -> Range<Int> { Int(offsets[row])..<Int(offsets[row + 1]) }

    /// The string value of a row, or nil when null. Allocates: not for hot paths.
    public func string(_ row: Int) -> String? {
        guard !isNull(row) else { return nil }
        return String(decoding: bytes[range(row)], as: UTF8.self)
    }

    /// The element indexes of a list or map row.
    @inlinable public func elements(_ row: Int) -> Range<Int> { Int(rowOffsets[row])..<Int(rowOffsets[row + 1]) }

    /// The byte range in `bytes` of list or map element `i`.
    @inlinable public func elementRange(_ i: Int) -> Range<Int> { Int(offsets[i])..<Int(offsets[i + 1]) }

    /// The byte range in `keyBytes` of map element `i`'s key.
    @inlinable public func keyRange(_ i: Int) -> Range<Int> { Int(keyOffsets[i])..<Int(keyOffsets[i + 1]) }

    /// The elements of a list row as strings (allocates: tests and convenience code).
    public func list(_ row: Int) -> [String]? {
        guard !isNull(row) else { return nil }
        return elements(row).map { String(decoding: bytes[elementRange($0)], as: UTF8.self) }
    }

    /// The entries of a map row as (key, value) pairs in insertion order (allocates).
    public func map(_ row: Int) -> [(key: String, value: String)]? {
        guard !isNull(row) else { return nil }
        return elements(row).map {
            (String(decoding: keyBytes[keyRange($0)], as: UTF8.self),
             String(decoding: bytes[elementRange($0)], as: UTF8.self))
        }
    }

    /// Bytes held, for memory budgets.
    public var byteSize: Int {
        ints.count * 8 + validity.count + bytes.count + offsets.count * 4 + rowOffsets.count * 4 + keyBytes.count
            + keyOffsets.count * 4
    }
}

/// A read-only run of trues that stands for the validity of a column without nulls
/// (`Column.withValidity`). Allocated once, never written after; a column longer than it
/// (none is, at the batch sizes the stages use) gets a temporary buffer.
public enum AllValid {
    public static let capacity = 1 << 20
    @usableFromInline nonisolated(unsafe) static let trues: UnsafeBufferPointer<Bool> = {
        let p = UnsafeMutableBufferPointer<Bool>.allocate(capacity: capacity)
        p.initialize(repeating: true)
        return UnsafeBufferPointer(p)
    }()

    @inlinable @inline(__always)
    public static func with<R>(count: Int, _ body: (UnsafeBufferPointer<Bool>) throws -> R) rethrows -> R {
        if count <= capacity { return try body(UnsafeBufferPointer(rebasing: trues[0..<count])) }
        return try withUnsafeTemporaryAllocation(of: Bool.self, capacity: count) { p in
            p.initialize(repeating: true)
            return try body(UnsafeBufferPointer(p))
        }
    }
}
