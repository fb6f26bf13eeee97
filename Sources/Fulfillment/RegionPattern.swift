/// Where an order goes, as the planner reads it from the consignee fields: scratch byte
/// arrays refilled per order (their storage is reused, so reading them allocates nothing).
struct Destination {
    var country: [UInt8] = []
    var province: [UInt8] = []
    var city: [UInt8] = []
    var postal: [UInt8] = []

    mutating func clear() {
        country.removeAll(keepingCapacity: true)
        province.removeAll(keepingCapacity: true)
        city.removeAll(keepingCapacity: true)
        postal.removeAll(keepingCapacity: true)
    }
}

/// One region a warehouse, zone or service covers (F1): `*` (anywhere), a country `CN`, a
/// province `CN/浙江省`, a city `CN/浙江省/杭州市`, or a postal prefix `CN/zip:31` (a prefix may
/// follow any level). The most specific match wins: anywhere < country < province < city <
/// postal prefix (longer prefixes more specific).
struct RegionPattern: Sendable, CustomStringConvertible {
    let text: String
    let country: [UInt8]?
    let province: [UInt8]?
    let city: [UInt8]?
    let postalPrefix: [UInt8]?

    /// Parses a pattern; nil when it is malformed (the loader names file and line).
    init?(_ text: String) {
        self.text = text
        if text == "*" {
            country = nil; province = nil; city = nil; postalPrefix = nil
            return
        }
        var parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var zip: [UInt8]? = nil
        if let last = parts.last, last.hasPrefix("zip:") {
            let p = last.dropFirst(4)
            guard !p.isEmpty, p.utf8.allSatisfy({ $0 > 0x20 && $0 != UInt8(ascii: "/") }) else { return nil }
            zip = Array(p.uppercased().utf8)
            parts.removeLast()
        }
        guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("zip:") }) else { return nil }
        country = Array(parts[0].uppercased().utf8)
        province = parts.count > 1 ? Array(parts[1].utf8) : nil
        city = parts.count > 2 ? Array(parts[2].utf8) : nil
        postalPrefix = zip
    }

    var description: String { text }

    /// 0 for `*`, 1 country, 2 province, 3 city, 4 + prefix length for a postal prefix.
    var specificity: Int {
        if let z = postalPrefix { return 4 + z.count }
        if city != nil { return 3 }
        if province != nil { return 2 }
        return country == nil ? 0 : 1
    }

    /// The pattern's specificity when it covers `d`, else nil.
    func match(_ d: Destination) -> Int? {
        guard let country else { return 0 }
        guard country == d.country else { return nil }
        if let province, province != d.province { return nil }
        if let city, city != d.city { return nil }
        if let z = postalPrefix {
            guard d.postal.count >= z.count else { return nil }
            for i in 0..<z.count where Self.upper(d.postal[i]) != z[i] { return nil }
        }
        return specificity
    }

    @inline(__always) static func upper(_ b: UInt8) -> UInt8 { b >= 0x61 && b <= 0x7A ? b - 32 : b }

    /// The best specificity of any pattern of `list` that covers `d`, with that pattern's
    /// index (the first of equals), without copying the pattern.
    static func bestIndex(_ list: [RegionPattern], _ d: Destination) -> (spec: Int, pattern: Int)? {
        var best: (spec: Int, pattern: Int)? = nil
        for i in list.indices {
            if let s = list[i].match(d), s > (best?.spec ?? -1) { best = (s, i) }
        }
        return best
    }

    /// The best specificity of any pattern of `list` that covers `d`.
    static func bestMatch(_ list: [RegionPattern], _ d: Destination) -> (Int, RegionPattern)? {
        var best: (Int, RegionPattern)? = nil
        for p in list {
            if let s = p.match(d), s > (best?.0 ?? -1) { best = (s, p) }
        }
        return best
    }
}
