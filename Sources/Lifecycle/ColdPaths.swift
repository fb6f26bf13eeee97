#if canImport(Glibc)
import Glibc
#endif
import Datasets
import OrderModel

/// Checks the paths a cold manifest names before `restore` reads or renames anything by them.
/// The manifest is a file on the cold side, possibly edited or planted: an entry whose
/// partition, file, archive or member is absolute, climbs with `..`, or passes through a
/// symbolic link could make restore read or write outside the cold folder and the dataset.
/// Restore refuses the whole manifest then (exit 65), before any file is touched.
enum ColdPaths {
    /// A relative path of ordinary components: not empty, not absolute, no empty, `.` or `..`
    /// component, no NUL or other control character, at most 4096 bytes.
    static func isPlainRelative(_ path: String) -> Bool {
        if path.isEmpty || path.utf8.count > 4096 || path.hasPrefix("/") { return false }
        if path.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { $0 != "" && $0 != "." && $0 != ".." }
    }

    /// Every entry of `manifest`, or an error naming the first unsafe one: the dataset is a
    /// known one, the partition a Hive folder path, the file inside that partition folder,
    /// the archive (with `--pack tar`) a plain relative path.
    static func check(_ manifest: ColdManifest, path: String) throws(WaybillError) {
        let datasets = Set(DatasetKind.allCases.map(\.name))
        for (i, e) in manifest.entries.enumerated() {
            func refuse(_ why: String) -> WaybillError {
                .data("\(path): entry \(i) (\(e.dataset) \(e.partition)): \(why); restore refused, nothing was changed")
            }
            guard datasets.contains(e.dataset) else { throw refuse("unknown dataset '\(e.dataset)'") }
            guard isPlainRelative(e.partition), HivePath.parse(relativeDirectory: e.partition) != nil else {
                throw refuse("partition '\(e.partition)' is not a relative Hive partition path")
            }
            guard isPlainRelative(e.file.path), e.file.path.hasPrefix(e.partition + "/"),
                !e.file.path.dropFirst(e.partition.utf8.count + 1).contains("/")
            else { throw refuse("file '\(e.file.path)' is not a file directly inside its partition folder") }
            if let a = e.archive, !isPlainRelative(a) { throw refuse("archive '\(a)' is not a plain relative path") }
            if let m = e.member, m.isEmpty || m.utf8.contains(0) { throw refuse("archive member name is empty or holds NUL") }
        }
    }

    /// Fails when any existing component of `base/relative` below `base` is a symbolic link
    /// (a planted link would carry a read or a rename somewhere else); missing ones are fine.
    static func checkNoLinks(base: String, relative: String) throws(WaybillError) {
        var path = base
        for part in relative.split(separator: "/") {
            path += "/" + part
            var st = stat()
            if lstat(path, &st) != 0 { return }
            if (st.st_mode & S_IFMT) == S_IFLNK {
                throw .data("\(path): is a symbolic link; restore does not follow links (nothing was changed)")
            }
        }
    }
}
