/// One order of the shop-style export, drawn from its own random stream. Amounts are integer
/// cents of the order's currency: Subtotal = sum(quantity x price) - Discount Amount (the sum of the
/// line discounts), Taxes = round-half-up(Subtotal x rate), Total = Subtotal + Shipping + Taxes.
struct ShopOrder {
    static let financial = ByteTable(["pending", "authorized", "paid", "partially_refunded", "refunded", "voided"])
    static let fulfillment = ByteTable(["unfulfilled", "partial", "fulfilled"])
    /// Status paths as (financial, fulfillment) index pairs, each a legal life of an order.
    static let paths: [[(Int, Int)]] = [
        [(0, 0), (2, 0), (2, 2)],  // prepaid, shipped in one go
        [(0, 0), (2, 0), (2, 1), (2, 2)],  // prepaid, shipped in parts
        [(1, 0), (2, 0), (2, 2)],  // card authorised, captured at shipping
        [(0, 0), (5, 0)],  // voided before payment
        [(2, 0), (2, 2), (4, 2)],  // refunded after delivery
        [(2, 0), (2, 2), (3, 2)],  // partly refunded
        [(0, 0), (0, 2), (2, 2)],  // cash on delivery: paid when delivered
    ]
    static let pathWeights = [40, 15, 12, 6, 4, 4, 0]
    static let codPath = 6
    /// 2025-10-01 00:00:00 UTC and the length of the order window (61 days).
    static let windowStart: Int64 = 1_759_276_800
    static let windowSeconds = 61 * 86_400

    struct Line {
        var product = 0
        var quantity = 0
        var price: Int64 = 0
        var compareAt: Int64 = 0  // 0: blank
        var discount: Int64 = 0
    }

    var line = BusinessLine.express
    var foreign = -1  // index into ForeignPlace.all, or -1 for China
    var cn = 0  // index into CNPlace.all
    var currency = 0
    var created: Int64 = 0  // UTC seconds
    var offsetMinutes = 0
    var updateGaps = [Int64](repeating: 0, count: 4)  // seconds from one version to the next
    var path = 0
    var finalStep = 0
    var lineCount = 0
    var lines = [Line](repeating: Line(), count: 7)
    var subtotal: Int64 = 0
    var discountTotal: Int64 = 0
    var shipping: Int64 = 0
    var taxes: Int64 = 0
    var total: Int64 = 0
    var cod = false
    var shippingMethod = 0
    var notes = -1
    var noteAttributes = -1
    var tagMask = 0
    var discountCodes = 0  // bit mask over ShopText.discountCodes
    var payment = 0
    var risk = 0
    var source = 0
    var customer = 0

    var isCN: Bool { foreign < 0 }

    mutating func draw(rng: inout SampleRandom) {
        line = BusinessLine(rawValue: rng.weighted(BusinessLine.weights))!
        if line == .international || rng.below(5) == 0 {
            foreign = rng.below(ForeignPlace.all.count)
            currency = ForeignPlace.all[foreign].currency
        } else {
            foreign = -1
            cn = rng.weighted(CNPlace.weights)
            currency = 0
        }
        created = ShopOrder.windowStart + Int64(rng.below(ShopOrder.windowSeconds))
        offsetMinutes = isCN ? (rng.below(10) == 0 ? -240 : 480) : rng.pick([-240, -300, 0, 60, 480, 540])
        updateGaps[0] = Int64(rng.int(0, 1_800))
        for i in 1..<4 { updateGaps[i] = Int64(rng.int(1_800, 48 * 3_600)) }
        cod = isCN && line != .freight && rng.below(100) < 15
        path = cod ? ShopOrder.codPath : rng.weighted(ShopOrder.pathWeights)
        let last = ShopOrder.paths[path].count - 1
        finalStep = rng.below(10) < 7 ? last : rng.below(last + 1)
        customer = rng.int(10_000, 99_999)
        drawLines(rng: &rng)
        drawExtras(rng: &rng)
    }

    private mutating func drawLines(rng: inout SampleRandom) {
        let products = Catalogue.products[line.rawValue]
        lineCount = (line == .freight || line == .bulky) ? rng.int(1, 2) : 1 + rng.weighted([40, 25, 15, 8, 6, 4, 2])
        let cur = Currency.all[currency]
        var gross: Int64 = 0
        discountTotal = 0
        for i in 0..<lineCount {
            lines[i].product = rng.below(products.count)
            lines[i].quantity = products[lines[i].product].priceCNY > 100_000 ? 1 : 1 + rng.weighted([60, 20, 10, 5, 5])
            let price = cur.shelfPrice(cnyCents: products[lines[i].product].priceCNY)
            lines[i].price = price
            lines[i].compareAt = rng.below(10) < 4 ? cur.shelfPrice(cnyCents: products[lines[i].product].priceCNY * Int64(rng.int(120, 150)) / 100) : 0
            let amount = price * Int64(lines[i].quantity)
            var discount: Int64 = 0
            if rng.below(4) == 0 {
                discount = amount * Int64(rng.int(5, 20)) / 100
                if cur.wholeUnits { discount = discount / 100 * 100 }
            }
            lines[i].discount = discount
            gross += amount
            discountTotal += discount
        }
        subtotal = gross - discountTotal
        let shippingCNY: Int64
        switch line {
        case .express: shippingCNY = subtotal * 100 / cur.cnyCentsPerUnit >= 9_900 ? 0 : 1_000
        case .freight: shippingCNY = Int64(rng.int(50, 150)) * 1_000
        case .coldChain: shippingCNY = 2_000
        case .bulky: shippingCNY = rng.below(2) == 0 ? 0 : 19_900
        case .international: shippingCNY = Int64(rng.int(8, 20)) * 1_000
        }
        shipping = ShopOrder.convert(shippingCNY, cur)
        let bp = ShopOrder.taxBasisPoints(foreign)
        taxes = (subtotal * bp + 5_000) / 10_000
        if cur.wholeUnits { taxes = (taxes + 50) / 100 * 100 }
        total = subtotal + shipping + taxes
    }

    private mutating func drawExtras(rng: inout SampleRandom) {
        let methods = isCN ? ShopText.cnMethods[line.rawValue] : ShopText.foreignMethods[line.rawValue]
        shippingMethod = rng.below(methods.count)
        notes = rng.below(10) < 3 ? rng.below(ShopText.notes.count) : -1
        noteAttributes = rng.below(100) < 15 ? rng.below(ShopText.noteAttributes.count) : -1
        tagMask = rng.below(10) < 6 ? rng.below(1 << ShopText.tags.count) & rng.below(1 << ShopText.tags.count) : 0
        let codes = ShopText.discountCodes.count
        discountCodes = discountTotal > 0 ? (1 << rng.below(codes)) | (rng.below(4) == 0 ? 1 << rng.below(codes) : 0) : 0
        payment = cod ? 0 : rng.below(isCN ? ShopText.cnPayments.count : ShopText.foreignPayments.count)
        risk = rng.weighted([85, 10, 5])
        source = rng.weighted([55, 15, 12, 8, 5, 5])
    }

    /// A CNY amount in the currency's cents, in whole units.
    static func convert(_ cny: Int64, _ cur: Currency) -> Int64 {
        if cur.cnyCentsPerUnit == 100 { return cny }
        return (cny * 100 / cur.cnyCentsPerUnit + 50) / 100 * 100
    }

    /// Sales tax / VAT charged on top of the subtotal, in basis points.
    static func taxBasisPoints(_ foreign: Int) -> Int64 { foreign < 0 ? 0 : taxTable[foreign] }

    private static let taxTable: [Int64] = ForeignPlace.all.map { place in
        switch String(decoding: place.country, as: UTF8.self) {
        case "US": return 800
        case "DE", "FR": return 1_900
        case "GB": return 2_000
        case "JP", "AU": return 1_000
        case "CA": return 1_300
        case "SG": return 900
        default: return 0
        }
    }

    /// The (financial, fulfillment) state of version `version` of an order with `updates`
    /// later versions: the versions walk the path up to the final step.
    func state(version: Int, updates: Int) -> (Int, Int) {
        ShopOrder.paths[path][finalStep - updates + version]
    }

    /// Seconds from creation to the update time of `version`.
    func updatedOffset(version: Int) -> Int64 {
        var t: Int64 = 0
        for v in 0...version { t += updateGaps[v] }
        return t
    }
}
