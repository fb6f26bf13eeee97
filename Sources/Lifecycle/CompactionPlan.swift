import Datasets
import OrderModel

/// The commit of a compaction: new partition files in, replaced files out (to the history, or
/// deleted when an earlier compaction wrote them), then the manifests of the datasets and of
/// their histories, and `_SUCCESS`, all in one journaled transaction.
struct CommitPlan {
    let txn: DatasetTransaction
    let batchId: String
    private var steps: [DatasetTransaction.Step] = []
    private var removed: [DatasetKind: Set<String>] = [:]
    private var added: [DatasetKind: [DatasetManifest.File]] = [:]
    private var history: [DatasetKind: [DatasetManifest.File]] = [:]
    private var emptied: Set<String> = []
    private(set) var toHistory: [String] = []
    private(set) var deleted: [String] = []

    init(txn: DatasetTransaction, batchId: String) {
        self.txn = txn
        self.batchId = batchId
    }

    private func root(_ d: DatasetKind) -> String { txn.directory + "/" + d.name }
    private func historyRoot(_ d: DatasetKind) -> String { txn.directory + "/" + Compactor.historyFolder + "/" + d.name }

    mutating func replace(_ d: DatasetKind, partition: DatasetPartition, with new: StagedDataFile?) {
        if let new {
            steps.append(.rename(from: new.staged, to: root(d) + "/" + new.entry.path))
            added[d, default: []].append(new.entry)
        }
        for f in partition.files {
            removed[d, default: []].insert(f.path)
            if f.batchId.hasPrefix("compact-") {
                steps.append(.delete(root(d) + "/" + f.path))
                deleted.append(d.name + "/" + f.path)
            } else {
                steps.append(.rename(from: root(d) + "/" + f.path, to: historyRoot(d) + "/" + f.path))
                history[d, default: []].append(f)
                toHistory.append(d.name + "/" + f.path)
            }
        }
        if new == nil {
            var p = partition.directory
            while !p.isEmpty && p != "." {
                emptied.insert(root(d) + "/" + p)
                p = DatasetFiles.dirname(p) == "." ? "" : DatasetFiles.dirname(p)
            }
        }
    }

    func commit(orders: DatasetManifest, lines: DatasetManifest?, dieAfterRenames: Int?) throws(WaybillError) {
        let manifests: [(DatasetKind, DatasetManifest)] = [(.orders, orders)] + (lines.map { [(.orderLines, $0)] } ?? [])
        var all: [DatasetTransaction.Step] = manifests.map { .delete(root($0.0) + "/" + DatasetManifest.successFileName) }
        all += steps
        for d in emptied.sorted(by: { $0.count > $1.count }) { all.append(.removeDirectoryIfEmpty(d)) }
        all.append(.syncFilesystem(txn.directory))
        let now = DatasetFiles.now()
        var markers: [DatasetTransaction.Step] = []
        for (d, old) in manifests {
            // The history first: once the dataset's manifest moves, its replaced files must be findable.
            if let moved = history[d] {
                let hpath = historyRoot(d) + "/" + DatasetManifest.fileName
                var h = old
                if let existing = try DatasetManifest.read(hpath) { h = existing } else { h.files = [] }
                let paths = Set(moved.map(\.path))
                h.files = (h.files.filter { !paths.contains($0.path) } + moved).sorted { $0.path < $1.path }
                h.batchId = batchId
                h.committedAt = now
                markers += try stage(h, d, prefix: "history.", to: historyRoot(d))
            }
            var m = old
            let gone = removed[d] ?? []
            m.files = (old.files.filter { !gone.contains($0.path) } + (added[d] ?? [])).sorted { $0.path < $1.path }
            m.batchId = batchId
            m.committedAt = now
            markers += try stage(m, d, prefix: "", to: root(d))
        }
        all += markers
        for (d, _) in manifests { all.append(.syncDirectory(root(d))) }
        all.append(.syncDirectory(txn.directory))
        try txn.commit(all, dieAfterRenames: dieAfterRenames)
    }

    /// Stages a manifest and an empty `_SUCCESS`; returns the renames that publish them.
    private func stage(_ m: DatasetManifest, _ d: DatasetKind, prefix: String, to root: String) throws(WaybillError) -> [DatasetTransaction.Step] {
        let base = txn.staging + "/" + prefix + d.name + "."
        try DatasetFiles.writeFile(base + DatasetManifest.fileName, m.encoded())
        try DatasetFiles.writeFile(base + DatasetManifest.successFileName, [])
        return [.rename(from: base + DatasetManifest.fileName, to: root + "/" + DatasetManifest.fileName),
            .rename(from: base + DatasetManifest.successFileName, to: root + "/" + DatasetManifest.successFileName)]
    }
}
