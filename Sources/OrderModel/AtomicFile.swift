#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file's contents atomically: write a hidden temporary beside it, fsync, rename,
/// fsync the directory. Readers see the old file or the new one, never a mix.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws(WaybillError) {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        // A leading dot and a non-.prom suffix: neither textfile collectors nor dataset readers pick it up.
        let tmp = (dir.isEmpty ? "" : dir + "/") + ".\(name).tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw WaybillError.cannotCreate(path: path, errno: errno) }
        do {
            try FD.writeAll(fd, bytes, path: path)
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
        if fsync(fd) != 0 {
            let e = errno
            close(fd)
            unlink(tmp)
            throw WaybillError.io(path: path, errno: e)
        }
        close(fd)
        if rename(tmp, path) != 0 {
            let e = errno
            unlink(tmp)
            throw WaybillError.cannotCreate(path: path, errno: e)
        }
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }
}
