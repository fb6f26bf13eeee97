import OrderModel
import Yams

/// Reads one entry of a services table.
struct ServiceLoader {
    let reader: ConfigReader
    let tables: TableLoader

    private static let keys: Set<String> = [
        "id", "carrier", "level", "coverage", "from_warehouses", "goods", "ship_modes", "sellers", "max_weight_g",
        "max_volume_cm3", "cod", "insured_max", "blackout", "calendar", "transit", "default_transit", "window",
        "promise", "price", "free_over",
    ]
    static let levels: Set<String> = ["same_day", "next_day", "standard", "economy", "scheduled"]

    func load(_ node: Node) throws(WaybillError) -> Service {
        let r = reader
        let m = try r.mapping(node, "service")
        let id = try r.required(m, "id", in: "service", at: node)
        let what = "service \(id)"
        try r.checkKeys(m, Self.keys, in: what)
        let carrier = try r.required(m, "carrier", in: what, at: node)
        let level = try r.required(m, "level", in: what, at: node)
        guard Self.levels.contains(level) else {
            throw r.fail(m["level"], "\(what): level must be one of \(Self.levels.sorted().joined(separator: ", "))")
        }
        var calendar = tables.carrierCalendar(carrier) ?? .everyDay
        if let c = try r.string(m, "calendar", in: what) {
            guard let cal = tables.calendarNamed(c) else { throw r.fail(m["calendar"], "\(what): unknown calendar '\(c)'") }
            calendar = cal
        }
        var cod: ClosedRange<Int64>? = nil
        if let c = m["cod"] {
            let cm = try r.mapping(c, "\(what) cod")
            try r.checkKeys(cm, ["min", "max"], in: "\(what) cod")
            let lo = try r.money(cm, "min", in: "\(what) cod") ?? 0
            guard let hi = try r.money(cm, "max", in: "\(what) cod"), hi >= lo else {
                throw r.fail(c, "\(what): cod needs a max >= min")
            }
            cod = lo...hi
        }
        var window = (0, 86_400)
        if let w = try r.string(m, "window", in: what) {
            let p = w.split(separator: "-").map(String.init)
            guard p.count == 2, let a = ConfigReader.parseTime(p[0]), let b = ConfigReader.parseTime(p[1]), a < b else {
                throw r.fail(m["window"], "\(what): window must be HH:MM-HH:MM")
            }
            window = (a, b)
        }
        var blackout = Set<Int64>()
        for d in try m["blackout"].map({ (n: Node) throws(WaybillError) in try r.list(n, "\(what) blackout") }) ?? [] {
            blackout.insert(try r.date(d, in: "\(what) blackout"))
        }
        let prices = try priceRules(m, what)
        guard !prices.isEmpty else { throw r.fail(node, "\(what): missing 'price' rules") }
        let transit = try transitRules(m, what)
        let defaultTransit = try m["default_transit"].map { (n: Node) throws(WaybillError) in try days(n, what) }
        guard !transit.isEmpty || defaultTransit != nil else {
            // Even a time-of-order promise needs the lanes it serves (211 is a local promise).
            throw r.fail(node, "\(what): needs 'transit' lanes or a 'default_transit'")
        }
        return Service(
            id: id, carrier: carrier, level: level,
            coverage: try tables.regionPatterns(r, m, "coverage", what).nonEmpty ?? [RegionPattern("*")!],
            fromWarehouses: try r.strings(m, "from_warehouses", in: what) ?? [],
            goods: (try r.strings(m, "goods", in: what) ?? ["normal"]).map { Array($0.utf8) },
            shipModes: (try r.strings(m, "ship_modes", in: what) ?? []).map { Array($0.utf8) },
            sellers: (try r.strings(m, "sellers", in: what) ?? []).map { Array($0.utf8) },
            maxWeightG: try r.int(m, "max_weight_g", in: what, min: 1).map(Int64.init),
            maxVolumeCm3: try r.int(m, "max_volume_cm3", in: what, min: 1).map(Int64.init),
            cod: cod, insuredMax: try r.money(m, "insured_max", in: what), blackout: blackout,
            calendar: calendar, transit: transit, defaultTransit: defaultTransit,
            windowStart: window.0, windowEnd: window.1, promiseTiers: try tiers(m, what), prices: prices,
            freeOver: try r.money(m, "free_over", in: what))
    }

    /// `2` or `2-3` working days.
    private func days(_ n: Node, _ what: String) throws(WaybillError) -> ClosedRange<Int> {
        let t = n.scalar?.string ?? ""
        let p = t.split(separator: "-").map { Int($0) }
        guard (p.count == 1 || p.count == 2), let a = p[0], let b = p.last!, a >= 0, b >= a, b <= 60 else {
            throw reader.fail(n, "\(what): transit days must be N or N-M (0...60), not '\(t)'")
        }
        return a...b
    }

    private func transitRules(_ m: ConfigMapping, _ what: String) throws(WaybillError) -> [TransitRule] {
        guard let t = m["transit"] else { return [] }
        var out: [TransitRule] = []
        for item in try reader.list(t, "\(what) transit") {
            let tm = try reader.mapping(item, "\(what) transit")
            try reader.checkKeys(tm, ["from", "to", "days"], in: "\(what) transit")
            guard let d = tm["days"] else { throw reader.fail(item, "\(what) transit: missing 'days'") }
            out.append(TransitRule(from: try reader.string(tm, "from", in: "\(what) transit") ?? "*",
                                   to: try reader.string(tm, "to", in: "\(what) transit") ?? "*", days: try days(d, what)))
        }
        return out
    }

    private func tiers(_ m: ConfigMapping, _ what: String) throws(WaybillError) -> [PromiseTier] {
        guard let t = m["promise"] else { return [] }
        var out: [PromiseTier] = []
        for item in try reader.list(t, "\(what) promise") {
            let pm = try reader.mapping(item, "\(what) promise")
            let w = "\(what) promise"
            try reader.checkKeys(pm, ["order_before", "days", "deliver_by"], in: w)
            guard let before = try reader.timeOfDay(pm, "order_before", in: w),
                let by = try reader.timeOfDay(pm, "deliver_by", in: w)
            else { throw reader.fail(item, "\(w): needs order_before and deliver_by") }
            if let last = out.last, before <= last.orderBefore {
                throw reader.fail(item, "\(w): tiers must be in increasing order_before")
            }
            out.append(PromiseTier(orderBefore: before, days: try reader.int(pm, "days", in: w, max: 366) ?? 0, deliverBy: by))
        }
        return out
    }

    private func priceRules(_ m: ConfigMapping, _ what: String) throws(WaybillError) -> [PriceRule] {
        guard let p = m["price"] else { return [] }
        var out: [PriceRule] = []
        let w = "\(what) price"
        for item in try reader.list(p, w) {
            let pm = try reader.mapping(item, w)
            try reader.checkKeys(pm, ["max_weight_g", "first_weight_g", "first_price", "step_g", "step_price"], in: w)
            guard let first = try reader.money(pm, "first_price", in: w) else { throw reader.fail(item, "\(w): missing first_price") }
            out.append(PriceRule(
                maxWeightG: try reader.int(pm, "max_weight_g", in: w, min: 1).map(Int64.init),
                firstWeightG: Int64(try reader.int(pm, "first_weight_g", in: w) ?? 1000),
                firstPrice: first,
                stepG: Int64(try reader.int(pm, "step_g", in: w, min: 1) ?? 1000),
                stepPrice: try reader.money(pm, "step_price", in: w) ?? 0))
        }
        return out
    }
}

extension Array {
    var nonEmpty: [Element]? { isEmpty ? nil : self }
}
