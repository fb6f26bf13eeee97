import OrderModel
import Yams

/// Reads a fulfillment rules file (settings plus the paths of its tables) into a plan.
struct PlanLoader {
    let reader: ConfigReader

    private static let topKeys: Set<String> = [
        "version", "tables", "strategy", "split_by", "weight", "bulky", "default_temp_class",
        "default_service_level", "downgrade", "appointments", "feed_dates",
    ]
    private static let splitKeys: Set<String> = ["seller", "temp_class", "bulky", "ship_mode", "line"]

    func load() throws(WaybillError) -> FulfillmentPlan {
        let r = reader
        let top = try r.mapping(r.root, "rules file")
        try r.checkKeys(top, Self.topKeys, in: "rules file")
        if let v = top["version"], v.int != 1 { throw r.fail(v, "unsupported fulfillment rules version (expected 1)") }
        var plan = FulfillmentPlan(file: r.file)
        var s = PlanSettings()
        if let v = try r.string(top, "strategy", in: "rules file") {
            guard let st = WarehouseStrategy(rawValue: v) else {
                throw r.fail(top["strategy"], "strategy must be priority or highest_stock")
            }
            s.strategy = st
        }
        if let split = try r.strings(top, "split_by", in: "rules file") {
            for k in split where !Self.splitKeys.contains(k) {
                throw r.fail(top["split_by"], "split_by: unknown dimension '\(k)' (expected \(Self.splitKeys.sorted().joined(separator: ", ")); the warehouse always splits)")
            }
            s.splitBy = split
        }
        if let w = top["weight"] {
            let m = try r.mapping(w, "weight")
            try r.checkKeys(m, ["volumetric_divisor", "step_g"], in: "weight")
            if let d = try r.int(m, "volumetric_divisor", in: "weight", min: 1) { s.volumetricDivisor = Int64(d) }
            if let st = try r.int(m, "step_g", in: "weight", min: 1) { s.weightStepG = Int64(st) }
        }
        if let b = top["bulky"] {
            let m = try r.mapping(b, "bulky")
            try r.checkKeys(m, ["unit_weight_over_g", "side_over_cm"], in: "bulky")
            if let v = try r.int(m, "unit_weight_over_g", in: "bulky", min: 1) { s.bulkyWeightG = Int64(v) }
            if let v = try r.int(m, "side_over_cm", in: "bulky", min: 1) { s.bulkySideCm = Int64(v) }
        }
        if let t = try r.string(top, "default_temp_class", in: "rules file") { s.defaultTempClass = t }
        if let t = try r.string(top, "default_service_level", in: "rules file") { s.defaultServiceLevel = t }
        if let d = top["downgrade"] {
            var map: [String: String] = [:]
            for (k, v) in try r.mapping(d, "downgrade") {
                guard let from = k.string, let to = v.string else { throw r.fail(k, "downgrade: level -> level") }
                map[from] = to
            }
            s.downgrade = map
            try checkChain(map, at: d)
        }
        if let a = top["appointments"] {
            let m = try r.mapping(a, "appointments")
            try r.checkKeys(m, ["max_days", "slots"], in: "appointments")
            if let d = try r.int(m, "max_days", in: "appointments", min: 0, max: 366) { s.appointmentMaxDays = d }
            for slot in try r.strings(m, "slots", in: "appointments") ?? [] {
                let p = slot.split(separator: "-").map(String.init)
                guard p.count == 2, let a = ConfigReader.parseTime(p[0]), let b = ConfigReader.parseTime(p[1]), a < b else {
                    throw r.fail(m["slots"], "appointments: slot '\(slot)' must be HH:MM-HH:MM")
                }
                s.appointmentSlots.append((a, b))
            }
        }
        if let f = top["feed_dates"] {
            let m = try r.mapping(f, "feed_dates")
            try r.checkKeys(m, ["promised_delivery", "shipped", "delivered"], in: "feed_dates")
            s.feedPromisedDelivery = try lineDate(m, "promised_delivery")
            s.feedShipped = try lineDate(m, "shipped")
            s.feedDelivered = try lineDate(m, "delivered")
        }
        plan.settings = s
        guard let tablesNode = top["tables"] else { throw r.fail(r.root, "rules file: missing 'tables'") }
        let tables = try r.mapping(tablesNode, "tables")
        try r.checkKeys(tables, ["calendars", "warehouses", "services", "zones", "stock"], in: "tables")
        var tl = TableLoader()
        for p in try paths(tables, "calendars") { try tl.loadCalendars(ConfigReader(path: r.relative(p))) }
        for p in try paths(tables, "zones") { try tl.loadZones(ConfigReader(path: r.relative(p))) }
        for p in try paths(tables, "warehouses") { try tl.loadWarehouses(ConfigReader(path: r.relative(p))) }
        for p in try paths(tables, "services") { try tl.loadServices(ConfigReader(path: r.relative(p))) }
        for p in try paths(tables, "stock") { try tl.loadStock(ConfigReader(path: r.relative(p))) }
        guard !tl.warehouses.isEmpty else { throw r.fail(tablesNode, "tables: no warehouse defined") }
        guard !tl.services.isEmpty else { throw r.fail(tablesNode, "tables: no service defined") }
        plan.warehouses = tl.warehouses
        plan.services = tl.services
        plan.zones = tl.zones
        plan.stock = tl.stock
        return plan
    }

    private func paths(_ m: ConfigMapping, _ key: String) throws(WaybillError) -> [String] {
        try reader.strings(m, key, in: "tables") ?? []
    }

    private func lineDate(_ m: ConfigMapping, _ key: String) throws(WaybillError) -> Int? {
        guard let name = try reader.string(m, key, in: "feed_dates") else { return nil }
        guard let i = OrderSchema.lineFieldIndex(name), OrderSchema.lineFields[i].kind == .date else {
            throw reader.fail(m[key], "feed_dates: '\(name)' is not a date field of the order lines")
        }
        return i
    }

    /// A downgrade chain must end (no cycles), so the planner's walk down it is bounded.
    private func checkChain(_ map: [String: String], at node: Node) throws(WaybillError) {
        for start in map.keys {
            var seen: Set<String> = [start]
            var at = start
            while let next = map[at] {
                guard seen.insert(next).inserted else { throw reader.fail(node, "downgrade: the chain from \(start) loops") }
                at = next
            }
        }
    }
}
