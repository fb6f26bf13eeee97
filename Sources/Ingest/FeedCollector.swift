#if canImport(Glibc)
import Glibc
#endif
import OrderModel

/// The access layer: reads inputs (files, archives, stdin) with a profile, maps every record
/// into unified orders in batches, sends rejects to the reject writer, and hands each full
/// batch to `emit`. The books it keeps say where every record went.
public final class FeedCollector {
    public let profile: Profile
    private let mapper: RecordMapper
    private let assembler: OrderAssembler
    private let csv: CSVFeed?
    private let json: JSONFeed?
    private let tap = ProgressTap()
    private let rejects: RejectWriter
    private let batchID: String
    private let batchSize: Int
    private let emitBatch: (inout OrderBatch) throws(WaybillError) -> Void

    /// Threads that map a large plain CSV or NDJSON file in chunks (`ChunkedFeedReader`); with
    /// 2 or more a compressed input or an archive member is also decompressed a few blocks ahead
    /// on a thread of its own (`ArchiveReader`). 1 reads every input on the calling thread.
    public var parseThreads = 1
    /// The chunk size of a parallel read; files under two chunks are read on one thread.
    /// nil: `defaultChunkBytes` of the profile's format.
    public var chunkBytes: Int? = nil

    /// Chunks are handed on whole and in file order, so the stage after collect waits for the
    /// chunk it needs while the workers run ahead on later ones: smaller chunks shorten those
    /// waits. CSV takes 2 MiB (about 2,300 of TPC-H's flat orders, one batch), with queues of 4
    /// batches in `waybill run` (`LineRunner.queueCapacity`): against 4 MiB and queues of 2,
    /// alternated runs at TPC-H 0.1 gave `run` 0.74 -> 0.70 s, with the transaction rules
    /// 1.085 -> 1.04 s, the full nightly 2.80 -> 2.73 s, and 10-23 MiB less peak memory in
    /// each (scale 1 flat 5.79 -> 5.75 s, 238 -> 215 MiB). NDJSON keeps 4 MiB (about 2,800 of
    /// TPC-H's nested orders): 2 MiB made its parsing 2-3% slower (more chunks, each with a
    /// mapper and JSON parser of its own).
    public static func defaultChunkBytes(for profile: Profile) -> Int {
        profile.format == .csv ? 2 << 20 : 4 << 20
    }

    private var effectiveChunkBytes: Int { chunkBytes ?? Self.defaultChunkBytes(for: profile) }

    /// Chunks mapped a second time because a worker guessed their start wrong (quoted line
    /// breaks near a chunk boundary).
    public private(set) var remappedChunks = 0
    /// Warnings about the inputs themselves: a file named twice, a chunked read's findings.
    private var inputWarnings: [String] = []

    /// Bumped once per emitted batch and once per member with the records read so far and the
    /// bytes consumed of the current input (nil: no progress display, and no cost).
    public var meter: ProgressMeter? {
        get { tap.meter }
        set { tap.meter = newValue }
    }

    /// - Parameters:
    ///   - batchSize: orders per batch handed to `emit` (memory is bounded by it).
    ///   - emit: receives each full batch (and the last one); the collector empties it after.
    public init(
        profile: Profile, rejects: RejectWriter, batchID: String, batchSize: Int = 4096,
        emit: @escaping (inout OrderBatch) throws(WaybillError) -> Void
    ) {
        self.profile = profile
        self.rejects = rejects
        self.batchID = batchID
        self.batchSize = batchSize
        emitBatch = emit
        mapper = RecordMapper(profile: profile)
        let tap = self.tap
        assembler = OrderAssembler(mapper: mapper, rejects: rejects, batchID: batchID, batchSize: batchSize) {
            (batch: inout OrderBatch) throws(WaybillError) in
            tap.tick()
            try emit(&batch)
        }
        tap.assembler = assembler
        switch profile.format {
        case .csv:
            csv = CSVFeed(profile: profile, mapper: mapper, assembler: assembler)
            json = nil
        case .ndjson:
            json = JSONFeed(profile: profile, mapper: mapper, assembler: assembler)
            csv = nil
        }
    }

    /// Where every record went so far.
    public var books: Books { assembler.books }

    /// Things worth telling the user that are not errors (e.g. a profile column missing from a
    /// file's header).
    public var warnings: [String] { (csv?.warnings ?? []) + inputWarnings }

    /// The inputs a limit ended early (each also a reject): callers exit 65 once everything
    /// read was written, as for a reject threshold.
    public private(set) var breaches: [LimitBreach] = []

    /// Reads every input in order, then emits the last batch. A file named twice (the same
    /// path, a folder and a file in it, overlapping patterns, a link) is read once, with a
    /// warning: read twice, every order in it would land twice.
    public func collect(_ inputs: [InputSpec]) throws(WaybillError) {
        var seen: [FileIdentity: String] = [:]
        for input in inputs {
            if let id = FileIdentity(input) {
                if let first = seen[id] {
                    inputWarnings.append("\(input.path) is the same file as \(first), named before: read once")
                    continue
                }
                seen[id] = input.path
            }
            try collect(input)
            if assembler.stopped { break }
        }
        try assembler.finish()
    }

    private func collect(_ input: InputSpec) throws(WaybillError) {
        tap.begin()
        tap.meter?.beginInput(input.path, size: input.isStdin ? nil : input.size)
        defer {
            tap.tick()
            tap.archive = nil
            tap.meter?.endInput()
        }
        if !input.isStdin && input.size == 0 {
            assembler.countFile()  // an empty file holds no records (libarchive refuses to open it)
            return
        }
        let archive = try ArchiveReader(input: input, blockSize: 1 << 20, readAheadBlockSize: parseThreads > 1 ? profile.csv.blockSize : 0, limits: profile.limits)
        // Whether the input is plain shows once libarchive has seen its first member; when it
        // is not (or a chunked read cannot start), the loop goes on from that member.
        var probed: ArchiveReader.Next?
        if parseThreads > 1 && canReadInChunks(input) {
            let next = archive.nextMember()
            if case .member(nil) = next, archive.isPlainFile, let reader = chunkedReader(input) {
                try collectChunked(input, reader)
                return
            }
            probed = next
        }
        tap.archive = archive
        assembler.countFile()
        var first = true
        while !assembler.stopped {
            let next = probed ?? archive.nextMember()
            probed = nil
            switch next {
            case .end:
                return
            case .corrupt(let message):
                if first && input.size == 0 && !input.isStdin { return }  // an empty file holds no records
                assembler.begin(file: input.path, member: nil)
                assembler.broken(
                    raw: UnsafeRawBufferPointer(start: nil, count: 0), line: 0, offset: 0, code: "archive_corrupt",
                    reason: "\(input.path): cannot read \(first ? "it" : "further"): \(message)")
                return
            case .limit(let breach):
                assembler.begin(file: input.path, member: breach.member)
                limitReached(breach, offset: 0)
                return
            case .member(let name):
                first = false
                if archive.isArchive { assembler.countMember() }
                assembler.begin(file: input.path, member: name)
                var stream = MemberStream(archive: archive, encoding: profile.encoding)
                let failure: ArchiveReadError?
                if let csv {
                    failure = csv.read(&stream, file: input.path)
                } else {
                    failure = json!.read(&stream)
                }
                assembler.countBytes(stream.bytesRead)
                assembler.endMember()
                tap.tick()
                if let breach = failure?.breach {
                    limitReached(breach, offset: stream.bytesRead)
                    return
                }
                if let failure {
                    assembler.broken(
                        raw: UnsafeRawBufferPointer(start: nil, count: 0), line: 0, offset: stream.bytesRead,
                        code: "archive_corrupt",
                        reason: "\(input.path)\(name.map { "!" + $0 } ?? ""): truncated or corrupt after \(stream.bytesRead) bytes: \(failure.message)")
                    return  // libarchive cannot go on after a data error
                }
            }
        }
    }
}

extension FeedCollector {
    /// Whether `input` may be read in chunks by several threads: a large plain UTF-8 file that
    /// no input limit can end early; CSV grouped by key alone (a group start marker would need
    /// the records before a chunk to tell where an order starts), NDJSON not grouped at all.
    fileprivate func canReadInChunks(_ input: InputSpec) -> Bool {
        let grouping = profile.format == .csv ? profile.groupStartWhenSet == nil : profile.groupKey == nil
        return grouping && profile.encoding == .utf8 && !input.isStdin && input.size >= 2 * effectiveChunkBytes
            && input.size <= profile.limits.maxInputBytes && input.size <= profile.limits.maxMemberBytes
    }

    /// A chunked reader of `input`; nil when it cannot start (e.g. an unreadable header: one
    /// reader then says what is wrong).
    fileprivate func chunkedReader(_ input: InputSpec) -> ChunkedFeedReader? {
        ChunkedFeedReader(profile: profile, path: input.path, size: input.size, threads: parseThreads,
            chunkBytes: effectiveChunkBytes, batchID: batchID, batchSize: batchSize)
    }

    /// Reads a plain file in chunks on `parseThreads` threads; the batches, rejects and books
    /// are those of a sequential read (see `ChunkedFeedReader`).
    fileprivate func collectChunked(_ input: InputSpec, _ reader: ChunkedFeedReader) throws(WaybillError) {
        assembler.countFile()
        assembler.begin(file: input.path, member: nil)
        try assembler.flushPending()
        let tap = self.tap
        let outcome = try reader.run(into: assembler, rejects: rejects, tick: { tap.tick() }, emit: emitBatch)
        inputWarnings += reader.warnings
        remappedChunks += reader.remapped
        switch outcome {
        case .done:
            assembler.countBytes(input.size)
        case .failed(let error, let at):
            corrupt(input, error, at: at)
        case .rest(let from, let line):
            inputWarnings.append("\(input.path): an order runs on for more than \(reader.maxOverrun) bytes past where a "
                + "parallel reader's share of the file ends; read on one thread from line \(line)")
            var stream = MemberStream(file: FileRangeReader(fd: reader.fd, from: from))
            let part = ChunkPart(offset: from, line: line, columns: reader.header, skipLeading: false, endAfter: .max) { false }
            let failure = csv.map { $0.read(&stream, file: input.path, part: part) } ?? json!.read(&stream, part: part)
            if let failure {
                corrupt(input, failure, at: from + stream.bytesRead)
            } else {
                assembler.countBytes(input.size)
            }
        }
    }

    /// The reject of a file that ends in damage at byte `at` (what came before is kept).
    private func corrupt(_ input: InputSpec, _ error: ArchiveReadError, at: Int) {
        assembler.countBytes(at)
        assembler.broken(
            raw: UnsafeRawBufferPointer(start: nil, count: 0), line: 0, offset: at, code: "archive_corrupt",
            reason: "\(input.path): truncated or corrupt after \(at) bytes: \(error.message)")
    }

    /// Ends an input at a broken limit: one reject naming file, member, limit and what was
    /// seen (so the books balance), and a breach for the exit code.
    fileprivate func limitReached(_ breach: LimitBreach, offset: Int) {
        breaches.append(breach)
        assembler.broken(
            raw: UnsafeRawBufferPointer(start: nil, count: 0), line: 0, offset: offset, code: breach.code,
            reason: breach.description)
    }
}

/// Connects the collector's batch boundaries to a `ProgressMeter`: reads the record count and
/// the raw byte position of the current input when a batch is emitted or a member ends.
private final class ProgressTap {
    var meter: ProgressMeter?
    weak var assembler: OrderAssembler?
    var archive: ArchiveReader?
    private var lastBytes = 0

    func tick() {
        guard let meter, let assembler else { return }
        if let archive { lastBytes = archive.rawBytesConsumed }
        meter.update(records: assembler.books.recordsIn, inputBytes: lastBytes)
    }

    /// A new input: its byte position starts from zero.
    func begin() {
        archive = nil
        lastBytes = 0
    }
}

/// A file's device and inode: the same file whatever path names it.
struct FileIdentity: Hashable {
    let device: UInt64
    let inode: UInt64

    /// Nil for stdin, or when the file cannot be looked at (reading it then says why).
    init?(_ input: InputSpec) {
        guard !input.isStdin else { return nil }
        var st = stat()
        guard stat(input.path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}
