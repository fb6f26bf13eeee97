internal import CSimdjsonShim
import OrderModel

/// One line of NDJSON as parsed: its tape (when valid), raw bytes and position.
struct JSONLine {
    var tape: JSONTape
    /// Root entry index and the end of its entries.
    var root: Int
    var end: Int
    var raw: UnsafeRawBufferPointer
    var line: Int
    var byteOffset: Int
    var problem: RecordProblem
}

/// Reads NDJSON lines from a member stream in large blocks and parses them with simdjson,
/// many lines per FFI call. Lines longer than the limit are reported, not buffered whole.
final class JSONLineReader {
    private let parser: OpaquePointer
    private let padding = wb_json_padding()
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var length = 0
    /// Absolute offset of buffer[0], and the line number of its first line.
    private var base = 0
    private var baseLine = 1
    private let blockSize: Int
    private let maxLine: Int
    private let maxDocs = 2048
    private var scratch: [UInt8] = []

    private let maxDepth: Int

    init(blockSize: Int = 1 << 20, maxLineBytes: Int, maxDepth: Int = InputLimits().maxJSONDepth) {
        parser = wb_json_batch_create()!
        self.maxDepth = maxDepth
        wb_json_batch_set_max_depth(parser, maxDepth)
        self.blockSize = blockSize
        maxLine = maxLineBytes
        capacity = blockSize * 2
        buffer = .allocate(byteCount: capacity + padding, alignment: 64)
    }

    deinit {
        wb_json_batch_destroy(parser)
        buffer.deallocate()
    }

    private var eof = false
    private var failure: ArchiveReadError?
    private var skippingLong = false
    /// Whether the member's first bytes are still to be checked for a UTF-8 byte order mark.
    private var atMemberStart = true
    /// The member started with a UTF-16 or UTF-32 mark: reported once, the rest is dropped.
    private var skippingMember = false

    /// Prepares for a new member.
    func reset() {
        length = 0
        base = 0
        baseLine = 1
        eof = false
        failure = nil
        skippingLong = false
        atMemberStart = true
        skippingMember = false
    }

    /// Reads the member to its end, calling `handler` once per non-blank line. A chunk of a
    /// file read in parallel starts at byte `offset` (a line start), on line `line`.
    func read(
        _ stream: inout MemberStream, offset: Int = 0, line: Int = 1, stop: () -> Bool, handler: (inout JSONLine) -> Void
    ) -> ArchiveReadError? {
        reset()
        base = offset
        baseLine = line
        atMemberStart = offset == 0
        while step(&stream, stop: stop, handler: handler) {}
        return failure
    }

    /// The read error that ended the member, if any.
    var readFailure: ArchiveReadError? { failure }

    /// Reads one block and handles the lines it completes. Returns false once the member has
    /// ended (or `stop` says so) and every line has been handled.
    func step(_ stream: inout MemberStream, stop: () -> Bool, handler: (inout JSONLine) -> Void) -> Bool {
        if eof || stop() { return false }
        // Make room for one more block.
        if capacity - length < blockSize {
            let newCap = max(capacity * 2, length + blockSize)
            let nb = UnsafeMutableRawPointer.allocate(byteCount: newCap + padding, alignment: 64)
            nb.copyMemory(from: buffer, byteCount: length)
            buffer.deallocate()
            buffer = nb
            capacity = newCap
        }
        // UTF-8 input is read straight into the parse buffer (room for a block was made
        // above); only transcoded input goes through `scratch`.
        scratch.removeAll(keepingCapacity: true)
        let direct = stream.readDirect(into: UnsafeMutableRawBufferPointer(start: buffer + length, count: blockSize))
        switch direct ?? stream.read(appendingTo: &scratch, max: blockSize) {
        case .success(let n):
            if n == 0 { eof = true }
            if direct != nil { length += n }
        case .failure(let e):
            failure = e
            eof = true
        }
        if !scratch.isEmpty {
            if capacity - length < scratch.count {
                let newCap = length + scratch.count
                let nb = UnsafeMutableRawPointer.allocate(byteCount: newCap + padding, alignment: 64)
                nb.copyMemory(from: buffer, byteCount: length)
                buffer.deallocate()
                buffer = nb
                capacity = newCap
            }
            scratch.withUnsafeBytes { (buffer + length).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            length += scratch.count
        }
        if atMemberStart && (length >= 4 || eof) {
            // A UTF-8 byte order mark (Windows tools write one) is not part of the first line,
            // as for CSV (`CSVReader`); offsets still count it, so they stay the file's.
            atMemberStart = false
            let head = UnsafeRawBufferPointer(start: buffer, count: length)
            if length >= 3 && ByteOrderMark.starts(head) {
                shift(3, lines: 0)
            } else if let wide = ByteOrderMark.wideEncoding(head) {
                var line = JSONLine(
                    tape: JSONTape(entries: nil, arena: nil), root: 0, end: 0,
                    raw: UnsafeRawBufferPointer(rebasing: head[0..<min(length, 64)]), line: baseLine, byteOffset: base,
                    problem: .wideEncoding(wide))
                handler(&line)
                skippingMember = true
            }
        }
        if skippingMember {
            shift(length, lines: 0)
            return !eof
        }
        if skippingLong {
            // Drop bytes up to the end of the over-long line.
            let view = UnsafeRawBufferPointer(start: buffer, count: length)
            if let nl = view.firstIndex(of: 0x0A) {
                shift(nl + 1, lines: 1)
                skippingLong = false
            } else {
                shift(length, lines: 0)
                return !eof
            }
        }
        parseAvailable(final: eof, stop: stop, handler: handler)
        if !eof && length > maxLine {
            // No newline within the limit: report the line by its first bytes, skip the rest.
            let prefix = UnsafeRawBufferPointer(start: buffer, count: min(length, 4096))
            var line = JSONLine(
                tape: JSONTape(entries: nil, arena: nil), root: 0, end: 0, raw: prefix, line: baseLine,
                byteOffset: base, problem: .lineTooLong(length: length))
            handler(&line)
            let view = UnsafeRawBufferPointer(start: buffer, count: length)
            if let nl = view.firstIndex(of: 0x0A) {
                shift(nl + 1, lines: 1)
            } else {
                shift(length, lines: 0)
                skippingLong = true
            }
        }
        return !eof
    }

    private func parseAvailable(final: Bool, stop: () -> Bool, handler: (inout JSONLine) -> Void) {
        while length > 0 && !stop() {
            // Zero the padding: simdjson may read (never use) bytes past the end.
            (buffer + length).initializeMemory(as: UInt8.self, repeating: 0, count: padding)
            var consumed = 0
            var lines = 0
            let n = wb_json_parse_lines(
                parser, buffer.assumingMemoryBound(to: UInt8.self), length, final ? 1 : 0, maxDocs,
                &consumed, &lines)
            let docs = wb_json_docs(parser)
            let tape = JSONTape(entries: wb_json_tape(parser), arena: wb_json_arena(parser), input: UnsafeRawPointer(buffer))
            for d in 0..<n {
                let doc = docs![d]
                var problem = RecordProblem.none
                var raw = UnsafeRawBufferPointer(start: buffer + Int(doc.offset), count: Int(doc.length))
                if raw.count > maxLine {
                    // Complete in the buffer but over the limit: the same answer as a longer line.
                    problem = .lineTooLong(length: raw.count)
                    raw = UnsafeRawBufferPointer(rebasing: raw[0..<min(raw.count, 4096)])
                } else if doc.error != 0 {
                    let message = String(cString: wb_json_error_message(doc.error))
                    if wb_json_is_utf8_error(doc.error) != 0 {
                        problem = .invalidUTF8(field: -1, offset: 0)
                    } else if wb_json_is_depth_error(doc.error) != 0 {
                        problem = .malformed("values nest deeper than max_json_depth \(maxDepth)")
                    } else if ByteOrderMark.starts(raw) {
                        problem = .malformed("a byte order mark (EF BB BF) starts this line: files concatenated with their BOMs?")
                    } else {
                        problem = .malformed(message)
                    }
                }
                var line = JSONLine(
                    tape: tape, root: Int(doc.tape_begin), end: Int(doc.tape_end), raw: raw,
                    line: baseLine + Int(doc.line_index), byteOffset: base + Int(doc.offset), problem: problem)
                handler(&line)
            }
            if consumed == 0 { return }
            shift(consumed, lines: lines)
        }
    }

    /// Drops the first `n` bytes of the buffer.
    private func shift(_ n: Int, lines: Int) {
        if n < length { buffer.copyMemory(from: buffer + n, byteCount: length - n) }
        length -= n
        base += n
        baseLine += lines
    }
}
