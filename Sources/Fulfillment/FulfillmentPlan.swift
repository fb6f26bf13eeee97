import OrderModel

/// A loaded fulfillment configuration: the rules file's settings and its reference tables,
/// parsed, checked and indexed once (`load`). Mistakes are `WaybillError.config` naming the
/// file, line and field (exit 78). The format is in docs/fulfillment.md.
public struct FulfillmentPlan: Sendable {
    public let file: String
    public internal(set) var warehouses: [Warehouse] = []
    public internal(set) var services: [Service] = []
    /// Destination zones for the transit tables, in table order.
    var zones: [(name: String, patterns: [RegionPattern])] = []
    /// Stock by warehouse index and SKU (`[index] + sku bytes`); nil when no stock table is given.
    var stock: [[UInt8]: Int64]? = nil
    public internal(set) var settings = PlanSettings()

    init(file: String) { self.file = file }

    /// Loads a rules file and the tables it names (paths relative to the rules file).
    public static func load(path: String) throws(WaybillError) -> FulfillmentPlan {
        try PlanLoader(reader: ConfigReader(path: path)).load()
    }

    /// Loads from YAML text (tests); table paths resolve against `file`'s folder.
    public static func parse(yaml: String, file: String) throws(WaybillError) -> FulfillmentPlan {
        try PlanLoader(reader: ConfigReader(text: yaml, file: file)).load()
    }

    /// The destination zone of `d` (most specific pattern), or `*`.
    func zone(of d: Destination) -> String {
        var best = -1
        var name = "*"
        for z in zones {
            if let (s, _) = RegionPattern.bestMatch(z.patterns, d), s > best {
                best = s
                name = z.name
            }
        }
        return name
    }
}

/// How the planner chooses among candidate warehouses (F2).
public enum WarehouseStrategy: String, Sendable {
    /// The first candidate in table order (among the most specific region matches).
    case priority
    /// The candidate with the most stock of the line's SKU; ties go to the lowest id.
    case highestStock = "highest_stock"
}

/// The rules file's settings.
public struct PlanSettings: Sendable {
    public var strategy = WarehouseStrategy.priority
    /// Split dimensions beyond the warehouse (F3): seller, temp_class, bulky, ship_mode, line.
    public var splitBy: [String] = ["seller", "temp_class", "bulky"]
    /// cm³ per kg for the volumetric weight (F5).
    public var volumetricDivisor: Int64 = 6000
    /// The chargeable weight is rounded up to this step, grams.
    public var weightStepG: Int64 = 100
    /// A unit heavier than this, or with a side longer than `bulkySideCm`, is bulky.
    public var bulkyWeightG: Int64 = 30_000
    public var bulkySideCm: Int64 = 120
    public var defaultTempClass = "ambient"
    public var defaultServiceLevel = "standard"
    /// Downgrade chain of service levels (F12).
    public var downgrade: [String: String] = ["same_day": "next_day", "next_day": "standard", "standard": "economy"]
    /// Booked delivery slots (F14): how far ahead, and the slot table (local start, end seconds).
    public var appointmentMaxDays = 7
    public var appointmentSlots: [(start: Int, end: Int)] = []
    /// Line date fields the feed carries (TPC-H): the committed delivery date, ship and receipt dates.
    public var feedPromisedDelivery: Int? = nil
    public var feedShipped: Int? = nil
    public var feedDelivered: Int? = nil
    public var holdOnNoCarrier = true

    public init() {}
}
