#if canImport(Glibc)
import Glibc
#endif
internal import CArchive
import Foundation
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
///
/// A compressed file's or an archive member's data is decompressed up to three blocks ahead
/// on a helper thread (`ReadAhead`), so that decompressing and parsing overlap: a `.gz` feed
/// was read by one thread doing both, at half the speed of the same feed uncompressed. The
/// unified NDJSON reader (`transact`, `fulfill`, `write`) reads ahead the same way.
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
    /// Decompresses ahead while a member that needs it is read; nil until the first one.
    private var readAhead: ReadAhead?
    /// 0 when reading ahead is off (asked for, or no thread could be started).
    private var readAheadBlockSize: Int
    /// Whether the current member is being read through `readAhead`.
    private var readingAhead = false
    /// The filter chain's output and input byte counts as of the data delivered so far (read
    /// ahead, libarchive's own counters are the helper thread's and run a few blocks ahead).
    private var filterOutBytes = 0
    private var filterInBytes = 0
    /// Why libarchive could not start on the opened file (a compressed stream cut short before
    /// its first block): the content is damaged, not missing, so the first `nextMember` says
    /// so (an `archive_corrupt` reject) instead of the open failing as "input not found".
    private var openFailure: String?

    /// Opens `input` (`-` is stdin). Throws inputNotFound when it cannot be opened.
    /// With `fd`, reads that open descriptor (not closed here) instead of the input's path.
    /// `readAheadBlockSize`: the blocks decompressed ahead (three are kept), best the size the
    /// parser asks for; 0: no read-ahead (one thread does everything).
    init(input: InputSpec, blockSize: Int = 1 << 20, readAheadBlockSize: Int = 1 << 20, fd givenFD: Int32? = nil,
         limits: InputLimits = InputLimits()) throws(WaybillError)
    {
        path = input.path
        self.limits = limits
        self.readAheadBlockSize = max(0, readAheadBlockSize)
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
        if rc != ARCHIVE_OK { openFailure = Self.errorString(a) }
    }

    deinit {
        readAhead?.shutDown()
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
        if let openFailure { return .corrupt(openFailure) }
        if readingAhead {
            readAhead!.stop()
            readingAhead = false
        }
        var entry: OpaquePointer?
        while true {
            let rc = archive_read_next_header(handle, &entry)
            (filterOutBytes, filterInBytes) = Self.filterBytes(handle)
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
        let out = max(filterOutBytes, dataBytes)
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
    var rawBytesConsumed: Int { filterInBytes }

    /// Reads up to `buffer.count` bytes of the current member. 0 means its end.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, ArchiveReadError> {
        if let breach { return .failure(ArchiveReadError(message: breach.description, breach: breach)) }
        // Ask for no more than one byte past a size limit: everything up to the limit is
        // delivered (the breach is reported on the next call), the byte past it proves there
        // was more.
        let memberRoom = limits.maxMemberBytes - memberBytes, inputRoom = limits.maxInputBytes - dataBytes
        let room = max(0, min(memberRoom, inputRoom))
        let want = room < buffer.count ? room + 1 : buffer.count
        let n: Int
        if !readingAhead && readAheadBlockSize > 0 && !isPlainFile {
            if readAhead == nil { readAhead = ReadAhead(handle: handle, blockSize: readAheadBlockSize) }
            readingAhead = readAhead!.start()
            if !readingAhead { readAheadBlockSize = 0 }  // no thread: every read on this one
        }
        if readingAhead {
            switch readAhead!.take(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want])) {
            case .data(let k, let outBytes, let inBytes):
                n = k
                filterOutBytes = outBytes
                filterInBytes = inBytes
            case .failure(let message):
                return .failure(ArchiveReadError(message: message))
            }
        } else {
            n = archive_read_data(handle, buffer.baseAddress, want)
            if n < 0 {
                return .failure(ArchiveReadError(message: Self.errorString(handle)))
            }
            (filterOutBytes, filterInBytes) = Self.filterBytes(handle)
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

    fileprivate static func errorString(_ a: OpaquePointer) -> String {
        if let s = archive_error_string(a) { return String(cString: s) }
        return "unknown libarchive error"
    }

    /// The filter chain's output (decompressed) and input (as stored) byte counts.
    fileprivate static func filterBytes(_ a: OpaquePointer) -> (out: Int, in: Int) {
        (Int(archive_filter_bytes(a, 0)), Int(archive_filter_bytes(a, -1)))
    }
}

/// A member (or plain file) could not be read to its end: truncated or corrupt.
struct ArchiveReadError: Error {
    var message: String
    /// Set when the read stopped at a limit rather than at damage.
    var breach: LimitBreach? = nil
}

/// Reads the current member's data on a helper thread, a few blocks ahead of the reader.
/// Only one thread touches the libarchive handle at a time: the helper between `start()` and
/// `stop()` (or the member's end), the owner otherwise.
private final class ReadAhead {
    enum Taken {
        /// Bytes copied (0: the member's end) and the filter counters after the block they came from.
        case data(Int, outBytes: Int, inBytes: Int)
        case failure(String)
    }

    /// One block as decompressed: its bytes, how many (0: the end, -1: an error) and the counters.
    private struct Block {
        var bytes: [UInt8]
        var count = 0
        var outBytes = 0
        var inBytes = 0
        var error = ""
    }

    static let blocks = 3

    private nonisolated(unsafe) let handle: OpaquePointer
    private let sync = NSCondition()
    // Under `sync`:
    private var free: [Block] = []
    private var ready: [Block] = []
    /// The helper may read (a member is being read and has not ended).
    private var active = false
    /// The helper is inside `archive_read_data`.
    private var busy = false
    private var quit = false
    private var thread: pthread_t?
    // The owner's alone:
    private var current: Block?
    private var position = 0

    init(handle: OpaquePointer, blockSize: Int) {
        self.handle = handle
        free = (0..<Self.blocks).map { _ in Block(bytes: [UInt8](repeating: 0, count: blockSize)) }
    }

    /// Lets the helper read the current member (starting the thread the first time); false
    /// when no thread could be started (then the owner reads on its own thread).
    func start() -> Bool {
        sync.lock()
        defer { sync.unlock() }
        active = true
        if thread == nil {
            let box = Unmanaged.passRetained(self)
            var t = pthread_t()
            if pthread_create(&t, nil, { arg in
                let me = Unmanaged<ReadAhead>.fromOpaque(arg!)
                me.takeUnretainedValue().work()
                me.release()
                return nil
            }, box.toOpaque()) == 0 {
                thread = t
            } else {
                box.release()
                active = false
                return false
            }
        }
        sync.broadcast()
        return true
    }

    /// Stops reading ahead and drops what was read: the owner is moving to another member.
    func stop() {
        sync.lock()
        active = false
        while busy { sync.wait() }
        free += ready
        ready = []
        if let c = current { free.append(c) }
        current = nil
        position = 0
        sync.unlock()
    }

    /// Ends the thread (before the handle is freed).
    func shutDown() {
        sync.lock()
        quit = true
        active = false
        sync.broadcast()
        let t = thread
        sync.unlock()
        if let t { pthread_join(t, nil) }
    }

    /// Copies the next bytes of the member into `out`.
    func take(into out: UnsafeMutableRawBufferPointer) -> Taken {
        if current == nil {
            sync.lock()
            while ready.isEmpty { sync.wait() }
            current = ready.removeFirst()
            sync.unlock()
            position = 0
        }
        let block = current!
        if block.count < 0 { return .failure(block.error) }
        if block.count == 0 { return .data(0, outBytes: block.outBytes, inBytes: block.inBytes) }
        let k = min(out.count, block.count - position)
        block.bytes.withUnsafeBytes { src in
            out.baseAddress!.copyMemory(from: src.baseAddress! + position, byteCount: k)
        }
        position += k
        if position == block.count {
            sync.lock()
            free.append(block)
            sync.broadcast()
            sync.unlock()
            current = nil
        }
        return .data(k, outBytes: block.outBytes, inBytes: block.inBytes)
    }

    private func work() {
        sync.lock()
        while true {
            while !quit && (!active || free.isEmpty) { sync.wait() }
            if quit { break }
            var block = free.removeLast()
            busy = true
            sync.unlock()
            let n = block.bytes.withUnsafeMutableBytes { archive_read_data(handle, $0.baseAddress, $0.count) }
            block.count = n < 0 ? -1 : n
            block.error = n < 0 ? ArchiveReader.errorString(handle) : ""
            (block.outBytes, block.inBytes) = ArchiveReader.filterBytes(handle)
            sync.lock()
            busy = false
            ready.append(block)
            // The member's end or an error: nothing more to read until the owner moves on.
            if n <= 0 { active = false }
            sync.broadcast()
        }
        sync.unlock()
    }
}
