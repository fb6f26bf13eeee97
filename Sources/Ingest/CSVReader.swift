internal import CCSV
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
    /// Field values of the record being parsed.
    private var fieldBytes: [UInt8] = []
    private var fieldEnds: [Int] = []
    private var tooLongField = -1
    private var tooLongLength = 0
    /// The read buffer; `buffer[0]` is at absolute offset `base`.
    private var buffer: [UInt8] = []
    private var base = 0
    private var handler: ((inout CSVRecord) -> Void)?
    /// Set when the current record is being skipped (parse error or too long) until its end.
    private var skipping: RecordProblem?
    private var skippedPrefix: [UInt8] = []

    init(options: CSVOptions) {
        self.options = options
        scanner = CSVScanner(delimiter: options.delimiter, quote: options.quote)
        resetParser(first: true)
        fieldBytes.reserveCapacity(1 << 16)
        fieldEnds.reserveCapacity(256)
    }

    deinit { csv_free(&parser) }

    private func resetParser(first: Bool = false) {
        if !first { csv_free(&parser) }
        csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI))
        csv_set_delim(&parser, options.delimiter)
        csv_set_quote(&parser, options.quote)
        // No byte is a "space": libcsv would otherwise trim spaces around unquoted fields,
        // changing values such as TPC-H comments that end in a space.
        csv_set_space_func(&parser, { _ in 0 })
        fieldBytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        tooLongField = -1
    }

    /// Reads the whole member, calling `handler` once per record (including bad ones, whose
    /// `problem` says why). Returns the read error when the member is truncated or corrupt.
    func read(_ stream: inout MemberStream, handler: @escaping (inout CSVRecord) -> Void) -> ArchiveReadError? {
        self.handler = handler
        defer { self.handler = nil }
        var first = true
        var failure: ArchiveReadError?
        while true {
            let before = buffer.count
            var got = 0
            // The first time, read at least 3 bytes (or to the end) to see a byte order mark.
            repeat {
                switch stream.read(appendingTo: &buffer, max: options.blockSize) {
                case .success(let n): got = n
                case .failure(let e):
                    failure = e
                    got = 0
                }
            } while first && got > 0 && buffer.count < 3
            var start = before
            if first {
                first = false
                if buffer.count - before >= 3 && buffer[before] == 0xEF && buffer[before + 1] == 0xBB
                    && buffer[before + 2] == 0xBF
                {
                    start += 3  // UTF-8 byte order mark: not part of the first field
                }
            }
            if buffer.count == before {
                finish()
                return failure
            }
            process(from: start)
        }
    }

    /// Scans and parses buffer[from...], then drops what is no longer needed.
    private func process(from start: Int) {
        buffer.withUnsafeBytes { raw in
            scanner.scan(UnsafeRawBufferPointer(rebasing: raw[start...]), base: base + start, into: &boundaries)
        }
        feed(from: start)
        compact()
    }

    private func feed(from start: Int) {
        var pos = start
        let end = buffer.count
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
            let consumed = buffer.withUnsafeBytes { raw in
                csv_parse(
                    &parser, raw.baseAddress! + pos, end - pos, fieldCallback, recordCallback,
                    Unmanaged.passUnretained(self).toOpaque())
            }
            if csv_error(&parser) == CSV_EPARSE {
                let message = "malformed CSV (unescaped or misplaced quote) near byte \(base + pos + consumed)"
                skipping = .malformed(message)
                rememberPrefix()
                pos += consumed + 1
                continue
            }
            pos = end
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

    /// Saves the first bytes of the record being skipped, for its reject.
    private func rememberPrefix() {
        let startInBuffer = max(0, scanner.recordStart - base)
        let upTo = min(buffer.count, startInBuffer + 4096)
        if head < boundaries.count {
            let b = boundaries[head]
            skippedPrefix = Array(buffer[(b.start - base)..<min(b.end - base, b.start - base + 4096)])
        } else if startInBuffer < upTo {
            skippedPrefix = Array(buffer[startInBuffer..<upTo])
        } else {
            skippedPrefix = []
        }
    }

    private func finish() {
        if skipping == nil {
            // The scanner's final record and libcsv's final callback go together.
            scanner.finish(at: base + buffer.count, into: &boundaries)
            csv_fini(&parser, fieldCallback, recordCallback, Unmanaged.passUnretained(self).toOpaque())
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

    fileprivate func addField(_ ptr: UnsafeMutableRawPointer?, _ len: Int) {
        if len > options.maxFieldBytes {
            if tooLongField < 0 {
                tooLongField = fieldEnds.count
                tooLongLength = len
            }
            fieldEnds.append(fieldBytes.count)
            return
        }
        if let ptr, len > 0 {
            fieldBytes.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: len))
        }
        fieldEnds.append(fieldBytes.count)
    }

    fileprivate func endRecord() {
        defer {
            fieldBytes.removeAll(keepingCapacity: true)
            fieldEnds.removeAll(keepingCapacity: true)
            tooLongField = -1
        }
        guard head < boundaries.count else { return }  // cannot happen: the scanner mirrors libcsv
        let b = boundaries[head]
        head += 1
        var problem = RecordProblem.none
        if b.end - b.start > options.maxLineBytes {
            problem = .lineTooLong(length: b.end - b.start)
        } else if tooLongField >= 0 {
            problem = .fieldTooLong(field: tooLongField, length: tooLongLength)
        } else if b.hasHighBytes {
            fieldBytes.withUnsafeBytes { fb in
                var s = 0
                for (i, e) in fieldEnds.enumerated() {
                    if let bad = JSONText.firstInvalidUTF8(UnsafeRawBufferPointer(rebasing: fb[s..<e])) {
                        problem = .invalidUTF8(field: i, offset: bad)
                        return
                    }
                    s = e
                }
            }
        }
        let rs = b.start - base
        var re = b.end - base
        if case .lineTooLong = problem { re = min(re, rs + 4096) }
        fieldBytes.withUnsafeBytes { fb in
            fieldEnds.withUnsafeBufferPointer { fe in
                buffer.withUnsafeBytes { all in
                    let raw = rs >= 0 && re <= all.count ? UnsafeRawBufferPointer(rebasing: all[rs..<re]) : UnsafeRawBufferPointer(start: nil, count: 0)
                    var record = CSVRecord(
                        fieldBytes: fb, fieldEnds: fe, raw: raw, line: b.line, byteOffset: b.start, problem: problem)
                    handler?(&record)
                }
            }
        }
    }

    private func deliverBad(_ b: CSVScanner.Boundary, _ problem: RecordProblem) {
        let rs = b.start - base, re = b.end - base
        let useBuffer = rs >= 0 && re <= buffer.count && skippedPrefix.isEmpty
        let raw = useBuffer ? Array(buffer[rs..<re]) : skippedPrefix
        skippedPrefix = []
        raw.withUnsafeBytes { r in
            var record = CSVRecord(
                fieldBytes: UnsafeRawBufferPointer(start: nil, count: 0),
                fieldEnds: UnsafeBufferPointer(start: nil, count: 0), raw: r, line: b.line, byteOffset: b.start,
                problem: problem)
            handler?(&record)
        }
    }
}

private let fieldCallback: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = {
    ptr, len, ctx in
    Unmanaged<CSVReader>.fromOpaque(ctx!).takeUnretainedValue().addField(ptr, len)
}

private let recordCallback: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { _, ctx in
    Unmanaged<CSVReader>.fromOpaque(ctx!).takeUnretainedValue().endRecord()
}
