#if canImport(Glibc)
import Glibc
#endif
import OrderModel

/// `waybill adopt`: moves the datasets of finished runs (each a staging output folder with
/// `orders/`, `order_lines/`, ... and their manifests) into an output folder in ONE
/// `DatasetTransaction`, under the output's dataset lock: every data file is renamed into
/// place, each dataset's manifest is merged (append: a file with the same name replaces the
/// old one, and a batch's earlier files it did not write again are removed, as a rerun of
/// `waybill write` with the same batch id does), and `_SUCCESS` is written last. A crash half
/// way is finished by the next writer, so readers never see part of a staged run.
///
/// This is how a distributed run commits: each task lands its shard in a folder of its own,
/// and only the driver, once every task succeeded, adopts the folders it chose.
public enum DatasetAdopter {
    public struct Result: Sendable, Equatable {
        /// Per dataset name: files, rows and bytes adopted.
        public var files: [String: Int] = [:]
        public var rows: [String: Int] = [:]
        public var bytes: [String: Int] = [:]
        /// Files of OUT that the adopted ones replaced or superseded (same name or same batch).
        public var replaced = 0
    }

    /// One dataset of one staged folder, checked.
    struct Staged {
        var folder: String
        var root: String
        var manifest: DatasetManifest
    }

    /// Adopts `staged` into `out`. `name` names the transaction (a valid batch id);
    /// `dieAfterRenames` (tests) stops the commit as if killed after that many renames.
    public static func adopt(into out: String, staged: [String], name: String, dieAfterRenames: Int? = nil)
        throws(WaybillError) -> Result
    {
        guard !staged.isEmpty else { throw .usage("adopt: name at least one staged output folder") }
        var byDataset: [String: [Staged]] = [:]
        for folder in staged {
            let found = try datasets(in: folder)
            for s in found { byDataset[s.manifest.dataset, default: []].append(s) }
        }
        try checkSameFilesystem(staged, out)
        try DatasetFiles.makeDirectories(out)
        let txn = try DatasetTransaction(directory: out, name: name)
        do {
            let (steps, result) = try plan(byDataset, out: out, txn: txn, name: name)
            try txn.commit(steps, dieAfterRenames: dieAfterRenames)
            return result
        } catch {
            txn.abort()
            throw error
        }
    }

    /// The datasets of a staged folder: every subfolder with a manifest and `_SUCCESS` (a
    /// finished commit), each listed file present with its size. Anything else is refused.
    static func datasets(in folder: String) throws(WaybillError) -> [Staged] {
        guard DatasetFiles.isDirectory(folder) else { throw .inputNotFound(path: folder, reason: "no such staged folder") }
        if let dead = DatasetFiles.list(folder).first(where: { $0.hasPrefix(DatasetCommitter.stagingPrefix) }) {
            throw .data("\(folder)/\(dead): the staged run did not finish its commit; rerun it, do not adopt it")
        }
        var out: [Staged] = []
        for entry in DatasetFiles.list(folder).sorted() where !entry.hasPrefix(".") && !entry.hasPrefix("_") {
            let root = folder + "/" + entry
            guard let m = try DatasetManifest.read(root + "/" + DatasetManifest.fileName) else { continue }
            guard DatasetFiles.exists(root + "/" + DatasetManifest.successFileName) else {
                throw .data("\(root): no \(DatasetManifest.successFileName): the staged run did not finish")
            }
            guard m.dataset == entry else { throw .data("\(root): its manifest is for dataset '\(m.dataset)'") }
            out.append(Staged(folder: folder, root: root, manifest: m))
        }
        guard !out.isEmpty else {
            throw .data("\(folder): no dataset with a manifest (is it the output folder of a finished waybill run?)")
        }
        return out
    }

    /// Renames need one filesystem; say so before anything moves rather than fail half way.
    static func checkSameFilesystem(_ staged: [String], _ out: String) throws(WaybillError) {
        func device(_ path: String) -> UInt64? {
            var p = path
            var st = stat()
            while stat(p, &st) != 0 {
                let parent = DatasetFiles.dirname(p)
                if parent == p { return nil }
                p = parent
            }
            return UInt64(st.st_dev)
        }
        let target = device(out)
        for s in staged where device(s) != target {
            throw .usage("adopt: \(s) and \(out) are on different filesystems; staging must be on the output's "
                + "filesystem (the commit renames files)")
        }
    }

    private static func keys(_ m: DatasetManifest) -> String { m.partitionKeys.map(\.spec).joined(separator: ",") }

    /// The transaction's steps: data renames and deletes, one syncfs, then per dataset the
    /// merged manifest and `_SUCCESS`, then directory syncs.
    static func plan(_ byDataset: [String: [Staged]], out: String, txn: DatasetTransaction, name: String)
        throws(WaybillError) -> ([DatasetTransaction.Step], Result)
    {
        var data: [DatasetTransaction.Step] = [], markers: [DatasetTransaction.Step] = []
        var result = Result()
        let now = DatasetFiles.now()
        for (dataset, parts) in byDataset.sorted(by: { $0.key < $1.key }) {
            let root = out + "/" + dataset
            let old = try DatasetManifest.read(root + "/" + DatasetManifest.fileName)
            let first = parts[0].manifest
            for p in parts + (old.map { [Staged(folder: out, root: root, manifest: $0)] } ?? []) {
                if p.manifest.schemaVersion != first.schemaVersion {
                    throw .usage("adopt: \(p.root) has schema version \(p.manifest.schemaVersion), "
                        + "\(parts[0].root) has \(first.schemaVersion); datasets of different schema versions do not mix")
                }
                if keys(p.manifest) != keys(first) {
                    throw .usage("adopt: \(p.root) is partitioned by [\(keys(p.manifest))], \(parts[0].root) by "
                        + "[\(keys(first))]; a dataset has one partitioning")
                }
            }
            var incoming: [String: DatasetManifest.File] = [:]
            for p in parts {
                for f in p.manifest.files {
                    if incoming[f.path] != nil {
                        throw .usage("adopt: \(dataset)/\(f.path) is in two staged folders (two attempts of one shard?); "
                            + "adopt one of them")
                    }
                    let src = p.root + "/" + f.path, dst = root + "/" + f.path
                    // A rerun of an adopt that died after this rename finds the file in place.
                    let size = DatasetFiles.exists(src) ? fileSize(src) : fileSize(dst)
                    guard size == f.bytes else {
                        throw .data("adopt: \(src): missing or not \(f.bytes) bytes as its manifest says")
                    }
                    incoming[f.path] = f
                    data.append(.rename(from: src, to: dst))
                    result.files[dataset, default: 0] += 1
                    result.rows[dataset, default: 0] += f.rows
                    result.bytes[dataset, default: 0] += f.bytes
                }
            }
            // The batches adopted replace their own earlier files, like a rerun of `write`.
            let batches = Set(incoming.values.map(\.batchId))
            var kept: [DatasetManifest.File] = []
            for f in old?.files ?? [] {
                if incoming[f.path] != nil {
                    result.replaced += 1
                } else if batches.contains(f.batchId) {
                    result.replaced += 1
                    data.append(.delete(root + "/" + f.path))
                } else {
                    kept.append(f)
                }
            }
            var m = old ?? first
            m.files = (kept + incoming.values).sorted { $0.path < $1.path }
            m.batchId = name  // the manifest names its last commit; each file keeps its own batch
            m.committedAt = now
            data.insert(.delete(root + "/" + DatasetManifest.successFileName), at: 0)
            let base = txn.staging + "/" + dataset + "."
            try DatasetFiles.writeFile(base + DatasetManifest.fileName, m.encoded())
            try DatasetFiles.writeFile(base + DatasetManifest.successFileName, [])
            markers += [.rename(from: base + DatasetManifest.fileName, to: root + "/" + DatasetManifest.fileName),
                .rename(from: base + DatasetManifest.successFileName, to: root + "/" + DatasetManifest.successFileName),
                .syncDirectory(root)]
        }
        // One syncfs makes the renames durable before any manifest can point at them.
        return (data + [.syncFilesystem(out)] + markers + [.syncDirectory(out)], result)
    }

    private static func fileSize(_ path: String) -> Int? { FileOps.fileSize(path) }
}
