import Datasets
import OrderModel

/// Which partitions are old enough for the cold tier: those whose date key (`order_date`, an
/// identity date key) is before the cutoff day, or whose month key (`order_month`,
/// `month(...)`) ends before it. A null partition value is never moved.
public struct TierPolicy: Sendable {
    /// Days since 1970 of the cutoff: partitions entirely before it are old.
    public var cutoffDay: Int64

    public init(cutoffDay: Int64) { self.cutoffDay = cutoffDay }

    /// `--older-than 90d` relative to `now` (days since 1970); also `12w`, `6m` (30 days), `1y` (365).
    public static func parseAge(_ text: String) throws(WaybillError) -> Int64 {
        guard let unit = text.last, let n = Int64(text.dropLast()), n >= 0 else {
            throw .usage("--older-than '\(text)': use a number and d, w, m or y (90d)")
        }
        switch unit {
        case "d": return n
        case "w": return n * 7
        case "m": return n * 30
        case "y": return n * 365
        default: throw .usage("--older-than '\(text)': use a number and d, w, m or y (90d)")
        }
    }

    /// Parses `YYYY-MM-DD` into days since 1970.
    public static func parseDay(_ text: String) -> Int64? {
        let p = text.split(separator: "-")
        guard p.count == 3, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]),
            CivilTime.isValid(year: y, month: m, day: d)
        else { return nil }
        return CivilTime.days(year: y, month: m, day: d)
    }

    /// Index of the key that ages partitions, or nil when the dataset has none.
    public static func ageKey(_ keys: [PartitionKey]) -> Int? {
        keys.firstIndex { k in
            OrderSchema.orderFields[k.field].kind == .date && (k.transform == .identity || k.transform == .month)
        }
    }

    /// Whether a partition (its folder values) lies entirely before the cutoff.
    public func isOld(_ values: [String?], keys: [PartitionKey]) -> Bool {
        guard let k = Self.ageKey(keys), k < values.count, let v = values[k] else { return false }
        if keys[k].transform == .month {
            let p = v.split(separator: "-")
            guard p.count == 2, let y = Int(p[0]), let m = Int(p[1]), m >= 1, m <= 12 else { return false }
            let next = m == 12 ? CivilTime.days(year: y + 1, month: 1, day: 1) : CivilTime.days(year: y, month: m + 1, day: 1)
            return next <= cutoffDay
        }
        guard let day = Self.parseDay(v) else { return false }
        return day < cutoffDay
    }
}
