#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OrderModel

/// Where a generated feed goes. The generator hands over about 1 MiB at a time, so one
/// dynamic call per chunk is all a sink costs.
public protocol FeedSink {
    /// Writes all of `bytes` or throws.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// Collects the feed in memory (tests, small feeds).
public struct MemorySink: FeedSink {
    public var bytes: [UInt8] = []

    public init() {}

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes.append(contentsOf: bytes)
    }
}

/// Writes to a file descriptor (stdout or a file opened with `create(path:)`), retrying short
/// writes and EINTR. A closed pipe (`| head`) becomes `WaybillError.brokenPipe`.
public struct FileSink: FeedSink {
    public let fd: Int32
    public let path: String

    public init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    /// Creates or truncates `path` for writing.
    public static func create(path: String) throws -> FileSink {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw WaybillError.cannotCreate(path: path, errno: errno) }
        return FileSink(fd: fd, path: path)
    }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = systemWrite(fd, p, left)
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                if e == EPIPE { throw WaybillError.brokenPipe }
                throw WaybillError.io(path: path, errno: e)
            }
            p += n
            left -= n
        }
    }

    /// Closes the descriptor; a failing close of a file loses data, so it is an I/O error.
    public func close() throws {
        if systemClose(fd) != 0 { throw WaybillError.io(path: path, errno: errno) }
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
private let systemClose = Glibc.close
#else
private let systemWrite = Darwin.write
private let systemClose = Darwin.close
#endif
