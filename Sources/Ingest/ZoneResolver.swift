import Foundation
import OrderModel

/// A time zone for local times that carry no offset: a fixed offset, or an IANA zone whose
/// offset depends on the date (daylight saving). IANA offsets come from Foundation's TimeZone
/// but are cached per local hour, so the hot path calls Foundation a few times per distinct
/// hour of the feed, not once per record. One resolver per reading thread (the cache is mutable).
final class ZoneResolver {
    private let fixed: Int32?
    private let zone: TimeZone?
    private var cache: [Int64: Int32] = [:]
    private var lastHour: Int64 = .min
    private var lastOffset: Int32 = 0

    init(_ spec: ZoneSpec) {
        switch spec {
        case .fixed(let s):
            fixed = s
            zone = nil
        case .iana(let name):
            fixed = nil
            zone = TimeZone(identifier: name)
        }
    }

    /// The UTC offset in seconds in force at local time `localSeconds` (seconds since 1970 as
    /// if the local wall clock were UTC).
    func offset(atLocal localSeconds: Int64) -> Int32 {
        if let fixed { return fixed }
        let hour = localSeconds >= 0 ? localSeconds / 3600 : (localSeconds - 3599) / 3600
        if hour == lastHour, lastOffset != Self.mixedHour { return lastOffset }
        let o: Int32
        if let c = cache[hour] {
            o = c
        } else {
            // An hour is cached only when its first and last second resolve to the same offset:
            // a transition that is not on the hour (Australia/Lord_Howe's 30-minute shift, many
            // historical offsets) splits its local hour, and each time in it is resolved alone.
            let first = exact(hour * 3600), last = exact(hour * 3600 + 3599)
            o = first == last ? first : Self.mixedHour
            if cache.count > 100_000 { cache.removeAll(keepingCapacity: true) }
            cache[hour] = o
        }
        lastHour = hour
        lastOffset = o
        return o == Self.mixedHour ? exact(localSeconds) : o
    }

    /// Marks a cached hour a transition splits.
    private static let mixedHour = Int32.min

    /// The offset at local time `localSeconds` from Foundation (`CivilTime.offset(ofLocal:)`
    /// says how times around a transition are read).
    private func exact(_ localSeconds: Int64) -> Int32 {
        let tz = zone!
        return Int32(CivilTime.offset(ofLocal: localSeconds) {
            Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval($0))))
        })
    }
}

/// How a profile names a time zone.
enum ZoneSpec: Sendable, Hashable {
    case fixed(Int32)
    case iana(String)

    /// Parses `UTC`, `Z`, `+08:00`, `-0400`, `UTC+8` or an IANA name such as `Asia/Shanghai`.
    static func parse(_ text: String) -> ZoneSpec? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "UTC" || t == "Z" || t == "GMT" { return .fixed(0) }
        var body = Substring(t)
        if body.hasPrefix("UTC") { body = body.dropFirst(3) }
        if let sign = body.first, sign == "+" || sign == "-" {
            let rest = body.dropFirst().replacingOccurrences(of: ":", with: "")
            guard !rest.isEmpty, rest.allSatisfy(\.isNumber), rest.count <= 4 else { return nil }
            let v = Int(rest)!
            let (h, m) = rest.count <= 2 ? (v, 0) : (v / 100, v % 100)
            guard h < 24, m < 60 else { return nil }
            let s = Int32(h * 3600 + m * 60)
            return .fixed(sign == "-" ? -s : s)
        }
        return TimeZone(identifier: t) != nil ? .iana(t) : nil
    }
}
