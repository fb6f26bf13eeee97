#if canImport(Glibc)
import Glibc
#endif
internal import CArchive
import OrderModel

/// Reads one input through libarchive: a plain file, a compressed single file (.gz, .zst,
/// .bz2, .xz: the "raw" format behind a filter) or an archive of several members (.tar,
/// .tar.gz, .zip, ...). The kind is detected from the content, not the file name.
///
/// Members come in archive order; directories, symbolic and hard links, devices, FIFOs and
/// other non-regular entries are skipped (never followed: nothing here touches the file
/// system by a member's name). Owns the libarchive handle; closing happens in deinit.
///
/// Enforces `InputLimits` on what it decompresses: a broken limit ends the input (the reader
/// must not skip ahead, which would decompress the rest anyway) and is kept in `breach`.
final class ArchiveReader {
    private let handle: OpaquePointer
    let path: String
    let limits: InputLimits
    private var fdToClose: Int32 = -1
    /// Entries seen (regular or not), data bytes of the current member and of all members.
    private var entries = 0
    private var memberBytes = 0
    private var dataBytes = 0
    private var memberName: String?
    /// The limit this input broke; nothing more is read after it.
    private(set) var breach: LimitBreach?
    /// Whether the current entry is a member of a real archive (false for a plain or
    /// compressed single file, whose "member" is the file itself).
    private(set) var isArchive = false
    private var started = false

    /// Opens `input` (`-` is stdin). Throws inputNotFound when it cannot be opened.
    /// With `fd`, reads that open descriptor (not closed here) instead of the input's path.
    init(input: InputSpec, blockSize: Int = 1 << 20, fd givenFD: Int32? = nil, limits: InputLimits = InputLimits())
        throws(WaybillError)
    {
        path = input.path
        self.limits = limits
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
        /// The input broke a limit (see `breach`); no further members are read.
        case limit(LimitBreach)
    }

    /// Advances to the next regular member.
    func nextMember() -> Next {
        if let breach { return .limit(breach) }
        var entry: OpaquePointer?
        while true {
            let rc = archive_read_next_header(handle, &entry)
            if rc == ARCHIVE_EOF { return .end }
            if rc == ARCHIVE_FATAL || rc == ARCHIVE_RETRY { return .corrupt(Self.errorString(handle)) }
            // ARCHIVE_WARN still delivers a usable header.
            isArchive = archive_format(handle) != ARCHIVE_FORMAT_RAW
            guard let entry else { return .corrupt("no entry") }
            memberBytes = 0
            memberName = nil
            if let b = checkTotals() { return .limit(b) }
            if !isArchive { return .member(nil) }
            entries += 1
            let name = Self.displayName(entry)
            if entries > limits.maxMembers {
                return .limit(broke("too_many_members", "max_members", limits.maxMembers, entries, member: name))
            }
            // Skipping an entry decompresses its data: a declared size past the limits is a bomb
            // whether or not the entry is a regular file.
            if archive_entry_size_is_set(entry) != 0 {
                let size = Int(archive_entry_size(entry))
                if size > limits.maxMemberBytes {
                    return .limit(broke("member_too_large", "max_member_bytes", limits.maxMemberBytes, size, member: name))
                }
            }
            // AE_IFREG (0o100000) is a cast macro Swift cannot import. A hard link has a regular
            // file type but names another entry (or a path on the writer's disk): never read.
            if archive_entry_filetype(entry) != 0o100000 || archive_entry_hardlink(entry) != nil { continue }
            let bytes = Self.rawPathname(entry).map { strlen($0) } ?? 0
            if bytes > limits.maxMemberNameBytes {
                return .limit(broke("member_name_too_long", "max_member_name_bytes", limits.maxMemberNameBytes, bytes, member: name))
            }
            memberName = name
            return .member(name)
        }
    }

    /// A member's path for lineage and messages: control characters shown as `\u{..}` escapes
    /// and at most 512 bytes (the full name is never used to open anything).
    static func displayName(_ entry: OpaquePointer) -> String {
        let raw = rawPathname(entry).map { String(cString: $0) } ?? "?"
        var out = ""
        for u in raw.unicodeScalars {
            if u.value < 0x20 || u.value == 0x7F {
                out += "\\u{\(String(u.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(u)
            }
            if out.utf8.count >= 512 {
                out += "..."
                break
            }
        }
        return out
    }

    /// The member's path as stored: UTF-8 when libarchive can convert it, else its raw bytes.
    private static func rawPathname(_ entry: OpaquePointer) -> UnsafePointer<CChar>? {
        archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry)
    }

    /// Records a broken limit and returns it.
    private func broke(_ code: String, _ limit: String, _ value: Int, _ observed: Int, member: String?) -> LimitBreach {
        let b = LimitBreach(code: code, file: path, member: member, limit: limit, value: value, observed: observed)
        breach = b
        return b
    }

    /// The input-wide limits: decompressed bytes (the filter chain's output, which counts what
    /// skipping entries decompressed too, or the members' data for zip's own compression) and
    /// their ratio to the bytes read from the input.
    private func checkTotals() -> LimitBreach? {
        let out = max(Int(archive_filter_bytes(handle, 0)), dataBytes)
        if out > limits.maxInputBytes {
            return broke("input_too_large", "max_input_bytes", limits.maxInputBytes, out, member: memberName)
        }
        if out >= limits.ratioGraceBytes {
            let raw = max(1, rawBytesConsumed)
            let ratio = out / raw
            if ratio > limits.maxCompressionRatio {
                return broke("compression_ratio", "max_compression_ratio", limits.maxCompressionRatio, ratio, member: memberName)
            }
        }
        return nil
    }

    /// After the first `nextMember()`: the input is a plain file, neither an archive nor
    /// compressed (its bytes are the member's bytes, so it can be read in chunks).
    var isPlainFile: Bool { !isArchive && archive_filter_count(handle) == 1 && archive_filter_code(handle, 0) == ARCHIVE_FILTER_NONE }

    /// Bytes taken from the input as stored (before decompression), for progress: comparable
    /// with the file's size even when it is compressed. Moves in steps of the block size.
    var rawBytesConsumed: Int { Int(archive_filter_bytes(handle, -1)) }

    /// Reads up to `buffer.count` bytes of the current member. 0 means its end.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, ArchiveReadError> {
        if let breach { return .failure(ArchiveReadError(message: breach.description, breach: breach)) }
        // Ask for no more than one byte past a size limit: everything up to the limit is
        // delivered (the breach is reported on the next call), the byte past it proves there
        // was more.
        let memberRoom = limits.maxMemberBytes - memberBytes, inputRoom = limits.maxInputBytes - dataBytes
        let room = max(0, min(memberRoom, inputRoom))
        let n = archive_read_data(handle, buffer.baseAddress, room < buffer.count ? room + 1 : buffer.count)
        if n < 0 {
            return .failure(ArchiveReadError(message: Self.errorString(handle)))
        }
        if n > room {
            let b = memberRoom <= inputRoom
                ? broke("member_too_large", "max_member_bytes", limits.maxMemberBytes, memberBytes + n, member: memberName)
                : broke("input_too_large", "max_input_bytes", limits.maxInputBytes, dataBytes + n, member: memberName)
            memberBytes += room
            dataBytes += room
            return room > 0 ? .success(room) : .failure(ArchiveReadError(message: b.description, breach: b))
        }
        memberBytes += n
        dataBytes += n
        if let b = checkTotals() { return .failure(ArchiveReadError(message: b.description, breach: b)) }
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
    /// Set when the read stopped at a limit rather than at damage.
    var breach: LimitBreach? = nil
}
