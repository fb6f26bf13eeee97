#if canImport(Glibc)
import Glibc
#endif
import OrderModel

extension CommitJournal {
    /// Refuses a commit whose renames would pass through a symbolic link below `root` (a
    /// partition folder replaced by a link to elsewhere would carry the data files out of the
    /// output folder). Checked before the journal is saved, so a refused commit changes
    /// nothing and is not replayed. `root` itself may be a link: the user named it.
    func checkNoLinks(under root: String) throws(WaybillError) {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        var checked = Set<String>()
        for step in steps {
            guard case .rename(_, let to) = step, to.hasPrefix(prefix) else { continue }
            var path = String(prefix.dropLast())
            let parts = to.dropFirst(prefix.count).split(separator: "/").dropLast()
            for part in parts {
                path += "/" + part
                if !checked.insert(path).inserted { continue }
                var st = stat()
                if lstat(path, &st) != 0 { break }
                if (st.st_mode & S_IFMT) == S_IFLNK {
                    throw .cannotCreate(path: path + " (a symbolic link inside the output folder; waybill does not write through links)", errno: ELOOP)
                }
            }
        }
    }
}
