#if canImport(Glibc)
import Glibc
#endif
internal import CArchive
import Datasets
import OrderModel

/// Packs cold files into tar archives and reads members back, through libarchive (POSIX pax
/// format, regular files only). One archive per partition keeps a restore of one partition
/// from touching the others.
enum TarPack {
    /// AE_IFREG, a cast macro Swift cannot import.
    static let regularFile: UInt32 = 0o100000

    /// Writes `members` (name in the archive, file on disk) into `archive` and fsyncs it.
    static func write(archive: String, members: [(name: String, path: String)]) throws(WaybillError) {
        guard let a = archive_write_new() else { throw .io(path: archive, errno: ENOMEM) }
        defer { archive_write_free(a) }
        archive_write_set_format_pax_restricted(a)
        let fd = open(archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotCreate(path: archive, errno: errno) }
        defer { close(fd) }
        guard archive_write_open_fd(a, fd) == ARCHIVE_OK else { throw failure(a, archive) }
        for m in members {
            guard let bytes = DatasetFiles.readFile(m.path) else { throw .io(path: m.path, errno: errno) }
            guard let e = archive_entry_new() else { throw .io(path: archive, errno: ENOMEM) }
            defer { archive_entry_free(e) }
            archive_entry_set_pathname(e, m.name)
            archive_entry_set_size(e, la_int64_t(bytes.count))
            archive_entry_set_filetype(e, regularFile)
            archive_entry_set_perm(e, 0o644)
            archive_entry_set_mtime(e, time(nil), 0)
            guard archive_write_header(a, e) == ARCHIVE_OK else { throw failure(a, archive) }
            let n = bytes.withUnsafeBytes { archive_write_data(a, $0.baseAddress, $0.count) }
            guard n == bytes.count else { throw failure(a, archive) }
        }
        guard archive_write_close(a) == ARCHIVE_OK else { throw failure(a, archive) }
        if fsync(fd) != 0 { throw .io(path: archive, errno: errno) }
    }

    /// The bytes of member `name`, which must be a regular file of at most `maxBytes`.
    static func read(archive: String, member name: String, maxBytes: Int) throws(WaybillError) -> [UInt8] {
        guard let a = archive_read_new() else { throw .io(path: archive, errno: ENOMEM) }
        defer { archive_read_free(a) }
        archive_read_support_format_tar(a)
        guard archive_read_open_filename(a, archive, 1 << 20) == ARCHIVE_OK else {
            throw .inputNotFound(path: archive, reason: String(cString: archive_error_string(a)))
        }
        var entry: OpaquePointer?
        while true {
            let rc = archive_read_next_header(a, &entry)
            if rc == ARCHIVE_EOF { break }
            guard rc == ARCHIVE_OK, let e = entry else { throw failure(a, archive) }
            guard let p = archive_entry_pathname(e), String(cString: p) == name else { continue }
            // A hard link is typed regular but names another entry or a file on the packer's disk.
            guard archive_entry_filetype(e) == regularFile, archive_entry_hardlink(e) == nil else {
                throw .data("\(archive): member \(name) is not a regular file")
            }
            let size = Int(archive_entry_size(e))
            guard size >= 0, size <= maxBytes else { throw .data("\(archive): member \(name) has \(size) bytes, expected at most \(maxBytes)") }
            var out = [UInt8](repeating: 0, count: size)
            var off = 0
            while off < size {
                let n = out.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress! + off, size - off) }
                guard n > 0 else { throw failure(a, archive) }
                off += n
            }
            return out
        }
        throw .data("\(archive): no member \(name)")
    }

    private static func failure(_ a: OpaquePointer, _ path: String) -> WaybillError {
        let m = archive_error_string(a).map { String(cString: $0) } ?? "libarchive error"
        return .io(path: "\(path): \(m)", errno: EIO)
    }
}
