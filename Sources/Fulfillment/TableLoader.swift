import OrderModel
import Yams

/// Reads the reference tables (calendars, zones, warehouses, carriers and services, stock)
/// and cross-checks their references (a warehouse's calendar must exist, and so on).
struct TableLoader {
    var calendars: [String: WorkCalendar] = ["every_day": .everyDay]
    var zones: [(name: String, patterns: [RegionPattern])] = []
    var warehouses: [Warehouse] = []
    var services: [Service] = []
    var stock: [[UInt8]: Int64]? = nil
    private var carrierCalendars: [String: WorkCalendar] = [:]

    private static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

    mutating func loadCalendars(_ r: ConfigReader) throws(WaybillError) {
        let top = try r.mapping(r.root, "calendars file")
        guard let c = top["calendars"] else { throw r.fail(r.root, "calendars file: missing 'calendars'") }
        for (k, v) in try r.mapping(c, "calendars") {
            guard let id = k.string else { throw r.fail(k, "calendar ids are text") }
            let what = "calendar \(id)"
            let m = try r.mapping(v, what)
            try r.checkKeys(m, ["working_days", "holidays", "make_up_days", "note"], in: what)
            var week = Array(repeating: false, count: 7)
            for d in try r.strings(m, "working_days", in: what) ?? Array(Self.dayNames.prefix(5)) {
                guard let i = Self.dayNames.firstIndex(of: d.lowercased()) else {
                    throw r.fail(m["working_days"], "\(what): '\(d)' is not a weekday (mon ... sun)")
                }
                week[i] = true
            }
            let holidays = try days(r, m["holidays"], what)
            let makeUp = try days(r, m["make_up_days"], what)
            // Holidays are finite, so a working weekday guarantees the day walks end.
            guard week.contains(true) else { throw r.fail(v, "\(what): no working weekday") }
            if let both = holidays.intersection(makeUp).first {
                throw r.fail(v, "\(what): \(CivilTime.dateString(days: both)) is both a holiday and a make-up day")
            }
            calendars[id] = WorkCalendar(id: id, weekdays: week, holidays: holidays, makeUpDays: makeUp)
        }
    }

    /// Dates, or ranges `YYYY-MM-DD..YYYY-MM-DD`, as local day numbers.
    private func days(_ r: ConfigReader, _ node: Node?, _ what: String) throws(WaybillError) -> Set<Int64> {
        guard let node else { return [] }
        var out = Set<Int64>()
        for item in try r.list(node, what) {
            let text = item.scalar?.string ?? ""
            let parts = text.components(separatedBy: "..")
            guard let a = ConfigReader.parseDate(parts[0]), parts.count <= 2 else {
                throw r.fail(item, "\(what): '\(text)' is not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD")
            }
            let b = parts.count == 2 ? ConfigReader.parseDate(parts[1]) : a
            guard let b, b >= a, b - a < 366 else { throw r.fail(item, "\(what): bad date range '\(text)'") }
            for d in a...b { out.insert(d) }
        }
        return out
    }

    private func calendar(_ r: ConfigReader, _ m: ConfigMapping, _ what: String, at node: Node) throws(WaybillError) -> WorkCalendar? {
        guard let id = try r.string(m, "calendar", in: what) else { return nil }
        guard let c = calendars[id] else {
            throw r.fail(m["calendar"], "\(what): unknown calendar '\(id)' (known: \(calendars.keys.sorted().joined(separator: ", ")))")
        }
        return c
    }

    private func patterns(_ r: ConfigReader, _ m: ConfigMapping, _ key: String, _ what: String) throws(WaybillError) -> [RegionPattern] {
        guard let n = m[key] else { return [] }
        return try patterns(r, n, what)
    }

    private func patterns(_ r: ConfigReader, _ node: Node, _ what: String) throws(WaybillError) -> [RegionPattern] {
        let items = node.scalar != nil ? [node] : try r.list(node, what)
        var out: [RegionPattern] = []
        for item in items {
            guard let t = item.scalar?.string, let p = RegionPattern(t) else {
                throw r.fail(item, "\(what): '\(item.scalar?.string ?? "")' is not a region (*, CC, CC/province, CC/province/city, CC/zip:prefix)")
            }
            out.append(p)
        }
        return out
    }

    mutating func loadZones(_ r: ConfigReader) throws(WaybillError) {
        let top = try r.mapping(r.root, "zones file")
        guard let z = top["zones"] else { throw r.fail(r.root, "zones file: missing 'zones'") }
        for (k, v) in try r.mapping(z, "zones") {
            guard let name = k.string else { throw r.fail(k, "zone names are text") }
            zones.append((name, try patterns(r, v, "zone \(name)")))
        }
    }

    mutating func loadWarehouses(_ r: ConfigReader) throws(WaybillError) {
        let top = try r.mapping(r.root, "warehouses file")
        guard let list = top["warehouses"] else { throw r.fail(r.root, "warehouses file: missing 'warehouses'") }
        let keys: Set<String> = ["id", "name", "zone", "coverage", "channels", "temp_classes", "bulky", "time_zone",
                                 "calendar", "cutoff", "handling_days", "dispatch_by"]
        for node in try r.list(list, "warehouses") {
            let m = try r.mapping(node, "warehouse")
            let id = try r.required(m, "id", in: "warehouse", at: node)
            let what = "warehouse \(id)"
            try r.checkKeys(m, keys, in: what)
            guard !warehouses.contains(where: { $0.id == id }) else { throw r.fail(node, "duplicate warehouse id '\(id)'") }
            let zoneName = try r.string(m, "zone", in: what) ?? "*"
            let tzName = try r.required(m, "time_zone", in: what, at: node)
            guard let clock = ZoneClock(tzName) else { throw r.fail(m["time_zone"], "\(what): unknown time zone '\(tzName)'") }
            let coverage = try patterns(r, m, "coverage", what)
            guard !coverage.isEmpty else { throw r.fail(node, "\(what): missing 'coverage'") }
            warehouses.append(Warehouse(
                id: id, zone: zoneName, coverage: coverage,
                channels: (try r.strings(m, "channels", in: what) ?? []).filter { $0 != "*" }.map { Array($0.utf8) },
                tempClasses: (try r.strings(m, "temp_classes", in: what) ?? ["ambient"]).map { Array($0.utf8) },
                bulky: try r.bool(m, "bulky", in: what) ?? false,
                clock: clock,
                calendar: try calendar(r, m, what, at: node) ?? .everyDay,
                cutoff: try r.timeOfDay(m, "cutoff", in: what) ?? 86_400,
                handlingDays: try r.int(m, "handling_days", in: what, max: 366) ?? 0,
                dispatchBy: try r.timeOfDay(m, "dispatch_by", in: what) ?? 86_399))
        }
    }

    mutating func loadServices(_ r: ConfigReader) throws(WaybillError) {
        let top = try r.mapping(r.root, "services file")
        for node in try top["carriers"].map({ (n: Node) throws(WaybillError) in try r.list(n, "carriers") }) ?? [] {
            let m = try r.mapping(node, "carrier")
            let id = try r.required(m, "id", in: "carrier", at: node)
            try r.checkKeys(m, ["id", "name", "calendar"], in: "carrier \(id)")
            carrierCalendars[id] = try calendar(r, m, "carrier \(id)", at: node) ?? .everyDay
        }
        guard let list = top["services"] else { throw r.fail(r.root, "services file: missing 'services'") }
        for node in try r.list(list, "services") {
            services.append(try ServiceLoader(reader: r, tables: self).load(node))
            if services.dropLast().contains(where: { $0.id == services.last!.id }) {
                throw r.fail(node, "duplicate service id '\(services.last!.id)'")
            }
        }
    }

    func carrierCalendar(_ id: String) -> WorkCalendar? { carrierCalendars[id] }
    func calendarNamed(_ id: String) -> WorkCalendar? { calendars[id] }
    func regionPatterns(_ r: ConfigReader, _ m: ConfigMapping, _ key: String, _ what: String) throws(WaybillError) -> [RegionPattern] {
        try patterns(r, m, key, what)
    }

    mutating func loadStock(_ r: ConfigReader) throws(WaybillError) {
        let top = try r.mapping(r.root, "stock file")
        guard let list = top["stock"] else { throw r.fail(r.root, "stock file: missing 'stock'") }
        var table = stock ?? [:]
        for node in try r.list(list, "stock") {
            let m = try r.mapping(node, "stock row")
            try r.checkKeys(m, ["warehouse", "sku", "qty"], in: "stock row")
            let wh = try r.required(m, "warehouse", in: "stock row", at: node)
            guard let wi = warehouses.firstIndex(where: { $0.id == wh }), wi < 255 else {
                throw r.fail(m["warehouse"], "stock row: unknown warehouse '\(wh)'")
            }
            let sku = try r.required(m, "sku", in: "stock row", at: node)
            guard let qty = try r.int(m, "qty", in: "stock row") else { throw r.fail(node, "stock row: missing 'qty'") }
            table[[UInt8(wi)] + Array(sku.utf8), default: 0] += Int64(qty) * ExactDecimal.scale
        }
        stock = table
    }
}
