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
    /// Pack each partition's cold files into one tar archive (`COLD/packs/<partition>/part-<batch>.tar`).
    public var pack = false
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
        let now = DatasetFiles.now()
        let name = "part-\(o.batchId)-c000.zstd.parquet"

        // 1. Copy and verify every selected partition of every dataset into COLD's staging folder.
        var readers: [DatasetReader] = []
        var entries: [(entry: ColdEntry, staged: String)] = []
        var hotSteps: [DatasetTransaction.Step] = []
        for kind in DatasetKind.allCases {
            guard DatasetFiles.exists(dir + "/" + kind.name + "/" + DatasetManifest.fileName) else { continue }
            let reader = kind == .orders ? orders : try DatasetReader(directory: dir, dataset: kind)
            readers.append(reader)
            hotSteps.append(.delete(reader.root + "/" + DatasetManifest.successFileName))
            for p in reader.partitions where selected.contains(p.directory) {
                // The folder leaves whole: it must hold nothing the manifest does not account for.
                let listed = Set(p.files.map { DatasetFiles.basename($0.path) })
                let strays = DatasetFiles.list(reader.root + "/" + p.directory).filter { !listed.contains($0) }
                guard strays.isEmpty else {
                    throw .data("\(reader.root)/\(p.directory): holds \(strays.sorted().joined(separator: ", ")), "
                        + "which the manifest does not list (see waybill inspect); not tiered")
                }
                let rel = p.directory + "/" + name
                let staged = staging + "/" + kind.name + "/" + rel
                let (file, hash) = try copy(p, reader, to: staged, rel: rel, o)
                entries.append((ColdEntry(dataset: kind.name, partition: p.directory, file: file, contentHash: hash.hex,
                    hotFiles: p.files.map(\.path), tieredAt: now), staged))
                // The partition folder leaves the dataset in one rename; it is deleted with the staging folder.
                hotSteps.append(.rename(from: reader.root + "/" + p.directory,
                    to: txn.staging + "/moved/" + kind.name + "/" + p.directory))
                var parent = DatasetFiles.dirname(p.directory)
                while parent != "." && !parent.isEmpty {
                    hotSteps.append(.removeDirectoryIfEmpty(reader.root + "/" + parent))
                    parent = DatasetFiles.dirname(parent)
                }
            }
        }

        // 2. Optionally pack each partition's files (every dataset) into one tar, verified member by member.
        var coldSteps: [DatasetTransaction.Step] = []
        if o.pack {
            for partition in Array(Set(entries.map(\.entry.partition))).sorted() {
                let archive = "packs/" + partition + "/part-\(o.batchId).tar"
                let stagedTar = staging + "/" + archive
                try DatasetFiles.makeDirectories(DatasetFiles.dirname(stagedTar))
                let idx = entries.indices.filter { entries[$0].entry.partition == partition }
                try TarPack.write(archive: stagedTar,
                    members: idx.map { (entries[$0].entry.dataset + "/" + entries[$0].entry.file.path, entries[$0].staged) })
                for i in idx {
                    let member = entries[i].entry.dataset + "/" + entries[i].entry.file.path
                    let back = try TarPack.read(archive: stagedTar, member: member, maxBytes: entries[i].entry.file.bytes)
                    guard back == DatasetFiles.readFile(entries[i].staged) else {
                        throw .data("\(stagedTar): member \(member) does not read back as written")
                    }
                    entries[i].entry.archive = archive
                    entries[i].entry.member = member
                }
                coldSteps.append(.rename(from: stagedTar, to: cold + "/" + archive))
            }
        } else {
            for e in entries { coldSteps.append(.rename(from: e.staged, to: cold + "/" + e.entry.dataset + "/" + e.entry.file.path)) }
        }

        // 3. Manifests: COLD's, and each hot dataset's (files gone, tier note extended).
        var manifest = try ColdManifest.read(cold + "/" + ColdManifest.fileName)
            ?? ColdManifest(counterpart: dir, partitionKeys: orders.manifest.partitionKeys)
        let newPaths = Set(entries.map { $0.entry.dataset + "/" + $0.entry.file.path })
        manifest.entries.removeAll { newPaths.contains($0.dataset + "/" + $0.file.path) }
        manifest.entries += entries.map(\.entry)
        manifest.entries.sort { ($0.dataset, $0.file.path) < ($1.dataset, $1.file.path) }
        manifest.updatedAt = now
        var markers: [DatasetTransaction.Step] = []
        for reader in readers {
            let mine = entries.map(\.entry).filter { $0.dataset == reader.dataset.name }
            let gone = Set(mine.flatMap(\.hotFiles))
            var m = reader.manifest
            m.files.removeAll { gone.contains($0.path) }
            m.batchId = o.batchId
            m.committedAt = now
            var note = try ColdManifest.read(reader.root + "/" + ColdManifest.noteName)
                ?? ColdManifest(counterpart: cold, partitionKeys: reader.manifest.partitionKeys)
            note.entries.removeAll { e in mine.contains { $0.file.path == e.file.path } }
            note.entries += mine
            note.updatedAt = now
            markers += try ColdStaging.stageMarkers(m, note: note, kind: reader.dataset, in: txn.staging, root: reader.root)
        }
        let coldManifest = try ColdStaging.stage(manifest.encoded(), in: staging, as: ColdManifest.fileName, to: cold,
            name: ColdManifest.fileName)

        // 4. One journaled commit: cold side first and durable, then the hot side. A row is
        // never only in a staging folder.
        let steps = coldSteps + [.syncFilesystem(cold), coldManifest, .syncDirectory(cold)] + hotSteps
            + [.syncFilesystem(dir)] + markers + [.syncDirectory(dir)]
        try txn.commit(steps, dieAfterRenames: o.dieAfterRenames)
        DatasetFiles.removeTree(staging)
        return entries.map { TierMove(dataset: $0.entry.dataset, partition: $0.entry.partition, rows: $0.entry.file.rows,
            contentHash: $0.entry.contentHash) }
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
