#if canImport(Glibc)
import Glibc
#endif
import Datasets
import Ingest
import Foundation
import OrderModel
import Yams

/// Reads a pipeline file: YAML, then the `--set` overrides, then `${VAR}` expansion of each
/// value, then the settings. Every problem is collected with its position; `spec` is filled
/// as far as the file allows, so the validator can go on to check the files it names.
public enum PipelineLoader {
    public struct Loaded: Sendable {
        public var spec: PipelineSpec
        public var problems: [PipelineProblem]
    }

    static let topKeys = ["version", "name", "batch_id", "batch_size", "lines", "transaction", "fulfillment", "output",
                          "thresholds", "on_line_failure", "limits"]

    /// Loads `path`; an unreadable file is a usage problem (exit 66 from the caller).
    public static func load(
        path: String, overrides: [Override] = [], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(WaybillError) -> Loaded {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .inputNotFound(path: path, reason: "cannot read the pipeline file")
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), file: path, overrides: overrides,
            environment: environment)
    }

    public static func parse(
        yaml: String, file: String, overrides: [Override] = [], environment: [String: String] = [:]
    ) throws(WaybillError) -> Loaded {
        let d = NodeDecoder(file: file, expander: VariableExpander(environment: environment))
        var spec = PipelineSpec(file: file, name: "pipeline", output: .init(folder: "", origin: d.origin(nil)))
        var root: Node
        do {
            root = try Yams.compose(yaml: yaml) ?? Node([(Node, Node)]())
        } catch let e as YamlError {
            return Loaded(spec: spec, problems: [yamlProblem(e, file: file)])
        } catch {
            return Loaded(spec: spec, problems: [PipelineProblem(file: file, line: 0, column: 0, message: "\(error)")])
        }
        for o in overrides { root = try o.apply(to: root) }
        guard let top = d.mapping(root, "a pipeline file") else { return Loaded(spec: spec, problems: d.problems) }
        let k = d.keys(top, topKeys, "the pipeline file")
        if let v = k["version"], d.string(v, "version") != "1" { d.problem(v, "unsupported pipeline version (expected 1)") }
        if let v = k["name"], let s = d.nonEmptyString(v, "name") { spec.name = s }
        if let v = k["batch_id"], let s = d.nonEmptyString(v, "batch_id") {
            if DatasetWriteOptions.isValidBatchId(s) { spec.batchId = s } else {
                d.problem(v, "batch_id '\(s)': use 1-64 letters, digits, '-', '_' or '.', not starting with '.' or '_'")
            }
        }
        if let v = k["batch_size"], let n = d.int(v, "batch_size", min: 1) { spec.batchSize = n }
        if let v = k["lines"] { spec.lines = lines(v, d) } else { d.problem(root, "missing 'lines' (the business lines and their feeds)") }
        if let v = k["transaction"] { spec.transaction = transaction(v, d) }
        if let v = k["fulfillment"], let m = d.mapping(v, "fulfillment") {
            let f = d.keys(m, ["rules"], "fulfillment")
            if let r = f["rules"], let p = d.configPath(r, "fulfillment.rules") {
                spec.fulfillment = .init(rules: p, origin: d.origin(r))
            } else if f["rules"] == nil {
                d.problem(v, "fulfillment needs 'rules' (the fulfillment rules file)")
            }
        }
        if let v = k["output"] { output(v, d, &spec.output) } else { d.problem(root, "missing 'output' (where to land the datasets)") }
        if let v = k["thresholds"], let m = d.mapping(v, "thresholds") {
            let t = d.keys(m, ["max_reject_rate"], "thresholds")
            if let r = t["max_reject_rate"] { spec.maxRejectRate = d.double(r, "thresholds.max_reject_rate", range: 0...1) }
        }
        if let v = k["limits"], let m = d.mapping(v, "limits") {
            let l = d.keys(m, InputLimits.keys, "limits")
            var check = InputLimits()
            for (key, node) in l {
                guard let text = d.string(node, "limits.\(key)") else { continue }
                if let problem = check.set(key, to: text) { d.problem(node, problem) } else { spec.limits[key] = text }
            }
        }
        if let v = k["on_line_failure"], let p = d.choice(v, "on_line_failure", PipelineSpec.FailurePolicy.self) {
            spec.onLineFailure = p
        }
        return Loaded(spec: spec, problems: d.problems)
    }

    private static func lines(_ node: Node, _ d: NodeDecoder) -> [PipelineSpec.Line] {
        guard let m = d.mapping(node, "lines (business line name: its feeds)") else { return [] }
        if m.count == 0 { d.problem(node, "no business line under 'lines'") }
        var out: [PipelineSpec.Line] = []
        for (key, value) in m {
            guard let name = key.string, isLineName(name) else {
                d.problem(key, "business line name '\(key.string ?? "")': use letters, digits, '-' and '_'")
                continue
            }
            if out.contains(where: { $0.name == name }) { d.problem(key, "business line '\(name)' is given twice") }
            guard let lm = d.mapping(value, "line '\(name)'") else { continue }
            let k = d.keys(lm, ["profile", "inputs", "max_reject_rate", "shard_by"], "line '\(name)'")
            var line = PipelineSpec.Line(name: name, profile: "", inputs: [], origin: d.origin(key),
                profileOrigin: d.origin(k["profile"] ?? value), inputsOrigin: d.origin(k["inputs"] ?? value))
            if let p = k["profile"] { line.profile = d.configPath(p, "lines.\(name).profile") ?? "" } else {
                d.problem(value, "line '\(name)' needs a 'profile' (how to read its feeds)")
            }
            if let i = k["inputs"] {
                line.inputs = d.strings(i, "lines.\(name).inputs")
                if line.inputs.isEmpty && i.sequence?.isEmpty == true { d.problem(i, "line '\(name)' has no inputs") }
            } else {
                d.problem(value, "line '\(name)' needs 'inputs' (files, folders or glob patterns)")
            }
            if let s = k["shard_by"], let by = d.choice(s, "lines.\(name).shard_by", ShardBy.self) { line.shardBy = by }
            if let r = k["max_reject_rate"] { line.maxRejectRate = d.double(r, "lines.\(name).max_reject_rate", range: 0...1) }
            out.append(line)
        }
        return out
    }

    /// Line names become file names (rejects) and part of data file names.
    static func isLineName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.count <= 40 && s.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F
        }
    }

    private static func transaction(_ node: Node, _ d: NodeDecoder) -> PipelineSpec.Transaction? {
        guard let m = d.mapping(node, "transaction") else { return nil }
        let k = d.keys(m, ["rules", "state"], "transaction")
        guard let r = k["rules"] else {
            d.problem(node, "transaction needs 'rules' (the transaction rules file)")
            return nil
        }
        guard let rules = d.configPath(r, "transaction.rules") else { return nil }
        var t = PipelineSpec.Transaction(rules: rules, state: nil, origin: d.origin(r), stateOrigin: nil)
        if let s = k["state"] {
            t.state = d.nonEmptyString(s, "transaction.state")
            t.stateOrigin = d.origin(s)
        }
        return t
    }

    private static func output(_ node: Node, _ d: NodeDecoder, _ o: inout PipelineSpec.Output) {
        o.origin = d.origin(node)
        guard let m = d.mapping(node, "output") else { return }
        let k = d.keys(m, ["folder", "datasets", "partition_by", "compression", "mode", "memory_budget", "max_open_files", "max_partitions",
                           "rejects"], "output")
        if let f = k["folder"] {
            o.folder = d.nonEmptyString(f, "output.folder") ?? ""
            o.origin = d.origin(f)
        } else {
            d.problem(node, "output needs 'folder' (where orders/ and order_lines/ land)")
        }
        if let v = k["datasets"] {
            switch DatasetKind.parseList(d.strings(v, "output.datasets")) {
            case .success(let kinds): o.datasets = kinds
            case .failure(let p): d.problem(v, "output.datasets: \(p.text)")
            }
        }
        if let v = k["partition_by"] {
            let spec = d.strings(v, "output.partition_by").joined(separator: ",")
            do {
                o.partitionBy = try PartitionKey.parseList(spec)
            } catch {
                d.problem(v, "output.partition_by: \(error.description)")
            }
        }
        if let v = k["compression"], let c = d.choice(v, "output.compression", DatasetCompression.self) { o.compression = c }
        if let v = k["mode"] {
            if d.string(v, "output.mode") == "overwrite-partitions" {
                d.problem(v, "output.mode: overwrite-partitions is not available in a pipeline (each business line commits "
                    + "its own files; one line would delete another's); use append with a fixed batch_id, whose rerun "
                    + "replaces exactly its own files")
            } else if let mode = d.choice(v, "output.mode", PipelineSpec.Output.Mode.self) {
                o.mode = mode
            }
        }
        if let v = k["memory_budget"], let s = d.string(v, "output.memory_budget") {
            if let n = ByteCount.parse(s), n >= 1 << 20 { o.memoryBudget = n } else {
                d.problem(v, "output.memory_budget: expected a size of at least 1MiB like 256MiB (got '\(s)')")
            }
        }
        if let v = k["max_open_files"], let n = d.int(v, "output.max_open_files", min: 2) { o.maxOpenFiles = n }
        if let v = k["max_partitions"], let n = d.int(v, "output.max_partitions", min: 1) { o.maxPartitions = n }
        if let v = k["rejects"] { o.rejects = d.nonEmptyString(v, "output.rejects") }
    }

    private static func yamlProblem(_ e: YamlError, file: String) -> PipelineProblem {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return PipelineProblem(file: file, line: mark.line, column: mark.column, message: "not valid YAML: \(problem)")
        default:
            return PipelineProblem(file: file, line: 0, column: 0, message: "not valid YAML: \(e)")
        }
    }
}

/// Sizes with binary units (`256MiB`, `1GiB`, `64k`, `1000`).
enum ByteCount {
    static func parse(_ text: String) -> Int? {
        let t = text.lowercased().filter { $0 != " " }
        let digits = t.prefix { $0.isNumber }
        guard let n = Int(digits) else { return nil }
        let mult: Int
        switch t.dropFirst(digits.count) {
        case "", "b": mult = 1
        case "k", "kib", "kb": mult = 1 << 10
        case "m", "mib", "mb": mult = 1 << 20
        case "g", "gib", "gb": mult = 1 << 30
        default: return nil
        }
        let (v, overflow) = n.multipliedReportingOverflow(by: mult)
        return overflow ? nil : v
    }
}
