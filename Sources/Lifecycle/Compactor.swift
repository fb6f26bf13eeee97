#if canImport(Glibc)
import Glibc
#endif
import Datasets
import OrderModel

/// Options of `waybill compact`.
public struct CompactOptions: Sendable {
    /// The output folder holding `orders/` and `order_lines/`.
    public var directory: String
    /// Names the compacted files (`part-<batch>-c000.zstd.parquet`); must start with `compact-`,
    /// which is how a later compaction knows a file holds folded rows (deleted when replaced)
    /// rather than rows landed by a run (moved to the history when replaced).
    public var batchId: String
    public var compressionLevel: Int32? = nil
    public var applicationVersion = "0.0.0"
    /// Test hook: stop the commit after this many renames, as if killed.
    public var dieAfterRenames: Int? = nil

    public init(directory: String, batchId: String? = nil) {
        self.directory = directory
        self.batchId = batchId ?? ("compact-" + DatasetWriteOptions.generatedBatchId())
    }
}

/// What a compaction did.
public struct CompactResult: Sendable, Equatable {
    /// Order rows read (every version of every order).
    public var orderRows = 0
    /// Distinct orders (rows with a null `order_id` are each their own).
    public var currentOrders = 0
    /// Partition folders rewritten (relative to the dataset folders).
    public var partitions: [String] = []
    public var ordersWritten = 0
    public var linesWritten = 0
    /// Files moved to the history datasets, and compacted files replaced (deleted), as `dataset/path`.
    public var filesToHistory: [String] = []
    public var filesDeleted: [String] = []
}

/// Folds the versions landed by many runs into one current row per order (the read model).
///
/// The winner of an order is the row with the highest `version`, then the latest `updated_at`
/// (nulls lose to any value), then the latest batch (batch ids compare as text: the default
/// ids are UTC timestamps, and `compact-` ids sort after them, so a compacted row keeps its
/// place against a replay of the same version), then the later position. Lines follow their
/// order's winning row. Only partitions holding a row that is not its order's winner are
/// rewritten; the files they held move to `DIR/history/<dataset>/` (itself a Waybill dataset),
/// except files of earlier compactions, whose rows are already there. All of it is one commit
/// (`DatasetTransaction`). A second run finds every partition clean and changes nothing.
///
/// Memory: the id index (the id bytes plus ~40 bytes per order), and while rewriting, the
/// decoded rows of one partition and one batch.
public enum Compactor {
    public static let historyFolder = "history"

    public static func run(_ options: CompactOptions) throws(WaybillError) -> CompactResult {
        guard options.batchId.hasPrefix("compact-") else { throw .usage("compaction batch id must start with 'compact-'") }
        let txn = try DatasetTransaction(directory: options.directory, name: options.batchId)
        do {
            let result = try compact(options, txn)
            return result
        } catch {
            txn.abort()
            throw error
        }
    }

    private static func compact(_ options: CompactOptions, _ txn: DatasetTransaction) throws(WaybillError) -> CompactResult {
        let dir = txn.directory
        let orders = try DatasetReader(directory: dir, dataset: .orders)
        let lines: DatasetReader? = DatasetFiles.exists(dir + "/order_lines/_waybill_manifest.json")
            ? try DatasetReader(directory: dir, dataset: .orderLines) : nil
        let batchIds = Array(Set(orders.manifest.files.map(\.batchId))).sorted()
        var rank: [String: Int32] = [:]
        for (i, b) in batchIds.enumerated() { rank[b] = Int32(i) }

        // Pass 1: the winner of every order id, from three decoded columns.
        var index = OrderIdIndex()
        var rowsIn = [Int](repeating: 0, count: orders.partitions.count)
        var keptIn = [Int](repeating: 0, count: orders.partitions.count)
        var result = CompactResult()
        let keyFields: Set<Int> = [OrderField.orderId, OrderField.version, OrderField.updatedAt]
        for (pi, p) in orders.partitions.enumerated() {
            for (fi, f) in p.files.enumerated() {
                var base = 0
                let r0 = rank[f.batchId] ?? 0
                try orders.forEachRowGroup(path: f.path, values: p.values, fields: keyFields) { (g: DecodedRowGroup) throws(WaybillError) in
                    for r in 0..<g.rowCount {
                        let e = OrderIdIndex.Entry(version: g.int(OrderField.version, r) ?? .min,
                            updatedAt: g.int(OrderField.updatedAt, r) ?? .min, batchRank: r0, partition: Int32(pi),
                            file: Int32(fi), row: Int32(base + r))
                        let hasId = g.withBytes(OrderField.orderId, r) { key -> Bool in
                            guard let key else { return false }
                            index.offer(key, e)
                            return true
                        }
                        if !hasId { keptIn[pi] += 1 }
                    }
                    base += g.rowCount
                }
                rowsIn[pi] += base
            }
        }
        for e in index.entries { keptIn[Int(e.partition)] += 1 }
        result.orderRows = rowsIn.reduce(0, +)
        result.currentOrders = keptIn.reduce(0, +)
        let dirty = orders.partitions.indices.filter { rowsIn[$0] != keptIn[$0] }
        guard !dirty.isEmpty else {
            txn.abort()
            return result
        }

        // Pass 2: rewrite each dirty partition with its winners and their lines.
        var linePartitions: [String: DatasetPartition] = [:]
        for p in lines?.partitions ?? [] { linePartitions[p.directory] = p }
        var plan = CommitPlan(txn: txn, batchId: options.batchId)
        for pi in dirty {
            let p = orders.partitions[pi]
            result.partitions.append(p.directory)
            let rewrite = PartitionRewrite(options: options, staging: txn.staging, partition: p, index: index,
                partitionIndex: Int32(pi), orders: orders, lines: lines, linePartition: linePartitions[p.directory])
            let out = try rewrite.run(batchRanks: rank)
            result.ordersWritten += out.orders?.rows ?? 0
            result.linesWritten += out.lines?.rows ?? 0
            plan.replace(.orders, partition: p, with: out.orders)
            if let lp = linePartitions[p.directory] { plan.replace(.orderLines, partition: lp, with: out.lines) }
        }
        result.filesToHistory = plan.toHistory
        result.filesDeleted = plan.deleted
        try plan.commit(orders: orders.manifest, lines: lines?.manifest, dieAfterRenames: options.dieAfterRenames)
        return result
    }
}
