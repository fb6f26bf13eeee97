/// The business lines of the shop and waybill feeds (feed-shapes.md: `Business Line`,
/// `businessLine`).
enum BusinessLine: Int, CaseIterable {
    case express, freight, coldChain, bulky, international

    var name: UnsafeRawBufferPointer { BusinessLine.names[rawValue] }
    var label: String { String(decoding: name, as: UTF8.self) }

    static let names = ByteTable(["express", "freight", "cold_chain", "bulky", "international"])
    /// Share of orders per line, in percent.
    static let weights = [45, 8, 15, 12, 20]
}

/// A catalogue item: what a line sells and how it ships.
struct Product: @unchecked Sendable {
    let name: UnsafeRawBufferPointer
    let sku: UnsafeRawBufferPointer
    /// Catalogue price in CNY cents.
    let priceCNY: Int64
    let weightG: Int
    /// Parcel dimensions, cm.
    let dims: (Int, Int, Int)
    /// JD goodsType: 1 normal, 2 fresh ambient, 6 temperature-controlled, 7 chilled, 8 frozen, 9 deep-frozen.
    let goodsType: Int
    let vendor: UnsafeRawBufferPointer
    let requiresShipping: Bool

    init(
        _ name: String, _ sku: String, _ price: Int64, _ weightG: Int, _ dims: (Int, Int, Int), _ goodsType: Int,
        _ vendor: String, requiresShipping: Bool = true
    ) {
        self.name = immortal(name)
        self.sku = immortal(sku)
        self.priceCNY = price
        self.weightG = weightG
        self.dims = dims
        self.goodsType = goodsType
        self.vendor = immortal(vendor)
        self.requiresShipping = requiresShipping
    }
}

enum Catalogue {
    /// Products per business line (index = `BusinessLine.rawValue`).
    static let products: [[Product]] = [
        [  // express
            Product("Wireless Earbuds Pro", "EXP-AUD-0101", 39_900, 180, (12, 10, 5), 1, "Acme Audio"),
            Product("Phone Case - Clear", "EXP-ACC-0207", 5_900, 60, (18, 10, 2), 1, "Northwind"),
            Product("USB-C Cable 1m", "EXP-ACC-0311", 2_900, 40, (15, 8, 2), 1, "Northwind"),
            Product("T-shirt - Black / M", "EXP-APP-1042", 8_900, 220, (30, 25, 3), 1, "Urban Thread"),
            Product("Running Shoes - 42", "EXP-APP-2042", 49_900, 900, (34, 22, 13), 1, "Stride"),
            Product("保温杯 500ml", "EXP-HOM-0520", 12_900, 420, (25, 9, 9), 1, "象印"),
            Product("蓝牙音箱", "EXP-AUD-0630", 19_900, 650, (20, 12, 12), 1, "小米"),
            Product("Notebook A5, dotted", "EXP-STA-0015", 3_500, 300, (22, 16, 2), 1, "Paperworks"),
            Product("Gift Card ¥100", "EXP-GFT-0100", 10_000, 0, (0, 0, 0), 1, "Waybill Shop", requiresShipping: false),
            Product("坚果礼盒 1.2kg", "EXP-FOO-0712", 15_800, 1_400, (35, 25, 10), 2, "三只松鼠"),
        ],
        [  // freight
            Product("Office Chairs (pallet of 20)", "FRT-FUR-0020", 1_199_000, 240_000, (120, 100, 180), 1, "Steelcase"),
            Product("Printer Paper A4 (50 boxes)", "FRT-STA-0050", 420_000, 625_000, (120, 80, 120), 1, "Paperworks"),
            Product("Ceramic Tiles 60x60 (2 m³)", "FRT-BLD-0660", 680_000, 900_000, (120, 100, 100), 1, "马可波罗"),
            Product("Steel Shelving Kit", "FRT-FUR-0410", 158_000, 85_000, (200, 60, 30), 1, "Northwind"),
        ],
        [  // cold chain
            Product("Frozen Dumplings 1kg", "CLD-FRZ-0101", 3_990, 1_100, (30, 20, 8), 8, "湾仔码头"),
            Product("Fresh Salmon Fillet 500g", "CLD-CHL-0205", 12_800, 650, (28, 18, 6), 7, "Fresh Harbor"),
            Product("阳澄湖大闸蟹 礼盒", "CLD-LIV-0888", 68_800, 3_000, (45, 32, 20), 6, "苏州蟹庄"),
            Product("Ice Cream Tub 1L", "CLD-DFZ-0301", 4_990, 800, (18, 12, 12), 9, "Dairy Dream"),
            Product("Yogurt 12-pack", "CLD-CHL-0412", 5_990, 1_600, (30, 20, 12), 7, "光明"),
            Product("冷鲜牛排 300g", "CLD-CHL-0530", 9_900, 350, (24, 16, 4), 7, "恒都"),
        ],
        [  // bulky
            Product("Sofa 3-seater, grey", "BLK-FUR-3001", 459_900, 62_000, (220, 95, 85), 1, "Nordic Home"),
            Product("Refrigerator 450L", "BLK-APL-0450", 569_900, 78_000, (80, 70, 185), 1, "海尔"),
            Product("55\" 4K TV", "BLK-APL-0055", 329_900, 18_500, (140, 85, 15), 1, "TCL"),
            Product("Washing Machine 8kg", "BLK-APL-0008", 259_900, 65_000, (62, 60, 85), 1, "美的"),
            Product("Mattress Queen", "BLK-FUR-1520", 189_900, 30_000, (200, 150, 30), 1, "Sleepwell"),
        ],
        [  // international
            Product("Green Tea Gift Box", "INT-TEA-0100", 26_800, 600, (30, 20, 10), 1, "西湖龙井"),
            Product("Silk Scarf", "INT-APP-0201", 39_900, 120, (25, 20, 3), 1, "Suzhou Silk"),
            Product("Matcha Powder 100g", "INT-TEA-0310", 15_800, 150, (12, 8, 8), 1, "Uji Garden"),
            Product("Porcelain Tea Set", "INT-HOM-0420", 88_800, 2_400, (40, 30, 20), 1, "景德镇"),
            Product("Skincare Set", "INT-BEA-0511", 52_900, 700, (25, 18, 10), 1, "Herbal Lab"),
        ],
    ]
}
