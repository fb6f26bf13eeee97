/// Chinese places for consignee and sender addresses: province, city (prefecture), districts,
/// the city's postal code and landline area code. Real names; a modest set keeps the feeds
/// varied without a data file.
struct CNPlace: @unchecked Sendable {
    let province: UnsafeRawBufferPointer
    let city: UnsafeRawBufferPointer
    let districts: ByteTable
    let postal: Int
    let areaCode: UnsafeRawBufferPointer

    init(_ province: String, _ city: String, _ districts: [String], _ postal: Int, _ areaCode: String) {
        self.province = immortal(province)
        self.city = immortal(city)
        self.districts = ByteTable(districts)
        self.postal = postal
        self.areaCode = immortal(areaCode)
    }

    static let all: [CNPlace] = [
        CNPlace("北京市", "北京市", ["朝阳区", "海淀区", "东城区", "大兴区", "丰台区"], 100_000, "010"),
        CNPlace("上海市", "上海市", ["浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区"], 200_000, "021"),
        CNPlace("广东省", "广州市", ["天河区", "越秀区", "番禺区", "白云区"], 510_000, "020"),
        CNPlace("广东省", "深圳市", ["南山区", "福田区", "宝安区", "龙岗区"], 518_000, "0755"),
        CNPlace("广东省", "东莞市", ["南城街道", "松山湖"], 523_000, "0769"),
        CNPlace("浙江省", "杭州市", ["西湖区", "余杭区", "滨江区", "拱墅区"], 310_000, "0571"),
        CNPlace("浙江省", "宁波市", ["鄞州区", "海曙区"], 315_000, "0574"),
        CNPlace("江苏省", "南京市", ["鼓楼区", "玄武区", "江宁区"], 210_000, "025"),
        CNPlace("江苏省", "苏州市", ["姑苏区", "吴中区", "相城区"], 215_000, "0512"),
        CNPlace("四川省", "成都市", ["武侯区", "锦江区", "青羊区", "成华区"], 610_000, "028"),
        CNPlace("湖北省", "武汉市", ["洪山区", "江汉区", "武昌区"], 430_000, "027"),
        CNPlace("陕西省", "西安市", ["雁塔区", "碑林区", "未央区"], 710_000, "029"),
        CNPlace("山东省", "青岛市", ["市南区", "黄岛区", "崂山区"], 266_000, "0532"),
        CNPlace("福建省", "厦门市", ["思明区", "湖里区"], 361_000, "0592"),
        CNPlace("天津市", "天津市", ["和平区", "南开区", "滨海新区"], 300_000, "022"),
        CNPlace("重庆市", "重庆市", ["渝中区", "江北区", "九龙坡区"], 400_000, "023"),
        CNPlace("河南省", "郑州市", ["金水区", "二七区"], 450_000, "0371"),
        CNPlace("湖南省", "长沙市", ["岳麓区", "芙蓉区"], 410_000, "0731"),
        CNPlace("辽宁省", "沈阳市", ["和平区", "沈河区"], 110_000, "024"),
        CNPlace("黑龙江省", "哈尔滨市", ["南岗区", "道里区"], 150_000, "0451"),
        CNPlace("云南省", "昆明市", ["五华区", "盘龙区"], 650_000, "0871"),
        CNPlace("新疆维吾尔自治区", "乌鲁木齐市", ["天山区", "沙依巴克区"], 830_000, "0991"),
    ]

    /// Weights: the big eastern cities carry most parcels.
    static let weights: [Int] = [12, 12, 8, 9, 3, 7, 3, 5, 5, 6, 4, 3, 3, 2, 3, 3, 2, 2, 2, 1, 1, 1]

    static let roads = ByteTable([
        "中山路", "人民路", "解放路", "建设路", "和平路", "长江路", "科技园路", "新华路", "南京路", "延安路",
        "学府路", "滨江大道", "文化路", "工业大道",
    ])

    static let towns = ByteTable(["城关街道", "新街口街道", "高新街道", "花园路街道", "东湖街道", "龙华街道"])

    static let surnames = ByteTable([
        "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
    ])

    static let givenNames = ByteTable([
        "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "晓燕", "建华",
        "子涵", "浩然", "欣怡", "雨轩",
    ])

    /// Mobile prefixes of the three carriers (the 11-digit numbers match `^1[3-9]\d{9}$`).
    static let mobilePrefixes: [Int] = [
        130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159, 166, 177,
        180, 181, 182, 183, 185, 186, 187, 188, 189, 191, 198, 199,
    ]
}

/// Places outside China, with the state names, postal codes and phone styles those exports use.
struct ForeignPlace: @unchecked Sendable {
    let country: UnsafeRawBufferPointer  // ISO 3166-1 alpha-2
    let province: UnsafeRawBufferPointer
    let city: UnsafeRawBufferPointer
    let postal: UnsafeRawBufferPointer
    let phonePrefix: UnsafeRawBufferPointer
    let currency: Int  // index into Currency.all

    init(_ country: String, _ province: String, _ city: String, _ postal: String, _ phone: String, _ currency: Int) {
        self.country = immortal(country)
        self.province = immortal(province)
        self.city = immortal(city)
        self.postal = immortal(postal)
        self.phonePrefix = immortal(phone)
        self.currency = currency
    }

    static let all: [ForeignPlace] = [
        ForeignPlace("US", "NY", "New York", "10001", "+1 212-555-01", 1),
        ForeignPlace("US", "CA", "Los Angeles", "90012", "+1 213-555-01", 1),
        ForeignPlace("US", "CA", "San Francisco", "94103", "+1 415-555-01", 1),
        ForeignPlace("US", "TX", "Austin", "78701", "+1 512-555-01", 1),
        ForeignPlace("US", "WA", "Seattle", "98101", "+1 206-555-01", 1),
        ForeignPlace("US", "MA", "Boston", "02108", "+1 617-555-01", 1),
        ForeignPlace("DE", "Berlin", "Berlin", "10115", "+49 30 9018", 2),
        ForeignPlace("DE", "Bayern", "München", "80331", "+49 89 2331", 2),
        ForeignPlace("DE", "Hamburg", "Hamburg", "20095", "+49 40 4283", 2),
        ForeignPlace("GB", "England", "London", "SW1A 1AA", "+44 20 7946 0", 3),
        ForeignPlace("GB", "England", "Manchester", "M1 1AE", "+44 161 496 0", 3),
        ForeignPlace("GB", "Scotland", "Edinburgh", "EH1 1YZ", "+44 131 496 0", 3),
        ForeignPlace("JP", "東京都", "渋谷区", "150-0002", "+81 3-5555-", 4),
        ForeignPlace("JP", "大阪府", "大阪市", "530-0001", "+81 6-5555-", 4),
        ForeignPlace("FR", "Île-de-France", "Paris", "75008", "+33 1 42 68 ", 2),
        ForeignPlace("FR", "Auvergne-Rhône-Alpes", "Lyon", "69002", "+33 4 72 10 ", 2),
        ForeignPlace("CA", "ON", "Ottawa", "K2P 2L8", "+1 613-555-01", 5),
        ForeignPlace("CA", "BC", "Vancouver", "V6B 1A1", "+1 604-555-01", 5),
        ForeignPlace("AU", "NSW", "Sydney", "2000", "+61 2 9374 ", 6),
        ForeignPlace("AU", "VIC", "Melbourne", "3000", "+61 3 9650 ", 6),
        ForeignPlace("SG", "", "Singapore", "018989", "+65 6555 ", 7),
    ]

    static let streets = ByteTable([
        "Main St", "Oak Ave", "Maple Dr", "Elm St", "Market St", "Park Ave", "High Street", "Baker Street",
        "Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Rue de Rivoli", "Rue Oberkampf", "George St",
        "Orchard Rd",
    ])

    static let firstNames = ByteTable([
        "James", "Mary", "Emma", "Liam", "Olivia", "Noah", "Sophie", "Lukas", "Hannah", "Yuki", "Haruto", "Chloé",
        "Lucas", "Amelia", "Oliver", "Mia", "Jack", "Zoë",
    ])

    static let lastNames = ByteTable([
        "Smith", "Johnson", "Müller", "Schmidt", "Brown", "Taylor", "Tanaka", "Sato", "Martin", "Dubois", "Wilson",
        "Nguyen", "O'Brien", "García", "Kim", "Lee",
    ])
}

/// Currencies with how many CNY cents one unit is worth (for converting catalogue prices) and
/// whether amounts are whole units (JPY).
struct Currency: @unchecked Sendable {
    let code: UnsafeRawBufferPointer
    /// CNY cents per unit of this currency, for price conversion (a plausible 2025 rate).
    let cnyCentsPerUnit: Int64
    let wholeUnits: Bool

    static let all: [Currency] = [
        Currency(code: immortal("CNY"), cnyCentsPerUnit: 100, wholeUnits: false),
        Currency(code: immortal("USD"), cnyCentsPerUnit: 720, wholeUnits: false),
        Currency(code: immortal("EUR"), cnyCentsPerUnit: 780, wholeUnits: false),
        Currency(code: immortal("GBP"), cnyCentsPerUnit: 910, wholeUnits: false),
        Currency(code: immortal("JPY"), cnyCentsPerUnit: 5, wholeUnits: true),
        Currency(code: immortal("CAD"), cnyCentsPerUnit: 520, wholeUnits: false),
        Currency(code: immortal("AUD"), cnyCentsPerUnit: 470, wholeUnits: false),
        Currency(code: immortal("SGD"), cnyCentsPerUnit: 540, wholeUnits: false),
    ]

    /// Converts a catalogue price in CNY cents to a shelf price in this currency's cents:
    /// CNY as is, yen in whole tens of yen, others rounded to a unit and ending in .99.
    func shelfPrice(cnyCents: Int64) -> Int64 {
        if cnyCentsPerUnit == 100 { return cnyCents }
        let cents = cnyCents * 100 / cnyCentsPerUnit
        if wholeUnits { return max(1000, (cents + 500) / 1000 * 1000) }
        return max(99, (cents + 50) / 100 * 100 - 1)
    }
}
