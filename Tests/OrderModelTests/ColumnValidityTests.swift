import Testing
@testable import OrderModel

/// A column keeps per-row validity only from its first null (`Column.validity`): these check
/// that every way of adding, dropping and copying rows keeps that representation and the same
/// answers as a column that recorded a flag per row.
@Suite struct ColumnValidityTests {
    /// The flags `withValidity` hands out, as an array.
    static func flags(_ c: Column) -> [Bool] { c.withValidity { Array($0) } }

    /// Validity is stored exactly when the column holds a null, and then for every row; the
    /// flags agree with `isNull`.
    static func checkInvariant(_ c: Column) {
        #expect(c.nullCount == 0 ? c.validity.isEmpty : c.validity.count == c.count)
        let f = flags(c)
        #expect(f.count == c.count)
        #expect(f.filter { !$0 }.count == c.nullCount)
        for r in 0..<c.count { #expect(c.isNull(r) == !f[r]) }
    }

    @Test func noValidityIsKeptUntilTheFirstNull() {
        var c = Column(kind: .int64)
        for v in 0..<5 { c.append(Int64(v)) }
        #expect(c.validity.isEmpty && c.valid == [true, true, true, true, true])
        Self.checkInvariant(c)
        c.appendNull()
        c.append(9)
        #expect(c.validity == [true, true, true, true, true, false, true])
        Self.checkInvariant(c)
        c.padNulls(to: 9)
        #expect(c.nullCount == 3 && c.valid.suffix(2) == [false, false])
        Self.checkInvariant(c)
    }

    @Test func truncatingAwayTheNullsDropsTheValidity() {
        var c = Column(kind: .string)
        c.append("a")
        c.append("b")
        c.appendNull()
        c.append("c")
        c.truncate(toCount: 3)
        #expect(c.nullCount == 1 && c.validity == [true, true, false])
        c.truncate(toCount: 2)
        #expect(c.nullCount == 0 && c.validity.isEmpty)
        Self.checkInvariant(c)
        // Recording starts again at the next null, covering the rows before it.
        c.append("d")
        c.appendNull()
        #expect(c.validity == [true, true, true, false])
        Self.checkInvariant(c)
        c.removeAll()
        #expect(c.count == 0 && c.validity.isEmpty && c.nullCount == 0)
    }

    @Test func padNullsOnAFreshColumnAndListRows() {
        var c = Column(kind: .stringList)
        c.padNulls(to: 2)
        #expect(c.validity == [false, false])
        c.appendElement("x")
        c.closeRow()
        #expect(c.valid == [false, false, true] && c.list(2) == ["x"] && c.list(0) == nil)
        Self.checkInvariant(c)
        var m = Column(kind: .stringMap)
        m.appendElement("v", key: "k")
        m.closeRow()
        m.closeRow()  // an empty map is present, not null
        #expect(m.validity.isEmpty && m.nullCount == 0)
        Self.checkInvariant(m)
    }

    /// Gathering rows keeps the representation: no nulls gathered into a column without any
    /// keeps none; a null gathered (or a row past the source's end) starts the record.
    @Test func gatheringKeepsTheRepresentation() {
        var full = Column(kind: .int64)
        for v in 0..<4 { full.append(Int64(v * 10)) }
        var withNull = full
        withNull.appendNull()
        let picks: [Int32] = [3, 1, 1]
        var into = Column(kind: .int64)
        into.append(7)
        picks.withUnsafeBufferPointer { into.appendGathering(from: full, rows: $0) }
        #expect(into.ints == [7, 30, 10, 10] && into.validity.isEmpty)
        Self.checkInvariant(into)
        let more: [Int32] = [0, 4, 9]  // 4 is null, 9 is past the end
        more.withUnsafeBufferPointer { into.appendGathering(from: withNull, rows: $0) }
        #expect(into.valid == [true, true, true, true, true, false, false] && into.nullCount == 2)
        Self.checkInvariant(into)
        more.withUnsafeBufferPointer { into.appendGathering(from: full, rows: $0) }  // 4 and 9 past its end
        #expect(into.nullCount == 4)
        Self.checkInvariant(into)
    }

    /// A column longer than the shared run of trues still reads as all valid.
    @Test func aColumnLongerThanTheSharedTruesIsAllValid() {
        var c = Column(kind: .bool)
        for _ in 0..<(AllValid.capacity + 3) { c.append(1) }
        let (count, allTrue) = c.withValidity { ($0.count, $0.allSatisfy { $0 }) }
        #expect(count == AllValid.capacity + 3 && allTrue)
    }
}
