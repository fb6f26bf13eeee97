import OrderModel
import Testing
import Pipeline

@Suite struct BusinessLineCounterTests {
    /// A parent in `express` with two planned children (what fulfill writes after it), and
    /// an order without a business line.
    private func batch() -> OrderBatch {
        var b = OrderBatch()
        let line = OrderField.businessLine
        let parent = OrderSchema.orderFieldIndex("parent_order_id")!
        let reasons = OrderSchema.orderFieldIndex("plan_reasons")!
        let childCount = OrderSchema.orderFieldIndex("child_count")!
        b.beginOrder()
        b.orders.set(OrderField.orderId, string: "shop:1")
        b.orders.set(line, string: "express")
        b.orders.set(childCount, int: 2)
        b.orders.addElement(reasons, "2 child orders by warehouse", key: "split")
        b.endOrder()
        for k in 1...2 {
            b.beginOrder()
            b.orders.set(OrderField.orderId, string: "shop:1-\(k)")
            b.orders.set(line, string: "express")
            b.orders.set(parent, string: "shop:1")
            b.orders.addElement(reasons, "first in priority order", key: "warehouse")
            b.endOrder()
        }
        b.beginOrder()
        b.orders.set(OrderField.orderId, string: "shop:2")
        b.endOrder()
        return b
    }

    @Test func runLeavesPlannedChildrenOutAndCollectCountsEveryOrder() {
        let atWriter = BusinessLineCounter(skippingPlannedChildren: true)
        atWriter.count(batch())
        #expect(atWriter.counts == ["express": 1, "": 1])
        let collected = BusinessLineCounter()
        collected.count(batch())
        #expect(collected.counts == ["express": 3, "": 1])
    }
}
