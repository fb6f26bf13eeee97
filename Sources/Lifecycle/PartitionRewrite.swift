import Datasets
import OrderModel

/// A file written into the staging folder, with its manifest entry (path relative to the dataset).
struct StagedDataFile {
    var staged: String
    var entry: DatasetManifest.File
    var rows: Int { entry.rows }
}

/// Rewrites one partition with the winning row of each order and that row's lines.
///
/// Within a partition, a run's lines files hold the lines in the order of its orders files
/// (the writer buffers an order with its lines), so orders and lines are walked side by side,
/// batch by batch: an order owns the lines that follow with its `order_id`, a new group
/// starting where `line_no` does not increase (two versions of one order in one run). Lines
/// left over at the end mean that layout does not hold, and the compaction stops (exit 65)
/// rather than guess.
struct PartitionRewrite {
    let options: CompactOptions
    let staging: String
    let partition: DatasetPartition
    let index: OrderIdIndex
    let partitionIndex: Int32
    let orders: DatasetReader
    let lines: DatasetReader?
    let linePartition: DatasetPartition?

    func run(batchRanks: [String: Int32]) throws(WaybillError) -> (orders: StagedDataFile?, lines: StagedDataFile?) {
        let name = "part-\(options.batchId)-c000.zstd.parquet"
        let rel = partition.directory.isEmpty ? name : partition.directory + "/" + name
        var ow: DatasetFileWriter?
        var lw: DatasetFileWriter?
        func writer(_ kind: DatasetKind, _ keys: [PartitionKey]) throws(WaybillError) -> DatasetFileWriter {
            let path = staging + "/" + kind.name + "/" + rel
            try DatasetFiles.makeDirectories(DatasetFiles.dirname(path))
            return try DatasetFileWriter(path: path, dataset: kind, keys: keys, batchId: options.batchId,
                compressionLevel: options.compressionLevel, applicationVersion: options.applicationVersion)
        }
        let batches = Set(partition.files.map(\.batchId)).sorted { (batchRanks[$0] ?? 0) < (batchRanks[$1] ?? 0) }
        for batch in batches {
            var orderGroups: [(file: Int32, base: Int, group: DecodedRowGroup)] = []
            for (fi, f) in partition.files.enumerated() where f.batchId == batch {
                var base = 0
                try orders.forEachRowGroup(path: f.path, values: partition.values) { (g: DecodedRowGroup) throws(WaybillError) in
                    orderGroups.append((Int32(fi), base, g))
                    base += g.rowCount
                }
            }
            var lineGroups: [DecodedRowGroup] = []
            if let lines, let lp = linePartition {
                for f in lp.files where f.batchId == batch {
                    try lines.forEachRowGroup(path: f.path, values: lp.values) { (g: DecodedRowGroup) throws(WaybillError) in
                        lineGroups.append(g)
                    }
                }
            }
            var lg = 0, lr = 0
            for (file, base, g) in orderGroups {
                for r in 0..<g.rowCount {
                    let winner = g.withBytes(OrderField.orderId, r) { key -> Bool in
                        guard let key, let w = index.winner(key) else { return true }
                        return w.partition == partitionIndex && w.file == file && Int(w.row) == base + r
                    }
                    var first = true
                    var previous = Int64.min
                    while lg < lineGroups.count {
                        let l = lineGroups[lg]
                        if lr >= l.rowCount {
                            lg += 1
                            lr = 0
                            continue
                        }
                        let no = l.int(LineField.lineNo, lr)
                        guard Self.sameId(g, r, l, lr), first || no == nil || no! > previous else { break }
                        if winner {
                            if lw == nil { lw = try writer(.orderLines, lines!.partitionKeys) }
                            let row = lr
                            try lw!.append { l.copyRow(row, into: &$0) }
                        }
                        previous = no ?? previous
                        first = false
                        lr += 1
                    }
                    if winner {
                        if ow == nil { ow = try writer(.orders, orders.partitionKeys) }
                        try ow!.append { g.copyRow(r, into: &$0) }
                    }
                }
            }
            while lg < lineGroups.count && lr >= lineGroups[lg].rowCount {
                lg += 1
                lr = 0
            }
            if lg < lineGroups.count {
                throw .data("\(orders.root)/\(partition.directory): lines of batch \(batch) are not in the order of its "
                    + "orders (line of order '\(lineGroups[lg].string(LineField.orderId, lr) ?? "null")' left over); not compacted")
            }
        }
        return (try Self.finish(ow, partition, rel, options.batchId), try Self.finish(lw, linePartition, rel, options.batchId))
    }

    private static func sameId(_ a: DecodedRowGroup, _ ar: Int, _ b: DecodedRowGroup, _ br: Int) -> Bool {
        a.withBytes(OrderField.orderId, ar) { x in
            b.withBytes(LineField.orderId, br) { y in
                guard let x, let y else { return x == nil && y == nil }
                return x.elementsEqual(y)
            }
        }
    }

    private static func finish(
        _ w: DatasetFileWriter?, _ p: DatasetPartition?, _ rel: String, _ batchId: String
    ) throws(WaybillError) -> StagedDataFile? {
        guard let w, let p, var entry = p.files.first else { return nil }
        let rows = w.rows
        let (bytes, crc) = try w.finish()
        entry.path = rel
        entry.rows = rows
        entry.bytes = bytes
        entry.crc32 = crc
        entry.batchId = batchId
        entry.compression = "zstd"
        return StagedDataFile(staged: w.path, entry: entry)
    }
}
