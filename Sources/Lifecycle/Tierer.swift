#if canImport(Glibc)
import Glibc
#endif
import Datasets
import OrderModel

/// Options of `waybill tier`.
public struct TierOptions: Sendable {
    public var directory: String
    public var cold: String
    public var policy: TierPolicy
    /// ZSTD level of the cold files (high: they are written once and read rarely).
    public var compressionLevel: Int32 = 19
    /// Rows per row group in the cold files (bigger than hot: scans, not point reads).
    public var rowGroupRows = 4_194_304
    public var rowGroupBytes = 512 << 20
    public var batchId: String
    public var applicationVersion = "0.0.0"
    /// Test hook: stop the commit after this many renames, as if killed.
    public var dieAfterRenames: Int? = nil

    public init(directory: String, cold: String, policy: TierPolicy, batchId: String? = nil) {
        self.directory = directory
        self.cold = cold
        self.policy = policy
        self.batchId = batchId ?? ("tier-" + DatasetWriteOptions.generatedBatchId())
    }
}

/// One partition moved (or brought back), per dataset.
public struct TierMove: Sendable, Equatable {
    public var dataset: String
    public var partition: String
    public var rows: Int
    public var contentHash: String
}

/// Moves old partitions of `orders/` and `order_lines/` to a cold location.
///
/// For each partition: its rows are read from the hot files and written, recompressed, into
/// a staging folder inside COLD; the staged file is read back and its row count and content
/// hash must equal the hot ones. Then one journaled commit (a `DatasetTransaction` on DIR):
/// the cold files are renamed into `COLD/<dataset>/<partition>/`, the cold manifest is
/// published, and only then each hot partition folder leaves the dataset by one `rename`
/// (so a reader sees the whole partition or none of it), the hot manifest drops its files and
/// the tier note `_waybill_tiers.json` records where they went. A run killed before the
/// commit leaves the hot dataset as it was; one killed during the commit is finished by the
/// next run on DIR.
public enum Tierer {
    public static func run(_ options: TierOptions) throws(WaybillError) -> [TierMove] {
        let dir = try absolute(options.directory)
        let cold = try absolute(options.cold)
        guard cold != dir, !cold.hasPrefix(dir + "/orders"), !cold.hasPrefix(dir + "/order_lines") else {
            throw .usage("--to \(options.cold): the cold location must be outside the datasets")
        }
        let txn = try DatasetTransaction(directory: dir, name: options.batchId)
        do {
            ColdStaging.cleanDead(cold)
            return try tier(options, dir: dir, cold: cold, txn)
        } catch {
            txn.abort()
            throw error
        }
    }

    private static func tier(_ o: TierOptions, dir: String, cold: String, _ txn: DatasetTransaction) throws(WaybillError) -> [TierMove] {
        let orders = try DatasetReader(directory: dir, dataset: .orders)
        guard TierPolicy.ageKey(orders.partitionKeys) != nil else {
            throw .usage("\(dir)/orders is not partitioned by a date or month key; nothing can age")
        }
        let selected = Set(orders.partitions.filter { o.policy.isOld($0.values, keys: orders.partitionKeys) }.map(\.directory))
        guard !selected.isEmpty else {
            txn.abort()
            return []
        }
        let staging = cold + "/" + ColdStaging.prefix + o.batchId
        DatasetFiles.removeTree(staging)
        try DatasetFiles.makeDirectories(staging)
        var manifest = try ColdManifest.read(cold + "/" + ColdManifest.fileName)
            ?? ColdManifest(counterpart: dir, partitionKeys: orders.manifest.partitionKeys)
        var moves: [TierMove] = []
        var coldSteps: [DatasetTransaction.Step] = []
        var hotSteps: [DatasetTransaction.Step] = []
        var markers: [DatasetTransaction.Step] = []
        let now = DatasetFiles.now()
        for kind in DatasetKind.allCases {
            guard DatasetFiles.exists(dir + "/" + kind.name + "/" + DatasetManifest.fileName) else { continue }
            let reader = kind == .orders ? orders : try DatasetReader(directory: dir, dataset: kind)
            var note = try ColdManifest.read(reader.root + "/" + ColdManifest.noteName)
                ?? ColdManifest(counterpart: cold, partitionKeys: reader.manifest.partitionKeys)
            var gone = Set<String>()
            hotSteps.append(.delete(reader.root + "/" + DatasetManifest.successFileName))
            for p in reader.partitions where selected.contains(p.directory) {
                let name = "part-\(o.batchId)-c000.zstd.parquet"
                let rel = p.directory + "/" + name
                let staged = staging + "/" + kind.name + "/" + rel
                let (entry, hash) = try copy(p, reader, to: staged, rel: rel, o)
                let e = ColdEntry(dataset: kind.name, partition: p.directory, file: entry, contentHash: hash.hex,
                    hotFiles: p.files.map(\.path), tieredAt: now)
                manifest.entries.removeAll { $0.dataset == kind.name && $0.file.path == rel }
                manifest.entries.append(e)
                note.entries.append(e)
                coldSteps.append(.rename(from: staged, to: cold + "/" + kind.name + "/" + rel))
                // The partition folder leaves the dataset in one rename; it is deleted with the staging folder.
                hotSteps.append(.rename(from: reader.root + "/" + p.directory, to: txn.staging + "/moved/" + kind.name + "/" + p.directory))
                var parent = DatasetFiles.dirname(p.directory)
                while parent != "." && !parent.isEmpty {
                    hotSteps.append(.removeDirectoryIfEmpty(reader.root + "/" + parent))
                    parent = DatasetFiles.dirname(parent)
                }
                p.files.forEach { gone.insert($0.path) }
                moves.append(TierMove(dataset: kind.name, partition: p.directory, rows: entry.rows, contentHash: hash.hex))
            }
            var m = reader.manifest
            m.files.removeAll { gone.contains($0.path) }
            m.batchId = o.batchId
            m.committedAt = now
            note.updatedAt = now
            markers += try ColdStaging.stage(m.encoded(), in: txn.staging, as: kind.name + "." + DatasetManifest.fileName, to: reader.root)
            markers += try ColdStaging.stage(note.encoded(), in: txn.staging, as: kind.name + "." + ColdManifest.noteName, to: reader.root)
            markers += try ColdStaging.stage([], in: txn.staging, as: kind.name + "." + DatasetManifest.successFileName, to: reader.root)
        }
        manifest.entries.sort { ($0.dataset, $0.file.path) < ($1.dataset, $1.file.path) }
        manifest.updatedAt = now
        let coldManifest = try ColdStaging.stage(manifest.encoded(), in: staging, as: ColdManifest.fileName, to: cold)
        // Cold side first and durable, then the hot side: a row is never only in a staging folder.
        let steps = coldSteps + [.syncFilesystem(cold)] + coldManifest + [.syncDirectory(cold)] + hotSteps
            + [.syncFilesystem(dir)] + markers + [.syncDirectory(dir)]
        try txn.commit(steps, dieAfterRenames: o.dieAfterRenames)
        DatasetFiles.removeTree(staging)
        return moves
    }

    /// Rewrites a partition into one recompressed file and checks it: same rows, same content hash.
    private static func copy(
        _ p: DatasetPartition, _ reader: DatasetReader, to staged: String, rel: String, _ o: TierOptions
    ) throws(WaybillError) -> (DatasetManifest.File, ContentHash) {
        try DatasetFiles.makeDirectories(DatasetFiles.dirname(staged))
        let w = try DatasetFileWriter(path: staged, dataset: reader.dataset, keys: reader.partitionKeys, batchId: o.batchId,
            compressionLevel: o.compressionLevel, rowGroupRows: o.rowGroupRows, rowGroupBytes: o.rowGroupBytes,
            applicationVersion: o.applicationVersion)
        var hot = ContentHash()
        try reader.forEachRowGroup(in: p) { (g: DecodedRowGroup) throws(WaybillError) in
            hot.add(g)
            for r in 0..<g.rowCount { try w.append { g.copyRow(r, into: &$0) } }
        }
        let (bytes, crc) = try w.finish()
        let back = try ColdStaging.hash(file: staged, dataset: reader.dataset, keys: reader.partitionKeys, values: p.values)
        guard back == hot, hot.rows == p.rows else {
            throw .data("\(staged): verification failed (\(back.rows) rows, hash \(back.hex); hot \(hot.rows) rows, hash \(hot.hex))")
        }
        guard var entry = p.files.first else { throw .data("\(reader.root)/\(p.directory): partition without files") }
        entry.path = rel
        entry.rows = hot.rows
        entry.bytes = bytes
        entry.crc32 = crc
        entry.batchId = o.batchId
        entry.compression = "zstd"
        return (entry, hot)
    }

    static func absolute(_ path: String) throws(WaybillError) -> String {
        try DatasetFiles.makeDirectories(path)
        guard let r = realpath(path, nil) else { throw .cannotCreate(path: path, errno: errno) }
        defer { free(r) }
        return String(cString: r)
    }
}
