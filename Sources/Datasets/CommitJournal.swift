import Foundation
import OrderModel

/// The steps of a commit, written (and fsynced) into the staging folder before the first
/// step runs. A run that dies during its commit leaves the journal behind; the next run on
/// the same output replays it to the end, so a commit is all-or-nothing from the point of
/// view of the next run, and readers never see staging or temporary files under a dataset.
/// Every step is idempotent: a rename whose source is gone has already happened.
struct CommitJournal: Codable, Equatable {
    enum Step: Codable, Equatable {
        case rename(from: String, to: String)
        case delete(String)
        case syncDirectory(String)
        case syncFilesystem(String)
        case removeDirectoryIfEmpty(String)
    }

    static let fileName = "commit-journal.json"

    var batchId: String
    var steps: [Step]
    /// The output folder the commit was into, resolved (`realpath`); every step's path below
    /// it starts with it, and the others are absolute (`anchored(out:)`). Nil in journals of
    /// older versions, which are replayed as they are.
    var root: String? = nil

    /// This journal for the commit into `out`: paths below `out` rebased onto its resolved
    /// path, the others made absolute, and `root` recorded. A journal whose paths stayed
    /// relative (`--out wh`) and was replayed by a run started elsewhere found none of its
    /// files, took every step as done and deleted the staged files: a half-done commit stayed
    /// half done.
    func anchored(out: String) -> CommitJournal {
        var cwd = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let base = getcwd(&cwd, cwd.count) != nil ? String(cString: cwd) : "/"
        func abs(_ p: String) -> String { p.hasPrefix("/") ? p : (base == "/" ? "" : base) + "/" + p }
        let root = FileOps.realPath(out) ?? abs(out)
        var j = mapped { Self.rebase($0, from: out, to: root) ?? abs($0) }
        j.root = root
        return j
    }

    /// This journal for the same output folder found at `here` (moved, copied, or reached by
    /// another path): the paths below `root` rebased onto `here`. The staging folder holding
    /// the journal moved with the folder, so the commit finishes where its files are.
    func rebased(to here: String) -> CommitJournal {
        guard let root, root != here else { return self }
        var j = mapped { Self.rebase($0, from: root, to: here) ?? $0 }
        j.root = here
        return j
    }

    /// `p` moved from below folder `from` to below `to` (`from` itself becomes `to`); nil when
    /// `p` is not below `from`.
    private static func rebase(_ p: String, from: String, to: String) -> String? {
        if p == from { return to }
        return p.hasPrefix(from + "/") ? to + p.dropFirst(from.count) : nil
    }

    private func mapped(_ f: (String) -> String) -> CommitJournal {
        var j = self
        j.steps = steps.map { step in
            switch step {
            case .rename(let from, let to): .rename(from: f(from), to: f(to))
            case .delete(let p): .delete(f(p))
            case .syncDirectory(let p): .syncDirectory(f(p))
            case .syncFilesystem(let p): .syncFilesystem(f(p))
            case .removeDirectoryIfEmpty(let p): .removeDirectoryIfEmpty(f(p))
            }
        }
        return j
    }

    func save(in staging: String) throws(WaybillError) {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let data = (try? enc.encode(self)) ?? Data()
        let tmp = staging + "/" + Self.fileName + ".tmp"
        try FileOps.writeFile(tmp, Array(data))
        try FileOps.rename(tmp, staging + "/" + Self.fileName)
        try FileOps.sync(staging)
    }

    /// The journal a dead run left in `staging`, nil when it left none. A journal that cannot
    /// be read is an error, not "none": the commit it describes may be half done, and deleting
    /// the staging folder would lose its files. (It is written to a temporary name and renamed,
    /// so a run dying while writing it leaves no such file.)
    static func load(from staging: String) throws(WaybillError) -> CommitJournal? {
        let path = staging + "/" + fileName
        guard let bytes = FileOps.readFile(path) else { return nil }
        do {
            return try JSONDecoder().decode(CommitJournal.self, from: Data(bytes))
        } catch {
            throw .data("\(path): the journal of a commit that did not finish cannot be read (\(error)); its steps "
                + "cannot be replayed. `waybill inspect` on the output tells what the datasets hold; remove \(staging) "
                + "to go on")
        }
    }

    /// Runs steps `from...`; calls `afterRename` with the count of renames done (test hook).
    func run(afterRename: (Int) throws(WaybillError) -> Void = { _ throws(WaybillError) in }) throws(WaybillError) {
        var renames = 0
        // Folders known to exist, so that a commit's renames into one partition folder check
        // and make it once. Forgotten at any step that may remove or move a folder.
        var folders = Set<String>()
        for step in steps {
            switch step {
            case .rename(let from, let to):
                var st = stat()
                if lstat(from, &st) == 0 {
                    if (st.st_mode & S_IFMT) == S_IFDIR { folders.removeAll() }
                    let folder = FileOps.dirname(to)
                    if !folders.contains(folder) {
                        try FileOps.makeDirectories(folder)
                        folders.insert(folder)
                    }
                    try FileOps.rename(from, to)
                }
                renames += 1
                try afterRename(renames)
            case .delete(let path):
                try FileOps.remove(path)
            case .syncDirectory(let path):
                if FileOps.isDirectory(path) { try FileOps.sync(path) }
            case .syncFilesystem(let path):
                try FileOps.syncFilesystem(path)
            case .removeDirectoryIfEmpty(let path):
                folders.removeAll()
                if FileOps.isDirectory(path) && FileOps.list(path).isEmpty { FileOps.removeTree(path) }
            }
        }
    }
}
