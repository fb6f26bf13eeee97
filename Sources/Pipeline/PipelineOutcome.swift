import Datasets
import OrderModel
import RunMetrics

/// What a pipeline run did, line by line, and its metrics in the shape `--metrics` and
/// `--report` write: one `StageRun` per stage summed over the lines, plus the run's own.
public struct PipelineOutcome: Sendable {
    public var batchId: String
    public var stageNames: [String]
    public var lines: [LineOutcome] = []
    /// Lines not run because an earlier one failed and the policy is `stop`.
    public var skipped: [String] = []
    /// A failure before any line ran (the rejects folder could not be made).
    public var setupError: WaybillError?

    init(batchId: String, stages: [String]) {
        self.batchId = batchId
        self.stageNames = stages
    }

    /// The error the run ends with: the setup error, else the first failed line's (so the
    /// exit code is that line's: 66 feed missing or unreadable, 65 past a threshold or books
    /// that do not balance, 73/74 output). Nil when every line landed.
    public var error: WaybillError? {
        if let setupError { return setupError }
        let failed = lines.filter { !$0.succeeded }
        guard let first = failed.first, let e = first.error else { return nil }
        let landed = lines.count - failed.count
        let names = failed.map(\.name).joined(separator: ", ")
        let message = "\(failed.count) of \(lines.count + skipped.count) business line(s) failed (\(names)); "
            + "\(landed) landed\(skipped.isEmpty ? "" : ", \(skipped.count) not run"). First: line \(first.name): \(e.description)"
        switch e {
        case .usage: return .usage(message)
        case .data: return .data(message)
        case .inputNotFound(let p, _): return .inputNotFound(path: p, reason: message)
        case .cannotCreate, .io, .brokenPipe: return e  // the lines' outcomes are on stderr already
        case .config(let f, let l, let c, _): return .config(file: f, line: l, column: c, message: message)
        }
    }

    /// Fills the run-level `StageRun` (books of what was read and landed, rejects of every
    /// stage, partitions landed) and its per-stage and per-line children.
    public func fill(_ run: inout StageRun) {
        var stageRuns = stageNames.map { StageRun(stage: $0) }
        func index(_ name: String) -> Int? { stageNames.firstIndex(of: name) }
        for line in lines {
            if let i = index("collect") {
                stageRuns[i].books.add(line.collect)
                stageRuns[i].bySource[line.source, default: Books()].add(line.collect)
                stageRuns[i].inputs += line.inputs.map(\.path)
            }
            for (name, r) in line.stages {
                guard let i = index(name) else { continue }
                stageRuns[i].books.add(r.books)
                for h in r.ruleHits {
                    if let k = stageRuns[i].ruleHits.firstIndex(where: { $0.rule == h.rule }) {
                        stageRuns[i].ruleHits[k].hits += h.hits
                    } else {
                        stageRuns[i].ruleHits.append(h)
                    }
                }
            }
            if let i = index("write") {
                stageRuns[i].books.add(line.write)
                for (k, v) in line.businessLines { stageRuns[i].byBusinessLine[k, default: 0] += v }
                if let l = line.landed { Self.merge(Self.partitions(l), into: &stageRuns[i].partitions) }
            }
            for (stage, codes) in line.rejectsByStage {
                guard let i = index(stage) else { continue }
                for (code, n) in codes { stageRuns[i].rejectsByCode[code, default: 0] += n }
            }
        }
        let ok = error == nil
        for i in stageRuns.indices {
            stageRuns[i].startedAt = run.startedAt
            stageRuns[i].succeeded = ok
            stageRuns[i].exitCode = error?.exitCode ?? 0
            // The stages overlap: each one's duration is the time its thread was busy.
            stageRuns[i].durationSeconds = lines.reduce(0) { $0 + ($1.seconds[stageNames[i]] ?? 0) }
        }
        // The run's own books: records as collect read them, orders and lines as they landed.
        var books = Books()
        for line in lines {
            books.add(line.collect)
        }
        // Orders as they landed in `orders/` (the planned children land in `fulfillment/`
        // only), as each line's `orders_landed`.
        books.ordersOut = lines.reduce(0) { $0 + ($1.landed?.customerOrders ?? 0) }
        books.linesOut = lines.reduce(0) { $0 + ($1.landed?.lines ?? 0) }
        run.books = books
        for s in stageRuns {
            for (code, n) in s.rejectsByCode { run.rejectsByCode[code, default: 0] += n }
        }
        run.bySource = stageRuns.first { $0.stage == "collect" }?.bySource ?? [:]
        run.byBusinessLine = stageRuns.first { $0.stage == "write" }?.byBusinessLine ?? [:]
        run.partitions = stageRuns.first { $0.stage == "write" }?.partitions ?? []
        run.ruleHits = stageRuns.filter { $0.stage != "collect" && $0.stage != "write" }.flatMap(\.ruleHits)
        run.inputs = lines.flatMap { $0.inputs.map(\.path) }
        run.stages = stageRuns
        run.lines = lines.map {
            LineRun(name: $0.name, source: $0.source, succeeded: $0.succeeded, exitCode: $0.error?.exitCode ?? 0,
                error: $0.error?.description ?? "", books: $0.collect,
                ordersLanded: $0.landed?.customerOrders ?? 0,  // planned children: fulfillment/
                linesLanded: $0.landed?.lines ?? 0, rejected: $0.rejected, durationSeconds: $0.seconds["line"] ?? 0,
                otherShards: $0.otherShards)
        }
    }

    /// Lines landing in the same partition add up to one entry per (dataset, partition).
    static func merge(_ new: [StageRun.PartitionStat], into all: inout [StageRun.PartitionStat]) {
        for p in new {
            if let i = all.firstIndex(where: { $0.dataset == p.dataset && $0.partition == p.partition }) {
                all[i].rows += p.rows
                all[i].bytes += p.bytes
                all[i].files += p.files
            } else {
                all.append(p)
            }
        }
    }

    static func partitions(_ r: DatasetWriteResult) -> [StageRun.PartitionStat] {
        r.partitions.map { .init(dataset: $0.dataset, partition: $0.path, rows: $0.rows, bytes: $0.bytes, files: $0.files) }
    }
}
