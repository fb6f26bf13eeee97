#if canImport(Glibc)
import Glibc
#endif
import Datasets
import Foundation
import Ingest
import OrderModel
import Rules

/// Runs a validated pipeline in this process: its business lines one after the other, each
/// as collect -> transact -> (fulfill) -> write on its own threads (see `LineRunner`), each
/// committing its own files when it succeeds. A line that fails is reported and, with
/// `on_line_failure: continue`, the next one runs; with `stop`, the lines after it do not.
public final class PipelineRunner {
    public let validated: PipelineValidator.Validated
    public let factory: StageFactory
    /// Names the data files: each line's are `part-<batchId>-<line>-c000...`.
    public let batchId: String
    /// Written into every Parquet file's `created_by`.
    public let applicationVersion: String
    /// Receives one line per event for stderr (a line's start, its books, its outcome).
    public var log: (String) -> Void = { _ in }
    /// Makes the progress meter of a line's collect stage (line name, number of inputs), or nil.
    public var progress: (_ line: String, _ inputs: Int) -> ProgressMeter? = { _, _ in nil }
    /// Threads for the writer's final encoding (`DatasetWriteOptions.encodeThreads`); nil keeps
    /// the writer's default.
    public var encodeThreads: Int?

    public init(validated: PipelineValidator.Validated, factory: StageFactory, applicationVersion: String) throws(WaybillError) {
        guard validated.problems.isEmpty else { throw PipelineProblem.error(validated.problems) }
        self.validated = validated
        self.factory = factory
        self.applicationVersion = applicationVersion
        // A shard's files carry `-s<I>of<N>`, so shards landing side by side never collide.
        batchId = (validated.spec.batchId ?? Self.defaultBatchId(validated.spec)) + (validated.spec.shard?.batchSuffix ?? "")
    }

    /// A fresh batch id from the clock and the process id, when the pipeline sets none.
    static func defaultBatchId(_ spec: PipelineSpec) -> String { DatasetWriteOptions.generatedBatchId() }

    public func run() -> PipelineOutcome {
        let spec = validated.spec
        var outcome = PipelineOutcome(batchId: batchId, stages: spec.stages)
        // A shard's state folder (`<state>/shard-I-of-N`) is new the first time the shard runs.
        for dir in [spec.output.rejects, spec.shard == nil ? nil : spec.stateFolder].compactMap({ $0 }) {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                outcome.setupError = .cannotCreate(path: dir, errno: EACCES)
                return outcome
            }
        }
        for line in spec.lines {
            if outcome.lines.contains(where: { !$0.succeeded }) && spec.onLineFailure == .stop {
                outcome.skipped.append(line.name)
                log("run: line \(line.name): not run (an earlier line failed and on_line_failure is stop)")
                continue
            }
            let o = run(line)
            outcome.lines.append(o)
            report(o)
        }
        let landed = outcome.lines.filter(\.succeeded).count
        log("run: \(landed) of \(spec.lines.count) business line(s) landed in \(spec.output.folder)/ "
            + "(\(spec.output.datasets.map { $0.name + "/" }.joined(separator: ", ")); batch \(batchId))"
            + (spec.output.rejects.map { "; rejects in \($0)/" } ?? ""))
        return outcome
    }

    private func run(_ line: PipelineSpec.Line) -> LineOutcome {
        let spec = validated.spec
        var failed = LineOutcome(name: line.name)
        var inputs: [InputSpec]
        do {
            inputs = try InputResolver.resolve(line.inputs)
        } catch {
            failed.error = error
            return failed
        }
        // `shard_by: file`: this shard reads only its own feeds (resolved inputs come sorted) and
        // keeps every order in them; by order key it reads them all and keeps its orders.
        var orderShard: Shard? = nil
        if let shard = spec.shard {
            if line.shardBy == .file {
                let mine = shard.files(inputs)
                log("run: line \(line.name): shard \(shard) by file: \(mine.count) of \(inputs.count) input(s)")
                inputs = mine
            } else {
                orderShard = shard
            }
        }
        failed.inputs = inputs
        let stages: [any BatchStage]
        do {
            stages = try makeStages(line)
        } catch {
            failed.error = error
            return failed
        }
        var options = DatasetWriteOptions(outputDirectory: spec.output.folder, batchId: "\(batchId)-\(line.name)")
        options.partitionKeys = spec.output.partitionBy
        options.compression = spec.output.compression
        // Every line adds its own files; `mode: error` was checked once before the first line.
        options.mode = .append
        options.memoryBudget = spec.output.memoryBudget
        options.maxOpenFiles = spec.output.maxOpenFiles
        options.maxPartitions = spec.output.maxPartitions
        options.datasets = spec.output.datasets
        options.applicationVersion = applicationVersion
        if let encodeThreads { options.encodeThreads = encodeThreads }
        // Fulfill, the last stage, feeds the writer, which reads a child order's
        // `fulfillment/` fields only.
        (stages.last as? FulfillStage)?.fulfiller.childFields = options.childOrderFields
        // The line's last stage already has a thread of its own (the one calling the writer),
        // so routing there costs no overlap; a routing thread would only add its queue's
        // batches to the line's memory.
        options.routingThread = false
        log("run: line \(line.name): \(inputs.count) input(s), \(inputs.reduce(0) { $0 + $1.size }) bytes, "
            + spec.stages.joined(separator: " -> "))
        let runner = LineRunner(line: line, profile: validated.profiles[line.profile]!, inputs: inputs, stages: stages,
            writerOptions: options, batchSize: spec.batchSize, rejectLimit: spec.rejectLimit(line),
            rejectsFolder: spec.output.rejects, shard: orderShard)
        runner.meter = progress(line.name, inputs.count)
        var o = runner.run()
        runner.meter?.finish()
        guard o.succeeded else { return o }
        for s in stages {
            do throws(WaybillError) { try s.commit() } catch {
                o.error = error
                log("run: line \(line.name): its data landed but the \(s.name) state was not saved")
            }
        }
        return o
    }

    private func makeStages(_ line: PipelineSpec.Line) throws(WaybillError) -> [any BatchStage] {
        let spec = validated.spec
        var stages: [any BatchStage] = []
        if spec.transaction != nil, let rules = validated.ruleSet {
            stages.append(try TransactStage(ruleSet: rules, state: validated.state, inputName: "line:\(line.name)"))
        }
        if let f = spec.fulfillment {
            guard let make = factory.fulfillment else {
                throw .config(file: f.origin.file, line: f.origin.line, column: f.origin.column, message: StageFactory.noFulfillment)
            }
            let stage = try make(f.rules)
            (stage as? FulfillStage)?.fulfiller.inputName = "line:\(line.name)"
            stages.append(stage)
        }
        return stages
    }

    static func format(_ seconds: Double) -> String { String(format: "%.2f", seconds) }

    private func report(_ o: LineOutcome) {
        log("run: line \(o.name): " + o.collect.summary(stage: "collect"))
        if let s = validated.spec.shard, o.otherShards > 0 || o.error == nil {
            log("run: line \(o.name): shard \(s): \(o.otherShards) of \(o.collect.ordersOut) collected orders belong to other shards")
        }
        for (_, r) in o.stages {
            for l in r.summary { log("run: line \(o.name): \(l)") }
        }
        for w in o.warnings { log("run: line \(o.name): warning: \(w)") }
        let busy = validated.spec.stages.compactMap { st in o.seconds[st].map { "\(st) \(Self.format($0))" } }
        if let wall = o.seconds["line"] {
            log("run: line \(o.name): \(Self.format(wall)) s wall; busy s: \(busy.joined(separator: ", "))")
        }
        if let e = o.error {
            log("run: line \(o.name): FAILED (exit \(e.exitCode)): \(e.description)")
        } else if let l = o.landed {
            let shipments = l.children > 0 ? ", \(l.children) shipments" : ""
            log("run: line \(o.name): landed \(l.customerOrders) orders\(shipments), \(l.lines) lines in "
                + "\(l.files.count) files, \(l.bytes) bytes (batch \(l.batchId))")
        }
    }
}
