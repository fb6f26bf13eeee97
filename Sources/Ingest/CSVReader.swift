internal import CCSV
import Glibc
import OrderModel

/// Reads CSV records from a member stream with libcsv in strict mode, fed in large blocks.
///
/// libcsv delivers field values through callbacks but no positions, so `CSVScanner` runs over
/// each block first and records where every record starts and ends; libcsv's end-of-record
/// callback takes the next boundary from that queue. On a parse error the bad record is
/// reported (with its raw bytes), the parser is reset and reading resumes at the record's end.
final class CSVReader {
    private var parser = csv_parser()
    private let options: CSVOptions
    private var scanner: CSVScanner
    private var boundaries: [CSVScanner.Boundary] = []
    private var head = 0
    /// Field values of the record being parsed (the callbacks' context).
    private let sink: UnsafeMutablePointer<FieldSink>
    /// The read buffer; `buffer[0]` is at absolute offset `base`.
    private var buffer: [UInt8] = []
    private var base = 0
    private var handler: ((inout CSVRecord) -> Void)?
    /// Set when the current record is being skipped (parse error or too long) until its end.
    private var skipping: RecordProblem?
    private var skippedPrefix: [UInt8] = []
    /// Absolute offset of the skipped record's first byte not yet in `skippedPrefix`.
    private var skippedNext = 0
    init(options: CSVOptions) {
        self.options = options
        scanner = CSVScanner(delimiter: options.delimiter, quote: options.quote)
        sink = .allocate(capacity: 1)
        sink.initialize(to: FieldSink(maxField: options.maxFieldBytes))
        resetParser(first: true)
        sink.pointee.reader = Unmanaged.passUnretained(self)
    }

    deinit {
        csv_free(&parser)
        sink.pointee.free()
        sink.deinitialize(count: 1)
        sink.deallocate()
    }

    private func resetParser(first: Bool = false) {
        if !first { csv_free(&parser) }
        csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI))
        // libcsv grows a field's buffer by a fixed block (128 bytes by default), a realloc
        // each: a field of megabytes (before max_field_bytes rejects it) took tens of
        // thousands of reallocs, each copying the buffer where realloc cannot grow in place.
        // 64 KiB blocks make that a few hundred.
        csv_set_blk_size(&parser, 64 << 10)
        csv_set_delim(&parser, options.delimiter)
        csv_set_quote(&parser, options.quote)
        // No byte is a "space": libcsv would otherwise trim spaces around unquoted fields,
        // changing values such as TPC-H comments that end in a space.
        csv_set_space_func(&parser, { _ in 0 })
        sink.pointee.clear()
    }

    /// Reads the whole member, calling `handler` once per record (including bad ones, whose
    /// `problem` says why). Returns the read error when the member is truncated or corrupt.
    /// A chunk of a file read in parallel starts at byte `offset`, on line `line`, between
    /// records (and has no byte order mark to drop); a member starts at 0 on line 1.
    func read(
        _ stream: inout MemberStream, offset: Int = 0, line: Int = 1, stop: () -> Bool = { false },
        handler: @escaping (inout CSVRecord) -> Void
    ) -> ArchiveReadError? {
        self.handler = handler
        defer { self.handler = nil }
        // Line numbers and offsets count from each member's (or chunk's) start.
        scanner.restart(line: line)
        base = offset
        var first = offset == 0
        var failure: ArchiveReadError?
        while true {
            let before = buffer.count
            var got = 0
            // The first time, read at least 4 bytes (or to the end) to see a byte order mark.
            repeat {
                switch stream.read(appendingTo: &buffer, max: options.blockSize) {
                case .success(let n): got = n
                case .failure(let e):
                    failure = e
                    got = 0
                }
            } while first && got > 0 && buffer.count < 4
            var start = before
            if first {
                first = false
                if buffer.withUnsafeBytes({ ByteOrderMark.starts(UnsafeRawBufferPointer(rebasing: $0[before...])) }) {
                    start += 3  // UTF-8 byte order mark: not part of the first field
                } else if let wide = buffer.withUnsafeBytes({ ByteOrderMark.wideEncoding(UnsafeRawBufferPointer(rebasing: $0[before...])) }) {
                    // One reject for the member, which is not read further (see `wideEncoding`).
                    let raw = Array(buffer[before..<min(buffer.count, before + 64)])
                    raw.withUnsafeBytes { r in
                        var record = CSVRecord(
                            base: nil, starts: nil, ends: nil, count: 0, raw: r, line: line, byteOffset: offset,
                            problem: .wideEncoding(wide))
                        handler(&record)
                    }
                    buffer.removeAll(keepingCapacity: true)
                    base = 0
                    return failure
                }
            }
            if buffer.count == before || stop() {
                finish()
                return failure
            }
            process(from: start)
        }
    }

    /// Scans and parses buffer[from...], then drops what is no longer needed.
    private func process(from start: Int) {
        var from = start
        if skipping == nil && scanner.inRecord {
            // The record that began in the previous block goes the general way; after it
            // the one-pass splitter can take over again.
            from += feedOneRecord(from: from)
        }
        // libcsv holds no half record here when the scanner is between records and nothing
        // is being skipped, so the one-pass splitter may take the records it can. A record it
        // cannot take (a doubled or stray quote, a quoted line break) goes the general way on
        // its own, and the splitter takes over again after it: before, the rest of the block
        // (up to 1 MiB) went the general way after one such record.
        while skipping == nil && !scanner.inRecord {
            from = splitRecords(from: from)
            guard from < buffer.count else { break }
            let used = feedOneRecord(from: from)
            from += used
            if used == 0 { break }
        }
        buffer.withUnsafeBytes { raw in
            scanner.scan(UnsafeRawBufferPointer(rebasing: raw[from...]), base: base + from, into: &boundaries)
        }
        feed(from: from)
        compact()
    }

    /// Scans and parses the record at buffer[from...] (to its end, or the block's); returns the
    /// bytes it took.
    private func feedOneRecord(from: Int) -> Int {
        let used = buffer.withUnsafeBytes { raw in
            scanner.scan(UnsafeRawBufferPointer(rebasing: raw[from...]), base: base + from, into: &boundaries, firstOnly: true)
        }
        feed(from: from, to: from + used)
        return used
    }

    /// Delivers the records from buffer[start...] that `CSVScanner.splitSimple` can split in
    /// one pass (plain and simply quoted fields, ending in this block), up to the first one it
    /// cannot; returns where that one starts.
    private func splitRecords(from start: Int) -> Int {
        var pos = start
        let end = buffer.count
        guard let handler else { return pos }
        buffer.withUnsafeBufferPointer { buf in
            let bytes = buf.baseAddress!
            while pos < end {
                sink.pointee.base = UnsafeRawPointer(bytes)
                guard let (b, next) = scanner.splitSimple(bytes, from: pos, end: end, base: base, sink: sink) else {
                    sink.pointee.clear()
                    return
                }
                deliver(b, in: UnsafeRawBufferPointer(buf), to: handler)
                pos = next
            }
        }
        return pos
    }

    private func feed(from start: Int, to limit: Int? = nil) {
        var pos = start
        let end = limit ?? buffer.count
        while pos < end {
            if let problem = skipping {
                guard head < boundaries.count else { return }  // its end is in a later block
                let b = boundaries[head]
                head += 1
                skipping = nil
                deliverBad(b, problem)
                resetParser()
                pos = b.end - base
                continue
            }
            // The next record's end, when the scanner has seen it in this block.
            var recordEnd = -1
            if head < boundaries.count {
                let b = boundaries[head]
                let rs = b.start - base, re = b.end - base
                if re < end { recordEnd = re }
                // Fast path. libcsv hands every byte to a state machine (and our "space"
                // callback) one at a time, which was a third of `collect`'s parsing time. A record
                // that starts after everything libcsv has been given (so libcsv holds no half
                // record) and ends in this block is split here instead, when its fields are plain
                // or simply quoted (`"..."` with no doubled quote inside): then the values are
                // exactly what libcsv would give. Anything else (doubled quotes, stray quotes,
                // bytes after a closing quote) goes to libcsv, which decides and reports.
                if rs >= pos && re < end {
                    if splitSimple(rs, re) {
                        endRecord()
                        pos = re + 1
                        continue
                    }
                    sink.pointee.clear()
                }
            }
            // libcsv parses up to the end of the next record (so the parser is idle after it and
            // the fast path can take over), or the rest of the block when that record goes on.
            let chunkEnd = recordEnd >= pos ? recordEnd + 1 : end
            let consumed = buffer.withUnsafeBytes { raw in
                csv_parse(
                    &parser, raw.baseAddress! + pos, chunkEnd - pos, fieldCallback, recordCallback,
                    UnsafeMutableRawPointer(sink))
            }
            if csv_error(&parser) == CSV_EPARSE {
                let message = "malformed CSV (unescaped or misplaced quote) near byte \(base + pos + consumed)"
                skipping = .malformed(message)
                rememberPrefix()
                pos += consumed + 1
                continue
            }
            pos = chunkEnd
        }
    }

    /// Gives the sink the fields of buffer[from..<to] when every field is plain or simply
    /// quoted, and returns true; returns false (with part of the record in the sink) otherwise.
    private func splitSimple(_ from: Int, _ to: Int) -> Bool {
        buffer.withUnsafeBytes { raw in
            let d = options.delimiter, q = options.quote
            let base = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var i = from
            while true {
                if i < to && base[i] == q {
                    // Quoted: the value runs to the next quote, which must end the field.
                    let open = i + 1
                    guard let close = memchr(base + open, Int32(q), to - open) else { return false }
                    let c = UnsafeRawPointer(close).assumingMemoryBound(to: UInt8.self) - base
                    sink.pointee.add(base + open, c - open)
                    if c + 1 == to { return true }
                    guard base[c + 1] == d else { return false }
                    i = c + 2
                } else {
                    var j = i
                    while j < to {
                        let b = base[j]
                        if b == d { break }
                        if b == q { return false }
                        j += 1
                    }
                    sink.pointee.add(base + i, j - i)
                    if j == to { return true }
                    i = j + 1
                }
            }
        }
    }

    /// Keeps the unfinished record's bytes; guards the line length limit.
    private func compact() {
        let keepFrom: Int
        if scanner.inRecord {
            let length = base + buffer.count - scanner.recordStart
            if length > options.maxLineBytes && skipping == nil {
                skipping = .lineTooLong(length: length)
                rememberPrefix()
                resetParser()
            }
            if skipping != nil { extendPrefix() }
            keepFrom = skipping != nil ? buffer.count : scanner.recordStart - base
        } else {
            keepFrom = buffer.count
        }
        if keepFrom > 0 {
            buffer.removeFirst(keepFrom)
            base += keepFrom
        }
        if head > 0 && head == boundaries.count {
            boundaries.removeAll(keepingCapacity: true)
            head = 0
        }
    }

    /// Adds the skipped record's bytes in this block to its prefix, up to 4096 bytes: the
    /// reject's raw bytes then do not depend on where blocks were cut (a chunk of a parallel
    /// read cuts them elsewhere than a reader of the whole file).
    private func extendPrefix(until end: Int = Int.max) {
        let room = 4096 - skippedPrefix.count
        guard room > 0, skippedNext >= base, skippedNext < base + buffer.count else { return }
        let from = skippedNext - base
        let upTo = min(buffer.count, from + room, max(from, end - base))
        skippedPrefix += buffer[from..<upTo]
        skippedNext = base + upTo
    }

    /// Saves the first bytes of the record being skipped, for its reject.
    private func rememberPrefix() {
        let startInBuffer = max(0, scanner.recordStart - base)
        let upTo = min(buffer.count, startInBuffer + 4096)
        if head < boundaries.count {
            let b = boundaries[head]
            skippedPrefix = Array(buffer[(b.start - base)..<min(b.end - base, b.start - base + 4096)])
            skippedNext = Int.max  // the whole record (or 4096 bytes of it) is in the prefix
        } else if startInBuffer < upTo {
            skippedPrefix = Array(buffer[startInBuffer..<upTo])
            skippedNext = base + upTo
        } else {
            skippedPrefix = []
            skippedNext = base + startInBuffer
        }
    }

    private func finish() {
        if skipping == nil {
            // The scanner's final record and libcsv's final callback go together.
            scanner.finish(at: base + buffer.count, into: &boundaries)
            csv_fini(&parser, fieldCallback, recordCallback, UnsafeMutableRawPointer(sink))
            if csv_error(&parser) == CSV_EPARSE, head < boundaries.count {
                let b = boundaries[head]
                head += 1
                deliverBad(b, .malformed("malformed CSV: a quoted field is not closed before the end of the input"))
            }
        } else {
            scanner.finish(at: base + buffer.count, into: &boundaries)
            if head < boundaries.count, let problem = skipping {
                let b = boundaries[head]
                head += 1
                deliverBad(b, problem)
            }
            skipping = nil
        }
        resetParser()
        buffer.removeAll(keepingCapacity: true)
        boundaries.removeAll(keepingCapacity: true)
        head = 0
        base = 0
    }

    fileprivate func endRecord() {
        guard head < boundaries.count else {  // cannot happen: the scanner mirrors libcsv
            sink.pointee.clear()
            return
        }
        let b = boundaries[head]
        head += 1
        guard let handler else { return sink.pointee.clear() }
        buffer.withUnsafeBytes { deliver(b, in: $0, to: handler) }
    }

    /// Hands the record in the sink, which spans `b` of `all` (the buffer), to `handler`. The
    /// callers pass the buffer and the handler they hold for a whole block: reading either
    /// property here retained and released it for every record.
    private func deliver(_ b: CSVScanner.Boundary, in all: UnsafeRawBufferPointer, to handler: (inout CSVRecord) -> Void) {
        defer { sink.pointee.clear() }
        var problem = RecordProblem.none
        if b.end - b.start > options.maxLineBytes {
            problem = .lineTooLong(length: b.end - b.start)
        } else if sink.pointee.count > options.maxColumns {
            problem = .tooManyFields(count: sink.pointee.count)
        } else if sink.pointee.tooLongField >= 0 {
            problem = .fieldTooLong(field: sink.pointee.tooLongField, length: sink.pointee.tooLongLength)
        }
        let sk = sink.pointee
        var record = CSVRecord(
            base: sk.fieldBase, starts: UnsafePointer(sk.starts), ends: UnsafePointer(sk.ends), count: sk.count,
            raw: UnsafeRawBufferPointer(start: nil, count: 0), line: b.line, byteOffset: b.start, problem: .none)
        if case .none = problem, b.hasHighBytes {
            for i in 0..<record.count {
                if let bad = JSONText.firstInvalidUTF8(record.field(i)) {
                    problem = .invalidUTF8(field: i, offset: bad)
                    break
                }
            }
        }
        let rs = b.start - base
        var re = b.end - base
        if case .lineTooLong = problem { re = min(re, rs + 4096) }
        record.raw = rs >= 0 && re <= all.count ? UnsafeRawBufferPointer(rebasing: all[rs..<re]) : UnsafeRawBufferPointer(start: nil, count: 0)
        record.problem = problem
        handler(&record)
        if case .tooManyFields = problem { sink.pointee.shrinkFields() }
    }

    private func deliverBad(_ b: CSVScanner.Boundary, _ problem: RecordProblem) {
        let rs = b.start - base, re = b.end - base
        // The whole record when it is still in the buffer, else the prefix kept when skipping began.
        let useBuffer = rs >= 0 && re <= buffer.count && re - rs <= options.maxLineBytes
        if !useBuffer { extendPrefix(until: b.end) }
        let raw = useBuffer ? Array(buffer[rs..<re]) : skippedPrefix
        skippedPrefix = []
        raw.withUnsafeBytes { r in
            var record = CSVRecord(
                base: nil, starts: nil, ends: nil, count: 0, raw: r, line: b.line, byteOffset: b.start,
                problem: problem)
            handler?(&record)
        }
    }
}

private let fieldCallback: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = {
    ptr, len, ctx in
    ctx!.assumingMemoryBound(to: FieldSink.self).pointee.add(ptr, len)
}

private let recordCallback: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, ctx in
    ctx!.assumingMemoryBound(to: FieldSink.self).pointee.reader!.takeUnretainedValue().endRecord()
}
