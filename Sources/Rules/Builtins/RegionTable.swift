import Foundation
import OrderModel

/// CN administrative regions (adcodes) from a CSV table `adcode,name` (Pipelines/reference/
/// cn-regions.csv). The level follows from the 6-digit code: `PP0000` a province, `PPCC00` a
/// city, anything else a district; a child's code starts with its parent's digits. Names match
/// with or without their administrative suffix (省, 市, 区, 县, 自治区, ...), so `广东` and
/// `广东省` both resolve.
public struct RegionTable: Sendable {
    private struct Entry: Sendable {
        let code: String
        let name: String
    }

    private var provinces: [String: String] = [:]
    private var cities: [String: [Entry]] = [:]
    private var districts: [String: [Entry]] = [:]
    public let file: String
    public private(set) var count = 0

    static let suffixes = ["特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "省", "市", "区", "县", "盟"]

    /// A name without its administrative suffix (kept when nothing would remain).
    static func stem(_ name: String) -> String {
        let n = name.trimmingCharacters(in: .whitespaces)
        for s in suffixes where n.hasSuffix(s) && n.count > s.count {
            return String(n.dropLast(s.count))
        }
        return n
    }

    public init(csv text: String, file: String) throws(WaybillError) {
        self.file = file
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if n == 0 || line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count >= 2, parts[0].count == 6, parts[0].allSatisfy(\.isASCII), Int(parts[0]) != nil else {
                throw WaybillError.config(file: file, line: n + 1, column: 1, message: "expected 'adcode,name' with a 6-digit adcode")
            }
            let code = parts[0], name = Self.stem(parts[1])
            if code.hasSuffix("0000") {
                provinces[name] = code
            } else if code.hasSuffix("00") {
                cities[name, default: []].append(Entry(code: code, name: name))
            } else {
                districts[name, default: []].append(Entry(code: code, name: name))
            }
            count += 1
        }
    }

    public static func load(path: String) throws(WaybillError) -> RegionTable {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw WaybillError.inputNotFound(path: path, reason: "cannot read region table")
        }
        return try RegionTable(csv: text, file: path)
    }

    /// The most precise adcode for the names given: the district within the city, else the
    /// city within the province, else the province. Municipalities (北京, 上海, ...) are
    /// provinces whose cities are their districts, so a city name may also match a district.
    public func resolve(province: String?, city: String?, district: String?) -> String? {
        let p = province.map(Self.stem).flatMap { provinces[$0] }
        let prefix2 = p.map { String($0.prefix(2)) }
        var cityCode: String?
        if let c = city.map(Self.stem) {
            cityCode = cities[c]?.first { prefix2 == nil || $0.code.hasPrefix(prefix2!) }?.code
            if cityCode == nil, let p, provinces.values.contains(p) {
                // Municipality: the "city" field often holds the municipality itself.
                if Self.stem(city!) == Self.stem(province!) { cityCode = p }
            }
        }
        if let d = district.map(Self.stem), let candidates = districts[d] {
            let scope = cityCode.map { $0.hasSuffix("0000") ? String($0.prefix(2)) : String($0.prefix(4)) } ?? prefix2
            if let hit = candidates.first(where: { scope == nil || $0.code.hasPrefix(scope!) }) { return hit.code }
        }
        return cityCode ?? p
    }
}
