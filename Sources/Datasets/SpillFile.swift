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
final class SpillFile {
    struct Segment {
        var offset: Int
        var length: Int
    }

    let path: String
    private var fd: Int32
    private var pending: [UInt8] = []
    /// Bytes appended so far (written or pending).
    private(set) var size = 0

    init(path: String) throws(WaybillError) {
        self.path = path
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
        let seg = Segment(offset: size, length: pending.count - start)
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
    /// (pread), so it may run beside `append` on another thread.
    func readWritten(_ seg: Segment, into buffer: inout [UInt8]) throws(WaybillError) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: repeatElement(0, count: seg.length))
        var done = 0
        var err: Int32 = 0
        buffer.withUnsafeMutableBytes { raw in
            while done < seg.length {
                let n = pread(fd, raw.baseAddress! + done, seg.length - done, off_t(seg.offset + done))
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
