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

    static let cnMethods: [[[UInt8]]] = [
        ["京东快递", "顺丰标快", "中通快递"], ["京东快运", "德邦快运"], ["京东冷链", "顺丰冷运"], ["京东大件", "日日顺物流"],
        ["DHL Express Worldwide"],
    ].map { $0.map { Array($0.utf8) } }
    static let foreignMethods: [[[UInt8]]] = [
        ["Standard Shipping", "Express Shipping"], ["LTL Freight"], ["Cold Chain Express"],
        ["Large Item Delivery & Install"], ["DHL Express Worldwide", "EMS International", "FedEx International Priority"],
    ].map { $0.map { Array($0.utf8) } }

    static let codPayment = Array("Cash on Delivery (COD)".utf8)
    static let cnPayments: [[UInt8]] = ["Alipay", "WeChat Pay", "UnionPay"].map { Array($0.utf8) }
    static let foreignPayments: [[UInt8]] = ["Shopify Payments", "PayPal Express Checkout", "Klarna", "manual"]
        .map { Array($0.utf8) }

    static let notes: [[UInt8]] = [
        "Please call before delivery.\nGate code 4821", "Leave it with the \"front desk\", thanks",
        "送货前请电话联系\n周末不收货", "Fragile: glassware", "Gift for mom, please hide the price",
        "No plastic bag please", "放快递柜，谢谢",
    ].map { Array($0.utf8) }
    static let noteAttributes: [[UInt8]] = [
        "gift_wrap: true", "gift_message: Happy birthday!\nfrom Anna", "delivery_date: 2025-11-11",
        "invoice_title: 上海某某科技有限公司",
    ].map { Array($0.utf8) }
    static let tags: [[UInt8]] = ["vip", "repeat", "wholesale", "gift", "双11", "flash-sale", "b2b", "priority"]
        .map { Array($0.utf8) }
    static let discountCodes: [[UInt8]] = ["WELCOME10", "VIP15", "DOUBLE11", "SPRING5", "FREESHIP"]
        .map { Array($0.utf8) }
    static let risks: [[UInt8]] = ["Low", "Medium", "High"].map { Array($0.utf8) }
    static let sources: [[UInt8]] = ["web", "iphone", "android", "pos", "shopify_draft_order", "tiktok"]
        .map { Array($0.utf8) }
    static let apartments: [[UInt8]] = [", Apt 4B", ", Suite 210", ", Flat 3", ""].map { Array($0.utf8) }
    static let emailDomains: [[UInt8]] = ["@example.com", "@example.org", "@example.cn", "@mail.example.net"]
        .map { Array($0.utf8) }
    static let badDates: [[UInt8]] = ["2025-02-30", "2025-11-31", "2025-09-31", "2025-06-31"].map { Array($0.utf8) }
    static let yes = Array("true".utf8)
    static let no = Array("false".utf8)
}
