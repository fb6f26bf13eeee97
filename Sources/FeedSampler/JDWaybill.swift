/// One logistics waybill (JD `ldop.waybill.receive` fields), drawn from its own random stream.
/// Freight follows the CN first-weight / continued-weight model: a price for the first kilogram
/// plus a price per further started kilogram, by business line.
struct JDWaybill {
    static let salePlats = ByteTable(["0010001", "0010002", "0030001"])
    /// Status paths (orderStatus codes), each a legal life of a waybill.
    static let paths: [[Int]] = [
        [100, 200, 300, 400, 500, 600],
        [100, 900],
        [100, 200, 900],
        [100, 200, 300, 400, 500, 600, 910],
        [100, 200, 800, 200, 300, 400, 500],
        [100, 200, 300, 400, 500, 910],
        [100, 300, 400, 500, 600],  // cash on delivery: allocated before payment
    ]
    static let pathWeights = [60, 8, 6, 6, 5, 5, 0]
    static let codPath = 6
    static let statusCodes = [100, 200, 300, 400, 500, 600, 800, 900, 910]
    /// Sender warehouses: index into CNPlace.all, and the warehouse codes.
    static let warehousePlaces = [0, 1, 2, 9, 10, 11]
    static let warehouseCodes = ByteTable(["JDWH-BJ01", "JDWH-SH02", "JDWH-GZ01", "JDWH-CD03", "JDWH-WH01", "JDWH-XA02"])
    static let senders = ByteTable([
        "京东自营旗舰店", "小米官方旗舰店", "三只松鼠旗舰店", "海尔官方旗舰店", "Fresh Harbor 海鲜", "Nordic Home 家居",
    ])
    static let descriptions = ByteTable(["", "", "", "易碎品，轻拿轻放", "请勿倒置", "生鲜，需冷藏", "大件，需预约上门安装", "含电池"])
    static let channels = ByteTable(["APP", "PC", "MINI_PROGRAM", "H5"])
    /// (first kg, each further kg) in cents per business line.
    static let freightRates: [(Int64, Int64)] = [(1_200, 200), (15_000, 120), (2_200, 600), (8_000, 150), (12_000, 4_500)]

    var line = BusinessLine.express
    var salePlat = 0
    var customer = 0
    var product = 0
    var goodsCount = 1
    var packageCount = 1
    var weightG = 0
    var dims = (0, 0, 0)
    var goodsValue: Int64 = 0
    var freight: Int64 = 0
    var cod = false
    var insured = false
    var signReturn = 0
    var aging = 1
    var transType = 1
    var promiseTimeType = 1
    var warehouse = 0
    var sender = 0
    var foreign = -1
    var cn = 0
    var created: Int64 = 0  // UTC seconds
    var sendDays = 1
    var slot = 0
    var pickupHours = 1
    var updateGaps = [Int64](repeating: 0, count: 4)
    var path = 0
    var finalStep = 0
    var description = 0
    var channel = 0
    var promo = false

    mutating func draw(rng: inout SampleRandom) {
        line = BusinessLine(rawValue: rng.weighted(BusinessLine.weights))!
        salePlat = rng.weighted([50, 30, 20])
        customer = rng.below(12)
        let products = Catalogue.products[line.rawValue]
        repeat { product = rng.below(products.count) } while !products[product].requiresShipping
        let p = products[product]
        goodsCount = p.priceCNY > 100_000 ? 1 : 1 + rng.weighted([60, 20, 10, 10])
        packageCount = line == .freight ? rng.int(1, 20) : (goodsCount > 2 && rng.below(2) == 0 ? 2 : 1)
        weightG = p.weightG * goodsCount + rng.int(50, 400)
        dims = p.dims
        goodsValue = p.priceCNY * Int64(goodsCount)
        let rate = JDWaybill.freightRates[line.rawValue]
        freight = rate.0 + Int64(max(0, (weightG - 1) / 1_000)) * rate.1
        if line == .international {
            foreign = rng.below(ForeignPlace.all.count)
        } else {
            foreign = -1
            cn = rng.weighted(CNPlace.weights)
        }
        cod = foreign < 0 && line != .freight && rng.below(100) < 20
        insured = rng.below(100) < (line == .bulky ? 60 : 25)
        signReturn = rng.below(10) < 8 ? 0 : rng.int(1, 4)
        aging = rng.below(10) < 7 ? 1 : rng.int(2, 6)
        transType = (line == .international && rng.below(10) < 7) || (line == .express && rng.below(5) == 0) ? 2 : 1
        switch line {
        case .express: promiseTimeType = rng.pick([1, 2])
        case .coldChain: promiseTimeType = rng.pick([26, 8, 16])
        case .international: promiseTimeType = 2
        default: promiseTimeType = 1
        }
        warehouse = rng.below(JDWaybill.warehousePlaces.count)
        sender = rng.below(JDWaybill.senders.count)
        created = ShopOrder.windowStart + Int64(rng.below(ShopOrder.windowSeconds))
        sendDays = rng.int(1, 3)
        slot = rng.below(3)
        pickupHours = rng.int(1, 4)
        updateGaps[0] = Int64(rng.int(0, 600))
        for i in 1..<4 { updateGaps[i] = Int64(rng.int(1_800, 36 * 3_600)) }
        path = cod ? JDWaybill.codPath : rng.weighted(JDWaybill.pathWeights)
        let last = JDWaybill.paths[path].count - 1
        finalStep = rng.below(10) < 7 ? last : rng.below(last + 1)
        description = rng.below(JDWaybill.descriptions.count)
        channel = rng.below(JDWaybill.channels.count)
        promo = rng.below(10) == 0
    }

    func status(version: Int, updates: Int) -> Int { JDWaybill.paths[path][finalStep - updates + version] }

    func updatedOffset(version: Int) -> Int64 {
        var t: Int64 = 0
        for v in 0...version { t += updateGaps[v] }
        return t
    }
}
