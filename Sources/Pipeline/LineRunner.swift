#if canImport(Glibc)
import Glibc
#endif
import Datasets
import Foundation
import Ingest
import OrderModel

/// Runs one business line: collect -> stages -> write, each on its own thread, joined by
/// bounded queues of batches (a few waiting at most: `queueCapacity`), so reading and
/// parsing, the rules, and partitioning and Parquet encoding overlap on the cores while memory
/// stays a few batches plus the writer's budget. No NDJSON in between: the stages pass
/// `OrderBatch` values.
///
/// Each stage writes its rejects to its own `RejectWriter` (they are not thread-safe and each
/// stage has its own thread). The first failure anywhere cancels the queues, which stops the
/// other threads; the line's staged files are then dropped and nothing of it lands.
final class LineRunner: @unchecked Sendable {
    let line: PipelineSpec.Line
    let profile: Profile
    let inputs: [InputSpec]
    let stages: [any BatchStage]
    let writerOptions: DatasetWriteOptions
    let batchSize: Int
    let rejectLimit: Double?
    let rejectsFolder: String?
    /// Progress of the line's collect stage on stderr (nil: none), bumped once per batch.
    var meter: ProgressMeter?
    /// Set under `--shard I/N` (by order key): orders of other shards are dropped right after collect.
    let shard: Shard?

    private let failureLock = NSLock()
    private var failure: WaybillError?
    /// Thrown into a stage whose queue was cancelled because another stage failed first.
    private static let cancelled = WaybillError.io(path: "(line cancelled)", errno: ECANCELED)

    init(line: PipelineSpec.Line, profile: Profile, inputs: [InputSpec], stages: [any BatchStage],
         writerOptions: DatasetWriteOptions, batchSize: Int, rejectLimit: Double?, rejectsFolder: String?,
         shard: Shard? = nil) {
        self.shard = shard
        self.line = line
        self.profile = profile
        self.inputs = inputs
        self.stages = stages
        self.writerOptions = writerOptions
        self.batchSize = batchSize
        self.rejectLimit = rejectLimit
        self.rejectsFolder = rejectsFolder
    }

    /// Seconds each stage's thread spent working (not waiting on a queue), by stage name.
    private var busy: [String: Double] = [:]

    private func addBusy(_ stage: String, _ seconds: Double) {
        failureLock.lock()
        busy[stage, default: 0] += seconds
        failureLock.unlock()
    }

    private static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    private func fail(_ error: WaybillError, _ queues: [BatchQueue]) {
        failureLock.lock()
        if failure == nil { failure = error }
        failureLock.unlock()
        for q in queues { q.cancel() }
    }

    private func rejectWriter(_ stage: String) throws(WaybillError) -> RejectWriter {
        try RejectWriter(path: rejectsFolder.map { "\($0)/\(line.name).\(stage).rejects.ndjson" })
    }

    /// Runs the line and commits its files when every check passes; returns the outcome,
    /// with `error` set when the line failed (then nothing of it landed).
    func run() -> LineOutcome {
        var out = LineOutcome(name: line.name)
        out.source = profile.source
        out.inputs = inputs
        let collectRejects: RejectWriter, stageRejects: [RejectWriter], writeRejects: RejectWriter
        let writer: DatasetWriter
        do {
            collectRejects = try rejectWriter("collect")
            var s: [RejectWriter] = []
            for stage in stages { s.append(try rejectWriter(stage.name)) }
            stageRejects = s
            writeRejects = try rejectWriter("write")
            writer = try DatasetWriter(options: writerOptions, rejects: writeRejects)
        } catch {
            out.error = error
            return out
        }
        // The runner picks the chunk size and hands it to the collector, so the queues are
        // sized for the chunks that actually arrive.
        let chunkBytes = FeedCollector.defaultChunkBytes(for: profile)
        let capacity = Self.queueCapacity(chunkBytes: chunkBytes)
        let queues = (0...stages.count).map { _ in BatchQueue(capacity: capacity) }
        let lineage = InputResolver.batchID(source: profile.source, inputs: inputs)
        nonisolated(unsafe) var collectWaits = 0.0  // only the collect thread touches it
        // Only the collect thread touches it until that thread is joined.
        nonisolated(unsafe) var shardFilter = shard.map { ShardFilter(shard: $0) }
        let collector = FeedCollector(profile: profile, rejects: collectRejects, batchID: lineage, batchSize: batchSize) {
            [queues] (batch: inout OrderBatch) throws(WaybillError) in
            let t0 = LineRunner.now()
            defer { collectWaits += LineRunner.now() - t0 }
            // Dropped before transact, so the shard's dedup state only ever sees its own orders.
            let mine = shardFilter == nil ? batch : shardFilter!.filter(batch)
            if mine.count > 0 && !queues[0].push(mine) { throw LineRunner.cancelled }
        }
        collector.meter = meter
        collector.chunkBytes = chunkBytes
        // A large plain input is mapped in chunks on as many threads as the writer encodes on.
        collector.parseThreads = max(1, writerOptions.encodeThreads)
        let started = Date()
        var threads: [StageThread] = []
        threads.append(StageThread(name: "collect-\(line.name)") { [self] in
            let t0 = LineRunner.now()
            defer { addBusy("collect", LineRunner.now() - t0 - collectWaits) }
            do throws(WaybillError) {
                try collector.collect(inputs)
                queues[0].close()
            } catch {
                fail(error, queues)
            }
        })
        for (i, stage) in stages.enumerated() {
            let rejects = stageRejects[i]
            threads.append(StageThread(name: "\(stage.name)-\(line.name)") { [self] in
                var output = OrderBatch()
                do throws(WaybillError) {
                    while let batch = queues[i].pop() {
                        output.removeAll()
                        guard let step = stage.rowsPerCall else {
                            let t0 = LineRunner.now()
                            try stage.process(batch, into: &output, rejects: rejects)
                            addBusy(stage.name, LineRunner.now() - t0)
                            if output.count > 0 && !queues[i + 1].push(output) { throw LineRunner.cancelled }
                            continue
                        }
                        // A stage that multiplies orders (fulfill) is fed a slice at a time and
                        // its output passed on once it reaches the batch size: the queues then
                        // hold batches of the usual size, not several times it.
                        var start = 0
                        while start < batch.count {
                            let end = min(batch.count, start + max(1, step))
                            let t0 = LineRunner.now()
                            try stage.process(batch, rows: start..<end, into: &output, rejects: rejects)
                            addBusy(stage.name, LineRunner.now() - t0)
                            start = end
                            if output.count >= batchSize || start == batch.count {
                                if output.count > 0 && !queues[i + 1].push(output) { throw LineRunner.cancelled }
                                output.removeAll()
                            }
                        }
                    }
                    queues[i + 1].close()
                } catch {
                    fail(error, queues)
                }
            })
        }
        let lines = BusinessLineCounter(skippingPlannedChildren: true)
        var received = 0
        do throws(WaybillError) {
            while let batch = queues[stages.count].pop() {
                received += batch.count
                let t0 = LineRunner.now()
                lines.count(batch)
                try writer.write(batch)
                addBusy("write", LineRunner.now() - t0)
            }
        } catch {
            fail(error, queues)
        }
        for t in threads { t.join() }
        out.seconds["line"] = Date().timeIntervalSince(started)
        for (stage, seconds) in busy { out.seconds[stage] = seconds }
        out.collect = collector.books
        if let f = shardFilter {
            out.otherShards = f.dropped
            out.shardKept = f.kept
        }
        out.warnings = collector.warnings
        out.businessLines = lines.counts
        out.stages = stages.map { ($0.name, $0.finish()) }
        out.write.recordsIn = received
        out.write.rowsOut = received
        out.write.ordersOut = writer.ordersWritten
        out.write.linesOut = writer.linesWritten
        var closing: WaybillError?
        for w in [collectRejects] + stageRejects {
            do throws(WaybillError) { try w.close() } catch { closing = closing ?? error }
        }
        out.rejectsByStage["collect"] = collectRejects.byCode
        for (i, s) in stages.enumerated() { out.rejectsByStage[s.name] = stageRejects[i].byCode }
        // A broken input limit fails the line like its reject threshold: nothing of it lands.
        let breach = collector.breaches.first.map { WaybillError.data("line \(line.name): \($0)") }
        if let error = failure ?? closing ?? check(out) ?? breach {
            out.error = error
            writer.abort()
            try? writeRejects.close()
            return out
        }
        let commitStart = LineRunner.now()
        do throws(WaybillError) {
            let result = try writer.commit()
            try writeRejects.close()
            out.landed = result
            out.warnings += result.warnings
            out.write.rejected = result.rejected
            out.write.rowsOut -= result.rejected
            out.write.ordersOut = result.orders
            out.write.linesOut = result.lines
            out.rejectsByStage["write"] = writeRejects.byCode
        } catch {
            out.error = error
        }
        out.seconds["write", default: 0] += LineRunner.now() - commitStart  // the last encodes and the commit
        return out
    }

    /// Batches a queue between two stages holds: about 8 MiB of input's worth, at least 2.
    /// The chunked collect hands a chunk's batches on at once, and with two places a stage that
    /// had just passed a batch on often found the next one not there yet while both cores
    /// idled. CSV chunks are 2 MiB (one batch each on TPC-H's flat feed), so its queues hold 4
    /// (see `FeedCollector.defaultChunkBytes` for what the two together measured). NDJSON's
    /// 4 MiB chunks keep 2: 4 made its scale-1 run 2.6% faster but took its peak to 250 MiB,
    /// too near the 256 MiB target.
    static func queueCapacity(chunkBytes: Int) -> Int { max(2, (8 << 20) / max(1, chunkBytes)) }

    /// The line's own checks once everything ran: each stage's books, the stages' thresholds,
    /// and the line's reject threshold on what collect read.
    private func check(_ o: LineOutcome) -> WaybillError? {
        if !o.collect.balances { return .data("line \(line.name): the books do not balance: \(o.collect.summary(stage: "collect"))") }
        // Under --shard every collected order is either passed on or counted as another shard's.
        if let s = shard, let kept = o.shardKept, kept + o.otherShards != o.collect.ordersOut {
            return .data("line \(line.name): shard \(s): \(kept) kept + \(o.otherShards) of other shards != "
                + "\(o.collect.ordersOut) collected orders")
        }
        for (name, r) in o.stages {
            if !r.books.balances { return .data("line \(line.name): the books do not balance: \(r.books.summary(stage: name))") }
            if !r.errors.isEmpty { return .data("line \(line.name): \(name): \(r.errors.joined(separator: "; "))") }
        }
        if let limit = rejectLimit, o.collect.recordsIn > 0 {
            let rate = Double(o.collect.rejected) / Double(o.collect.recordsIn)
            if rate > limit {
                return .data("line \(line.name): reject rate \(o.collect.rejected)/\(o.collect.recordsIn) exceeds max_reject_rate \(limit)")
            }
        }
        return nil
    }
}
