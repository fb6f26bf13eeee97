#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// write(2), named apart from the sinks' own `write` methods.
@inline(__always)
private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #elseif canImport(Musl)
    return Musl.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}

/// Where a file's bytes go. The writer calls `write` with whole pages/chunks and `finish` once.
public protocol ParquetOutputSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Flushes buffered bytes and releases the destination; `fsync` forces the data to stable storage.
    func finish(fsync: Bool) throws
}

/// A file written through a user-space buffer (one write(2) per `ParquetDefaults.outputBufferBytes`).
public final class FileOutputSink: ParquetOutputSink {
    public let path: String
    private var fd: Int32
    private var buffer: [UInt8]
    private var used = 0

    /// Creates (or truncates) `path` with mode 0644.
    public init(path: String, bufferBytes: Int = ParquetDefaults.outputBufferBytes) throws {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ParquetError(.io, "cannot create \(path): \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.buffer = [UInt8](repeating: 0, count: max(bufferBytes, 4096))
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard fd >= 0 else { throw ParquetError(.io, "\(path): write after close") }
        if bytes.count > buffer.count - used {
            try flush()
            if bytes.count >= buffer.count {
                try writeAll(bytes)
                return
            }
        }
        buffer.withUnsafeMutableBytes { dst in
            dst.baseAddress!.advanced(by: used).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
        used += bytes.count
    }

    public func finish(fsync doSync: Bool) throws {
        guard fd >= 0 else { return }
        try flush()
        if doSync && fsync(fd) != 0 {
            throw ParquetError(.io, "fsync \(path): \(String(cString: strerror(errno)))")
        }
        let rc = close(fd)
        fd = -1
        if rc != 0 { throw ParquetError(.io, "close \(path): \(String(cString: strerror(errno)))") }
    }

    private func flush() throws {
        if used == 0 { return }
        try buffer.withUnsafeBytes { try writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<used])) }
        used = 0
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < bytes.count {
            let n = systemWrite(fd, bytes.baseAddress! + off, bytes.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw ParquetError(.io, "write \(path): \(String(cString: strerror(errno)))")
            }
            off += n
        }
    }
}

/// An in-memory destination (tests, small files).
public final class MemoryOutputSink: ParquetOutputSink {
    public private(set) var bytes: [UInt8] = []
    public private(set) var finished = false

    public init() {}

    public func write(_ b: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: b) }
    public func finish(fsync: Bool) throws { finished = true }
}
