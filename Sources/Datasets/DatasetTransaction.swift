#if canImport(Glibc)
import Glibc
#endif
import OrderModel

/// A commit on an output folder (`DIR` holding `orders/` and `order_lines/`) made of
/// arbitrary file steps, with the same guarantees as `waybill write`'s commit: the steps are
/// journaled (fsynced) in a staging folder `DIR/.waybill-staging-<name>/` before the first one
/// runs, and a run that dies half way is finished by the next run on `DIR` (any verb: the
/// journal format and recovery are the writer's own).
///
/// The lifecycle verbs (compact, tier, restore) stage their new files in `staging`, then
/// commit renames, deletions and manifest swaps. The transaction holds `DIR/.waybill.lock`
/// from `init` to `commit`/`abort`, so writers' commits wait for it and vice versa.
public final class DatasetTransaction {
    public enum Step: Sendable, Equatable {
        /// Renames a file or a whole folder (parents are created); skipped when the source is gone.
        case rename(from: String, to: String)
        case delete(String)
        case removeDirectoryIfEmpty(String)
        case syncDirectory(String)
        /// syncfs(2) on the filesystem holding the path.
        case syncFilesystem(String)
    }

    public let directory: String
    public let staging: String
    private var dirLock: FileLock?
    private var stagingLock: FileLock?
    private var journalWritten = false

    /// Takes the lock on `directory`, finishes or rolls back dead runs, creates the staging folder.
    public init(directory: String, name: String) throws(WaybillError) {
        guard DatasetWriteOptions.isValidBatchId(name) else { throw .usage("transaction name '\(name)' is not valid") }
        var out = directory
        while out.count > 1 && out.hasSuffix("/") { out.removeLast() }
        self.directory = out
        staging = out + "/" + DatasetCommitter.stagingPrefix + name
        try FileOps.makeDirectories(out)
        guard let lock = try FileLock(path: out + "/" + DatasetCommitter.lockName, wait: true) else {
            throw .cannotCreate(path: out + "/" + DatasetCommitter.lockName, errno: EAGAIN)
        }
        dirLock = lock
        try DatasetCommitter.recover(out: out)
        FileOps.removeTree(staging)
        try FileOps.makeDirectories(staging)
        guard let sl = try FileLock(path: staging + "/lock", wait: false) else { throw .cannotCreate(path: staging, errno: EAGAIN) }
        stagingLock = sl
    }

    /// Makes the staged files durable, journals `steps`, runs them and removes the staging
    /// folder. `dieAfterRenames` (tests) stops after that many renames as if killed.
    public func commit(_ steps: [Step], dieAfterRenames: Int? = nil) throws(WaybillError) {
        let plain = CommitJournal(batchId: FileOps.basename(staging), steps: steps.map(\.journalStep))
        try plain.checkNoLinks(under: directory)
        let journal = plain.anchored(out: directory)
        try FileOps.syncFilesystem(staging)
        try journal.save(in: staging)
        journalWritten = true
        do {
            try journal.run { (n: Int) throws(WaybillError) in
                if let k = dieAfterRenames, k == n { throw .io(path: staging, errno: EIO) }
            }
        } catch {
            // Left for the next run to replay, as a killed process would leave it.
            release()
            throw error
        }
        FileOps.removeTree(staging)
        release()
    }

    /// Abandons the transaction before its commit: nothing outside the staging folder changed.
    public func abort() {
        if !journalWritten { FileOps.removeTree(staging) }
        release()
    }

    private func release() {
        stagingLock?.release()
        stagingLock = nil
        dirLock?.release()
        dirLock = nil
    }

    deinit { release() }
}

extension DatasetTransaction.Step {
    var journalStep: CommitJournal.Step {
        switch self {
        case .rename(let f, let t): .rename(from: f, to: t)
        case .delete(let p): .delete(p)
        case .removeDirectoryIfEmpty(let p): .removeDirectoryIfEmpty(p)
        case .syncDirectory(let p): .syncDirectory(p)
        case .syncFilesystem(let p): .syncFilesystem(p)
        }
    }
}

/// The file operations of the commit protocol, for the lifecycle verbs (each failure is a
/// `WaybillError` naming the path).
public enum DatasetFiles {
    public static func exists(_ path: String) -> Bool { FileOps.exists(path) }
    public static func isDirectory(_ path: String) -> Bool { FileOps.isDirectory(path) }
    public static func list(_ path: String) -> [String] { FileOps.list(path) }
    public static func makeDirectories(_ path: String) throws(WaybillError) { try FileOps.makeDirectories(path) }
    public static func removeTree(_ path: String) { FileOps.removeTree(path) }
    public static func writeFile(_ path: String, _ bytes: [UInt8]) throws(WaybillError) { try FileOps.writeFile(path, bytes) }
    public static func readFile(_ path: String) -> [UInt8]? { FileOps.readFile(path) }
    public static func dirname(_ path: String) -> String { FileOps.dirname(path) }
    public static func basename(_ path: String) -> String { FileOps.basename(path) }
    /// CRC-32 (zlib) as 8 lowercase hex digits, and the size.
    public static func crc32(of path: String) throws(WaybillError) -> (crc32: String, bytes: Int) {
        let r = try FileOps.crc32(of: path)
        return (DatasetManifest.crcText(r.crc), r.size)
    }
    /// The `.parquet` files under a dataset folder (skipping `_`/`.` names, as readers do).
    public static func dataFiles(under root: String) -> [String] { DatasetCommitter.dataFiles(under: root) }
    /// Whether a lock file is held by a live process (a staging folder's `lock`).
    public static func isLocked(_ path: String) throws(WaybillError) -> Bool {
        guard let l = try FileLock(path: path, wait: false) else { return true }
        l.release()
        return false
    }
    /// The current UTC time, ISO 8601 (manifests).
    public static func now() -> String { DatasetManifest.now() }
}
