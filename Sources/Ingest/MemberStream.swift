import Glibc
import OrderModel

/// The bytes of one member (or plain file), read in large chunks, with the text encoding the
/// profile declares turned into UTF-8 on the way. Readers pull from it; it counts bytes read.
struct MemberStream {
    private let archive: ArchiveReader?
    private let file: FileRangeReader?
    let encoding: TextEncoding
    private(set) var bytesRead = 0
    private var raw: [UInt8] = []

    init(archive: ArchiveReader, encoding: TextEncoding) {
        self.archive = archive
        file = nil
        self.encoding = encoding
    }

    /// A plain UTF-8 file read from `reader`'s position on (one chunk of a file read in parallel).
    init(file reader: FileRangeReader) {
        archive = nil
        file = reader
        encoding = .utf8
    }

    private static func source(
        _ archive: ArchiveReader?, _ file: FileRangeReader?, _ out: UnsafeMutableRawBufferPointer
    ) -> Result<Int, ArchiveReadError> {
        if let archive { return archive.read(into: out) }
        return file!.read(into: out)
    }

    /// Reads up to `into.count` bytes straight into `into` when the member is UTF-8 already
    /// (no transcoding, so no staging copy); nil when it is not, then use `read(appendingTo:)`.
    /// Returns 0 at the end of the member.
    mutating func readDirect(into out: UnsafeMutableRawBufferPointer) -> Result<Int, ArchiveReadError>? {
        guard encoding == .utf8 else { return nil }
        let result = Self.source(archive, file, out)
        if case .success(let n) = result { bytesRead += n }
        return result
    }

    /// Appends up to about `max` bytes to `buffer`. Returns 0 at the end of the member.
    mutating func read(appendingTo buffer: inout [UInt8], max: Int) -> Result<Int, ArchiveReadError> {
        let archive = self.archive, file = self.file
        if encoding == .utf8 {
            if let file, let held = file.takeFromWindow(max) {
                // Straight from the bytes already in memory: no zero-filled staging room.
                buffer.append(contentsOf: held.assumingMemoryBound(to: UInt8.self))
                bytesRead += held.count
                return .success(held.count)
            }
            let max = file?.clip(max) ?? max
            let old = buffer.count
            var result: Result<Int, ArchiveReadError> = .success(0)
            buffer.append(contentsOf: repeatElement(0, count: max))
            buffer.withUnsafeMutableBytes { b in
                result = Self.source(archive, file, UnsafeMutableRawBufferPointer(rebasing: b[old..<(old + max)]))
            }
            let n = (try? result.get()) ?? 0
            buffer.removeLast(max - n)
            bytesRead += n
            return result
        }
        // Single-byte encodings: at most two UTF-8 bytes per input byte, so read half.
        let want = Swift.max(1, max / 2)
        if raw.count < want { raw = Array(repeating: 0, count: want) }
        var result: Result<Int, ArchiveReadError> = .success(0)
        raw.withUnsafeMutableBytes { b in
            result = Self.source(archive, file, UnsafeMutableRawBufferPointer(rebasing: b[0..<want]))
        }
        guard case .success(let n) = result else { return result }
        bytesRead += n
        let before = buffer.count
        raw.withUnsafeBytes { b in
            Transcoder.appendUTF8(UnsafeRawBufferPointer(rebasing: b[0..<n]), from: encoding, into: &buffer)
        }
        return .success(buffer.count - before)
    }
}

/// Reads a plain file with `pread` from a position on: each thread of a parallel read has its
/// own position over one shared descriptor. Past `softEnd` (where its chunk ends, give or take
/// an order) it reads small blocks, so that a reader told to stop there has not read, and
/// parsed, a whole block more.
final class FileRangeReader {
    let fd: Int32
    private(set) var position: Int
    let softEnd: Int
    /// Bytes of the file already in memory (the region its chunk counted newlines in); reads
    /// inside it are served from there instead of reading the file a second time.
    private let window: FileWindow?

    init(fd: Int32, from position: Int, softEnd: Int = Int.max, window: FileWindow? = nil) {
        self.fd = fd
        self.position = position
        self.softEnd = softEnd
        self.window = window
    }

    /// How many of `n` bytes the next read may return.
    func clip(_ n: Int) -> Int { min(n, position < softEnd ? softEnd - position : 8 << 10) }

    /// The next bytes (up to `max`, clipped as a read is) when the window holds them, and moves
    /// past them; nil when it does not (then read the file).
    func takeFromWindow(_ max: Int) -> UnsafeRawBufferPointer? {
        guard let window, position >= window.offset, position < window.offset + window.count else { return nil }
        let n = min(clip(max), window.offset + window.count - position)
        guard n > 0 else { return nil }
        defer { position += n }
        return UnsafeRawBufferPointer(start: window.base + (position - window.offset), count: n)
    }

    func read(into out: UnsafeMutableRawBufferPointer) -> Result<Int, ArchiveReadError> {
        if let held = takeFromWindow(out.count) {
            out.baseAddress!.copyMemory(from: held.baseAddress!, byteCount: held.count)
            return .success(held.count)
        }
        let want = clip(out.count)
        guard want > 0 else { return .success(0) }
        while true {
            let n = pread(fd, out.baseAddress, want, off_t(position))
            if n >= 0 {
                position += n
                return .success(n)
            }
            if errno == EINTR { continue }
            return .failure(ArchiveReadError(message: String(cString: strerror(errno))))
        }
    }
}

/// One region of a file read into memory once, reused region after region by one thread.
final class FileWindow {
    let base: UnsafeMutableRawPointer
    let capacity: Int
    /// Where the bytes held start in the file, and how many were read (fewer than asked at
    /// the end of the file or on a read error: a reader past them reads the file and meets
    /// the error itself).
    private(set) var offset = 0
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        base = .allocate(byteCount: self.capacity, alignment: 64)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Reads bytes `from..<from + length` (at most `capacity`) of `fd`.
    func load(fd: Int32, from: Int, length: Int) {
        offset = from
        count = 0
        let want = min(length, capacity)
        while count < want {
            let n = pread(fd, base + count, want - count, off_t(from + count))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            count += n
        }
    }
}

/// The text encodings a profile may declare for its feed.
public enum TextEncoding: String, Sendable {
    case utf8 = "utf-8"
    case latin1 = "latin1"
    case windows1252 = "windows-1252"
}

/// ISO-8859-1 and Windows-1252 to UTF-8. Written here because both are one table lookup per
/// byte; iconv would add a dependency and a per-chunk state machine for no gain.
enum Transcoder {
    /// Windows-1252 code points for bytes 0x80...0x9F (0 = undefined, kept as U+0080+n like latin1).
    static let cp1252High: [UInt16] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E,
        0x0178,
    ]

    static func appendUTF8(_ bytes: UnsafeRawBufferPointer, from encoding: TextEncoding, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + bytes.count * 2)
        for b in bytes {
            if b < 0x80 {
                out.append(b)
                continue
            }
            var cp = UInt32(b)
            if encoding == .windows1252 && b < 0xA0 {
                let m = cp1252High[Int(b - 0x80)]
                if m != 0 { cp = UInt32(m) }
            }
            if cp < 0x800 {
                out.append(UInt8(0xC0 | (cp >> 6)))
                out.append(UInt8(0x80 | (cp & 0x3F)))
            } else {
                out.append(UInt8(0xE0 | (cp >> 12)))
                out.append(UInt8(0x80 | ((cp >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (cp & 0x3F)))
            }
        }
    }
}
