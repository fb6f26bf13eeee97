import Foundation
import OrderModel
import Yams

/// Reads the YAML of a rules file into a `RuleSet` (the format is in docs/rules.md).
struct RuleLoader {
    let text: String
    let file: String
    let positions: ScalarPosition
    let pool = ExpressionPool()

    init(text: String, file: String) {
        self.text = text
        self.file = file
        positions = ScalarPosition(text: text)
    }

    private func fail(_ node: Node?, _ message: String) -> WaybillError {
        let mark = node?.mark
        return .config(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, message: message)
    }

    mutating func load() throws(WaybillError) -> RuleSet {
        let root: Node
        do {
            guard let r = try Yams.compose(yaml: text) else { throw fail(nil, "empty rules file") }
            root = r
        } catch let e as YamlError {
            throw yamlError(e)
        } catch let e as WaybillError {
            throw e
        } catch {
            throw fail(nil, "cannot parse YAML: \(error)")
        }
        guard let top = root.mapping else { throw fail(root, "a rules file is a mapping with a 'rules' list") }
        var rules: [Rule] = []
        var builtins = BuiltinSettings()
        var ids = Set<String>()
        for (key, value) in top {
            switch key.string ?? "" {
            case "version":
                guard value.int == 1 else { throw fail(value, "unsupported rules version (expected 1)") }
            case "rules":
                guard let seq = value.sequence else { throw fail(value, "'rules' must be a list") }
                for item in seq {
                    let rule = try loadRule(item)
                    guard ids.insert(rule.id).inserted else { throw fail(item, "duplicate rule id '\(rule.id)'") }
                    rules.append(rule)
                }
            default:
                if try !builtins.read(key: key.string ?? "", value, loader: self) {
                    throw fail(key, "unknown key '\(key.string ?? "")' (expected version, rules, dedup, transitions, normalize, pii, money)")
                }
            }
        }
        return RuleSet(file: file, rules: rules, pool: pool, builtins: builtins)
    }

    private func yamlError(_ e: YamlError) -> WaybillError {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return .config(file: file, line: mark.line, column: mark.column, message: "YAML: \(problem)")
        default:
            return .config(file: file, line: 0, column: 0, message: "YAML: \(e)")
        }
    }

    func string(_ node: Node?, _ what: String, in parent: Node) throws(WaybillError) -> String {
        guard let node else { throw fail(parent, "missing '\(what)'") }
        guard let s = node.scalar?.string else { throw fail(node, "'\(what)' must be text") }
        return s
    }

    func error(_ node: Node?, _ message: String) -> WaybillError { fail(node, message) }

    /// A path named in the rules file, relative to the rules file's folder.
    func relative(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let dir = (file as NSString).deletingLastPathComponent
        return dir.isEmpty ? path : dir + "/" + path
    }

    /// Compiles the expression in scalar `node`, mapping an error's offset to file line/column.
    func expression(_ node: Node, _ what: String) throws(WaybillError) -> CompiledExpression {
        guard let scalar = node.scalar else { throw fail(node, "'\(what)' must be an expression in text") }
        do {
            return try pool.compile(scalar.string)
        } catch {
            let (line, column) = positions.locate(scalar, offset: error.offset)
            throw WaybillError.config(file: file, line: line, column: column, message: "\(what): \(error.message)")
        }
    }

    private func loadRule(_ node: Node) throws(WaybillError) -> Rule {
        guard let m = node.mapping else { throw fail(node, "a rule is a mapping with id, check, severity and message") }
        let known: Set<String> = ["id", "description", "when", "check", "severity", "message", "warn_if", "error_if"]
        for key in m.keys where !known.contains(key.string ?? "") {
            throw fail(key, "unknown rule key '\(key.string ?? "")' (expected \(known.sorted().joined(separator: ", ")))")
        }
        let id = try string(m["id"], "id", in: node)
        guard !id.isEmpty, id.utf8.allSatisfy({ $0 > 0x20 && $0 != UInt8(ascii: ":") && $0 < 0x7F }) else {
            throw fail(m["id"], "a rule id is printable ASCII without spaces or ':'")
        }
        let severityName = try string(m["severity"], "severity", in: node)
        guard let severity = Severity(name: severityName) else {
            throw fail(m["severity"], "severity must be reject, hold or warn, not '\(severityName)'")
        }
        guard let checkNode = m["check"] else { throw fail(node, "rule \(id): missing 'check'") }
        let check = try expression(checkNode, "check")
        guard check.type == .bool else { throw fail(checkNode, "rule \(id): check must be a bool expression, not \(check.type)") }
        var when: CompiledExpression?
        if let w = m["when"] {
            let e = try expression(w, "when")
            guard e.type == .bool else { throw fail(w, "rule \(id): when must be a bool expression, not \(e.type)") }
            when = e
        }
        let messageNode = m["message"]
        let messageText = try messageNode.map { (n: Node) throws(WaybillError) -> String in try string(n, "message", in: node) } ?? id
        let message: MessageTemplate
        do {
            message = try MessageTemplate(messageText, pool: pool)
        } catch {
            let (line, column) = messageNode?.scalar.map { positions.locate($0, offset: error.offset) } ?? (0, 0)
            throw WaybillError.config(file: file, line: line, column: column, message: "message: \(error.message)")
        }
        func threshold(_ key: String) throws(WaybillError) -> Threshold? {
            guard let n = m[key] else { return nil }
            guard let s = n.scalar?.string, let t = Threshold(s) else {
                throw fail(n, "\(key) must look like \"> 10\" or \"> 1%\" (a share of at most 100%)")
            }
            return t
        }
        return Rule(
            id: id, description: m["description"]?.string ?? "", severity: severity, when: when, check: check,
            message: message, warnIf: try threshold("warn_if"), errorIf: try threshold("error_if"))
    }
}
