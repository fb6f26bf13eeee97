import Foundation
import OrderModel

/// A small `key,value` CSV table (a header line, `#` comments), looked up case-insensitively
/// on ASCII. Used for country names -> ISO 3166-1 alpha-2.
public struct LookupTable: Sendable {
    private var map: [String: String] = [:]
    public let file: String

    public init(csv text: String, file: String) throws(WaybillError) {
        self.file = file
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if n == 0 || line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw WaybillError.config(file: file, line: n + 1, column: 1, message: "expected 'key,value'")
            }
            map[parts[0].lowercased()] = parts[1]
        }
    }

    public static func load(path: String) throws(WaybillError) -> LookupTable {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw WaybillError.inputNotFound(path: path, reason: "cannot read lookup table")
        }
        return try LookupTable(csv: text, file: path)
    }

    public func lookup(_ key: String) -> String? { map[key.lowercased()] }
    public var count: Int { map.count }
}
