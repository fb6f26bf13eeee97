import Testing
@testable import OrderModel

/// `Column.appendGathering` must leave exactly what appending the same rows one by one leaves:
/// the same values, nulls, and storage arrays (writers read the arrays directly).
@Suite struct ColumnGatherTests {
    /// A source table with every kind, nulls, empty strings, empty and null lists and maps.
    static func source() -> ColumnTable {
        var t = ColumnTable(fields: ColumnTableTests.fields)
        let rows: [(String?, Int64?, [String]?, [(String, String)]?)] = [
            ("a", 1, ["x", "yy"], [("k", "v")]),
            (nil, nil, nil, nil),
            ("", 0, [], []),
            ("long value", -7, ["z"], [("k1", "v1"), ("k2", "")]),
        ]
        for (s, n, list, map) in rows {
            t.beginRow()
            if let s { t.set(0, string: s) }
            if let n { t.set(1, int: n) }
            if let list { t.touch(2); for e in list { t.addElement(2, e) } }
            if let map { t.touch(3); for (k, v) in map { t.addElement(3, v, key: k) } }
            t.endRow()
        }
        return t
    }

    static func assertSame(_ a: Column, _ b: Column) {
        #expect(a.count == b.count)
        #expect(a.nullCount == b.nullCount)
        #expect(a.ints == b.ints)
        #expect(a.valid == b.valid)
        #expect(a.bytes == b.bytes)
        #expect(a.offsets == b.offsets)
        #expect(a.rowOffsets == b.rowOffsets)
        #expect(a.keyBytes == b.keyBytes)
        #expect(a.keyOffsets == b.keyOffsets)
    }

    @Test(arguments: [[Int32](), [0], [3, 3, 3, 1, 0, 2, 2], [1, 1], [0, 1, 2, 3, 3, 2, 1, 0]])
    func gatherEqualsRowByRowCopies(rows: [Int32]) {
        let src = Self.source()
        for c in src.columns.indices {
            // Both start from a non-empty column, so offsets are rebased onto existing data.
            var want = src.columns[c]
            for r in rows { Self.append(src.columns[c], Int(r), to: &want) }
            var got = src.columns[c]
            rows.withUnsafeBufferPointer { got.appendGathering(from: src.columns[c], rows: $0) }
            Self.assertSame(got, want)
        }
    }

    @Test func rowsPastAShortSourceAndAllNullSourcesAreNull() {
        var src = ColumnTable(fields: ColumnTableTests.fields)
        src.defersNullPadding = true
        src.beginRow(); src.set(0, string: "only"); src.endRow()
        src.beginRow(); src.endRow()  // column 0 stays one row long, columns 1-3 empty
        for c in src.columns.indices {
            var out = Column(kind: src.fields[c].kind)
            [Int32(1), 0, 1].withUnsafeBufferPointer { out.appendGathering(from: src.columns[c], rows: $0) }
            #expect(out.count == 3)
            #expect(out.isNull(0) && out.isNull(2))
            #expect(out.isNull(1) == (c != 0))
            #expect(out.nullCount == (c == 0 ? 2 : 3))
        }
    }

    @Test(arguments: [ColumnKind.stringList, .stringMap])
    func bulkElementsEqualOneByOne(kind: ColumnKind) {
        let values = Array("aaabbd".utf8), ends = [3, 5, 5, 6]
        let keys = Array("kkeyz".utf8), keyEnds = [1, 1, 4, 5]
        var want = Column(kind: kind), got = Column(kind: kind)
        values.withUnsafeBytes { vb in
            keys.withUnsafeBytes { kb in
                func value(_ i: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: vb[(i == 0 ? 0 : ends[i - 1])..<ends[i]]) }
                func key(_ i: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: kb[(i == 0 ? 0 : keyEnds[i - 1])..<keyEnds[i]]) }
                for _ in 0..<2 {  // a row before each, so offsets are rebased
                    want.appendElement("x", key: "y"); want.closeRow()
                    got.appendElement("x", key: "y"); got.closeRow()
                    for i in ends.indices { want.appendElement(utf8: value(i), key: key(i)) }
                    want.closeRow()
                    got.appendElements(ends.count, values: vb, valueEnd: { ends[$0] }, key: key)
                    got.closeRow()
                }
            }
        }
        #expect(got.list(3) == ["aaa", "bb", "", "d"])
        if kind == .stringMap { #expect(got.map(3)?.map(\.key) == ["k", "", "key", "z"]) }
        Self.assertSame(got, want)
    }

    /// Appends row `r` of `col` to `out` through the row-by-row API.
    static func append(_ col: Column, _ r: Int, to out: inout Column) {
        if col.isNull(r) { out.appendNull(); return }
        switch col.kind {
        case .string:
            col.bytes.withUnsafeBytes { out.append(utf8: UnsafeRawBufferPointer(rebasing: $0[col.range(r)])) }
        case .stringList, .stringMap:
            for e in col.elements(r) {
                col.bytes.withUnsafeBytes { vb in
                    col.keyBytes.withUnsafeBytes { kb in
                        out.appendElement(utf8: UnsafeRawBufferPointer(rebasing: vb[col.elementRange(e)]),
                                          key: col.kind == .stringMap ? UnsafeRawBufferPointer(rebasing: kb[col.keyRange(e)]) : nil)
                    }
                }
            }
            out.closeRow()
        default:
            out.append(col.int(r))
        }
    }
}
