/// `parquet.thrift` PageLocation: where a data page starts (file offset of its header) and its full size.
public struct PageLocation: Sendable, Equatable {
    public var offset: Int64
    /// Header + compressed body.
    public var compressedPageSize: Int32
    /// Row index of the page's first row within its row group.
    public var firstRowIndex: Int64
}

/// `parquet.thrift` ColumnIndex: per-page bounds (empty for all-null pages), null flags and null counts.
public struct ColumnIndex: Sendable, Equatable {
    public var nullPages: [Bool]
    public var minValues: [[UInt8]]
    public var maxValues: [[UInt8]]
    /// BoundaryOrder: 0 UNORDERED, 1 ASCENDING, 2 DESCENDING.
    public var boundaryOrder: Int32
    public var nullCounts: [Int64]?
}

/// What a column writer remembers of each data page for the page index.
struct PageIndexEntry {
    /// Offset of the page header inside the chunk's data-page buffer (made absolute when the chunk is placed).
    var relativeOffset: Int
    var size: Int
    var firstRow: Int64
    var nullCount: Int64
    var isNullPage: Bool
    var min: [UInt8]?
    var max: [UInt8]?
}

enum PageIndexCoding {
    static func writeOffsetIndex(_ locations: [PageLocation]) -> [UInt8] {
        var w = CompactWriter()
        w.listHeader(1, .structure, count: locations.count)
        for l in locations {
            w.beginStructElement()
            w.i64(1, l.offset)
            w.i32(2, l.compressedPageSize)
            w.i64(3, l.firstRowIndex)
            w.endStruct()
        }
        w.endStruct()
        return w.bytes
    }

    static func writeColumnIndex(_ c: ColumnIndex) -> [UInt8] {
        var w = CompactWriter()
        // list<bool> elements are one byte each: 1 = true, 2 = false (compact protocol element encoding).
        w.listHeader(1, .boolTrue, count: c.nullPages.count)
        for b in c.nullPages { w.bytes.append(b ? 1 : 2) }
        w.listHeader(2, .binary, count: c.minValues.count)
        for v in c.minValues {
            w.varint(UInt64(v.count))
            w.bytes.append(contentsOf: v)
        }
        w.listHeader(3, .binary, count: c.maxValues.count)
        for v in c.maxValues {
            w.varint(UInt64(v.count))
            w.bytes.append(contentsOf: v)
        }
        w.i32(4, c.boundaryOrder)
        if let n = c.nullCounts {
            w.listHeader(5, .i64, count: n.count)
            for x in n { w.zigzagVarint(x) }
        }
        w.endStruct()
        return w.bytes
    }

    static func readOffsetIndex(from r: inout CompactReader) throws -> [PageLocation] {
        var out: [PageLocation]?
        try r.beginStruct()
        while let (id, t) = try r.fieldHeader() {
            if id == 1 && t == CompactType.list.rawValue {
                let (et, n) = try r.listHeader()
                try r.expect(et, .structure, "OffsetIndex.page_locations element")
                var list: [PageLocation] = []
                for _ in 0..<n {
                    var off: Int64?, size: Int32?, first: Int64?
                    try r.beginStruct()
                    while let (fid, ft) = try r.fieldHeader() {
                        switch (fid, ft) {
                        case (1, CompactType.i64.rawValue): off = try r.i64()
                        case (2, CompactType.i32.rawValue): size = try r.i32()
                        case (3, CompactType.i64.rawValue): first = try r.i64()
                        default: try r.skip(ft)
                        }
                    }
                    r.endStruct()
                    guard let off, let size, let first else { throw r.error("page location lacks a required field") }
                    list.append(PageLocation(offset: off, compressedPageSize: size, firstRowIndex: first))
                }
                out = list
            } else {
                try r.skip(t)
            }
        }
        r.endStruct()
        guard let out else { throw r.error("offset index lacks page_locations") }
        return out
    }

    static func readColumnIndex(from r: inout CompactReader) throws -> ColumnIndex {
        var nulls: [Bool]?, mins: [[UInt8]]?, maxs: [[UInt8]]?, order: Int32?, counts: [Int64]?
        try r.beginStruct()
        while let (id, t) = try r.fieldHeader() {
            switch (id, t) {
            case (1, CompactType.list.rawValue):
                let (_, n) = try r.listHeader()
                var l: [Bool] = []
                for _ in 0..<n { l.append(try r.byte() == 1) }
                nulls = l
            case (2, CompactType.list.rawValue), (3, CompactType.list.rawValue):
                let (et, n) = try r.listHeader()
                try r.expect(et, .binary, "ColumnIndex bounds element")
                var l: [[UInt8]] = []
                for _ in 0..<n { l.append(try r.binary()) }
                if id == 2 { mins = l } else { maxs = l }
            case (4, CompactType.i32.rawValue): order = try r.i32()
            case (5, CompactType.list.rawValue):
                let (et, n) = try r.listHeader()
                try r.expect(et, .i64, "ColumnIndex.null_counts element")
                var l: [Int64] = []
                for _ in 0..<n { l.append(try r.i64()) }
                counts = l
            default: try r.skip(t)
            }
        }
        r.endStruct()
        guard let nulls, let mins, let maxs, let order else { throw r.error("column index lacks a required field") }
        return ColumnIndex(nullPages: nulls, minValues: mins, maxValues: maxs, boundaryOrder: order, nullCounts: counts)
    }
}
