#if canImport(Glibc)
import Glibc
#endif
import CCodecs
import OrderModel

/// The POSIX calls of the commit protocol, each turning a failure into a `WaybillError`
/// that names the path (exit 73 for what we cannot create, 74 for other I/O errors).
enum FileOps {
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func fileSize(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    /// Creates `path` and any missing parents; returns the directories it created, outermost
    /// first, so their parents can be fsynced.
    @discardableResult
    static func makeDirectories(_ path: String) throws(WaybillError) -> [String] {
        if isDirectory(path) { return [] }
        var created: [String] = []
        let parent = dirname(path)
        if parent != path && !parent.isEmpty { created = try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw .cannotCreate(path: path, errno: errno)
        }
        created.append(path)
        return created
    }

    static func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func basename(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// fsync of a file or directory, so a rename or a new entry survives a power cut.
    static func sync(_ path: String) throws(WaybillError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .io(path: path, errno: errno) }
        defer { close(fd) }
        if fsync(fd) != 0 && errno != EINVAL { throw .io(path: path, errno: errno) }
    }

    /// Flushes every dirty file and directory of the filesystem holding `path` (syncfs(2)):
    /// one call where a commit of thousands of partitions would otherwise need thousands of
    /// fsyncs, each waiting for its own journal commit (measured: ~8 ms each here).
    static func syncFilesystem(_ path: String) throws(WaybillError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .io(path: path, errno: errno) }
        defer { close(fd) }
        if waybill_syncfs(fd) != 0 { throw .io(path: path, errno: errno) }
    }

    /// `path` with links and `.`/`..` resolved (realpath(3)); nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    static func rename(_ from: String, _ to: String) throws(WaybillError) {
        if Glibc.rename(from, to) != 0 { throw .io(path: to, errno: errno) }
    }

    static func remove(_ path: String) throws(WaybillError) {
        if unlink(path) != 0 && errno != ENOENT { throw .io(path: path, errno: errno) }
    }

    /// Names in a directory, without `.` and `..` (empty when it does not exist).
    static func list(_ path: String) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Removes a directory tree (no symlink following).
    static func removeTree(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for name in list(path) { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// Writes `bytes` to a new file at `path`, fsyncs it and closes it.
    static func writeFile(_ path: String, _ bytes: [UInt8]) throws(WaybillError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw .cannotCreate(path: path, errno: errno) }
        defer { close(fd) }
        try FD.writeAll(fd, bytes, path: path)
        if fsync(fd) != 0 { throw .io(path: path, errno: errno) }
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// CRC-32 (zlib) of a file's bytes and its size, streamed in 1 MiB reads.
    static func crc32(of path: String) throws(WaybillError) -> (crc: UInt32, size: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw .io(path: path, errno: errno) }
        defer { close(fd) }
        var crc: UInt32 = 0
        var size = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, errno: errno)
            }
            if n == 0 { break }
            crc = chunk.withUnsafeBytes { wb_crc32(crc, $0.baseAddress, n) }
            size += n
        }
        return (crc, size)
    }
}

/// An exclusive advisory lock on a file (flock), released when the process dies, which is
/// how a later run tells a dead run's staging folder from a live one.
final class FileLock {
    private var fd: Int32
    let path: String

    /// Takes the lock, waiting when `wait`, else returns nil when another process holds it.
    init?(path: String, wait: Bool) throws(WaybillError) {
        self.path = path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw .cannotCreate(path: path, errno: errno) }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if errno == EINTR { continue }
            close(fd)
            fd = -1
            return nil
        }
    }

    func release() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}

/// zlib CRC-32 of a buffer.
func wbCRC32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    wb_crc32(0, bytes.baseAddress, bytes.count)
}

/// glibc's syncfs(2), which the Swift Glibc module does not import (it sits behind
/// _GNU_SOURCE); a plain `int (int)` C function, so binding the symbol directly is safe.
@_silgen_name("syncfs")
private func waybill_syncfs(_ fd: Int32) -> Int32

/// glibc's sync_file_range(2), behind _GNU_SOURCE as syncfs is; `int (int, off64_t, off64_t,
/// unsigned int)`, all plain C types.
@_silgen_name("sync_file_range")
private func waybill_sync_file_range(_ fd: Int32, _ offset: Int64, _ nbytes: Int64, _ flags: UInt32) -> Int32

extension FileOps {
    /// Starts writing a file's dirty pages back to disk without waiting for them
    /// (SYNC_FILE_RANGE_WRITE, 2 in the Linux ABI). Advisory: durability still comes from a
    /// later fsync or syncfs.
    static func startWriteback(_ fd: Int32) {
        _ = waybill_sync_file_range(fd, 0, 0, 2)
    }
}
