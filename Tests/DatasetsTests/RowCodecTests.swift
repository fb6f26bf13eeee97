import OrderModel
import Testing
@testable import Datasets

@Suite struct RowCodecTests {
    @Test func roundTripsOrdersWithLinesListsAndMaps() {
        var b = Orders.batch([("shop:1", 19_000, "express", 3), ("shop:2", 19_001, nil, 0), ("shop:3", 19_002, "", 1)])
        // A row with lists, an empty list, a null decimal and a non-ASCII map.
        b.beginOrder()
        b.orders.set(OrderField.orderId, string: "shop:4")
        b.orders.addElement(OrderSchema.orderFieldIndex("tags")!, "a")
        b.orders.addElement(OrderSchema.orderFieldIndex("tags")!, "")
        b.orders.touch(OrderSchema.orderFieldIndex("discount_codes")!)
        b.orders.addElement(OrderField.ext, "北京", key: "shop.城市")
        b.orders.set(OrderField.version, int: Int64.min)
        b.endOrder()
        var buffer: [UInt8] = []
        for r in 0..<b.count { RowCodec.encodeOrder(b, row: r, into: &buffer) }
        var decoded = OrderBatch()
        #expect(RowCodec.decodeAll(buffer, into: &decoded) == 4)
        var a: [UInt8] = [], c: [UInt8] = []
        UnifiedNDJSONEncoder().encode(b, into: &a)
        UnifiedNDJSONEncoder().encode(decoded, into: &c)
        #expect(String(decoding: a, as: UTF8.self) == String(decoding: c, as: UTF8.self))
        #expect(decoded.lines.rowCount == 4)
        #expect(decoded.lines.columns[LineField.orderId].string(2) == "shop:1")
    }
}
