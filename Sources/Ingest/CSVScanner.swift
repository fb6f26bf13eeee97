import CByteScan
import Glibc
import OrderModel

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

    /// Starts a new input whose first byte is on line `line` (between records).
    mutating func restart(line: Int) {
        state = .rowNotBegun
        self.line = line
        recordLine = line
        high = 0
    }

    /// Whether a record has begun and not yet ended.
    var inRecord: Bool { state != .rowNotBegun }
    var currentRecordLine: Int { recordLine }

    /// Scans `bytes`, which start at absolute offset `base`, appending every record that ends;
    /// with `firstOnly`, stops after the first record that ends. Returns the bytes consumed.
    @discardableResult
    mutating func scan(_ bytes: UnsafeRawBufferPointer, base: Int, into out: inout [Boundary], firstOnly: Bool = false)
        -> Int
    {
        var st = state
        var hi = high
        var ln = line
        let d = delimiter, q = quote
        var i = 0
        let n = bytes.count
        scanning: while i < n {
            let b = bytes[i]
            if b == 0x0A { ln &+= 1 }
            switch st {
            case .rowNotBegun:
                if b == 0x0A || b == 0x0D {
                    break
                }
                recordStart = base + i
                recordLine = ln
                hi = b
                st = b == d ? .fieldNotBegun : (b == q ? .quoted : .unquoted)
            case .fieldNotBegun, .unquoted:
                hi |= b
                if b == 0x0A || b == 0x0D {
                    out.append(Boundary(start: recordStart, end: base + i, line: recordLine, hasHighBytes: hi >= 0x80))
                    st = .rowNotBegun
                    if firstOnly {
                        i += 1
                        break scanning
                    }
                } else if b == d {
                    st = .fieldNotBegun
                } else if b == q && st == .fieldNotBegun {
                    st = .quoted
                } else {
                    st = .unquoted
                    // Fast skip over the rest of an unquoted field.
                    var j = i + 1
                    while j < n {
                        let c = bytes[j]
                        if c == d || c == q || c == 0x0A || c == 0x0D { break }
                        hi |= c
                        j += 1
                    }
                    i = j
                    continue
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
                    if firstOnly {
                        i += 1
                        break scanning
                    }
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
        return i
    }

    /// Ends the input: a record without a final newline ends here.
    mutating func finish(at end: Int, into out: inout [Boundary]) {
        if state != .rowNotBegun {
            out.append(Boundary(start: recordStart, end: end, line: recordLine, hasHighBytes: high >= 0x80))
            state = .rowNotBegun
        }
    }
}

extension CSVScanner {
    /// Splits the record that starts at `bytes[from]` (after any blank line ends) into `sink`,
    /// when the scanner is between records, the record ends before `end`, and every field is
    /// plain or simply quoted (`"..."` with no doubled quote inside). The values are then
    /// exactly what libcsv would give. This finds the record's extent and its fields in one
    /// pass over the bytes, where scanning first and splitting after took two; the pass is
    /// `wb_csv_split_simple` (CByteScan: SIMD masks of the special bytes). The fields go into
    /// `sink` as ranges of `bytes` (whose start must be the sink's `base`), not copies.
    ///
    /// Returns the record's boundary and advances past its terminator; returns nil, leaving
    /// the scanner as it was (and part of the record in `sink`), when the record is anything
    /// else: then `scan` and libcsv take over from `from`.
    mutating func splitSimple(
        _ bytes: UnsafePointer<UInt8>, from: Int, end: Int, base: Int, sink: UnsafeMutablePointer<FieldSink>
    ) -> (boundary: Boundary, next: Int)? {
        guard state == .rowNotBegun else { return nil }
        var r = wb_csv_record()
        while true {
            let k = sink.pointee.count
            wb_csv_split_simple(bytes, from, end, delimiter, quote, sink.pointee.maxField, sink.pointee.starts + k,
                                sink.pointee.ends + k, sink.pointee.endCapacity - k, &r)
            guard r.status == Int32(WB_CSV_SPLIT_FULL) else { break }
            sink.pointee.growFields()
        }
        guard r.status == Int32(WB_CSV_SPLIT_OK) else { return nil }
        sink.pointee.commitReferences(r.fields, tooLong: r.too_long, length: r.too_long_length)
        let startLine = line &+ r.blank_lines
        line = startLine &+ r.lines
        let b = Boundary(start: base + r.start, end: base + r.terminator, line: startLine, hasHighBytes: r.high != 0)
        return (b, r.terminator + 1)
    }
}
