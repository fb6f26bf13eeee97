import OrderModel

/// Streams unified NDJSON (from `collect`, `transact`, ...) into batches: the reading side of
/// the interchange between stages. Input may be compressed (libarchive detects it). Bad lines
/// become rejects, collected in `rejects` for the caller to write.
///
///     let reader = try UnifiedNDJSONReader(fd: 0, path: "stdin", stage: "write")
///     var batch = OrderBatch()
///     while try reader.next(into: &batch, maxOrders: 4096) {
///         ... use batch ...; batch.removeAll()
///         for r in reader.takeRejects() { try rejectWriter.write(r) }
///     }
public final class UnifiedNDJSONReader {
    private let archive: ArchiveReader
    private var stream: MemberStream?
    private let lines: JSONLineReader
    private let decoder = UnifiedNDJSONDecoder()
    private let path: String
    private let stage: String
    private var done = false
    /// Lines read (records in) and rejected so far.
    public private(set) var recordsIn = 0
    public private(set) var rejected = 0
    /// Rejects not yet taken by the caller.
    public private(set) var rejects: [Reject] = []
    /// The limit that ended the input, if one did (its reject is among `rejects`).
    public var breach: LimitBreach? { archive.breach }
    /// The archive member being read (nil for a plain or single compressed file).
    private var member: String?
    /// Line, byte offset (within the file or member) and member of each order the last `next`
    /// call added, in batch order (see `positions()`).
    private var orderPlaces: [(line: Int, offset: Int, member: String?)] = []

    /// Reads from an open descriptor (not closed by the reader).
    public init(
        fd: Int32, path: String = "stdin", stage: String = "write", maxLineBytes: Int = 16 << 20,
        limits: InputLimits = InputLimits()
    ) throws(WaybillError) {
        archive = try ArchiveReader(input: InputSpec(path: path), fd: fd, limits: limits)
        self.path = path
        self.stage = stage
        lines = JSONLineReader(maxLineBytes: maxLineBytes, maxDepth: limits.maxJSONDepth)
    }

    /// Reads a file (`-` = stdin).
    public convenience init(path: String, stage: String = "write", limits: InputLimits = InputLimits()) throws(WaybillError) {
        if path == "-" {
            try self.init(fd: 0, path: "-", stage: stage, limits: limits)
        } else {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { throw WaybillError.inputNotFound(path: path, reason: String(cString: strerror(errno))) }
            try self.init(fd: fd, path: path, stage: stage, limits: limits)
            ownedFD = fd
        }
    }

    private var ownedFD: Int32 = -1
    deinit { if ownedFD >= 0 { close(ownedFD) } }

    /// Bytes taken from the input so far, as stored (compressed bytes for a compressed input):
    /// for a progress display, once per batch.
    public var bytesConsumed: Int { archive.rawBytesConsumed }

    /// Where each order the last `next(into:maxOrders:)` call added was read: position `i` is
    /// of the `i`-th order it added (row `i` of a batch that was empty before the call). For
    /// the rejects of the stages that read this input (`transact`, `fulfill`), which then name
    /// the order's line and byte offset as the reader's own rejects do.
    public func positions() -> [SourcePosition] {
        orderPlaces.map { SourcePosition(file: path, member: $0.member, line: $0.line, byteOffset: $0.offset) }
    }

    /// Hands over the rejects collected so far.
    public func takeRejects() -> [Reject] {
        defer { rejects.removeAll() }
        return rejects
    }

    /// Appends orders to `batch` until it holds at least `maxOrders` (it may hold a few more:
    /// lines are parsed a block at a time) or the input ends. Returns false when nothing was
    /// added because the input has ended.
    public func next(into batch: inout OrderBatch, maxOrders: Int) throws(WaybillError) -> Bool {
        if done { return false }
        // Decoding sets only the fields a line holds; the rest are padded in bulk on return.
        let deferred = batch.defersNullPadding
        batch.defersNullPadding = true
        defer { batch.defersNullPadding = deferred }
        let before = batch.count
        let startRejected = rejected
        orderPlaces.removeAll(keepingCapacity: true)
        lineBytes = 0
        // Also bounded by the bytes of its lines: orders of thousands of `ext` entries would
        // otherwise make batches of hundreds of MiB at `maxOrders`.
        while batch.count < maxOrders && lineBytes < Self.maxBatchLineBytes {
            if stream == nil {
                switch archive.nextMember() {
                case .end:
                    done = true
                    return batch.count > before || rejected > startRejected
                case .corrupt(let m):
                    done = true
                    inputReject(code: "archive_corrupt", reason: "\(path): \(m)", offset: 0)
                    return true
                case .limit(let b):
                    done = true
                    inputReject(code: b.code, reason: b.description, offset: 0)
                    return true
                case .member(let name):
                    member = name
                    stream = MemberStream(archive: archive, encoding: .utf8)
                    lines.reset()
                }
            }
            let more = lines.step(&stream!, stop: { false }) { line in handle(line, into: &batch) }
            if !more {
                if let f = lines.readFailure, let b = f.breach {
                    done = true
                    inputReject(code: b.code, reason: b.description, offset: stream!.bytesRead)
                    stream = nil
                    return true
                } else if let f = lines.readFailure {
                    inputReject(code: "archive_corrupt", reason: "\(path): truncated or corrupt: \(f.message)", offset: stream!.bytesRead)
                }
                stream = nil
            }
        }
        return true
    }

    /// Bytes of the lines read into the batch being filled (see `next`).
    private var lineBytes = 0
    static let maxBatchLineBytes = 16 << 20

    private func handle(_ line: JSONLine, into batch: inout OrderBatch) {
        recordsIn += 1
        lineBytes += line.raw.count
        switch line.problem {
        case .none:
            do throws(MapFailure) {
                try decoder.decode(line.tape, root: line.root, into: &batch)
                orderPlaces.append((line.line, line.byteOffset, member))
            } catch {
                reject(code: error.code, reason: error.reason, raw: line.raw, line: line.line, offset: line.byteOffset, field: error.field)
            }
        case .malformed(let m):
            reject(code: "json_invalid", reason: "not valid JSON: \(m)", raw: line.raw, line: line.line, offset: line.byteOffset)
        case .invalidUTF8:
            reject(code: "invalid_utf8", reason: "the line is not valid UTF-8", raw: line.raw, line: line.line, offset: line.byteOffset)
        case .lineTooLong(let n):
            reject(code: "line_too_long", reason: "line of \(n)+ bytes exceeds the limit", raw: line.raw, line: line.line, offset: line.byteOffset)
        case .fieldTooLong, .tooManyFields:
            break  // CSV only
        case .wideEncoding(let name):
            reject(code: "unsupported_encoding", reason: ByteOrderMark.wideReason(name), raw: line.raw, line: line.line, offset: line.byteOffset)
        }
    }

    /// A reject for the input itself (damage or a broken limit), which no line accounted for:
    /// it counts as one record in, so the books balance.
    private func inputReject(code: String, reason: String, offset: Int) {
        recordsIn += 1
        reject(code: code, reason: reason, raw: UnsafeRawBufferPointer(start: nil, count: 0), line: 0, offset: offset)
    }

    private func reject(code: String, reason: String, raw: UnsafeRawBufferPointer, line: Int, offset: Int, field: String? = nil) {
        rejected += 1
        rejects.append(
            Reject(stage: stage, code: code, reason: reason, field: field,
                   position: SourcePosition(file: path, member: member, line: line, byteOffset: offset), raw: Array(raw)))
    }
}

#if canImport(Glibc)
import Glibc
#endif
