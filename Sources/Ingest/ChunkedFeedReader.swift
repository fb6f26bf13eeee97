import CByteScan
import Foundation
import Glibc
import OrderModel

/// Collects one plain CSV or NDJSON file on several threads. Parsing and mapping are most of
/// `collect`, and one thread doing them was the slowest part of a run; chunks of one file are
/// independent once each knows where its first order starts and on which line.
///
/// The file is cut into regions of `chunkBytes`. A worker takes the next region, counts its
/// newlines (so every chunk knows its first line from the regions before it), then maps it with
/// a mapper, assembler and reader of its own, keeping its batches and rejects. The calling
/// thread hands them on in file order: the same orders, lines, rejects, line numbers and books
/// as one reader, in the same order (only the batch boundaries differ).
///
/// Where a region's first order starts cannot be known without the parser state of everything
/// before it (a quoted field may hold a line break), so a worker guesses: it starts parsing
/// after the first line break in its region and skips to the first chunk boundary (see
/// `CSVFeed.admit`: a clean record after a clean one with another order key). The chunk before
/// reads on past its region, with the true parser state, to the first boundary there by the
/// same rule and says where it stopped. When the two offsets differ (the guess began inside a
/// quoted field, or a broken record hid the boundary), the calling thread maps that chunk
/// again from where the previous one really stopped: slower, never wrong. NDJSON needs no
/// guess: a record is a line (a JSON string holds no raw line break), and without grouping a
/// chunk is exactly the records that start in its region.
final class ChunkedFeedReader {
    let profile: Profile
    let path: String
    let size: Int
    let threads: Int
    let chunkBytes: Int
    let batchID: String
    let batchSize: Int
    /// The header's column names (nil: the profile names the columns).
    let header: [String]?

    /// Chunks mapped again because a worker's guessed start was wrong.
    private(set) var remapped = 0
    /// Warnings of the first chunk's header (as a sequential read gives them).
    private(set) var warnings: [String] = []

    /// The file, open for the reader's life (read with pread: the workers and the caller of
    /// `run` share it).
    let fd: Int32
    private let regions: Int
    private let sync = NSCondition()
    // Under `sync`:
    private var nextRegion = 0
    private var merged = -1
    private var newlines: [Int]
    private var results: [Chunk?]
    private var cancelled = false
    /// The sizes of the batches the last mapped chunk handed on, in order: the k-th batch of
    /// the next chunk starts at the k-th size rather than growing from empty
    /// (`BatchCapacity`). Chunks are regions of the same size, so their batches are much
    /// alike: with TPC-H's flat feed a full batch and a short one, with the nested feed one
    /// short batch. Sizing every batch like a full one kept a full batch's room in each
    /// short one, about 20 MiB more peak RSS.
    private var batchSizes: [BatchCapacity] = []

    /// Opens `path` and reads its header; nil when the file cannot be read this way (then
    /// the caller reads it sequentially, which reports what is wrong).
    init?(profile: Profile, path: String, size: Int, threads: Int, chunkBytes: Int, batchID: String, batchSize: Int) {
        self.profile = profile
        self.path = path
        self.size = size
        self.threads = threads
        self.chunkBytes = chunkBytes
        self.batchID = batchID
        self.batchSize = batchSize
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        regions = (size + chunkBytes - 1) / chunkBytes
        newlines = Array(repeating: -1, count: regions)
        results = Array(repeating: nil, count: regions)
        if profile.format == .csv && profile.hasHeader {
            guard let names = Self.readHeader(fd: fd, profile: profile) else {
                close(fd)
                return nil
            }
            header = names
        } else {
            header = nil
        }
    }

    deinit { close(fd) }

    /// What one chunk produced.
    private final class Chunk {
        var batches: [OrderBatch] = []
        var rejects: [Reject] = []
        var books = Books()
        /// Where its first mapped record starts (`size`: it has none).
        var start = 0
        /// Where it stopped (`size` at the end of the file) and that record's line.
        var end = 0
        var endLine = 0
        var warnings: [String] = []
        var readError: ArchiveReadError?
        /// See `ChunkPart.overran`: nothing of it is kept.
        var overran = false
    }

    /// How a chunked read ended.
    enum Outcome {
        case done
        /// The file is truncated or unreadable at byte `at`.
        case failed(ArchiveReadError, at: Int)
        /// A chunk ran `maxOverrun` past its end looking for an order boundary: the records
        /// from byte `from` (line `line`) on are to be read on one thread, from the start of
        /// the order that ran on.
        case rest(from: Int, line: Int)
    }

    /// How far a chunk reads past its region looking for where it ends (`ChunkPart.maxOverrun`):
    /// eight regions, far past any real order (TPC-H's are a few hundred bytes).
    var maxOverrun: Int { 8 * chunkBytes }

    /// Maps the file and hands every batch to `emit` and every reject to `rejects`, in file
    /// order; adds the books to `assembler`'s. A failure of `emit` or of the reject writer
    /// stops the workers and is thrown; a read error is returned, with the bytes read up to
    /// it, for the caller to report as it would for one reader.
    func run(
        into assembler: OrderAssembler, rejects: RejectWriter, tick: () -> Void,
        emit: (inout OrderBatch) throws(WaybillError) -> Void
    ) throws(WaybillError) -> Outcome {
        let box = Unmanaged.passRetained(self)
        var workers: [pthread_t] = []
        for _ in 0..<max(1, threads) {
            var t = pthread_t()
            let rc = pthread_create(&t, nil, { arg in
                Unmanaged<ChunkedFeedReader>.fromOpaque(arg!).takeUnretainedValue().work()
                return nil
            }, box.toOpaque())
            if rc == 0 { workers.append(t) }
        }
        defer {
            sync.lock()
            cancelled = true
            sync.broadcast()
            sync.unlock()
            for t in workers { pthread_join(t, nil) }
            box.release()
        }
        if workers.isEmpty { throw WaybillError.io(path: path, errno: EAGAIN) }
        var end = 0, endLine = 1
        for k in 0..<regions {
            sync.lock()
            while results[k] == nil { sync.wait() }
            var chunk = results[k]!
            results[k] = nil
            sync.unlock()
            if k > 0 && (chunk.start != end || chunk.readError != nil) {
                // The worker's guess is not where chunk k - 1 stopped: map it from there.
                remapped += 1
                chunk = map(region: k, from: end, line: endLine, skipLeading: false)
            }
            if chunk.overran { return .rest(from: end, line: endLine) }
            if k == 0 { warnings = chunk.warnings }
            for i in chunk.batches.indices { try emit(&chunk.batches[i]) }
            chunk.batches = []
            for r in chunk.rejects { try rejects.write(r) }
            assembler.absorb(chunk.books)
            tick()
            if let e = chunk.readError { return .failed(e, at: chunk.end) }
            end = chunk.end
            endLine = chunk.endLine
            sync.lock()
            merged = k
            sync.broadcast()
            sync.unlock()
        }
        return .done
    }

    /// A worker: takes regions in order, at most `threads + 1` ahead of the one being handed on
    /// (memory: a few chunks of batches).
    private func work() {
        // The region is read once: its newlines are counted in memory and the chunk's reader
        // is served from the same bytes. The file used to be read twice, and the kernel's
        // copies of it were 4% of a scale-1 run's samples. The window is this thread's alone
        // and `map` is done with it before the next region is loaded.
        let window = FileWindow(capacity: chunkBytes)
        while true {
            sync.lock()
            while !cancelled && nextRegion < regions && nextRegion > merged + threads + 1 { sync.wait() }
            if cancelled || nextRegion >= regions {
                sync.unlock()
                return
            }
            let k = nextRegion
            nextRegion += 1
            sync.unlock()
            window.load(fd: fd, from: k * chunkBytes, length: min(size, (k + 1) * chunkBytes) - k * chunkBytes)
            let count = Self.newlines(window.bytes)
            sync.lock()
            newlines[k] = count
            sync.broadcast()
            while !cancelled && newlines[0..<k].contains(-1) { sync.wait() }
            let before = newlines[0..<k].reduce(0, +)
            let stop = cancelled
            sync.unlock()
            if stop { return }
            let chunk: Chunk
            if k == 0 {
                chunk = map(region: 0, from: 0, line: 1, skipLeading: false, window: window)
            } else {
                // Start after the first line break at or after the region's start.
                let p = k * chunkBytes
                let (q, newline) = firstRecordStart(from: p, window: window)
                chunk = map(region: k, from: q, line: 1 + before + (newline ? 1 : 0), skipLeading: true, window: window)
            }
            sync.lock()
            results[k] = chunk
            sync.broadcast()
            sync.unlock()
        }
    }

    /// Maps the records of region `k` from byte `from` (on line `line`) with its own mapper
    /// and assembler.
    private func map(region k: Int, from: Int, line: Int, skipLeading: Bool, window: FileWindow? = nil) -> Chunk {
        let chunk = Chunk()
        let endAfter = k + 1 < regions ? (k + 1) * chunkBytes : Int.max
        guard from < size else {
            chunk.start = size
            chunk.end = size
            chunk.endLine = line
            return chunk
        }
        let part = ChunkPart(
            offset: from, line: line, columns: header, skipLeading: skipLeading, endAfter: endAfter, maxOverrun: maxOverrun
        ) {
            [unowned self] in sync.lock()
            defer { sync.unlock() }
            return cancelled
        }
        let mapper = RecordMapper(profile: profile)
        let held = RejectWriter(holding: ())
        sync.lock()
        let sizes = batchSizes
        sync.unlock()
        var produced: [BatchCapacity] = []
        let assembler = OrderAssembler(mapper: mapper, rejects: held, batchID: batchID, batchSize: batchSize) {
            (batch: inout OrderBatch) throws(WaybillError) in
            var out = OrderBatch()
            swap(&out, &batch)
            produced.append(BatchCapacity(of: out))
            if produced.count < sizes.count { batch.reserveCapacity(sizes[produced.count]) }
            chunk.batches.append(out)
        }
        if let first = sizes.first { assembler.reserveCapacity(first) }
        assembler.begin(file: path, member: nil)
        var stream = MemberStream(file: FileRangeReader(fd: fd, from: from, softEnd: endAfter, window: window))
        let failure: ArchiveReadError?
        switch profile.format {
        case .csv:
            let feed = CSVFeed(profile: profile, mapper: mapper, assembler: assembler)
            failure = feed.read(&stream, file: path, part: part)
            chunk.warnings = feed.warnings
        case .ndjson:
            failure = JSONFeed(profile: profile, mapper: mapper, assembler: assembler).read(&stream, part: part)
        }
        if part.overran {
            chunk.overran = true  // read again on one thread: nothing of it is kept
            return chunk
        }
        try? assembler.finish()  // keeping batches and rejects cannot fail
        if !produced.isEmpty {
            sync.lock()
            batchSizes = produced
            sync.unlock()
        }
        chunk.books = assembler.books
        chunk.rejects = held.held
        chunk.start = part.start ?? size
        if let failure {
            chunk.readError = failure
            chunk.end = from + stream.bytesRead
        } else if part.ended {
            chunk.end = part.end
            chunk.endLine = part.endLine
        } else {
            chunk.end = size
        }
        return chunk
    }

    /// The first offset at or after `p` that follows a line break (CR or LF in CSV, LF in
    /// NDJSON), and whether that byte was a newline (the line count moves by one); `size` when
    /// there is none. `window` holds the region that starts at `p`.
    private func firstRecordStart(from p: Int, window: FileWindow) -> (Int, Bool) {
        precondition(window.offset == p, "the window holds another region")
        func isBreak(_ b: UInt8) -> Bool { b == 0x0A || (b == 0x0D && profile.format == .csv) }
        // The byte before the region (the previous region's last: its newline was counted there).
        var before: UInt8 = 0
        if pread(fd, &before, 1, off_t(p - 1)) == 1 && isBreak(before) { return (p, false) }
        if let i = window.bytes.firstIndex(where: isBreak) { return (p + i + 1, window.bytes[i] == 0x0A) }
        // A region without a line break (or cut short by a read error): read on past it.
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var pos = p + window.count
        while pos < size {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(pos)) }
            if n <= 0 { return (size, false) }
            for i in 0..<n where isBreak(buffer[i]) { return (pos + i + 1, buffer[i] == 0x0A) }
            pos += n
        }
        return (size, false)
    }

    /// The newlines of a region, sixteen bytes at a time (`wb_count_byte`, SSE2): the plain
    /// byte loop compiled to a compare and branch per byte, 3% of a scale-0.1 `collect`, and
    /// eight bytes a word with bit tricks still took 1.5 instructions a byte.
    static func newlines(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
        return wb_count_byte(base.assumingMemoryBound(to: UInt8.self), bytes.count, 0x0A)
    }

    /// The first record's fields (the header), read as a sequential reader would; nil when it
    /// is not a clean record.
    private static func readHeader(fd: Int32, profile: Profile) -> [String]? {
        let reader = CSVReader(options: profile.csv)
        var names: [String]?
        var done = false
        var stream = MemberStream(file: FileRangeReader(fd: fd, from: 0))
        _ = reader.read(&stream, stop: { done }) { record in
            if done { return }
            done = true
            if case .none = record.problem {
                names = (0..<record.count).map { String(decoding: record.field($0), as: UTF8.self) }
            }
        }
        return names
    }
}

/// The bounds of one chunk, and what `CSVFeed.admit` found while keeping them.
final class ChunkPart {
    let offset: Int
    let line: Int
    let columns: [String]?
    let endAfter: Int
    /// How far past `endAfter` the chunk reads looking for its bounds before it gives up
    /// (`overran`): an order of millions of rows (a group key that never changes) would
    /// otherwise have every later chunk scan to the order's end, and the chunk holding it keep
    /// all of its rows and rejects in memory.
    let maxOverrun: Int
    let cancelled: () -> Bool
    var skipping: Bool
    /// Whether the first record at or past `endAfter` has been seen.
    var sawEndFirst = false
    var hasPrev = false
    var prevClean = false
    private var prevKey: [UInt8] = []
    private var prevHasKey = false
    private(set) var start: Int?
    private(set) var ended = false
    private(set) var end = 0
    private(set) var endLine = 0
    /// The chunk read `maxOverrun` bytes past its end without finding where it stops: what it
    /// mapped is dropped, and the reader reads the rest of the file on one thread.
    private(set) var overran = false

    init(offset: Int, line: Int, columns: [String]?, skipLeading: Bool, endAfter: Int, maxOverrun: Int = .max,
         cancelled: @escaping () -> Bool) {
        self.offset = offset
        self.line = line
        self.columns = columns
        self.endAfter = endAfter
        self.maxOverrun = maxOverrun
        self.cancelled = cancelled
        skipping = skipLeading
        if !skipLeading { start = offset }
    }

    func remember(clean: Bool, key: UnsafeRawBufferPointer?) {
        hasPrev = true
        prevClean = clean
        prevHasKey = key != nil
        prevKey.removeAll(keepingCapacity: true)
        if let key { prevKey.append(contentsOf: key) }
    }

    func prevKeyEquals(_ key: UnsafeRawBufferPointer?) -> Bool {
        guard let key else { return !prevHasKey }
        return prevHasKey && prevKey.withUnsafeBytes { $0.bytesEqual(key) }
    }

    func stop(at offset: Int, line: Int) {
        ended = true
        end = offset
        endLine = line
    }

    func begin(at offset: Int) { start = offset }

    /// Whether record offset `o` is past `maxOverrun`: then the chunk ends, `overran` when it
    /// had begun (see `overran`); a chunk still skipping to its first boundary just ends
    /// empty, and the chunk before it, which reads on to that boundary, is mapped again from
    /// its end by the reader.
    func overruns(at o: Int, line: Int) -> Bool {
        guard o - endAfter > maxOverrun else { return false }
        if !skipping { overran = true }
        stop(at: o, line: line)
        return true
    }
}
