/// Text tables of the shop export: shipping methods per business line, payment methods, notes
/// (some with line breaks and quotes, as real exports have), tags, sources.
enum ShopText {
    static let header = Array(
        ("Name,Id,Email,Financial Status,Fulfillment Status,Currency,Subtotal,Shipping,Taxes,Total,"
            + "Discount Code,Discount Amount,Shipping Method,Created at,Updated at,"
            + "Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,"
            + "Lineitem requires shipping,Lineitem taxable,Lineitem discount,Vendor,"
            + "Shipping Name,Shipping Phone,Shipping Street,Shipping City,Shipping Province,Shipping Zip,"
            + "Shipping Country,Notes,Note Attributes,Payment Method,Tags,Risk Level,Source,Business Line,COD\r\n").utf8)
    static let columns = 39
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    static let cnMethods: [ByteTable] = [
        ["京东快递", "顺丰标快", "中通快递"], ["京东快运", "德邦快运"], ["京东冷链", "顺丰冷运"], ["京东大件", "日日顺物流"],
        ["DHL Express Worldwide"],
    ].map { ByteTable($0) }
    static let foreignMethods: [ByteTable] = [
        ["Standard Shipping", "Express Shipping"], ["LTL Freight"], ["Cold Chain Express"],
        ["Large Item Delivery & Install"], ["DHL Express Worldwide", "EMS International", "FedEx International Priority"],
    ].map { ByteTable($0) }

    static let codPayment = Array("Cash on Delivery (COD)".utf8)
    static let cnPayments = ByteTable(["Alipay", "WeChat Pay", "UnionPay"])
    static let foreignPayments = ByteTable(["Shopify Payments", "PayPal Express Checkout", "Klarna", "manual"])

    static let notes = ByteTable([
        "Please call before delivery.\nGate code 4821", "Leave it with the \"front desk\", thanks",
        "送货前请电话联系\n周末不收货", "Fragile: glassware", "Gift for mom, please hide the price",
        "No plastic bag please", "放快递柜，谢谢",
    ])
    static let noteAttributes = ByteTable([
        "gift_wrap: true", "gift_message: Happy birthday!\nfrom Anna", "delivery_date: 2025-11-11",
        "invoice_title: 上海某某科技有限公司",
    ])
    static let tags = ByteTable(["vip", "repeat", "wholesale", "gift", "双11", "flash-sale", "b2b", "priority"])
    static let discountCodes = ByteTable(["WELCOME10", "VIP15", "DOUBLE11", "SPRING5", "FREESHIP"])
    static let risks = ByteTable(["Low", "Medium", "High"])
    static let sources = ByteTable(["web", "iphone", "android", "pos", "shopify_draft_order", "tiktok"])
    static let apartments = ByteTable([", Apt 4B", ", Suite 210", ", Flat 3", ""])
    static let emailDomains = ByteTable(["@example.com", "@example.org", "@example.cn", "@mail.example.net"])
    static let badDates = ByteTable(["2025-02-30", "2025-11-31", "2025-09-31", "2025-06-31"])
    /// Line breaks in a text (only notes have them, and they are short).
    static func lineBreaks(_ s: UnsafeRawBufferPointer) -> Int {
        var n = 0
        for b in s where b == 0x0A { n += 1 }
        return n
    }

    static let yes = Array("true".utf8)
    static let no = Array("false".utf8)
}
