import CCodecs
#if canImport(Glibc)
import Glibc
#endif
import OrderModel

/// An append-only file in the staging folder that takes the waiting rows of every partition
/// when memory runs out and no partition has enough rows for a decent row group (many
/// partitions, shuffled input). Each partition keeps the (offset, length) of its segments and
/// reads them back when it writes: so ten thousand partitions still get one file each and
/// full row groups, instead of thousands of tiny files, and memory stays within the budget.
/// The writer deletes it once every partition is written (else it goes with the staging folder).
///
/// Past `compressAfter` bytes, segments that compress well are stored compressed (zstd's fast
/// mode). A spill the page cache absorbs costs little to write, but one of gigabytes does not:
/// on the 2-core build machine (24 GB of RAM) writing 1 GB with `dd` took 0.22 s of system
/// time, 2 GB 3.0 s and 5 GB 10.9 s, once the kernel had to write the dirty pages back while
/// more came. The full nightly pipeline at TPC-H scale 1 spilled 5 GB (the plan's reasons,
/// long repetitive text), and copying it into the page cache was 14% of the run's CPU, on the
/// routing thread; those segments compress 7 to 9 times at 1.1-1.5 GB/s. A plain run's
/// segments (0.6 GB at scale 1, already narrowed by `SpillCoding`) compress only 2-2.5 times
/// at about 0.5 GB/s, which costs more than their copies: so the ratio decides, measured on
/// every compressed segment and on a sample of the others.
final class SpillFile {
    struct Segment {
        var offset: Int
        /// Bytes in the file.
        var length: Int
        /// Bytes once read back: `length`, or more for a compressed segment.
        var rawLength: Int
        var compressed: Bool { rawLength != length }
    }

    let path: String
    private var fd: Int32
    private var pending: [UInt8] = []
    /// Bytes appended so far (written or pending): the file's size.
    private(set) var size = 0
    /// Bytes of the segments as serialized, before any compression.
    private(set) var rawSize = 0
    /// Raw bytes after which segments may be compressed.
    let compressAfter: Int
    private var ratio = CompressionRatio()
    private var scratch: [UInt8] = []

    /// zstd's fast mode, level -3: on the full nightly's segments 7x at about 1.5 GB/s, against
    /// 9x at 1.1 GB/s for level 1; both leave far less than the page cache takes cheaply.
    static let level: Int32 = -3
    /// Segments smaller than this are stored as they are (zstd's set-up per call).
    static let minCompressedSegment = 4 << 10

    init(path: String, compressAfter: Int = 512 << 20) throws(WaybillError) {
        self.path = path
        self.compressAfter = compressAfter
        fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if fd < 0 { throw .cannotCreate(path: path, errno: errno) }
        pending.reserveCapacity(1 << 20)
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Closes and deletes the file (its dirty pages are dropped, not written back). Nothing
    /// may be read afterwards.
    func remove() {
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(path)
    }

    /// Appends what `fill` appends to the buffer it is handed; returns where it is. Written
    /// straight into the file's buffer: serialising into a buffer of its own cost a copy of
    /// every spilled byte.
    func append(_ fill: (inout [UInt8]) -> Void) throws(WaybillError) -> Segment {
        let start = pending.count
        fill(&pending)
        let raw = pending.count - start
        rawSize += raw
        var seg = Segment(offset: size, length: raw, rawLength: raw)
        if rawSize > compressAfter && raw >= Self.minCompressedSegment && ratio.tryNext() {
            seg.length = compressTail(from: start)
        }
        size += seg.length
        if pending.count >= 1 << 20 {
            try flush()
            // A segment far past the buffer's size (a large partition spilled) leaves no room held.
            if pending.capacity > 4 << 20 {
                pending = []
                pending.reserveCapacity(1 << 20)
            }
        }
        return seg
    }

    /// Compresses `pending[start...]` in place when that saves bytes; returns its length.
    private func compressTail(from start: Int) -> Int {
        let raw = pending.count - start
        let bound = wb_zstd_bound(raw)
        if scratch.count < bound { scratch = [UInt8](repeating: 0, count: bound) }
        let n = pending.withUnsafeBytes { src in
            scratch.withUnsafeMutableBytes { dst in
                wb_zstd_compress(dst.baseAddress, bound, src.baseAddress! + start, raw, Self.level)
            }
        }
        ratio.record(raw: raw, stored: n == 0 ? raw : n)
        // The room of a large segment is not held on to (as `pending`'s, in `append`).
        defer { if scratch.count > 8 << 20 { scratch = [] } }
        guard n > 0 && n < raw else { return raw }
        pending.removeSubrange(start...)
        scratch.withUnsafeBytes { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[..<n])) }
        return n
    }

    private func flush() throws(WaybillError) {
        guard !pending.isEmpty else { return }
        try FD.writeAll(fd, pending, path: path)
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes what is pending, after which `read` changes nothing and may run on several
    /// threads at once (pread).
    func sync() throws(WaybillError) { try flush() }

    /// Reads a segment into `buffer` (replacing its contents).
    func read(_ seg: Segment, into buffer: inout [UInt8]) throws(WaybillError) {
        try flush()
        try readWritten(seg, into: &buffer)
    }

    /// `read` for a segment appended before the last `sync()`: touches nothing but `fd`
    /// (pread), so it may run beside `append` on another thread. A compressed segment is read
    /// into `buffer` past the room of its decompressed bytes, then decompressed to the front:
    /// one buffer, which the caller reuses, where a staging array per segment cost an
    /// allocation for each (thousands at TPC-H scale 1).
    func readWritten(_ seg: Segment, into buffer: inout [UInt8]) throws(WaybillError) {
        guard seg.compressed else { return try readStored(seg, into: &buffer, at: 0) }
        try readStored(seg, into: &buffer, at: seg.rawLength)
        let n = buffer.withUnsafeMutableBytes { b in
            wb_zstd_decompress(b.baseAddress, seg.rawLength, b.baseAddress! + seg.rawLength, seg.length)
        }
        // Only this process wrote the file: a segment that does not decode is a broken disk.
        if n != seg.rawLength { throw .io(path: path, errno: EIO) }
        buffer.removeLast(seg.length)
    }

    /// Replaces `buffer` with `at` bytes (left as they are, to be overwritten) followed by the
    /// segment's bytes as they are in the file.
    private func readStored(_ seg: Segment, into buffer: inout [UInt8], at: Int) throws(WaybillError) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: repeatElement(0, count: at + seg.length))
        var done = 0
        var err: Int32 = 0
        buffer.withUnsafeMutableBytes { raw in
            let to = raw.baseAddress! + at
            while done < seg.length {
                let n = pread(fd, to + done, seg.length - done, off_t(seg.offset + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    err = n < 0 ? errno : EIO
                    return
                }
                done += n
            }
        }
        if err != 0 { throw .io(path: path, errno: err) }
    }
}

/// Whether the spill's segments are worth compressing, from what compressing recent ones
/// saved: every segment is compressed while they shrink at least `worthIt` times, else one in
/// `probeEvery`, to notice when the data changes (another dataset's rows, another feed).
struct CompressionRatio {
    /// Below this ratio, zstd's time costs more than the page cache's copies save (see `SpillFile`).
    static let worthIt = 3.0
    static let probeEvery = 16
    /// Recent bytes, halved when `raw` passes `window`, so old segments fade out.
    static let window = 64 << 20
    private var raw = 0
    private var stored = 0
    private var skipped = 0

    /// Until the first measurement, compressing is tried.
    var isWorthIt: Bool { stored == 0 || Double(raw) >= Self.worthIt * Double(stored) }

    /// Whether to compress the next segment (and count it if not).
    mutating func tryNext() -> Bool {
        if isWorthIt { return true }
        skipped += 1
        if skipped < Self.probeEvery { return false }
        skipped = 0
        return true
    }

    mutating func record(raw r: Int, stored s: Int) {
        raw += r
        stored += s
        if raw > Self.window {
            raw /= 2
            stored /= 2
        }
    }
}
