/// A date/time format compiled from a strftime-like pattern, parsed straight from bytes.
///
/// Supported: `%Y` (4-digit year), `%m`, `%d`, `%H`, `%M`, `%S` (1-2 digits, exactly 2 when
/// `fixedWidth`), `%f` (optional `.digits` fraction; digits past the sixth are read and
/// dropped: the datasets count microseconds), `%z` (`Z`, `+08:00`, `+0800`, `+08`), `%T`
/// (`%H:%M:%S`), `%%`; any other byte must match itself. Missing time parts are zero.
struct TimeFormat: Sendable, Equatable {
    enum Token: Sendable, Equatable {
        case literal(UInt8), year, month, day, hour, minute, second, fraction, offset
    }
    let tokens: [Token]
    let pattern: String
    /// The pattern is exactly `%Y-%m-%d`, the most common one, which `parse` reads without
    /// walking the tokens when the text is the plain 10 bytes `YYYY-MM-DD`.
    let isISODate: Bool
    /// Month, day, hour, minute and second take exactly two digits (RFC 3339, the unified
    /// model's own form); feeds' formats take one or two (`2024-2-9` from shop exports).
    let fixedWidth: Bool

    init?(_ pattern: String, fixedWidth: Bool = false) {
        var out: [Token] = []
        var it = Array(pattern.utf8).makeIterator()
        while let c = it.next() {
            guard c == UInt8(ascii: "%") else {
                out.append(.literal(c))
                continue
            }
            switch it.next() {
            case UInt8(ascii: "Y"): out.append(.year)
            case UInt8(ascii: "m"): out.append(.month)
            case UInt8(ascii: "d"): out.append(.day)
            case UInt8(ascii: "H"): out.append(.hour)
            case UInt8(ascii: "M"): out.append(.minute)
            case UInt8(ascii: "S"): out.append(.second)
            case UInt8(ascii: "f"): out.append(.fraction)
            case UInt8(ascii: "z"): out.append(.offset)
            case UInt8(ascii: "T"): out += [.hour, .literal(UInt8(ascii: ":")), .minute, .literal(UInt8(ascii: ":")), .second]
            case UInt8(ascii: "%"): out.append(.literal(UInt8(ascii: "%")))
            default: return nil
            }
        }
        tokens = out
        self.pattern = pattern
        self.fixedWidth = fixedWidth
        isISODate = out == [.year, .literal(UInt8(ascii: "-")), .month, .literal(UInt8(ascii: "-")), .day]
    }

    /// A parsed local date-time; `offsetSeconds` is set when the text carried an offset.
    struct Parsed {
        var days: Int64
        var secondOfDay: Int64
        var micros: Int64
        var offsetSeconds: Int32?
    }

    /// Parses `bytes` (surrounding spaces allowed) or returns nil.
    func parse(_ bytes: UnsafeRawBufferPointer) -> Parsed? {
        if isISODate && bytes.count == 10, let p = Self.isoDate(bytes) { return p }
        var i = 0
        var n = bytes.count
        while i < n && bytes[i] == 0x20 { i += 1 }
        while n > i && bytes[n - 1] == 0x20 { n -= 1 }
        var y = 1970, mo = 1, d = 1, h = 0, mi = 0, s = 0
        var micros: Int64 = 0
        var offset: Int32?
        let least = fixedWidth ? 2 : 1

        func digits(_ minCount: Int, _ maxCount: Int) -> Int? {
            var v = 0, k = 0
            while k < maxCount && i < n, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                v = v * 10 + Int(bytes[i] - 0x30)
                i += 1
                k += 1
            }
            return k >= minCount ? v : nil
        }
        for t in tokens {
            switch t {
            case .literal(let c):
                guard i < n && bytes[i] == c else { return nil }
                i += 1
            case .year: guard let v = digits(4, 4) else { return nil }; y = v
            case .month: guard let v = digits(least, 2) else { return nil }; mo = v
            case .day: guard let v = digits(least, 2) else { return nil }; d = v
            case .hour: guard let v = digits(least, 2), v < 24 else { return nil }; h = v
            case .minute: guard let v = digits(least, 2), v < 60 else { return nil }; mi = v
            case .second: guard let v = digits(least, 2), v < 61 else { return nil }; s = min(v, 59)
            case .fraction:
                if i < n && bytes[i] == UInt8(ascii: ".") {
                    i += 1
                    var k = 0
                    var f: Int64 = 0
                    while i < n, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                        if k < 6 { f = f * 10 + Int64(bytes[i] - 0x30) }
                        k += 1
                        i += 1
                    }
                    guard k > 0 else { return nil }
                    for _ in min(k, 6)..<6 { f *= 10 }
                    micros = f
                }
            case .offset:
                guard i < n else { return nil }
                if bytes[i] == UInt8(ascii: "Z") || bytes[i] == UInt8(ascii: "z") {
                    i += 1
                    offset = 0
                    break
                }
                guard bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") else { return nil }
                let negative = bytes[i] == UInt8(ascii: "-")
                i += 1
                guard let oh = digits(2, 2), oh < 24 else { return nil }
                var om = 0
                if i < n && bytes[i] == UInt8(ascii: ":") { i += 1 }
                if i < n, bytes[i] >= 0x30 && bytes[i] <= 0x39 {
                    guard let v = digits(2, 2), v < 60 else { return nil }
                    om = v
                }
                let secs = Int32(oh * 3600 + om * 60)
                offset = negative ? -secs : secs
            }
        }
        guard i == n, CivilTime.isValidDate(y, mo, d) else { return nil }
        return Parsed(
            days: CivilTime.days(year: y, month: mo, day: d), secondOfDay: Int64(h * 3600 + mi * 60 + s),
            micros: micros, offsetSeconds: offset)
    }
}

extension TimeFormat {
    /// `YYYY-MM-DD` in exactly 10 bytes, else nil (then the general parser decides, and gives
    /// the same answer for every text this accepts).
    @inline(__always)
    fileprivate static func isoDate(_ b: UnsafeRawBufferPointer) -> Parsed? {
        // Straight-line digit checks (this runs for every date field of a feed): a digit value wraps
        // to a large value when the byte is below '0', so one `<= 9` test covers both ends.
        let p = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let y0 = p[0] &- 0x30, y1 = p[1] &- 0x30, y2 = p[2] &- 0x30, y3 = p[3] &- 0x30
        let m0 = p[5] &- 0x30, m1 = p[6] &- 0x30, d0 = p[8] &- 0x30, d1 = p[9] &- 0x30
        guard p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"),
            y0 <= 9, y1 <= 9, y2 <= 9, y3 <= 9, m0 <= 9, m1 <= 9, d0 <= 9, d1 <= 9
        else { return nil }
        let y = Int(y0) * 1000 + Int(y1) * 100 + Int(y2) * 10 + Int(y3)
        let m = Int(m0) * 10 + Int(m1), d = Int(d0) * 10 + Int(d1)
        guard m >= 1 && m <= 12 && d >= 1 && (d <= 28 || CivilTime.isValidDate(y, m, d)) else { return nil }
        return Parsed(days: CivilTime.days(year: y, month: m, day: d), secondOfDay: 0, micros: 0, offsetSeconds: nil)
    }
}

import OrderModel

extension CivilTime {
    static func isValidDate(_ y: Int, _ m: Int, _ d: Int) -> Bool { isValid(year: y, month: m, day: d) }
}
