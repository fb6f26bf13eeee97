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

    func save(in staging: String) throws(WaybillError) {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let data = (try? enc.encode(self)) ?? Data()
        let tmp = staging + "/" + Self.fileName + ".tmp"
        try FileOps.writeFile(tmp, Array(data))
        try FileOps.rename(tmp, staging + "/" + Self.fileName)
        try FileOps.sync(staging)
    }

    static func load(from staging: String) -> CommitJournal? {
        guard let bytes = FileOps.readFile(staging + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(CommitJournal.self, from: Data(bytes))
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
