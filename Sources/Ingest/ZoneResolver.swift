import Foundation

/// A time zone for local times that carry no offset: a fixed offset, or an IANA zone whose
/// offset depends on the date (daylight saving). IANA offsets come from Foundation's TimeZone
/// but are cached per local hour, so the hot path calls Foundation once per distinct hour of
/// the feed, not once per record. One resolver per reading thread (the cache is mutable).
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
        if hour == lastHour { return lastOffset }
        let o: Int32
        if let c = cache[hour] {
            o = c
        } else {
            let tz = zone!
            // The offset at the UTC instant the local time would be with the first guess, then
            // once more with the corrected guess (settles across transitions).
            let guess = tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(localSeconds)))
            let second = tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(localSeconds - Int64(guess))))
            o = Int32(second)
            if cache.count > 100_000 { cache.removeAll(keepingCapacity: true) }
            cache[hour] = o
        }
        lastHour = hour
        lastOffset = o
        return o
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
