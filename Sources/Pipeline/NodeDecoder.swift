import Yams

/// Reads values out of the YAML tree of a pipeline file, expanding `${VAR}`s, and collects a
/// problem (with the node's position) for every value that is wrong instead of stopping at the
/// first. Nodes without a position came from a `--set` override and are reported as such.
final class NodeDecoder {
    let file: String
    let expander: VariableExpander
    private(set) var problems: [PipelineProblem] = []

    init(file: String, expander: VariableExpander) {
        self.file = file
        self.expander = expander
    }

    func origin(_ node: Node?) -> PipelineSpec.Origin {
        guard let mark = node?.mark else { return .init(file: node == nil ? file : "--set", line: 0, column: 0) }
        return .init(file: file, line: mark.line, column: mark.column)
    }

    func problem(_ node: Node?, _ message: String) {
        let o = origin(node)
        problems.append(PipelineProblem(file: o.file, line: o.line, column: o.column, message: message))
    }

    func mapping(_ node: Node, _ what: String) -> Node.Mapping? {
        guard let m = node.mapping else {
            problem(node, "\(what) must be a mapping")
            return nil
        }
        return m
    }

    /// Reports keys outside `allowed`; returns the mapping's pairs by key name.
    func keys(_ m: Node.Mapping, _ allowed: [String], _ what: String) -> [String: Node] {
        var out: [String: Node] = [:]
        for (k, v) in m {
            let name = k.string ?? ""
            if !allowed.contains(name) {
                problem(k, "unknown key '\(name)' in \(what) (allowed: \(allowed.joined(separator: ", ")))")
            } else if out[name] != nil {
                problem(k, "'\(name)' is given twice in \(what)")
            } else {
                out[name] = v
            }
        }
        return out
    }

    /// A single value with its variables expanded.
    func string(_ node: Node, _ what: String) -> String? {
        guard let s = node.scalar, node.null == nil || !s.string.isEmpty else {
            problem(node, "\(what) must be a single value")
            return nil
        }
        switch expander.expand(s.string) {
        case .success(let v): return v
        case .failure(let f):
            problem(node, "\(what): \(f.message)")
            return nil
        }
    }

    func nonEmptyString(_ node: Node, _ what: String) -> String? {
        guard let s = string(node, what) else { return nil }
        if s.isEmpty { problem(node, "\(what) is empty") }
        return s.isEmpty ? nil : s
    }

    func double(_ node: Node, _ what: String, range: ClosedRange<Double>) -> Double? {
        guard let s = string(node, what) else { return nil }
        guard let d = Double(s), range.contains(d) else {
            problem(node, "\(what) must be a number from \(range.lowerBound) to \(range.upperBound) (got '\(s)')")
            return nil
        }
        return d
    }

    func int(_ node: Node, _ what: String, min: Int) -> Int? {
        guard let s = string(node, what) else { return nil }
        guard let i = Int(s), i >= min else {
            problem(node, "\(what) must be a whole number of at least \(min) (got '\(s)')")
            return nil
        }
        return i
    }

    /// One value or a list of values (`inputs: a.csv` or `inputs: [a.csv, b/]`).
    func strings(_ node: Node, _ what: String) -> [String] {
        if let seq = node.sequence { return seq.compactMap { nonEmptyString($0, "an entry of \(what)") } }
        return nonEmptyString(node, what).map { [$0] } ?? []
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, _ type: T.Type) -> T? where T.RawValue == String {
        guard let s = string(node, what) else { return nil }
        guard let v = T(rawValue: s) else {
            problem(node, "\(what) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(s)')")
            return nil
        }
        return v
    }

    /// A configuration file's path: relative ones are taken from the pipeline file's folder.
    func configPath(_ node: Node, _ what: String) -> String? {
        guard let p = nonEmptyString(node, what) else { return nil }
        if p.hasPrefix("/") { return p }
        guard let slash = file.lastIndex(of: "/") else { return p }
        return String(file[...slash]) + p
    }
}
