#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Ingest
import OrderModel
import RunMetrics

/// Where `waybill write` gets its batches: raw feeds through a collect profile (one process,
/// no NDJSON in between), or unified NDJSON.
enum WriteInput {
    /// Reads every input and hands each batch to `body`; returns the books of the reading
    /// side (records in, orders out, rejected, merged). `redactRaw` (a key encrypts the PII
    /// columns) keeps the raw line out of the rejects of unified NDJSON input.
    static func read(
        inputs: [String], profile: String?, batchId: String, rejects: RejectWriter, meter: ProgressMeter? = nil,
        redactRaw: Bool = false, limits: LimitOptions, breaches: inout [LimitBreach], warnings: inout [String],
        body: @escaping (OrderBatch) throws(WaybillError) -> Void
    ) throws(WaybillError) -> Books {
        guard let profile else {
            return try readUnified(inputs: inputs, rejects: rejects, meter: meter, redactRaw: redactRaw,
                limits: try limits.applied(to: InputLimits()), breaches: &breaches, body: body)
        }
        var loaded = try ProfileLoader.load(path: profile)
        loaded.limits = try limits.applied(to: loaded.limits)
        let resolved = try InputResolver.resolve(inputs)
        let collector = FeedCollector(profile: loaded, rejects: rejects, batchID: batchId) {
            (batch: inout OrderBatch) throws(WaybillError) in try body(batch)
        }
        collector.meter = meter
        defer {
            breaches = collector.breaches
            warnings = collector.warnings  // a profile column missing from a header, a file named twice
        }
        try collector.collect(resolved)
        return collector.books
    }

    /// Unified NDJSON (what `collect`, `transact` and `fulfill` print), file after file. The
    /// reading thread parses and decodes; a second thread writes the rejects and hands each
    /// batch to `body` (partitioning and Parquet encoding), so the two halves overlap on two
    /// cores. All reject writes happen on that second thread, in input order, because the
    /// dataset writer writes its own rejects there too.
    private static func readUnified(
        inputs: [String], rejects: RejectWriter, meter: ProgressMeter?, redactRaw: Bool, limits: InputLimits,
        breaches: inout [LimitBreach], body: @escaping (OrderBatch) throws(WaybillError) -> Void
    ) throws(WaybillError) -> Books {
        func taken(_ r: [Reject]) -> [Reject] { redactRaw ? r.map { var x = $0; x.raw = []; return x } : r }
        let handoff = BatchHandoff(rejects: rejects, body: body)
        var books = Books()
        var batch = OrderBatch()
        do throws(WaybillError) {
            for path in inputs {
                meter?.beginInput(path, size: ProgressDisplay.fileSize(path))
                defer { meter?.endInput() }
                // An empty file holds no orders (the reader would take it for an unknown archive).
                var st = stat()
                if path != "-" && stat(path, &st) == 0 && st.st_size == 0 {
                    books.files += 1
                    continue
                }
                let reader = try UnifiedNDJSONReader(path: path, stage: "write", limits: limits)
                books.files += 1
                while try reader.next(into: &batch, maxOrders: 4096) {
                    books.ordersOut += batch.count
                    books.linesOut += batch.lines.rowCount
                    meter?.update(records: books.recordsIn + reader.recordsIn, inputBytes: reader.bytesConsumed)
                    try handoff.submit(batch, rejects: taken(reader.takeRejects()))
                    batch.removeAll()
                }
                try handoff.submit(nil, rejects: taken(reader.takeRejects()))
                meter?.update(records: books.recordsIn + reader.recordsIn, inputBytes: reader.bytesConsumed)
                books.recordsIn += reader.recordsIn
                books.rejected += reader.rejected
                if let b = reader.breach { breaches.append(b) }
            }
        } catch {
            handoff.cancel()
            throw error
        }
        try handoff.finish()
        books.rowsOut = books.ordersOut
        return books
    }
}

/// A bounded queue (two batches) between the thread that reads batches and the thread that
/// writes them. A failure on the writing side stops it and is rethrown to the reader on its
/// next `submit` or at `finish`.
private final class BatchHandoff: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [(OrderBatch?, [Reject])] = []
    private var closed = false
    private var failure: WaybillError?
    private let finished = DispatchSemaphore(value: 0)
    private let rejects: RejectWriter
    private let body: (OrderBatch) throws(WaybillError) -> Void

    init(rejects: RejectWriter, body: @escaping (OrderBatch) throws(WaybillError) -> Void) {
        self.rejects = rejects
        self.body = body
        let t = Thread { [unowned self] in self.run() }
        t.stackSize = 4 << 20
        t.start()
    }

    /// Queues a batch (nil: rejects only) and its rejects; blocks while two are waiting.
    func submit(_ batch: OrderBatch?, rejects: [Reject]) throws(WaybillError) {
        if (batch?.count ?? 0) == 0 && rejects.isEmpty { return try check() }
        condition.lock()
        while queue.count >= 2 && failure == nil { condition.wait() }
        if let failure {
            condition.unlock()
            throw failure
        }
        queue.append((batch.flatMap { $0.count > 0 ? $0 : nil }, rejects))
        condition.broadcast()
        condition.unlock()
    }

    private func check() throws(WaybillError) {
        condition.lock()
        defer { condition.unlock() }
        if let failure { throw failure }
    }

    /// Waits until everything queued is written; throws the writing side's failure.
    func finish() throws(WaybillError) {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        finished.wait()
        if let failure { throw failure }
    }

    /// Drops what is queued and waits for the writing thread to stop (the reader failed).
    func cancel() {
        condition.lock()
        queue.removeAll()
        closed = true
        condition.broadcast()
        condition.unlock()
        finished.wait()
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            if queue.isEmpty {
                condition.unlock()
                break
            }
            let (batch, pending) = queue.removeFirst()
            condition.broadcast()
            condition.unlock()
            do throws(WaybillError) {
                for r in pending { try rejects.write(r) }
                if let batch { try body(batch) }
            } catch {
                condition.lock()
                failure = error
                queue.removeAll()
                condition.broadcast()
                condition.unlock()
                break
            }
        }
        finished.signal()
    }
}
