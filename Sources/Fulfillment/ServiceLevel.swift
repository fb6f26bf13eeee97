/// One carrier product (F4, F6, F7, F10, F12): a carrier's service level with its coverage,
/// caps, prices and transit times. Services of one level are tried in table order. A class,
/// so checking a child against each candidate retains one reference, not every array.
public final class Service: Sendable {
    public let id: String
    public let carrier: String
    /// Canonical level: same_day, next_day, standard, economy, scheduled.
    public let level: String
    let coverage: [RegionPattern]
    /// Warehouses it collects from; empty = all.
    let fromWarehouses: [String]
    /// Goods it carries: normal, bulky, chilled, frozen, ... (see `Planner.goodsType`).
    let goods: [[UInt8]]
    /// Ship modes it stands for (TPC-H `l_shipmode`); empty = not matched on mode.
    let shipModes: [[UInt8]]
    /// Sellers it accepts (`self` = first-party); empty = any seller.
    let sellers: [[UInt8]]
    let maxWeightG: Int64?
    let maxVolumeCm3: Int64?
    /// COD: nil = not offered; else the accepted amount range (1/10,000 units).
    let cod: ClosedRange<Int64>?
    let insuredMax: Int64?
    /// Dates on which it takes no orders (peaks, blackouts), as local days.
    let blackout: Set<Int64>
    public let calendar: WorkCalendar
    let transit: [TransitRule]
    let defaultTransit: ClosedRange<Int>?
    /// The delivery window within a day, local seconds.
    let windowStart: Int
    let windowEnd: Int
    /// Time-of-order promise tiers (the 211 rule); empty = transit days.
    let promiseTiers: [PromiseTier]
    let prices: [PriceRule]
    /// Goods value at or above which the freight is free.
    let freeOver: Int64?
    init(id: String, carrier: String, level: String, coverage: [RegionPattern], fromWarehouses: [String],
         goods: [[UInt8]], shipModes: [[UInt8]], sellers: [[UInt8]], maxWeightG: Int64?, maxVolumeCm3: Int64?,
         cod: ClosedRange<Int64>?, insuredMax: Int64?, blackout: Set<Int64>, calendar: WorkCalendar,
         transit: [TransitRule], defaultTransit: ClosedRange<Int>?, windowStart: Int, windowEnd: Int,
         promiseTiers: [PromiseTier], prices: [PriceRule], freeOver: Int64?) {
        self.id = id
        self.carrier = carrier
        self.level = level
        self.coverage = coverage
        self.fromWarehouses = fromWarehouses
        self.goods = goods
        self.shipModes = shipModes
        self.sellers = sellers
        self.maxWeightG = maxWeightG
        self.maxVolumeCm3 = maxVolumeCm3
        self.cod = cod
        self.insuredMax = insuredMax
        self.blackout = blackout
        self.calendar = calendar
        self.transit = transit
        self.defaultTransit = defaultTransit
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.promiseTiers = promiseTiers
        self.prices = prices
        self.freeOver = freeOver
    }

    /// A premium level that may be downgraded when its conditions fail (F12).
    var isPremium: Bool { level == "same_day" || level == "next_day" }

    /// Whether `transitDays` has a lane: the eligibility check per child, without building
    /// (and releasing) the rule it would return.
    func hasTransit(from origin: String, to dest: String) -> Bool {
        defaultTransit != nil || transit.contains { ($0.from == origin || $0.from == "*") && ($0.to == dest || $0.to == "*") }
    }

    func transitDays(from origin: String, to dest: String) -> (ClosedRange<Int>, TransitRule?)? {
        for r in transit where (r.from == origin || r.from == "*") && (r.to == dest || r.to == "*") {
            return (r.days, r)
        }
        return defaultTransit.map { ($0, nil) }
    }
}

/// Transit days from an origin zone to a destination zone (`*` matches any); first match wins.
struct TransitRule: Sendable {
    let from: String
    let to: String
    let days: ClosedRange<Int>
}

/// One tier of a time-of-order promise: ordered before `orderBefore` (local, on a working day),
/// delivered `days` working days later by `deliverBy`. JD 211: before 11:00 -> same day 23:00;
/// before 23:00 -> next day 15:00.
struct PromiseTier: Sendable {
    let orderBefore: Int
    let days: Int
    let deliverBy: Int
}

/// An ordered price rule (F6): applies when the chargeable weight is at most `maxWeightG`
/// (nil = any); freight = first price for the first weight, plus the step price for every
/// started step beyond it (首重 + 续重).
struct PriceRule: Sendable {
    let maxWeightG: Int64?
    let firstWeightG: Int64
    let firstPrice: Int64
    let stepG: Int64
    let stepPrice: Int64

    /// The freight for `weightG`; nil when it would be past the largest amount a dataset holds
    /// (`Fulfiller.maxMoney`): the service cannot price it (`Ineligible.priceOutOfRange`).
    func price(_ weightG: Int64) -> Int64? {
        if weightG <= firstWeightG || stepG <= 0 { return firstPrice }
        let steps = (weightG - firstWeightG) / stepG + ((weightG - firstWeightG) % stepG == 0 ? 0 : 1)
        let (more, o1) = steps.multipliedReportingOverflow(by: stepPrice)
        let (total, o2) = firstPrice.addingReportingOverflow(more)
        return o1 || o2 || total > Fulfiller.maxMoney ? nil : total
    }
}
