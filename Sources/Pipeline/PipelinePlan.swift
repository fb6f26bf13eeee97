import Datasets
import Ingest
import OrderModel

/// What `waybill run --dry-run` prints: per line the feeds found (by name and size, from the
/// directory entries only: no feed is opened), the stages, and where everything will land.
public struct PipelinePlan {
    public struct LinePlan {
        public var line: PipelineSpec.Line
        public var source: String
        public var inputs: [InputSpec]
        /// Why the line would fail now (a feed missing or unreadable), if it would.
        public var problem: WaybillError?
    }

    public let spec: PipelineSpec
    public let batchId: String
    public let lines: [LinePlan]

    public init(validated: PipelineValidator.Validated, batchId: String? = nil) {
        spec = validated.spec
        self.batchId = (batchId ?? spec.batchId ?? "<time>-<pid>") + (spec.shard?.batchSuffix ?? "")
        var plans: [LinePlan] = []
        for line in spec.lines {
            let source = validated.profiles[line.profile]?.source ?? "?"
            do throws(WaybillError) {
                var inputs = try InputResolver.resolve(line.inputs)
                if let s = spec.shard, line.shardBy == .file { inputs = s.files(inputs) }
                plans.append(LinePlan(line: line, source: source, inputs: inputs, problem: nil))
            } catch {
                plans.append(LinePlan(line: line, source: source, inputs: [], problem: error))
            }
        }
        lines = plans
    }

    /// The plan as text for stdout.
    public func text() -> String {
        var s = "pipeline \(spec.name) (\(spec.file))\n"
        if let sh = spec.shard { s += "shard: \(sh) (lines by order key keep the orders whose order_id hashes to \(sh.index))\n" }
        s += "stages: \(spec.stages.joined(separator: " -> ")), one process, business lines one after the other "
            + "(on_line_failure: \(spec.onLineFailure.rawValue))\n"
        if let t = spec.transaction {
            s += "transact: rules \(t.rules)" + (spec.stateFolder.map { ", state \($0)/" } ?? ", no state") + "\n"
        }
        if let f = spec.fulfillment { s += "fulfill: rules \(f.rules)\n" }
        for p in lines {
            let limit = spec.rejectLimit(p.line).map { ", max_reject_rate \($0)" } ?? ""
            s += "line \(p.line.name): profile \(p.line.profile) (source \(p.source))\(limit)\n"
            if let e = p.problem {
                s += "  WOULD FAIL: \(e.description)\n"
                continue
            }
            for i in p.inputs { s += "  \(i.path)  \(i.size) bytes\n" }
            s += "  \(p.inputs.count) file(s), \(p.inputs.reduce(0) { $0 + $1.size }) bytes\n"
        }
        let o = spec.output
        let keys = o.partitionBy.isEmpty ? "not partitioned" : "partitioned by " + o.partitionBy.map(\.description).joined(separator: ", ")
        for d in o.datasets { s += "output: \(o.folder)/\(d.name)/ (\(keys), \(o.compression.rawValue), mode \(o.mode.rawValue))\n" }
        s += "files: part-\(batchId)-<line>-c000.\(o.compression.rawValue).parquet, committed per line\n"
        if let r = o.rejects { s += "rejects: \(r)/<line>.<stage>.rejects.ndjson\n" } else { s += "rejects: counted only (output.rejects not set)\n" }
        return s
    }
}
