#if canImport(Glibc)
import Glibc
#endif
import OrderModel

/// The commit protocol of a dataset write (parquet.md section 8), local-filesystem version of
/// Hadoop's FileOutputCommitter:
///
/// 1. Files are written into `<out>/.waybill-staging-<batch>/<dataset>/<partition>/`, a
///    sibling of the dataset folders on the same filesystem, and each is fsynced.
/// 2. Under an exclusive lock on `<out>/.waybill.lock`, the commit steps (renames into place,
///    fsyncs of the directories, removal of replaced files, the manifest, `_SUCCESS`) are
///    written to a journal in the staging folder, then run.
/// 3. The staging folder is removed.
///
/// A staging folder whose lock no live process holds belongs to a dead run: without a journal
/// it is deleted (nothing under the datasets changed); with one, the journal is replayed.
final class DatasetCommitter {
    static let stagingPrefix = ".waybill-staging-"
    static let lockName = ".waybill.lock"

    let options: DatasetWriteOptions
    let out: String
    let staging: String
    private var stagingLock: FileLock?
    /// Once the journal is on disk the commit must be finished, by this run or the next:
    /// the staging folder is then never deleted on failure.
    private var journalWritten = false

    /// Creates the output folder, recovers dead runs, checks the mode against what is on
    /// disk (so `--mode error` fails before any work) and creates this run's staging folder.
    init(options: DatasetWriteOptions) throws(WaybillError) {
        self.options = options
        var o = options.outputDirectory
        while o.count > 1 && o.hasSuffix("/") { o.removeLast() }
        out = o
        staging = out + "/" + Self.stagingPrefix + options.batchId
        try FileOps.makeDirectories(out)
        do {
            guard let lock = try FileLock(path: out + "/" + Self.lockName, wait: true) else {
                throw WaybillError.cannotCreate(path: out + "/" + Self.lockName, errno: EAGAIN)
            }
            defer { lock.release() }
            try Self.recover(out: out)
            try checkExisting()
            FileOps.removeTree(staging)
            try FileOps.makeDirectories(staging)
        }
        guard let lock = try FileLock(path: staging + "/lock", wait: false) else {
            throw .cannotCreate(path: staging, errno: EAGAIN)
        }
        stagingLock = lock
    }

    /// Replays or deletes the staging folders of dead runs.
    static func recover(out: String) throws(WaybillError) {
        for name in FileOps.list(out) where name.hasPrefix(stagingPrefix) {
            let dir = out + "/" + name
            guard let lock = try FileLock(path: dir + "/lock", wait: false) else { continue }  // alive
            if let journal = try CommitJournal.load(from: dir) {
                // A folder moved or copied since: its paths are rebased onto this one (a copy
                // replayed as it was would change the original).
                let here = FileOps.realPath(out)
                try (here.map { journal.rebased(to: $0) } ?? journal).run()
            }
            FileOps.removeTree(dir)
            lock.release()
        }
    }

    private func datasetRoot(_ d: DatasetKind) -> String { out + "/" + d.name }

    /// Things the last check found worth telling the user that do not stop the run.
    private(set) var warnings: [String] = []

    /// Mode and partition-key checks against the datasets as they are.
    private func checkExisting() throws(WaybillError) {
        warnings = []
        for d in options.datasets {
            let root = datasetRoot(d)
            let manifest = try DatasetManifest.read(root + "/" + DatasetManifest.fileName)
            if options.mode == .error {
                if manifest.map({ !$0.files.isEmpty }) ?? false || !Self.dataFiles(under: root).isEmpty {
                    throw .usage("\(root): dataset already holds data; use --mode append or overwrite-partitions")
                }
            } else if let m = manifest {
                let had = m.partitionKeys.map(\.name)
                let now = options.partitionKeys.map(\.name)
                if !m.files.isEmpty && had != now {
                    throw .usage("\(root): dataset is partitioned by [\(had.joined(separator: ","))], "
                        + "this run by [\(now.joined(separator: ","))]")
                }
                // Files of an older model lack its newer columns: Waybill reads them as null,
                // other readers only when told to match columns by name (docs/datasets.md).
                if !m.files.isEmpty && m.schemaVersion != OrderSchema.version {
                    warnings.append("\(root): its files are model version \(m.schemaVersion), this run adds version "
                        + "\(OrderSchema.version) files beside them; readers other than Waybill must match columns by name "
                        + "(DuckDB union_by_name), or `waybill compact` rewrites the old files at the current version")
                }
            }
        }
    }

    /// Relative paths of the `.parquet` files under a dataset root (skipping hidden and
    /// underscore names, as readers do).
    static func dataFiles(under root: String, prefix: String = "") -> [String] {
        var out: [String] = []
        for name in FileOps.list(root + (prefix.isEmpty ? "" : "/" + prefix)) {
            if name.hasPrefix(".") || name.hasPrefix("_") { continue }
            let rel = prefix.isEmpty ? name : prefix + "/" + name
            if FileOps.isDirectory(root + "/" + rel) {
                out += dataFiles(under: root, prefix: rel)
            } else if name.hasSuffix(".parquet") {
                out.append(rel)
            }
        }
        return out
    }

    /// Whether `name` is a file of batch `batch`: `part-<batch>-c<digits>.…`.
    static func isFile(_ name: String, ofBatch batch: String) -> Bool {
        let prefix = "part-\(batch)-c"
        guard name.hasPrefix(prefix) else { return false }
        let rest = name.utf8.dropFirst(prefix.utf8.count)
        let digits = rest.prefix { $0 >= 0x30 && $0 <= 0x39 }
        return digits.count >= 3 && rest.dropFirst(digits.count).first == UInt8(ascii: ".")
    }

    /// Commits the staged files; returns the files removed (relative to `out`).
    func commit(_ files: [StagedFile]) throws(WaybillError) -> [String] {
        guard let lock = try FileLock(path: out + "/" + Self.lockName, wait: true) else {
            throw .cannotCreate(path: out + "/" + Self.lockName, errno: EAGAIN)
        }
        defer { lock.release() }
        try checkExisting()
        if options.failPoint == .beforeCommit { throw .io(path: staging, errno: 5) }
        var steps: [CommitJournal.Step] = []
        var removed: [String] = []
        var emptyCandidates: [String] = []
        let now = DatasetManifest.now()
        for d in options.datasets {
            let root = datasetRoot(d)
            steps.append(.delete(root + "/" + DatasetManifest.successFileName))
            let mine = files.filter { $0.dataset == d }
            let newPaths = Set(mine.map(\.relativePath))
            let touched = Set(mine.map(\.directory))
            for f in mine {
                steps.append(.rename(from: staging + "/" + f.stagedName, to: root + "/" + f.relativePath))
            }
            // Files replaced by this run: its own earlier files, and with overwrite-partitions
            // everything else in the partitions it writes.
            var gone: [String] = []
            for rel in Self.dataFiles(under: root) where !newPaths.contains(rel) {
                let dir = FileOps.dirname(rel) == "." ? "" : FileOps.dirname(rel)
                if Self.isFile(FileOps.basename(rel), ofBatch: options.batchId)
                    || (options.mode == .overwritePartitions && touched.contains(dir))
                {
                    gone.append(rel)
                    steps.append(.delete(root + "/" + rel))
                    removed.append(d.name + "/" + rel)
                    var parent = dir
                    while !parent.isEmpty && parent != "." {
                        emptyCandidates.append(root + "/" + parent)
                        parent = FileOps.dirname(parent) == "." ? "" : FileOps.dirname(parent)
                    }
                }
            }
            // The manifest: what the old one listed, minus what is gone, plus this run.
            let old = try DatasetManifest.read(root + "/" + DatasetManifest.fileName)
            let goneSet = Set(gone).union(newPaths)
            var entries = (old?.files ?? []).filter { !goneSet.contains($0.path) }
            for f in mine {
                var partition: [String: String?] = [:]
                for (k, key) in options.partitionKeys.enumerated() { partition[key.name] = f.values[k] }
                entries.append(DatasetManifest.File(path: f.relativePath, partition: partition, rows: f.rows,
                    bytes: f.bytes, crc32: DatasetManifest.crcText(f.crc32), batchId: options.batchId,
                    compression: options.compression.rawValue))
            }
            entries.sort { $0.path < $1.path }
            let manifest = DatasetManifest(dataset: d.name, schemaVersion: OrderSchema.version,
                partitionKeys: options.partitionKeys.map {
                    DatasetManifest.Key(name: $0.name, spec: $0.description, type: $0.sqlType)
                }, batchId: options.batchId, committedAt: now, files: entries)
            let stagedManifest = staging + "/" + d.name + "." + DatasetManifest.fileName
            try FileOps.writeFile(stagedManifest, manifest.encoded())
            let stagedSuccess = staging + "/" + d.name + "." + DatasetManifest.successFileName
            try FileOps.writeFile(stagedSuccess, [])
            steps.append(.rename(from: stagedManifest, to: root + "/" + DatasetManifest.fileName))
            steps.append(.rename(from: stagedSuccess, to: root + "/" + DatasetManifest.successFileName))
        }
        // Order: data renames, deletes, then one syncfs for all of them, then the
        // manifest and _SUCCESS renames (kept after the syncs), then a last sync of the roots.
        func isMarker(_ step: CommitJournal.Step) -> Bool {
            guard case .rename(_, let to) = step else { return false }
            return to.hasSuffix("/" + DatasetManifest.fileName) || to.hasSuffix("/" + DatasetManifest.successFileName)
        }
        let dataSteps = steps.filter { !isMarker($0) }
        let markerSteps = steps.filter(isMarker)
        var ordered = dataSteps
        for dir in Set(emptyCandidates).sorted(by: { $0.count > $1.count }) { ordered.append(.removeDirectoryIfEmpty(dir)) }
        // One syncfs makes every rename, new directory and deletion durable; fsyncing each
        // of thousands of partition folders would cost a journal commit apiece.
        ordered.append(.syncFilesystem(out))
        ordered += markerSteps
        for d in options.datasets { ordered.append(.syncDirectory(datasetRoot(d))) }
        ordered.append(.syncDirectory(out))
        let plain = CommitJournal(batchId: options.batchId, steps: ordered)
        try plain.checkNoLinks(under: out)
        let journal = plain.anchored(out: out)
        // The staged files become durable before the journal can make them visible.
        try FileOps.syncFilesystem(staging)
        try journal.save(in: staging)
        journalWritten = true
        makeFolders(files)
        let fail = options.failPoint
        try journal.run { (n: Int) throws(WaybillError) in
            if case .afterRenames(let k) = fail, k == n { throw .io(path: staging, errno: 5) }
        }
        // Left: the journal, the markers staged beside it, the lock and any spill file.
        FileOps.removeTree(staging)
        stagingLock?.release()
        return removed
    }

    /// Makes the partition folders the journal's renames go into, a dataset per thread (up to
    /// the writer's encoding threads): on ext4 a `mkdir` costs 60-200 microseconds (the
    /// allocator looks for a block group to spread folders over), and folders under different
    /// parents are made in parallel (TPC-H 0.1, 160 folders under two dataset roots: 21 ms one
    /// after the other, 10 ms on two threads).
    /// After the journal is saved, so a run that dies here leaves no folder its replay would
    /// not fill. A folder that cannot be made is left to its rename, which reports it.
    private func makeFolders(_ files: [StagedFile]) {
        var groups: [[String]] = []
        for d in options.datasets {
            let root = datasetRoot(d)
            let folders = Set(files.lazy.filter { $0.dataset == d && !$0.directory.isEmpty }.map { root + "/" + $0.directory })
            if !folders.isEmpty { groups.append(folders.sorted()) }
        }
        // One dataset, or `--threads 1`: the renames make the folders as they go.
        let threads = min(groups.count, options.encodeThreads)
        guard threads > 1 else { return }
        let work = WorkList(groups)
        runOnThreads(threads) {
            while let group = work.next() {
                for folder in group { _ = try? FileOps.makeDirectories(folder) }
            }
        }
    }

    /// Removes the staging folder of an abandoned run (the datasets were never touched).
    func abort() {
        if !journalWritten { FileOps.removeTree(staging) }
        stagingLock?.release()
    }

    /// Leaves the staging folder as a dead process would (test hook), releasing its lock.
    func abandonAsIfKilled() {
        stagingLock?.release()
    }
}
