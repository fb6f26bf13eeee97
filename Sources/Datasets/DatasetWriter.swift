import OrderModel

/// Lands unified orders as Hive-partitioned Parquet datasets (`orders/`, `order_lines/`):
/// the library behind `waybill write`, and what `waybill run` calls with its batches.
///
///     var options = DatasetWriteOptions(outputDirectory: "warehouse", batchId: "2026-11-26")
///     options.partitionKeys = try PartitionKey.parseList("business_line,order_date")
///     let writer = try DatasetWriter(options: options)
///     for batch in batches { try writer.write(batch) }
///     let result = try writer.commit()
///
/// Nothing appears under the dataset folders before `commit()`; `abort()` (or a crash)
/// leaves them as they were. Not thread-safe: one writer, fed by one thread. With
/// `options.routingThread` (the default) batches are routed into partitions on a thread of
/// the writer's own while the caller prepares the next batch.
public final class DatasetWriter {
    public let options: DatasetWriteOptions
    private let committer: DatasetCommitter
    private let partitioned: PartitionedWriter
    private let rejects: RejectWriter?
    private var rejected = 0
    private var finished = false
    private var router: RoutingThread?

    /// Validates the options, recovers dead runs on the same output, applies the `--mode`
    /// check and creates the staging folder.
    public convenience init(options: DatasetWriteOptions, rejects: RejectWriter? = nil) throws(WaybillError) {
        try self.init(options: options, rejects: rejects, factory: ParquetSinkFactory())
    }

    init(options: DatasetWriteOptions, rejects: RejectWriter?, factory: DataFileSinkFactory) throws(WaybillError) {
        try options.validate()
        self.options = options
        self.rejects = rejects
        committer = try DatasetCommitter(options: options)
        partitioned = PartitionedWriter(options: options, stagingRoot: committer.staging, factory: factory)
        if options.routingThread {
            let partitioned = partitioned
            let redact = options.encryption != nil
            router = RoutingThread { (batch: OrderBatch) throws(WaybillError) -> [Reject] in
                try partitioned.add(batch).map { Self.reject(batch, row: $0.row, reason: $0.reason, redact: redact) }
            }
        }
    }

    deinit {
        router?.stop()
        partitioned.stopEncoder()  // its queued jobs hold the partitioned writer
    }

    /// Adds every order of `batch` (with its lines). The batch can be reused afterwards.
    public func write(_ batch: OrderBatch) throws(WaybillError) {
        precondition(!finished, "write() after commit() or abort()")
        do {
            if let router {
                try router.submit(batch)
                try writeRejects(router.takeRejects())
            } else {
                let redact = options.encryption != nil
                try writeRejects(partitioned.add(batch).map { Self.reject(batch, row: $0.row, reason: $0.reason, redact: redact) })
            }
        } catch {
            fail()
            throw error
        }
    }

    /// Waits for the routing thread and writes the rejects it found.
    private func settle() throws(WaybillError) {
        guard let router else { return }
        try router.drain()
        try writeRejects(router.takeRejects())
    }

    private func writeRejects(_ found: [Reject]) throws(WaybillError) {
        rejected += found.count
        guard let rejects else { return }
        for r in found { try rejects.write(r) }
    }

    private static func reject(_ batch: OrderBatch, row: Int, reason: String, redact: Bool) -> Reject {
        var raw: [UInt8] = []
        UnifiedNDJSONEncoder().encodeOrder(batch, row: row, into: &raw)
        if raw.last == 0x0A { raw.removeLast() }
        if redact { raw = [] }  // the reject must not carry the PII the dataset encrypts
        let o = batch.orders
        let position = SourcePosition(file: o.columns[OrderField.sourceFile].string(row) ?? "-",
            member: o.columns[OrderField.sourceMember].string(row),
            line: Int(o.columns[OrderField.sourceLine].int(row)), byteOffset: 0)
        return Reject(stage: "write", code: "partition_value_too_long", reason: reason, position: position, raw: raw)
    }

    /// Writes what is buffered, closes the files and commits them; returns what was done.
    public func commit() throws(WaybillError) -> DatasetWriteResult {
        precondition(!finished, "commit() twice")
        finished = true
        do {
            try settle()
            router?.stop()
            router = nil
            let staged = try partitioned.finish()
            let removed = try committer.commit(staged)
            var result = DatasetWriteResult(batchId: options.batchId, orders: partitioned.orders, lines: partitioned.lines,
                rejected: rejected,
                files: staged.map { $0.dataset.name + "/" + $0.relativePath }.sorted(),
                removedFiles: removed, partitions: partitioned.partitionStats,
                bytes: staged.reduce(0) { $0 + $1.bytes }, peakBufferedBytes: partitioned.peakBufferedBytes,
                peakOpenFiles: partitioned.peakOpenFiles, spillBytes: partitioned.spillBytes)
            result.children = partitioned.children
            result.warnings = committer.warnings
            if partitioned.children > 0 && !options.datasets.contains(.fulfillment) {
                result.warnings.append("\(partitioned.children) planned child orders were not written: they land in "
                    + "fulfillment/ only, which is not among the datasets (add it: --datasets orders,order_lines,fulfillment)")
            }
            return result
        } catch {
            fail()
            throw error
        }
    }

    /// Abandons the run: staged files are deleted and the datasets are left untouched.
    public func abort() {
        guard !finished else { return }
        finished = true
        router?.stop()
        partitioned.abandon()
        committer.abort()
    }

    private func fail() {
        finished = true
        router?.stop()
        partitioned.abandon()
        if options.failPoint != nil {
            committer.abandonAsIfKilled()  // a simulated crash leaves its staging folder behind
        } else {
            committer.abort()
        }
    }

    /// Orders and lines accepted so far, and orders rejected (once the batches written so far
    /// are routed: these wait for the routing thread).
    public var ordersWritten: Int { sync { partitioned.orders } }
    public var linesWritten: Int { sync { partitioned.lines } }
    public var ordersRejected: Int { sync { rejected } }
    /// Bytes of rows waiting for their row group right now.
    public var bufferedBytes: Int { sync { partitioned.bufferedBytes } }

    /// Reads a figure after the routing thread caught up (a failure there shows up at the
    /// next write or commit).
    private func sync<T>(_ read: () -> T) -> T {
        if !finished, router != nil { try? settle() }
        return read()
    }
}
