#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends rejects as NDJSON to a file (`--rejects FILE`), buffered, and counts them by code.
/// With no file, rejects are only counted. Not thread-safe: one writer per stage thread, or
/// guard it.
public final class RejectWriter {
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    public private(set) var count = 0
    public private(set) var byCode: [String: Int] = [:]
    public let path: String?
    /// Rejects kept in memory by a writer made with `init(holding:)`, in order.
    public private(set) var held: [Reject] = []
    private let holds: Bool

    /// Keeps the rejects in `held` (a thread reading part of an input, whose rejects the
    /// input's own writer takes later, in input order).
    public init(holding: Void) {
        path = nil
        holds = true
    }

    /// Opens (truncates) `path`, or counts only when `path` is nil.
    public init(path: String?) throws(WaybillError) {
        self.path = path
        holds = false
        if let path {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if fd < 0 { throw WaybillError.cannotCreate(path: path, errno: errno) }
        }
        buffer.reserveCapacity(1 << 16)
    }

    public func write(_ reject: Reject) throws(WaybillError) {
        count += 1
        byCode[reject.code, default: 0] += 1
        if holds { held.append(reject) }
        guard fd >= 0 else { return }
        reject.ndjson(into: &buffer)
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func flush() throws(WaybillError) {
        guard fd >= 0, !buffer.isEmpty else { return }
        try FD.writeAll(fd, buffer, path: path ?? "rejects")
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws(WaybillError) {
        try flush()
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }

    deinit {
        if fd >= 0 { _ = Glibc.close(fd) }
    }
}

/// Small POSIX helpers shared by the writers.
public enum FD {
    /// Writes every byte, retrying on EINTR and short writes.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(WaybillError) {
        var err: Int32 = 0
        bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    err = errno
                    return
                }
                off += n
            }
        }
        if err == EPIPE { throw WaybillError.brokenPipe }
        if err != 0 { throw WaybillError.io(path: path, errno: err) }
    }
}
