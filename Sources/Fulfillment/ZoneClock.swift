import Foundation
import OrderModel

/// UTC offsets of one time zone, precomputed at load so the planner never calls Foundation
/// per order: the zone's offset changes (DST transitions) between 1970 and 2100 as a sorted
/// table, looked up by binary search. A fixed offset (`+08:00`, `UTC`) has a one-entry table.
public struct ZoneClock: Sendable {
    public let name: String
    /// Instants (µs since epoch, UTC) from which `offsets[i]` (seconds east of UTC) applies.
    private let starts: [Int64]
    private let offsets: [Int64]

    /// An IANA zone name (`Asia/Shanghai`, `Europe/Berlin`) or a fixed offset (`UTC`, `+08:00`).
    public init?(_ name: String) {
        self.name = name
        if let fixed = Self.fixedOffset(name) {
            starts = [Int64.min]
            offsets = [fixed]
            return
        }
        guard let tz = TimeZone(identifier: name) else { return nil }
        var s: [Int64] = [Int64.min]
        var o: [Int64] = [Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: 0)))]
        var at = Date(timeIntervalSince1970: 0)
        let end = Date(timeIntervalSince1970: 4_102_444_800)  // 2100-01-01
        while let next = tz.nextDaylightSavingTimeTransition(after: at), next < end {
            s.append(Int64(next.timeIntervalSince1970) * CivilTime.microsPerSecond)
            o.append(Int64(tz.secondsFromGMT(for: next)))
            at = next
        }
        starts = s
        offsets = o
    }

    static func fixedOffset(_ name: String) -> Int64? {
        if name == "UTC" || name == "Z" { return 0 }
        let u = Array(name.utf8)
        guard u.count == 6, u[0] == UInt8(ascii: "+") || u[0] == UInt8(ascii: "-"), u[3] == UInt8(ascii: ":"),
            let h = Int64(String(decoding: u[1..<3], as: UTF8.self)),
            let m = Int64(String(decoding: u[4..<6], as: UTF8.self)), h <= 14, m < 60
        else { return nil }
        return (u[0] == UInt8(ascii: "-") ? -1 : 1) * (h * 3600 + m * 60)
    }

    /// Seconds east of UTC at instant `utc` (µs).
    public func offset(atUTC utc: Int64) -> Int64 {
        if starts.count == 1 { return offsets[0] }
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= utc { lo = mid } else { hi = mid - 1 }
        }
        return offsets[lo]
    }

    /// The local wall-clock time (µs since the local epoch) of a UTC instant.
    public func local(_ utc: Int64) -> Int64 { utc + offset(atUTC: utc) * CivilTime.microsPerSecond }

    /// The UTC instant of local day `day` at `seconds` into it. Around a DST change a gap time
    /// moves forward and a repeated time takes its first occurrence (`CivilTime.offset(ofLocal:)`).
    public func utc(day: Int64, seconds: Int) -> Int64 {
        let local = day * 86_400 + Int64(seconds)
        let o = starts.count == 1 ? offsets[0] : CivilTime.offset(ofLocal: local) { offset(atUTC: $0 * CivilTime.microsPerSecond) }
        return (local - o) * CivilTime.microsPerSecond
    }

    public static let utc = ZoneClock("UTC")!
}
