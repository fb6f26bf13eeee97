import OrderModel

/// The reasons of one order's or child's plan, built as bytes (decision key -> text) and
/// written into `plan_reasons`. Reused across orders: clearing keeps the storage, so stating
/// why costs no allocation once warm.
struct PlanReasons {
    private(set) var keys: [UInt8] = []
    private(set) var values: [UInt8] = []
    private(set) var keyEnds: [Int] = []
    private(set) var valueEnds: [Int] = []

    var count: Int { keyEnds.count }

    mutating func clear() {
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        keyEnds.removeAll(keepingCapacity: true)
        valueEnds.removeAll(keepingCapacity: true)
    }

    /// Starts a reason; append its text with the `+=`-style helpers, then `end()`.
    mutating func begin(_ key: StaticString) {
        key.withUTF8Buffer { keys.append(contentsOf: $0) }
        keyEnds.append(keys.count)
    }

    mutating func end() { valueEnds.append(values.count) }

    mutating func text(_ s: StaticString) { s.withUTF8Buffer { values.append(contentsOf: $0) } }
    /// Table names (warehouse, service, calendar, zone ids) go in several times per child:
    /// through the string's contiguous UTF-8 a plain copy, where appending the `utf8` view
    /// went through the generic per-string copy with a retain and release each time.
    mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { values.append(contentsOf: $0) }
    }
    mutating func bytes(_ b: [UInt8]) { values.append(contentsOf: b) }
    mutating func bytes(_ b: ArraySlice<UInt8>) { values.append(contentsOf: b) }
    mutating func int(_ v: Int64) {
        if v < 0 { values.append(UInt8(ascii: "-")) }
        appendDigits(v.magnitude, into: &values)
    }
    mutating func int(_ v: Int) { int(Int64(v)) }
    mutating func money(_ v: Int64) { ExactDecimal.format(v, into: &values) }
    mutating func date(_ day: Int64) { CivilTime.formatDate(days: day, into: &values) }
    mutating func time(_ seconds: Int) {
        let h = seconds / 3600, m = seconds / 60 % 60
        values.append(UInt8(48 + h / 10)); values.append(UInt8(48 + h % 10)); values.append(UInt8(ascii: ":"))
        values.append(UInt8(48 + m / 10)); values.append(UInt8(48 + m % 10))
    }
    mutating func timestamp(_ micros: Int64) { CivilTime.formatTimestamp(micros: micros, into: &values) }

    /// Writes every reason into map column `col` of the row being built.
    func write(into table: inout ColumnTable, column col: Int) {
        table.touch(col)
        keys.withUnsafeBytes { k in
            values.withUnsafeBytes { v in
                var ks = 0, vs = 0
                for i in 0..<keyEnds.count {
                    table.addElement(col, utf8: UnsafeRawBufferPointer(rebasing: v[vs..<valueEnds[i]]),
                                     key: UnsafeRawBufferPointer(rebasing: k[ks..<keyEnds[i]]))
                    ks = keyEnds[i]
                    vs = valueEnds[i]
                }
            }
        }
    }
}

/// The rule ids counted in the summary and the metrics (docs/fulfillment.md lists them).
public enum PlanRule: Int, CaseIterable, Sendable {
    case regionMatch, priorityChoice, stockChoice, noWarehouse, insufficientStock, split, volumetric, freeOver,
        codAllocated, codOverLimit, insuredCapped, afterCutoff, nonWorkingDay, promiseTier, feedPromise, transit,
        downgrade, noCarrier, lateShip, lateDelivery, appointmentKept, appointmentIgnored, notPlanned

    public var id: String {
        switch self {
        case .regionMatch: return "F1.region_match"
        case .priorityChoice: return "F2.priority"
        case .stockChoice: return "F2.highest_stock"
        case .noWarehouse: return "F1.no_warehouse"
        case .insufficientStock: return "F2.insufficient_stock"
        case .split: return "F3.split"
        case .volumetric: return "F5.volumetric"
        case .freeOver: return "F6.free_over"
        case .codAllocated: return "F7.cod_allocated"
        case .codOverLimit: return "F7.cod_over_limit"
        case .insuredCapped: return "F8.insured_capped"
        case .afterCutoff: return "F9.after_cutoff"
        case .nonWorkingDay: return "F9.non_working_day"
        case .promiseTier: return "F10.promise_tier"
        case .feedPromise: return "F10.feed_promise"
        case .transit: return "F10.transit"
        case .downgrade: return "F12.downgrade"
        case .noCarrier: return "F4.no_carrier"
        case .lateShip: return "F13.late_ship"
        case .lateDelivery: return "F13.late_delivery"
        case .appointmentKept: return "F14.appointment_kept"
        case .appointmentIgnored: return "F14.appointment_ignored"
        case .notPlanned: return "not_planned"
        }
    }
}

/// Hold codes written into `hold_codes` when an order or child cannot be planned.
public enum HoldCode {
    public static let noWarehouse = "no_warehouse"
    public static let insufficientStock = "insufficient_stock"
    public static let noCarrier = "no_carrier"
    public static let codOverLimit = "cod_over_limit"
}
