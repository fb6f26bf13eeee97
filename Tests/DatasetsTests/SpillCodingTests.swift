import OrderModel
import Testing
@testable import Datasets

/// The spill file's compact forms: every form gives back exactly what went in, and the
/// redundant arrays it exists for take the room it promises.
@Suite struct SpillCodingTests {
    // Each helper reads back after something already there, as a partition's later segments
    // are: what was there must stay, and the values come after it.

    private func levels(_ a: [UInt8]) -> (back: [UInt8], size: Int) {
        var out: [UInt8] = []
        SpillCoding.putLevels(a, &out)
        var back: [UInt8] = [7, 7, 7]
        let size = out.withUnsafeBytes { raw in
            var p = 0
            SpillCoding.getLevels(raw, &p, into: &back)
            #expect(p == raw.count)
            return raw.count
        }
        #expect(back.prefix(3) == [7, 7, 7])
        return (Array(back.dropFirst(3)), size)
    }

    private func ints<T: FixedWidthInteger & SignedInteger>(_ a: [T]) -> (back: [T], size: Int) {
        var out: [UInt8] = []
        SpillCoding.putInts(a, &out)
        var back: [T] = [-1]
        let size = out.withUnsafeBytes { raw in
            var p = 0
            SpillCoding.getInts(raw, &p, into: &back)
            #expect(p == raw.count)
            return raw.count
        }
        #expect(back.first == -1)
        return (Array(back.dropFirst()), size)
    }

    /// Round-trips `values` as an arena and offsets, read back after two values already there;
    /// returns the values read back and the size.
    private func strings(_ values: [[UInt8]]) -> (back: [[UInt8]], size: Int) {
        var bytes: [UInt8] = []
        var offsets: [UInt32] = [0]
        for v in values {
            bytes += v
            offsets.append(UInt32(bytes.count))
        }
        var out: [UInt8] = []
        SpillCoding.putStrings(bytes, offsets, &out)
        var b2 = Array("xyz".utf8)
        var o2: [UInt32] = [0, 1, 3]
        let size = out.withUnsafeBytes { raw in
            var p = 0
            SpillCoding.getStrings(raw, &p, bytes: &b2, offsets: &o2)
            #expect(p == raw.count)
            return raw.count
        }
        #expect(Array(o2.prefix(3)) == [0, 1, 3] && o2.count == values.count + 3)
        #expect(Int(o2.last!) == b2.count)
        #expect(Array(b2.prefix(3)) == Array("xyz".utf8))
        let back = (0..<values.count).map { Array(b2[Int(o2[$0 + 2])..<Int(o2[$0 + 3])]) }
        return (back, size)
    }

    @Test func levelsAllTheSameTakeOneByte() {
        for v: UInt8 in [0, 1, 2] {
            let a = [UInt8](repeating: v, count: 1000)
            let r = levels(a)
            #expect(r.back == a)
            #expect(r.size == 8 + 2)
        }
        // A difference in the word-at-a-time part, and one in the tail past the last word.
        for at in [0, 7, 8, 500, 999] {
            var a = [UInt8](repeating: 1, count: 1000)
            a[at] = 0
            let r = levels(a)
            #expect(r.back == a)
            #expect(r.size == 8 + 1 + 1000)
        }
        #expect(levels([]).back == [])
        #expect(levels([2]).back == [2])
    }

    @Test func integersKeepTheirValuesInTheNarrowestWidth() {
        let small: [Int64] = (0..<1000).map { 19_000 + Int64($0 % 200) }
        let r = ints(small)
        #expect(r.back == small)
        #expect(r.size == 8 + 1 + 8 + 1000)
        let negative: [Int64] = [-5, -300, 60_000, 0]
        #expect(ints(negative).back == negative)
        #expect(ints(negative).size == 8 + 1 + 8 + 4 * 2)
        // The full range: the difference wraps past Int64 but fits 8 bytes unsigned.
        let extremes: [Int64] = [Int64.min, Int64.max, 0, -1, Int64.min + 1]
        #expect(ints(extremes).back == extremes)
        let days: [Int32] = [Int32.min, Int32.max, 0, 8_035]
        #expect(ints(days).back == days)
        #expect(ints(days).size == 8 + 1 + 8 + 4 * 4)
        let same: [Int32] = [7, 7, 7]
        #expect(ints(same).back == same)
        #expect(ints([Int64]()).back == [])
        #expect(ints([Int64]()).size == 8)
    }

    @Test func aStringTheSameInEveryRowIsWrittenOnce() {
        let file = Array("/data/feeds/orders-2026-11-28.csv".utf8)
        let r = strings(Array(repeating: file, count: 500))
        #expect(r.back == Array(repeating: file, count: 500))
        #expect(r.size == 8 + 1 + 8 + file.count)
        let empty = strings(Array(repeating: [], count: 40))
        #expect(empty.back == Array(repeating: [], count: 40))
        let none = strings([])
        #expect(none.back.isEmpty && none.size == 8)
    }

    /// Values built to collide in the words that stand for them: the same length and the same
    /// first and last bytes, different in between (longer than 16 bytes), and short values of
    /// one repeated letter. The dictionary must still tell them apart.
    @Test func fewDistinctStringsMakeADictionary() {
        let sets: [[[UInt8]]] = [
            [[], Array("a".utf8), Array("aa".utf8), Array("aaa".utf8), Array("ab".utf8), Array("aba".utf8),
             Array("abcd".utf8), Array("abcde".utf8)],
            [Array("abdde".utf8), Array("DELIVER IN PERSON".utf8), Array("DELIVER XN PERSON".utf8),
             Array("12345678_middle_A_87654321".utf8), Array("12345678_middle_B_87654321".utf8), Array("北京".utf8)],
            [Array("returnflag".utf8), Array("shipinstruct".utf8)],
        ]
        for distinct in sets {
            var values: [[UInt8]] = []
            for i in 0..<3000 { values.append(distinct[(i * 7 + i / 13) % distinct.count]) }
            let r = strings(values)
            #expect(r.back == values)
            // The entries once, then a byte per value: far under the plain form's bytes and lengths.
            let entries = distinct.reduce(0) { $0 + 4 + $1.count }
            #expect(r.size == 8 + 1 + 1 + entries + values.count)
        }
    }

    /// One value past the dictionary's entries: the plain form, with every value intact.
    @Test func ninthDistinctStringFallsBackToThePlainForm() {
        var values = (0..<100).map { Array("mode\($0 % SpillCoding.maxDictionaryEntries)".utf8) }
        values[99] = Array("mode-extra".utf8)
        let r = strings(values)
        #expect(r.back == values)
        #expect(r.size == 8 + 1 + 1 + values.count + 8 + values.reduce(0) { $0 + $1.count })
    }

    @Test func manyDistinctOrLongStringsKeepTheirBytesWithNarrowLengths() {
        // 300 distinct values: far past the dictionary's entries.
        let many = (0..<1000).map { Array("tpch:\($0 % 300)".utf8) }
        let r = strings(many)
        #expect(r.back == many)
        #expect(r.size == 8 + 1 + 1 + many.count + 8 + many.reduce(0) { $0 + $1.count })
        // A value of 300 bytes makes every length two bytes wide.
        var long = (0..<100).map { Array("note \($0)".utf8) }
        long[42] = Array(repeating: UInt8(ascii: "x"), count: 300)
        let l = strings(long)
        #expect(l.back == long)
        #expect(l.size == 8 + 1 + 1 + 2 * long.count + 8 + long.reduce(0) { $0 + $1.count })
        // Below the dictionary's minimum count, repeated values stay plain.
        let few = (0..<10).map { Array("v\($0 % 2)".utf8) }
        #expect(strings(few).back == few)
    }

    /// Random mixes of the shapes, seeded: whatever form each takes, it reads back the same.
    @Test func randomArraysRoundTrip() {
        var rng = SplitMix(seed: 20261128)
        for _ in 0..<200 {
            let n = Int(rng.next() % 400)
            let alphabet = Int(rng.next() % 400) + 1
            let maxLen = Int(rng.next() % 40)
            let values: [[UInt8]] = (0..<n).map { _ in
                let k = Int(rng.next() % UInt64(alphabet))
                let len = maxLen == 0 ? 0 : k % (maxLen + 1)
                return (0..<len).map { UInt8(truncatingIfNeeded: k &* 31 &+ $0) }
            }
            #expect(strings(values).back == values)
            let shift = rng.next() % 64
            let numbers: [Int64] = (0..<n).map { _ in Int64(bitPattern: rng.next()) >> shift }
            #expect(ints(numbers).back == numbers)
            let levelValues: [UInt8] = (0..<n).map { _ in UInt8(rng.next() % (alphabet < 10 ? 1 : 3)) }
            #expect(levels(levelValues).back == levelValues)
        }
    }

    /// A string column that took only null rows after it first held a value has offsets and no
    /// values: through the spill form it must keep its starting offset, or the values appended
    /// after it would lose their first end.
    @Test func aStringColumnWithNoValuesSurvivesTheSpillForm() {
        let note = OrderSchema.orderFieldIndex("note")!
        var t = ColumnTable(fields: OrderSchema.orderFields)
        t.beginRow()
        t.set(note, string: "first")
        t.endRow()
        t.beginRow()
        t.endRow()
        var col = PendingColumn(kind: .string)
        [Int32(1)].withUnsafeBufferPointer { col.append(t.columns[note], rows: $0) }
        #expect(col.materialized && col.offsets == [0])
        var out: [UInt8] = []
        col.serialize(into: &out)
        var back = PendingColumn(kind: .string)
        out.withUnsafeBytes { raw in
            var p = 0
            back.appendSerialized(raw, &p)
            #expect(p == raw.count)
        }
        [Int32(0), 1, 0].withUnsafeBufferPointer { back.append(t.columns[note], rows: $0) }
        #expect(back.rows == 4)
        #expect((0..<4).map { back.string($0) } == [nil, "first", nil, "first"])
    }
}

extension SpillCodingTests {
    /// A partition's segments decoded one after the other into one table give the same table
    /// as the segments' own tables appended: fields only one segment holds (a business line in
    /// the first, tags in the second) are null in the other's rows, and many rows make the
    /// string forms other than the plain one.
    @Test func segmentsDecodedIntoOneTableMatchTheTablesAppended() {
        let tags = OrderSchema.orderFieldIndex("tags")!
        let first = Orders.batch((0..<200).map { ("shop:\($0)", 19_000 + Int64($0 % 3), "express", 1) })
        var second = Orders.batch((200..<300).map { ("shop:\($0)", 19_100, nil, 0) })
        second.beginOrder()
        second.orders.set(OrderField.orderId, string: "shop:tagged")
        second.orders.addElement(tags, "a")
        second.orders.addElement(tags, "")
        second.endOrder()
        func table(_ b: OrderBatch) -> PendingTable {
            var t = PendingTable(fields: OrderSchema.orderFields)
            let all = (0..<Int32(b.count)).map { $0 }
            all.withUnsafeBufferPointer { t.append(b.orders, rows: $0) }
            return t
        }
        var segments: [UInt8] = []
        table(first).serialize(into: &segments)
        table(second).serialize(into: &segments)
        var decoded = PendingTable(fields: OrderSchema.orderFields)
        segments.withUnsafeBytes { raw in
            var p = 0
            decoded.appendSerialized(raw, &p)
            decoded.appendSerialized(raw, &p)
            #expect(p == raw.count)
        }
        var appended = table(first)
        appended.append(contentsOf: table(second))
        #expect(decoded.rowCount == 301)
        // Compared in the spill form, which holds every array of every column.
        var a: [UInt8] = []
        var d: [UInt8] = []
        appended.serialize(into: &a)
        decoded.serialize(into: &d)
        #expect(a == d)
        #expect(decoded.column(OrderField.businessLine).string(250) == nil)
        #expect(decoded.column(OrderField.businessLine).string(199) == "express")
        #expect(decoded.column(OrderField.orderId).string(300) == "shop:tagged")
    }
}

/// A small seeded generator (SplitMix64), so the random cases are the same on every run.
private struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
