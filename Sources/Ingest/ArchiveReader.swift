#if canImport(Glibc)
import Glibc
#endif
internal import CArchive
import OrderModel

/// Reads one input through libarchive: a plain file, a compressed single file (.gz, .zst,
/// .bz2, .xz: the "raw" format behind a filter) or an archive of several members (.tar,
/// .tar.gz, .zip, ...). The kind is detected from the content, not the file name.
///
/// Members come in archive order; directories, symbolic links, devices and other non-regular
/// entries are skipped (never followed). Owns the libarchive handle; closing happens in deinit.
final class ArchiveReader {
    private let handle: OpaquePointer
    let path: String
    private var fdToClose: Int32 = -1
    /// Whether the current entry is a member of a real archive (false for a plain or
    /// compressed single file, whose "member" is the file itself).
    private(set) var isArchive = false
    private var started = false

    /// Opens `input` (`-` is stdin). Throws inputNotFound when it cannot be opened.
    /// With `fd`, reads that open descriptor (not closed here) instead of the input's path.
    init(input: InputSpec, blockSize: Int = 1 << 20, fd givenFD: Int32? = nil) throws(WaybillError) {
        path = input.path
        guard let a = archive_read_new() else { throw WaybillError.io(path: input.path, errno: ENOMEM) }
        handle = a
        archive_read_support_filter_all(a)
        // Every archive format except mtree: archive_read_support_format_all would also enable
        // mtree, whose detector takes small text files with name-like first lines (a CSV
        // header, say) for file-system descriptions. "empty" makes zero bytes (an empty file
        // or an empty pipe) an input with no members rather than an unknown format. Raw comes
        // last, for plain and single compressed files.
        archive_read_support_format_tar(a)
        archive_read_support_format_zip(a)
        archive_read_support_format_7zip(a)
        archive_read_support_format_cpio(a)
        archive_read_support_format_ar(a)
        archive_read_support_format_iso9660(a)
        archive_read_support_format_xar(a)
        archive_read_support_format_cab(a)
        archive_read_support_format_lha(a)
        archive_read_support_format_rar(a)
        archive_read_support_format_rar5(a)
        archive_read_support_format_warc(a)
        archive_read_support_format_empty(a)
        archive_read_support_format_raw(a)
        let rc: Int32
        if let givenFD {
            rc = archive_read_open_fd(a, givenFD, blockSize)
        } else if input.isStdin {
            rc = archive_read_open_fd(a, 0, blockSize)
        } else {
            let fd = open(input.path, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                let e = errno
                // (deinit frees the handle: every stored property is set by now)
                throw WaybillError.inputNotFound(path: input.path, reason: String(cString: strerror(e)))
            }
            fdToClose = fd
            rc = archive_read_open_fd(a, fd, blockSize)
        }
        if rc != ARCHIVE_OK {
            let message = Self.errorString(a)
            throw WaybillError.inputNotFound(path: input.path, reason: message)
        }
    }

    deinit {
        archive_read_free(handle)
        if fdToClose >= 0 { close(fdToClose) }
    }

    /// The outcome of asking for the next member.
    enum Next {
        /// A regular member (name nil for a plain or single compressed file).
        case member(String?)
        case end
        /// The archive is corrupt or truncated here; no further members can be read.
        case corrupt(String)
    }

    /// Advances to the next regular member.
    func nextMember() -> Next {
        var entry: OpaquePointer?
        while true {
            let rc = archive_read_next_header(handle, &entry)
            if rc == ARCHIVE_EOF { return .end }
            if rc == ARCHIVE_FATAL || rc == ARCHIVE_RETRY { return .corrupt(Self.errorString(handle)) }
            // ARCHIVE_WARN still delivers a usable header.
            isArchive = archive_format(handle) != ARCHIVE_FORMAT_RAW
            guard let entry else { return .corrupt("no entry") }
            if !isArchive { return .member(nil) }
            // AE_IFREG (0o100000) is a cast macro Swift cannot import.
            if archive_entry_filetype(entry) != 0o100000 { continue }
            let name = archive_entry_pathname_utf8(entry).map { String(cString: $0) }
                ?? archive_entry_pathname(entry).map { String(cString: $0) } ?? "?"
            return .member(name)
        }
    }

    /// Reads up to `buffer.count` bytes of the current member. 0 means its end.
    /// Bytes taken from the input as stored (before decompression), for progress: comparable
    /// with the file's size even when it is compressed. Moves in steps of the block size.
    var rawBytesConsumed: Int { Int(archive_filter_bytes(handle, -1)) }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, ArchiveReadError> {
        let n = archive_read_data(handle, buffer.baseAddress, buffer.count)
        if n < 0 {
            return .failure(ArchiveReadError(message: Self.errorString(handle)))
        }
        return .success(n)
    }

    private static func errorString(_ a: OpaquePointer) -> String {
        if let s = archive_error_string(a) { return String(cString: s) }
        return "unknown libarchive error"
    }
}

/// A member (or plain file) could not be read to its end: truncated or corrupt.
struct ArchiveReadError: Error {
    var message: String
}
