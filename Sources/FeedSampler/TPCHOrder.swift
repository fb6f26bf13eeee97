import OrderModel

/// One TPC-H order with its lines, drawn by the rules of the TPC-H specification (clause 4.2.3):
/// 1-7 lines, quantity 1-50, discount 0-10 %, tax 0-8 %, extended price = quantity x the part's
/// retail price, ship date = order date + 1..121, commit date = order date + 30..90, receipt date =
/// ship date + 1..30, line status and return flag against the current date 1995-06-17, order status
/// rolled up from the line statuses, and the total by integer-cent truncation.
struct TPCHOrder {
    static let startDay = CivilTime.days(year: 1992, month: 1, day: 1)
    static let lastOrderDay = CivilTime.days(year: 1998, month: 8, day: 2)  // 1998-12-31 minus 151 days
    static let currentDay = CivilTime.days(year: 1995, month: 6, day: 17)

    static let priorities = ByteTable(["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"])
    static let instructions = ByteTable(["DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"])
    static let modes = ByteTable(["REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"])

    struct Line {
        var partkey = 0
        var suppkey = 0
        var quantity = 0
        var extendedPrice: Int64 = 0  // cents
        var discount = 0  // percent
        var tax = 0  // percent
        var returnFlag: UInt8 = 0
        var lineStatus: UInt8 = 0
        var shipDay: Int64 = 0
        var commitDay: Int64 = 0
        var receiptDay: Int64 = 0
        var instruction = 0
        var mode = 0
        /// The comment: a window of `TPCHText.pool`.
        var commentStart = 0
        var commentLength = 0
    }

    var orderkey = 0
    var custkey = 0
    var status: UInt8 = 0
    var totalPrice: Int64 = 0  // cents
    var orderDay: Int64 = 0
    var priority = 0
    var clerk = 0
    var commentStart = 0
    var commentLength = 0
    var lineCount = 0
    /// Reused line storage: only the first `lineCount` are the order's.
    var lines: [Line] = Array(repeating: Line(), count: 7)

    /// The retail price of a part in cents (TPC-H P_RETAILPRICE).
    @inline(__always)
    static func retailPrice(partkey: Int) -> Int64 {
        Int64(90_000 + (partkey / 10) % 20_001 + 100 * (partkey % 1_000))
    }

    /// The order total in cents: per line trunc(trunc(eprice x (100 - disc) / 100) x (100 + tax) / 100).
    @inline(__always)
    static func lineCharge(extendedPrice: Int64, discount: Int, tax: Int) -> Int64 {
        extendedPrice * Int64(100 - discount) / 100 * Int64(100 + tax) / 100
    }

    /// Draws order number `index` (0-based) of a feed of `orders` orders; `lineCount` forces the
    /// number of lines (bad records use 1 or 7).
    mutating func draw(index: Int, orders: Int, rng: inout SampleRandom, lineCount forced: Int? = nil) {
        let scaleOrders = max(orders, 1_500)
        orderkey = index + 1
        let customers = scaleOrders / 10
        repeat { custkey = rng.int(1, customers) } while custkey % 3 == 0
        orderDay = TPCHOrder.startDay + Int64(rng.below(Int(TPCHOrder.lastOrderDay - TPCHOrder.startDay) + 1))
        priority = rng.below(5)
        clerk = rng.int(1, max(1_000, scaleOrders / 1_500))
        commentLength = rng.int(19, 78)
        commentStart = TPCHText.window(length: commentLength, rng: &rng)
        lineCount = forced ?? rng.int(1, 7)
        let parts = scaleOrders * 2 / 15
        let suppliers = max(4, scaleOrders / 150)
        var total: Int64 = 0
        var shippedLines = 0
        for i in 0..<lineCount {
            TPCHOrder.drawLine(&lines[i], orderDay: orderDay, parts: parts, suppliers: suppliers, rng: &rng)
            if lines[i].lineStatus == UInt8(ascii: "F") { shippedLines += 1 }
            total += TPCHOrder.lineCharge(
                extendedPrice: lines[i].extendedPrice, discount: lines[i].discount, tax: lines[i].tax)
        }
        totalPrice = total
        status =
            shippedLines == lineCount
            ? UInt8(ascii: "F") : (shippedLines == 0 ? UInt8(ascii: "O") : UInt8(ascii: "P"))
    }

    private static func drawLine(
        _ l: inout Line, orderDay: Int64, parts: Int, suppliers: Int, rng: inout SampleRandom
    ) {
        l.partkey = rng.int(1, parts)
        let corner = rng.below(4)
        l.suppkey = (l.partkey + corner * (suppliers / 4 + (l.partkey - 1) / suppliers)) % suppliers + 1
        l.quantity = rng.int(1, 50)
        l.extendedPrice = Int64(l.quantity) * retailPrice(partkey: l.partkey)
        l.discount = rng.int(0, 10)
        l.tax = rng.int(0, 8)
        l.shipDay = orderDay + Int64(rng.int(1, 121))
        l.commitDay = orderDay + Int64(rng.int(30, 90))
        l.receiptDay = l.shipDay + Int64(rng.int(1, 30))
        l.lineStatus = l.shipDay <= currentDay ? UInt8(ascii: "F") : UInt8(ascii: "O")
        l.returnFlag =
            l.receiptDay <= currentDay ? (rng.below(2) == 0 ? UInt8(ascii: "R") : UInt8(ascii: "A")) : UInt8(ascii: "N")
        l.instruction = rng.below(4)
        l.mode = rng.below(7)
        l.commentLength = rng.int(10, 43)
        l.commentStart = TPCHText.window(length: l.commentLength, rng: &rng)
    }
}
