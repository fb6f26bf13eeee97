import Testing
@testable import OrderModel

@Suite struct BatchCapacityTests {
    private static let sku = OrderSchema.lineFieldIndex("sku")!
    private static let note = OrderSchema.orderFieldIndex("note")!

    private func fill(_ b: inout OrderBatch, orders: Int, tag: String) {
        for i in 0..<orders {
            b.beginOrder()
            b.orders.set(OrderField.orderId, string: "\(tag)-\(i)")
            for k in 0..<(1 + i % 3) {
                b.beginLine()
                b.lines.set(Self.sku, string: "sku-\(i)-\(k)")
                b.endLine()
            }
            b.endOrder()
        }
        b.padNulls()
    }

    @Test func aSizedBatchHasRoomForOneLikeTheLastAndBuildsTheSameRows() {
        var full = OrderBatch()
        fill(&full, orders: 300, tag: "a")
        let capacity = BatchCapacity(of: full)

        var sized = OrderBatch()
        sized.reserveCapacity(capacity)
        let ids = sized.orders.columns[OrderField.orderId]
        #expect(ids.bytes.capacity >= full.orders.columns[OrderField.orderId].bytes.count)
        #expect(ids.offsets.capacity >= full.orders.columns[OrderField.orderId].offsets.count)
        #expect(sized.lines.columns[Self.sku].bytes.capacity >= full.lines.columns[Self.sku].bytes.count)
        #expect(sized.lineParent.capacity >= full.lines.rowCount)
        // A column the batch left all null gets no room: padding sizes it in one append.
        #expect(full.orders.columns[Self.note].nullCount == 300)
        #expect(sized.orders.columns[Self.note].offsets.capacity < 300)
        #expect(sized.count == 0 && sized.lines.rowCount == 0)

        var plain = OrderBatch()
        fill(&sized, orders: 300, tag: "b")
        fill(&plain, orders: 300, tag: "b")
        for c in sized.orders.columns.indices {
            #expect(sized.orders.columns[c].bytes == plain.orders.columns[c].bytes)
            #expect(sized.orders.columns[c].offsets == plain.orders.columns[c].offsets)
            #expect(sized.orders.columns[c].nullCount == plain.orders.columns[c].nullCount)
        }
        for c in sized.lines.columns.indices {
            #expect(sized.lines.columns[c].bytes == plain.lines.columns[c].bytes)
            #expect(sized.lines.columns[c].ints == plain.lines.columns[c].ints)
        }
        #expect(sized.lineParent == plain.lineParent)
        #expect(sized.lineStart == plain.lineStart)
    }
}
