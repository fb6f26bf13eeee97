import OrderModel
import Testing
@testable import Datasets

@Suite struct PendingTableTests {
    /// Orders with lines, lists (one empty), a map with non-ASCII text, a null decimal and
    /// Int64.min: every column kind and level shape.
    private func sample() -> OrderBatch {
        var b = Orders.batch([("shop:1", 19_000, "express", 3), ("shop:2", 19_001, nil, 0), ("shop:3", 19_002, "", 1)])
        b.beginOrder()
        b.orders.set(OrderField.orderId, string: "shop:4")
        b.orders.addElement(OrderSchema.orderFieldIndex("tags")!, "a")
        b.orders.addElement(OrderSchema.orderFieldIndex("tags")!, "")
        b.orders.touch(OrderSchema.orderFieldIndex("discount_codes")!)
        b.orders.addElement(OrderField.ext, "北京", key: "shop.城市")
        b.orders.set(OrderField.version, int: Int64.min)
        b.endOrder()
        return b
    }

    /// Rebuilds a column table from pending columns (test-only decoder of the level form).
    private func rebuild(_ p: PendingTable, into t: inout ColumnTable) {
        let columns = p.fields.indices.map { p.column($0) }
        var cursor = Array(repeating: (entry: 0, value: 0), count: columns.count)
        for _ in 0..<p.rowCount {
            t.beginRow()
            for (c, col) in columns.enumerated() {
                let e = cursor[c].entry
                guard col.materialized else {
                    cursor[c].entry += 1
                    continue
                }
                switch col.kind {
                case .stringList, .stringMap:
                    var k = e
                    if col.defs[k] >= 1 { t.touch(c) }
                    repeat {
                        if col.defs[k] == 2 {
                            let v = cursor[c].value
                            let value = Array(col.bytes[Int(col.offsets[v])..<Int(col.offsets[v + 1])])
                            let key = col.kind == .stringMap
                                ? Array(col.keyBytes[Int(col.keyOffsets[v])..<Int(col.keyOffsets[v + 1])]) : nil
                            value.withUnsafeBytes { vb in
                                if let key {
                                    key.withUnsafeBytes { t.addElement(c, utf8: vb, key: $0) }
                                } else {
                                    t.addElement(c, utf8: vb)
                                }
                            }
                            cursor[c].value += 1
                        }
                        k += 1
                    } while k < col.entries && col.reps[k] == 1
                    cursor[c].entry = k
                default:
                    cursor[c].entry += 1
                    guard col.defs[e] == 1 else { continue }
                    let v = cursor[c].value
                    cursor[c].value += 1
                    switch col.kind {
                    case .string:
                        Array(col.bytes[Int(col.offsets[v])..<Int(col.offsets[v + 1])]).withUnsafeBytes { t.set(c, utf8: $0) }
                    case .int32, .date: t.set(c, int: Int64(col.int32s[v]))
                    case .bool: t.set(c, int: col.bools[v] ? 1 : 0)
                    default: t.set(c, int: col.ints[v])
                    }
                }
            }
            t.endRow()
        }
    }

    /// `table` written in the spill form and read back into a new table (the whole form read).
    private func spillRoundTrip(_ table: PendingTable) -> PendingTable {
        var spilled: [UInt8] = []
        table.serialize(into: &spilled)
        var back = PendingTable(fields: table.fields)
        spilled.withUnsafeBytes { raw in
            var p = 0
            back.appendSerialized(raw, &p)
            #expect(p == raw.count)
        }
        return back
    }

    private func ndjson(_ b: OrderBatch) -> String {
        var out: [UInt8] = []
        UnifiedNDJSONEncoder().encode(b, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func gathersSelectedRowsAndSurvivesTheSpillForm() {
        let b = sample()
        // Rows 3 and 0, then (through the spill form) rows 1 and 2: order 3, 0, 1, 2.
        var first = PendingTable(fields: OrderSchema.orderFields)
        var firstLines = PendingTable(fields: OrderSchema.lineFields)
        let sel: [Int32] = [3, 0]
        sel.withUnsafeBufferPointer { first.append(b.orders, rows: $0) }
        let lineSel = sel.flatMap { b.lineRange(Int($0)).map(Int32.init) }
        lineSel.withUnsafeBufferPointer { firstLines.append(b.lines, rows: $0) }
        var second = PendingTable(fields: OrderSchema.orderFields)
        [Int32(1), 2].withUnsafeBufferPointer { second.append(b.orders, rows: $0) }
        first.append(contentsOf: spillRoundTrip(second))
        #expect(first.rowCount == 4 && firstLines.rowCount == 3)
        #expect(first.column(OrderField.orderId).string(1) == "shop:1")
        var rebuilt = ColumnTable(fields: OrderSchema.orderFields)
        rebuild(first, into: &rebuilt)
        var expected = OrderBatch()
        for r in [3, 0, 1, 2] {
            expected.beginOrder()
            expected.copyOrderFields(from: b, row: r)
            expected.endOrder()
        }
        var got = OrderBatch()
        got.orders = rebuilt
        // endOrder() fills line_count; compare the order tables through the same encoder.
        var gotBatch = OrderBatch()
        for r in 0..<got.orders.rowCount {
            gotBatch.beginOrder()
            gotBatch.copyOrderFields(from: got, row: r)
            gotBatch.endOrder()
        }
        #expect(ndjson(gotBatch) == ndjson(expected))
        var lines = ColumnTable(fields: OrderSchema.lineFields)
        rebuild(firstLines, into: &lines)
        #expect(lines.columns[LineField.orderId].string(0) == "shop:1")
        #expect(lines.columns[LineField.lineNo].int(2) == 3)
    }

    @Test func nullOnlyColumnsHoldNoLevels() {
        let b = sample()
        // A batch whose tags are null throughout: only a count is kept.
        let plain = Orders.batch([("shop:1", 19_000, "express", 3), ("shop:2", 19_001, nil, 0), ("shop:3", 19_002, "", 1)])
        var t = PendingTable(fields: OrderSchema.orderFields)
        [Int32(0), 1, 2].withUnsafeBufferPointer { t.append(plain.orders, rows: $0) }
        let tags = t.column(OrderSchema.orderFieldIndex("tags")!)
        #expect(!tags.materialized && tags.entries == 3 && tags.defs.isEmpty)
        [Int32(3)].withUnsafeBufferPointer { t.append(b.orders, rows: $0) }
        let now = t.column(OrderSchema.orderFieldIndex("tags")!)
        #expect(now.materialized && now.defs == [0, 0, 0, 2, 2] && now.reps == [0, 0, 0, 0, 1])
        let codes = t.column(OrderSchema.orderFieldIndex("discount_codes")!)
        #expect(codes.defs == [0, 0, 0, 1])
    }

    /// Routing column by column (`appendColumn` for every field of several tables, then
    /// `endAppend`) must build what a row-major `append` of each table builds, including a
    /// field a table first sees in its second append (padded with nulls before it).
    @Test func columnByColumnAppendsEqualRowAppends() {
        let b = sample()
        let slices: [[[Int32]]] = [[[0, 2], [3]], [[1], [3, 0]]]  // per table: its appends, in order
        var byRow = slices.map { _ in PendingTable(fields: OrderSchema.orderFields) }
        var byColumn = byRow
        for (t, appends) in slices.enumerated() {
            for sel in appends { sel.withUnsafeBufferPointer { byRow[t].append(b.orders, rows: $0) } }
        }
        for step in 0..<2 {
            b.orders.withViews(of: Array(OrderSchema.orderFields.indices)) { src in
                for c in OrderSchema.orderFields.indices {
                    for t in slices.indices {
                        slices[t][step].withUnsafeBufferPointer { byColumn[t].appendColumn(c, src.baseAddress! + c, rows: $0) }
                    }
                }
            }
            for t in slices.indices { byColumn[t].endAppend(rows: slices[t][step].count) }
        }
        for t in slices.indices {
            var a: [UInt8] = []
            var c: [UInt8] = []
            byRow[t].serialize(into: &a)
            byColumn[t].serialize(into: &c)
            #expect(a == c, "table \(t)")
            #expect(byColumn[t].rowCount == 3)
        }
        // Table 0 met the tags (row 3) in its second append: two nulls come first.
        #expect(byColumn[0].column(OrderSchema.orderFieldIndex("tags")!).defs.prefix(2) == [0, 0])
    }

    /// A table emptied with `removeAllKeepingCapacity` (as the partitioned writer does to a
    /// partition's tables after spilling their rows) holds no rows and no row data, is still
    /// charged for the memory it keeps, reuses that memory, and takes the next rows exactly as
    /// a new table does: columns it keeps materialized (tags, ext) decode the same.
    @Test func emptiedTablesKeepTheirMemoryAndTakeRowsAsNew() {
        let b = sample()
        var reused = PendingTable(fields: OrderSchema.orderFields)
        [Int32(3), 0, 1, 2, 3].withUnsafeBufferPointer { reused.append(b.orders, rows: $0) }
        let held = reused.heapBytes
        let idField = OrderField.orderId
        let idCapacity = reused.column(idField).bytes.capacity
        reused.removeAllKeepingCapacity()
        // No row data: only the leading 0 of each string column's offsets.
        #expect(reused.rowCount == 0 && reused.dataBytes <= 8 * OrderSchema.orderFields.count)
        #expect(reused.heapBytes == held)
        #expect(reused.column(idField).bytes.capacity == idCapacity && reused.column(idField).offsets == [0])
        // Rows without tags or ext first, then the one with them.
        var fresh = PendingTable(fields: OrderSchema.orderFields)
        for sel: [Int32] in [[1, 2], [3]] {
            sel.withUnsafeBufferPointer { reused.append(b.orders, rows: $0) }
            sel.withUnsafeBufferPointer { fresh.append(b.orders, rows: $0) }
        }
        #expect(reused.rowCount == 3 && reused.dataBytes == fresh.dataBytes)
        #expect(reused.heapBytes == held)  // within what it kept
        #expect(reused.column(OrderSchema.orderFieldIndex("tags")!).defs == [0, 0, 2, 2])
        var a = ColumnTable(fields: OrderSchema.orderFields)
        var c = ColumnTable(fields: OrderSchema.orderFields)
        rebuild(reused, into: &a)
        rebuild(fresh, into: &c)
        var ba = OrderBatch(), bc = OrderBatch()
        ba.orders = a
        bc.orders = c
        var ea = OrderBatch(), ec = OrderBatch()
        for r in 0..<3 {
            ea.beginOrder(); ea.copyOrderFields(from: ba, row: r); ea.endOrder()
            ec.beginOrder(); ec.copyOrderFields(from: bc, row: r); ec.endOrder()
        }
        #expect(ndjson(ea) == ndjson(ec))
        let back = spillRoundTrip(reused)  // through the spill form too
        #expect(back.rowCount == 3 && back.column(idField).string(2) == "shop:4")
    }

    /// The capacity steps are 16, then powers of two: checked for every count up to 100,000 and
    /// around every power of two.
    @Test func grownCapacityIsTheFirstStepThatHolds() {
        var steps = [16]
        while steps.last! < 1 << 57 { steps.append(steps.last! * 2) }
        func expected(_ n: Int) -> Int { steps.first { $0 >= n }! }
        for n in 0...100_000 where PendingColumn.grownCapacity(n) != expected(n) {
            Issue.record("n = \(n): \(PendingColumn.grownCapacity(n)) instead of \(expected(n))")
            break
        }
        for bits in 17...56 {
            for n in [(1 << bits) - 1, 1 << bits, (1 << bits) + 1] {
                #expect(PendingColumn.grownCapacity(n) == expected(n), "n = \(n)")
            }
        }
        for s in steps.prefix(50) {
            #expect(PendingColumn.grownCapacity(s) == s && PendingColumn.grownCapacity(s + 1) == expected(s + 1))
        }
    }
}
