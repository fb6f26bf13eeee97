import Datasets
import OrderModel

/// Options of `waybill restore`.
public struct RestoreOptions: Sendable {
    public var cold: String
    public var directory: String
    /// Partition folders to bring back (`order_date=2023-01-05`); empty = every one.
    public var partitions: [String] = []
    public var batchId: String
    public var dieAfterRenames: Int? = nil

    public init(cold: String, directory: String, batchId: String? = nil) {
        self.cold = cold
        self.directory = directory
        self.batchId = batchId ?? ("restore-" + DatasetWriteOptions.generatedBatchId())
    }
}

/// Brings partitions back from the cold location: each cold file is copied into the hot
/// folder's staging area and checked (CRC-32 and content hash against the cold manifest), then
/// one journaled commit renames each partition folder into its dataset in one step (or its
/// files beside newer ones that landed since), updates the hot manifest and tier note, and
/// only then deletes the cold files and rewrites the cold manifest.
public enum Restorer {
    public static func run(_ o: RestoreOptions) throws(WaybillError) -> [TierMove] {
        let dir = try Tierer.absolute(o.directory)
        let cold = try Tierer.absolute(o.cold)
        let txn = try DatasetTransaction(directory: dir, name: o.batchId)
        do {
            ColdStaging.cleanDead(cold)
            return try restore(o, dir: dir, cold: cold, txn)
        } catch {
            txn.abort()
            throw error
        }
    }

    private static func restore(_ o: RestoreOptions, dir: String, cold: String, _ txn: DatasetTransaction) throws(WaybillError) -> [TierMove] {
        guard var manifest = try ColdManifest.read(cold + "/" + ColdManifest.fileName) else {
            throw .inputNotFound(path: cold + "/" + ColdManifest.fileName, reason: "no cold manifest")
        }
        try ColdPaths.check(manifest, path: cold + "/" + ColdManifest.fileName)
        let wanted = Set(o.partitions)
        let chosen = manifest.entries.filter { wanted.isEmpty || wanted.contains($0.partition) }
        if !wanted.isEmpty {
            let missing = wanted.subtracting(chosen.map(\.partition))
            guard missing.isEmpty else { throw .usage("--partition \(missing.sorted().joined(separator: ",")): not in \(cold)") }
        }
        guard !chosen.isEmpty else {
            txn.abort()
            return []
        }
        let coldStaging = cold + "/" + ColdStaging.prefix + o.batchId
        DatasetFiles.removeTree(coldStaging)
        try DatasetFiles.makeDirectories(coldStaging)
        var steps: [DatasetTransaction.Step] = []
        var markers: [DatasetTransaction.Step] = []
        var coldSteps: [DatasetTransaction.Step] = []
        var moves: [TierMove] = []
        let now = DatasetFiles.now()
        for kind in DatasetKind.allCases {
            let mine = chosen.filter { $0.dataset == kind.name }
            guard !mine.isEmpty else { continue }
            let root = dir + "/" + kind.name
            guard var m = try DatasetManifest.read(root + "/" + DatasetManifest.fileName) else {
                throw DatasetManifest.missing(in: dir, dataset: kind.name)
            }
            var keys: [PartitionKey] = []
            for k in m.partitionKeys { keys.append(try PartitionKey.parse(k.spec)) }
            steps.append(.delete(root + "/" + DatasetManifest.successFileName))
            for e in mine {
                // Nothing read or renamed by a manifest's name may pass through a planted link.
                try ColdPaths.checkNoLinks(base: cold, relative: e.archive ?? (kind.name + "/" + e.file.path))
                try ColdPaths.checkNoLinks(base: dir, relative: kind.name + "/" + e.file.path)
                let source = cold + "/" + kind.name + "/" + e.file.path
                let staged = txn.staging + "/" + kind.name + "/" + e.file.path
                try DatasetFiles.makeDirectories(DatasetFiles.dirname(staged))
                let bytes: [UInt8]
                if let archive = e.archive, let member = e.member {
                    bytes = try TarPack.read(archive: cold + "/" + archive, member: member, maxBytes: e.file.bytes)
                } else if let b = DatasetFiles.readFile(source) {
                    bytes = b
                } else {
                    throw .inputNotFound(path: source, reason: "listed in the cold manifest but missing")
                }
                try DatasetFiles.writeFile(staged, bytes)
                let crc = try DatasetFiles.crc32(of: staged)
                let values = HivePath.parse(relativeDirectory: e.partition)?.map(\.value) ?? []
                let hash = try ColdStaging.hash(file: staged, dataset: kind, keys: keys, values: values)
                guard crc.crc32 == e.file.crc32, hash.hex == e.contentHash, hash.rows == e.file.rows else {
                    throw .data("\(source): does not match the cold manifest (crc \(crc.crc32), \(hash.rows) rows, hash \(hash.hex))")
                }
                if DatasetFiles.exists(root + "/" + e.partition) {
                    steps.append(.rename(from: staged, to: root + "/" + e.file.path))  // beside files landed since
                } else {
                    steps.append(.rename(from: txn.staging + "/" + kind.name + "/" + e.partition, to: root + "/" + e.partition))
                }
                m.files.removeAll { $0.path == e.file.path }
                m.files.append(e.file)
                moves.append(TierMove(dataset: kind.name, partition: e.partition, rows: e.file.rows, contentHash: e.contentHash))
                if e.archive != nil { continue }  // archives go below, once empty
                coldSteps.append(.delete(source))
                var parent = DatasetFiles.dirname(e.file.path)
                while parent != "." && !parent.isEmpty {
                    coldSteps.append(.removeDirectoryIfEmpty(cold + "/" + kind.name + "/" + parent))
                    parent = DatasetFiles.dirname(parent)
                }
            }
            m.files.sort { $0.path < $1.path }
            m.batchId = o.batchId
            m.committedAt = now
            let restored = Set(mine.map(\.file.path))
            var note = try ColdManifest.read(root + "/" + ColdManifest.noteName)
                ?? ColdManifest(counterpart: cold, partitionKeys: m.partitionKeys)
            note.entries.removeAll { restored.contains($0.file.path) }
            note.updatedAt = now
            markers += try ColdStaging.stageMarkers(m, note: note, kind: kind, in: txn.staging, root: root)
            manifest.entries.removeAll { $0.dataset == kind.name && restored.contains($0.file.path) }
        }
        manifest.updatedAt = now
        // An archive goes once no entry is left in it.
        let archives = Set(chosen.compactMap(\.archive)).subtracting(manifest.entries.compactMap(\.archive))
        for a in archives.sorted() {
            coldSteps.append(.delete(cold + "/" + a))
            var parent = DatasetFiles.dirname(a)
            while parent != "." && !parent.isEmpty {
                coldSteps.append(.removeDirectoryIfEmpty(cold + "/" + parent))
                parent = DatasetFiles.dirname(parent)
            }
        }
        let coldManifest = [try ColdStaging.stage(manifest.encoded(), in: coldStaging, as: ColdManifest.fileName, to: cold,
            name: ColdManifest.fileName)]
        // Hot side complete and durable before the cold copies go.
        let all = steps + [.syncFilesystem(dir)] + markers + [.syncDirectory(dir)] + coldManifest + coldSteps
            + [.syncFilesystem(cold)]
        try txn.commit(all, dieAfterRenames: o.dieAfterRenames)
        DatasetFiles.removeTree(coldStaging)
        return moves
    }
}
