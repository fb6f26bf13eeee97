#if canImport(Glibc)
import Glibc
#endif
import CXXHash
import OrderModel

/// The state `transact` keeps across runs (`--state DIR`): per order key the newest applied
/// version, its status and content hash, so re-runs are no-ops and transitions are checked
/// against earlier runs.
///
/// File `DIR/orders.state` (format 3): the magic `WBSTATE3`, a little-endian UInt64 count, the
/// entries, then XXH3-128 of everything before it (16 bytes, little-endian low half first), so
/// that damage anywhere (a flipped byte in a version or a hash would otherwise be taken as
/// data, and decide duplicates and transitions) is an error at load. Format 2 (`WBSTATE2`,
/// written until 2026-11-30) is the same without the checksum and is read as it is. The
/// entries, sorted by key, 51 bytes each: key (16: the first half of SHA-256 of `order_id`),
/// updated_at (8), version (8), content hash (16), status (1), held-from (1), flags (1: bit 0
/// set when the content hash is format 1's, see below). Keys are stored as digests so entries
/// have a fixed size and lookups need no String. The whole table is loaded in memory (about
/// 100 bytes per key: 10 million orders take about 1 GB).
///
/// Format 1 (`WBSTATE1`, written until 2026-11-29) has 50-byte entries without the flags, and
/// its content hashes are the first half of SHA-256 where format 2's are XXH3-128 of the same
/// bytes (`OrderHasher`). It is read as it is, every entry marked `legacyContent`: transact
/// compares such an entry with the SHA-256 form of the incoming order's content, and an entry
/// a run replaces gets the new form. The next commit writes format 2, keeping the flag on the
/// entries no run has replaced yet.
///
/// Changes stay in memory until `commit()`, which writes a temporary file, fsyncs it and
/// renames it over the old one: a failed run changes nothing, a crash leaves the old or the new
/// state, never a mix.
public final class StateStore {
    public let directory: String
    private(set) var entries = DigestMap<StateEntry>(filler: .zero)
    /// The number of keys held.
    public var count: Int { entries.count }
    static let magic = Array("WBSTATE3".utf8)
    static let formatTwoMagic = Array("WBSTATE2".utf8)
    static let entrySize = 51
    static let checksumSize = 16
    static let formatOneMagic = Array("WBSTATE1".utf8)
    static let formatOneEntrySize = 50
    /// Flags bit: the content hash is format 1's.
    static let legacyContentFlag: UInt8 = 1

    public var path: String { directory + "/orders.state" }

    /// Opens the state in `directory` (an empty state when the folder or file does not exist
    /// yet; the folder is created by the first `commit()`, so a failed run leaves no trace).
    public init(directory: String) throws(WaybillError) {
        self.directory = directory
        var st = stat()
        if stat(directory, &st) != 0 { return }
        // A file where the state folder should be: said up front (exit 73, as for a folder that
        // cannot be created), not as an I/O error on `<file>/orders.state`.
        if (st.st_mode & S_IFMT) != S_IFDIR { throw WaybillError.cannotCreate(path: directory, errno: ENOTDIR) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return }
            throw WaybillError.io(path: path, errno: errno)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw WaybillError.io(path: path, errno: errno)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        try decode(bytes)
    }

    private func decode(_ b: [UInt8]) throws(WaybillError) {
        let head = b.count >= 8 ? Array(b[0..<8]) : []
        let formatOne = head == Self.formatOneMagic
        let checked = head == Self.magic
        guard b.count >= 16, formatOne || checked || head == Self.formatTwoMagic else {
            throw WaybillError.data("\(path): not a waybill state file (bad magic)")
        }
        let size = formatOne ? Self.formatOneEntrySize : Self.entrySize
        let tail = checked ? Self.checksumSize : 0
        let declared = Self.u64(b, 8)
        guard let count = Int(exactly: declared), count <= (b.count - 16 - tail) / size, b.count == 16 + count * size + tail else {
            throw WaybillError.data("\(path): truncated state file (\(declared) entries declared, \(b.count) bytes)")
        }
        if checked {
            let body = b.count - tail
            let sum = Self.checksum(b, count: body)
            guard sum.lo == Self.u64(b, body), sum.hi == Self.u64(b, body + 8) else {
                throw WaybillError.data("\(path): the state file is damaged (its checksum does not match its contents); "
                    + Self.damagedAdvice)
            }
        }
        entries.reserveCapacity(count)
        var o = 16
        for _ in 0..<count {
            let key = Digest128(hi: Self.u64(b, o), lo: Self.u64(b, o + 8))
            let flags = formatOne ? Self.legacyContentFlag : b[o + 50]
            guard flags & ~Self.legacyContentFlag == 0 else {
                throw WaybillError.data("\(path): entry \((o - 16) / size + 1) has unknown flags \(flags) (a newer state format?)")
            }
            // A status outside the canonical list (a damaged file) would index past the
            // transition table when the order comes again: that trapped.
            let statuses = CanonicalStatus.allCases.count
            guard Int(b[o + 48]) < statuses, Int(b[o + 49]) < statuses || b[o + 49] == 255 else {
                throw WaybillError.data(
                    "\(path): entry \((o - 16) / size + 1) has status code \(b[o + 48]) / held-from \(b[o + 49]), "
                        + "outside the \(statuses) canonical statuses: the file is damaged; " + Self.damagedAdvice)
            }
            entries[key] = StateEntry(
                updatedAt: Int64(bitPattern: Self.u64(b, o + 16)), version: Int64(bitPattern: Self.u64(b, o + 24)),
                status: b[o + 48], heldFrom: b[o + 49],
                content: Digest128(hi: Self.u64(b, o + 32), lo: Self.u64(b, o + 40)),
                legacyContent: flags & Self.legacyContentFlag != 0)
            o += size
        }
    }

    /// What to do about a damaged state file, for its errors.
    static let damagedAdvice = "restore it from a backup, or start over by removing it, which forgets every order seen"

    /// XXH3-128 of `b[0..<count]`.
    static func checksum(_ b: [UInt8], count: Int) -> (hi: UInt64, lo: UInt64) {
        let h = b.withUnsafeBytes { XXH3_128bits($0.baseAddress, count) }
        return (h.high64, h.low64)
    }

    private static func u64(_ b: [UInt8], _ o: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in (0..<8).reversed() { v = v << 8 | UInt64(b[o + i]) }
        return v
    }

    private static func put(_ v: UInt64, _ out: inout [UInt8]) {
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    public subscript(key: Digest128) -> StateEntry? {
        get { entries[key] }
        set { entries[key] = newValue }
    }

    /// The file's bytes for the current entries (sorted by key: deterministic).
    public func encoded() -> [UInt8] {
        var out = Self.magic
        out.reserveCapacity(16 + entries.count * Self.entrySize + Self.checksumSize)
        Self.put(UInt64(entries.count), &out)
        var sorted: [(key: Digest128, entry: StateEntry)] = []
        sorted.reserveCapacity(entries.count)
        entries.forEach { sorted.append(($0, $1)) }
        sorted.sort { $0.key < $1.key }
        for (key, e) in sorted {
            Self.put(key.hi, &out)
            Self.put(key.lo, &out)
            Self.put(UInt64(bitPattern: e.updatedAt), &out)
            Self.put(UInt64(bitPattern: e.version), &out)
            Self.put(e.content.hi, &out)
            Self.put(e.content.lo, &out)
            out.append(e.status)
            out.append(e.heldFrom)
            out.append(e.legacyContent ? Self.legacyContentFlag : 0)
        }
        let sum = Self.checksum(out, count: out.count)
        Self.put(sum.lo, &out)
        Self.put(sum.hi, &out)
        return out
    }

    /// Writes the state atomically (temporary file, fsync, rename, fsync of the folder).
    public func commit() throws(WaybillError) {
        var st = stat()
        if stat(directory, &st) != 0, mkdir(directory, 0o755) != 0 {
            throw WaybillError.cannotCreate(path: directory, errno: errno)
        }
        try AtomicFile.write(encoded(), to: path)
    }
}
