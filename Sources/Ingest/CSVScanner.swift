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
    /// pass over the bytes, where scanning first and splitting after took two. The fields go
    /// into `sink` as ranges of `bytes` (whose start must be the sink's `base`), not copies.
    ///
    /// Returns the record's boundary and advances past its terminator; returns nil, leaving
    /// the scanner as it was (and part of the record in `sink`), when the record is anything
    /// else: then `scan` and libcsv take over from `from`.
    mutating func splitSimple(
        _ bytes: UnsafePointer<UInt8>, from: Int, end: Int, base: Int, classes: UnsafePointer<UInt8>,
        sink: UnsafeMutablePointer<FieldSink>
    ) -> (boundary: Boundary, next: Int)? {
        guard state == .rowNotBegun else { return nil }
        let d = delimiter, q = quote
        var ln = line
        var i = from
        // Blank line ends between records, as `scan` skips them.
        while i < end && (bytes[i] == 0x0A || bytes[i] == 0x0D) {
            if bytes[i] == 0x0A { ln &+= 1 }
            i += 1
        }
        guard i < end else { return nil }
        let start = i
        let startLine = ln
        var hi: UInt8 = 0
        while true {
            if bytes[i] == q {
                // Quoted: the value runs to the next quote, which must end the field.
                let open = i + 1
                // memchr finds the closing quote; a second, branch-free pass over the value
                // counts its newlines and high bytes. Together cheaper than one byte loop that
                // tests all three (long quoted comments are the common case).
                guard let hit = memchr(bytes + open, Int32(q), end - open) else { return nil }
                let c = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - bytes
                let (newlines, high) = Self.newlinesAndHighBits(bytes + open, c - open)
                ln &+= newlines
                hi |= high
                guard c + 1 < end else { return nil }  // the field or record goes on past the block
                sink.pointee.addReference(open, c - open)
                let after = bytes[c + 1]
                if after == d {
                    i = c + 2
                    if i == end { return nil }
                    continue
                }
                guard after == 0x0A || after == 0x0D else { return nil }  // a doubled or stray quote
                i = c + 1
            } else {
                // Plain: up to the next delimiter, quote or line end (`classes` marks those bytes),
                // a word of eight bytes at a time: the first special byte of a word is found from
                // its mask, without a byte loop (most fields are shorter than a word). Only the
                // last bytes of a block go byte by byte.
                var j = i
                var wide: UInt64 = 0
                while j + 8 <= end {
                    let w = UnsafeRawPointer(bytes + j).loadUnaligned(as: UInt64.self)
                    let m = ByteWord.matches(w, d) | ByteWord.matches(w, q) | ByteWord.matches(w, 0x0A) | ByteWord.matches(w, 0x0D)
                    if m == 0 {
                        wide |= w
                        j += 8
                        continue
                    }
                    let k = m.trailingZeroBitCount >> 3
                    if k > 0 { wide |= w & ((1 << (UInt64(k) << 3)) &- 1) }
                    j += k
                    break
                }
                if wide & 0x8080_8080_8080_8080 != 0 { hi |= 0x80 }
                // The last bytes of a block (at a special byte found above it stops at once).
                while j < end && classes[Int(bytes[j])] == 0 {
                    hi |= bytes[j]
                    j += 1
                }
                guard j < end, bytes[j] != q else { return nil }
                sink.pointee.addReference(i, j - i)
                if bytes[j] == d {
                    i = j + 1
                    if i == end { return nil }
                    continue
                }
                i = j
            }
            // bytes[i] is the record's terminator (CR or LF).
            if bytes[i] == 0x0A { ln &+= 1 }
            line = ln
            return (Boundary(start: base + start, end: base + i, line: startLine, hasHighBytes: hi >= 0x80), i + 1)
        }
    }

    /// The number of LF bytes in `p[0..<n]` and the OR of all its bytes.
    @inline(__always)
    private static func newlinesAndHighBits(_ p: UnsafePointer<UInt8>, _ n: Int) -> (Int, UInt8) {
        var lf = 0
        var or: UInt8 = 0
        for k in 0..<n {
            let b = p[k]
            or |= b
            lf &+= b == 0x0A ? 1 : 0
        }
        return (lf, or)
    }

    /// The byte classes `splitSimple` needs: 1 for the delimiter, the quote, CR and LF.
    func specialBytes() -> [UInt8] {
        var t = [UInt8](repeating: 0, count: 256)
        for b in [delimiter, quote, 0x0A, 0x0D] { t[Int(b)] = 1 }
        return t
    }
}
