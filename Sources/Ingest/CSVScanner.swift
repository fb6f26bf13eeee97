/// Finds where CSV records start and end, mirroring libcsv's strict state machine (with no
/// space trimming), so that every record libcsv delivers can be given its line number, byte
/// offset and raw bytes, which libcsv itself does not report. It only tracks quote state; the
/// field values come from libcsv.
struct CSVScanner {
    /// A record's extent in the member: `start..<end` (the terminator, if any, is at `end`).
    struct Boundary {
        var start: Int
        var end: Int
        var line: Int
        /// Whether any byte was >= 0x80 (only then is UTF-8 validated).
        var hasHighBytes: Bool
    }

    private enum State: UInt8 { case rowNotBegun, fieldNotBegun, unquoted, quoted, quoteInQuoted }

    let delimiter: UInt8
    let quote: UInt8
    private var state = State.rowNotBegun
    /// Absolute offset of the first byte of the record being scanned.
    private(set) var recordStart = 0
    private var recordLine = 1
    private var line = 1
    private var high: UInt8 = 0

    init(delimiter: UInt8, quote: UInt8) {
        self.delimiter = delimiter
        self.quote = quote
    }

    /// Whether a record has begun and not yet ended.
    var inRecord: Bool { state != .rowNotBegun }
    var currentRecordLine: Int { recordLine }

    /// Scans `bytes`, which start at absolute offset `base`, appending every record that ends.
    mutating func scan(_ bytes: UnsafeRawBufferPointer, base: Int, into out: inout [Boundary]) {
        var st = state
        var hi = high
        var ln = line
        let d = delimiter, q = quote
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x0A { ln &+= 1 }
            switch st {
            case .rowNotBegun:
                if b == 0x0A || b == 0x0D {
                    break
                }
                recordStart = base + i
                recordLine = b == 0x0A ? ln - 1 : ln
                hi = b
                st = b == d ? .fieldNotBegun : (b == q ? .quoted : .unquoted)
            case .fieldNotBegun, .unquoted:
                hi |= b
                if b == 0x0A || b == 0x0D {
                    out.append(Boundary(start: recordStart, end: base + i, line: recordLine, hasHighBytes: hi >= 0x80))
                    st = .rowNotBegun
                } else if b == d {
                    st = .fieldNotBegun
                } else if b == q && st == .fieldNotBegun {
                    st = .quoted
                } else {
                    st = .unquoted
                }
            case .quoted:
                hi |= b
                // Fast skip to the next quote: the common case is a long quoted text.
                if b == q {
                    st = .quoteInQuoted
                } else {
                    var j = i + 1
                    while j < n && bytes[j] != q {
                        hi |= bytes[j]
                        if bytes[j] == 0x0A { ln &+= 1 }
                        j += 1
                    }
                    i = j
                    continue
                }
            case .quoteInQuoted:
                hi |= b
                if b == 0x0A || b == 0x0D {
                    out.append(Boundary(start: recordStart, end: base + i, line: recordLine, hasHighBytes: hi >= 0x80))
                    st = .rowNotBegun
                } else if b == d {
                    st = .fieldNotBegun
                } else if b == q {
                    st = .quoted
                } else {
                    st = .unquoted  // malformed; libcsv rejects it, we only need the record's end
                }
            }
            i += 1
        }
        state = st
        high = hi
        line = ln
    }

    /// Ends the input: a record without a final newline ends here.
    mutating func finish(at end: Int, into out: inout [Boundary]) {
        if state != .rowNotBegun {
            out.append(Boundary(start: recordStart, end: end, line: recordLine, hasHighBytes: high >= 0x80))
            state = .rowNotBegun
        }
    }
}
