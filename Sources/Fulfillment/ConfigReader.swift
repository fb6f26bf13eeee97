import Foundation
import OrderModel
import Yams

/// Reads one YAML file of the fulfillment configuration (the rules file or one of its tables)
/// with errors that name the file, line, column and field (`WaybillError.config`, exit 78).
struct ConfigReader {
    let file: String
    let root: Node

    /// Reads and parses `path`; a missing file is exit 66, bad YAML exit 78.
    init(path: String) throws(WaybillError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw WaybillError.inputNotFound(path: path, reason: "cannot read fulfillment file")
        }
        try self.init(text: text, file: path)
    }

    init(text: String, file: String) throws(WaybillError) {
        self.file = file
        do {
            guard let r = try Yams.compose(yaml: text) else {
                throw WaybillError.config(file: file, line: 0, column: 0, message: "empty file")
            }
            root = r
        } catch let e as YamlError {
            switch e {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                .composer(_, let problem, let mark, _):
                throw WaybillError.config(file: file, line: mark.line, column: mark.column, message: "YAML: \(problem)")
            default:
                throw WaybillError.config(file: file, line: 0, column: 0, message: "YAML: \(e)")
            }
        } catch let e as WaybillError {
            throw e
        } catch {
            throw WaybillError.config(file: file, line: 0, column: 0, message: "cannot parse YAML: \(error)")
        }
    }

    func fail(_ node: Node?, _ message: String) -> WaybillError {
        .config(file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0, message: message)
    }

    /// The entries of a mapping node, with an error naming `what` when it is not one.
    func mapping(_ node: Node, _ what: String) throws(WaybillError) -> ConfigMapping {
        guard let m = node.mapping else { throw fail(node, "'\(what)' must be a mapping") }
        return ConfigMapping(m)
    }

    func list(_ node: Node, _ what: String) throws(WaybillError) -> [Node] {
        guard let s = node.sequence else { throw fail(node, "'\(what)' must be a list") }
        return Array(s)
    }

    /// Rejects keys that are not in `allowed`, so a typo is an error rather than a silent default.
    func checkKeys(_ m: ConfigMapping, _ allowed: Set<String>, in what: String) throws(WaybillError) {
        for (k, _) in m where !allowed.contains(k.string ?? "") {
            throw fail(k, "\(what): unknown field '\(k.string ?? "")' (expected \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func string(_ m: ConfigMapping, _ key: String, in what: String) throws(WaybillError) -> String? {
        guard let n = m[key] else { return nil }
        guard let s = n.scalar?.string, !s.isEmpty else { throw fail(n, "\(what): field '\(key)' must be non-empty text") }
        return s
    }

    func required(_ m: ConfigMapping, _ key: String, in what: String, at node: Node) throws(WaybillError) -> String {
        guard let s = try string(m, key, in: what) else { throw fail(node, "\(what): missing field '\(key)'") }
        return s
    }

    /// An integer field from `min` to `max`. The default bound (10^12: grams, cm3, units) keeps
    /// the planner's sums and products of it within 64 bits; day counts pass a tighter one,
    /// since the calendar walks them.
    func int(_ m: ConfigMapping, _ key: String, in what: String, min: Int = 0, max: Int = 1_000_000_000_000)
        throws(WaybillError) -> Int?
    {
        guard let n = m[key] else { return nil }
        guard let v = n.scalar.flatMap({ Int($0.string) }), v >= min, v <= max else {
            throw fail(n, "\(what): field '\(key)' must be an integer from \(min) to \(max)")
        }
        return v
    }

    func bool(_ m: ConfigMapping, _ key: String, in what: String) throws(WaybillError) -> Bool? {
        guard let n = m[key] else { return nil }
        switch n.scalar?.string {
        case "true": return true
        case "false": return false
        default: throw fail(n, "\(what): field '\(key)' must be true or false")
        }
    }

    /// An exact amount (`"99.00"`), as 1/10,000 units.
    func money(_ m: ConfigMapping, _ key: String, in what: String) throws(WaybillError) -> Int64? {
        guard let n = m[key] else { return nil }
        guard let s = n.scalar?.string, case .success(let v) = ExactDecimal.parse(s), v >= 0 else {
            throw fail(n, "\(what): field '\(key)' must be a non-negative amount such as \"99.00\"")
        }
        return v
    }

    /// A list of text values (a single scalar counts as a one-element list).
    func strings(_ m: ConfigMapping, _ key: String, in what: String) throws(WaybillError) -> [String]? {
        guard let n = m[key] else { return nil }
        if let s = n.scalar?.string { return [s] }
        guard let seq = n.sequence else { throw fail(n, "\(what): field '\(key)' must be a list of text") }
        var out: [String] = []
        for item in seq {
            guard let s = item.scalar?.string, !s.isEmpty else { throw fail(item, "\(what): '\(key)' holds a non-text item") }
            out.append(s)
        }
        return out
    }

    /// A local time of day `HH:MM` (or `HH:MM:SS`; `24:00` is the end of the day), as seconds.
    func timeOfDay(_ m: ConfigMapping, _ key: String, in what: String) throws(WaybillError) -> Int? {
        guard let n = m[key] else { return nil }
        guard let s = n.scalar?.string, let t = Self.parseTime(s) else {
            throw fail(n, "\(what): field '\(key)' must be a time HH:MM")
        }
        return t
    }

    static func parseTime(_ s: String) -> Int? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.count == 2 }),
            let h = Int(parts[0]), let mi = Int(parts[1]), mi < 60
        else { return nil }
        let sec = parts.count == 3 ? Int(parts[2]) ?? 99 : 0
        guard sec < 60, h < 24 || (h == 24 && mi == 0 && sec == 0) else { return nil }
        return h * 3600 + mi * 60 + sec
    }

    /// A date `YYYY-MM-DD` as days since 1970-01-01.
    func date(_ n: Node, in what: String) throws(WaybillError) -> Int64 {
        guard let s = n.scalar?.string, let d = Self.parseDate(s) else {
            throw fail(n, "\(what): '\(n.scalar?.string ?? "")' is not a date YYYY-MM-DD")
        }
        return d
    }

    static func parseDate(_ s: String) -> Int64? {
        let p = s.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2,
            let y = Int(p[0]), let mo = Int(p[1]), let d = Int(p[2]), CivilTime.isValid(year: y, month: mo, day: d)
        else { return nil }
        return CivilTime.days(year: y, month: mo, day: d)
    }

    /// A path named in this file, relative to this file's folder.
    func relative(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let dir = (file as NSString).deletingLastPathComponent
        return dir.isEmpty ? path : dir + "/" + path
    }
}

/// A mapping of a configuration file, looked up by the text of its keys.
///
/// Yams' `Node.Mapping[String]` compares the key as a node, resolving the YAML tag of every
/// key it passes through a set of regular expressions: a third of the instructions of a small
/// `waybill fulfill` run went there (some 500 lookups over the rules and tables). Configuration
/// keys are plain text, so comparing their text says the same. As in YAML, the last of
/// duplicate keys wins.
struct ConfigMapping: Sequence {
    private let pairs: [(key: Node, value: Node)]
    private let keys: [String?]

    init(_ mapping: Node.Mapping) {
        pairs = mapping.map { ($0.key, $0.value) }
        keys = pairs.map { $0.key.scalar?.string }
    }

    subscript(_ key: String) -> Node? {
        guard let i = keys.lastIndex(where: { $0 == key }) else { return nil }
        return pairs[i].value
    }

    func makeIterator() -> IndexingIterator<[(key: Node, value: Node)]> { pairs.makeIterator() }
}
