/// Exact decimals with four fractional digits, stored as an integer count of 1/10,000.
///
/// Money, quantities and rates are never floating point: `"172799.49"` is `1_727_994_900`.
public enum ExactDecimal {
    /// 10^4: the scale of every decimal column.
    public static let scale: Int64 = 10_000
    public static let fractionDigits = 4
    /// The largest magnitude, in 1/10,000: 99999999999999.9999, what the datasets' DECIMAL(18,4)
    /// columns hold. Int64 would go to 922337203685477.5807, and DuckDB, pyarrow, polars and
    /// Spark read such values back, but they break the precision the schema declares, so a
    /// value past it is a reject where it enters.
    public static let maxMagnitude: Int64 = 999_999_999_999_999_999

    /// Why a decimal did not parse.
    public enum ParseError: Error, Equatable, Sendable {
        case empty, notANumber, tooManyFractionDigits, outOfRange

        /// What is wrong with the value, to follow it in a message (`"12.34567" has ...`).
        public var explanation: String {
            switch self {
            case .empty: return "is empty"
            case .notANumber: return "is not a decimal number"
            case .tooManyFractionDigits: return "has more than 4 decimal places that are not zeros (money is never rounded)"
            case .outOfRange: return "is out of range (at most 99999999999999.9999 either side of zero, DECIMAL(18,4))"
            }
        }
    }

    /// Parses `[+-]digits[.digits]` (surrounding ASCII spaces allowed). More than four
    /// fractional digits are accepted only when the extra ones are zeros: money is never
    /// rounded silently.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<Int64, ParseError> {
        if let v = parseShort(bytes) { return .success(v) }
        return parseChecked(bytes)
    }

    /// The common case, decided without overflow checks: `[-]digits[.digits]` with at most 14
    /// whole and 4 fractional digits and no spaces (10^14 * 10^4 + 9,999 < Int64.max, so
    /// nothing can overflow). Nil for anything else, which `parseChecked` then decides: this
    /// accepts a subset of what it accepts, with the same value.
    @inline(__always)
    private static func parseShort(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        let n = bytes.count
        guard n > 0 && n <= 20, let p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var i = 0
        let negative = p[0] == UInt8(ascii: "-")
        if negative { i = 1 }
        var whole: Int64 = 0
        let wholeStart = i
        while i < n {
            let d = p[i] &- 0x30
            if d > 9 { break }
            whole = whole &* 10 &+ Int64(d)
            i += 1
        }
        let wholeDigits = i - wholeStart
        guard wholeDigits > 0 && wholeDigits <= 14 else { return nil }
        var fraction: Int64 = 0
        var fractionDigits = 0
        if i < n {
            guard p[i] == UInt8(ascii: ".") else { return nil }
            i += 1
            while i < n {
                let d = p[i] &- 0x30
                if d > 9 { return nil }
                fraction = fraction &* 10 &+ Int64(d)
                i += 1
            }
            fractionDigits = n - (wholeStart + wholeDigits + 1)
            guard fractionDigits <= 4 else { return nil }
        }
        let scaleUp: Int64
        switch fractionDigits {  // scales 0...4 fractional digits to four
        case 0: scaleUp = 10_000
        case 1: scaleUp = 1_000
        case 2: scaleUp = 100
        case 3: scaleUp = 10
        default: scaleUp = 1
        }
        let v = whole &* scale &+ fraction &* scaleUp
        return negative ? -v : v
    }

    /// The general parser (every accepted form, overflow-checked). Internal for the tests that
    /// check the short path against it.
    static func parseChecked(_ bytes: UnsafeRawBufferPointer) -> Result<Int64, ParseError> {
        var i = 0
        var end = bytes.count
        while i < end && bytes[i] == 0x20 { i += 1 }
        while end > i && bytes[end - 1] == 0x20 { end -= 1 }
        guard i < end else { return .failure(.empty) }
        var negative = false
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var whole: Int64 = 0
        var digits = 0
        while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            let (m, o1) = whole.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 0x30))
            if o1 || o2 { return .failure(.outOfRange) }
            whole = a
            digits += 1
            i += 1
        }
        var fraction: Int64 = 0
        var fractionDigits = 0
        if i < end && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                if fractionDigits < 4 {
                    fraction = fraction * 10 + Int64(bytes[i] - 0x30)
                } else if bytes[i] != 0x30 {
                    return .failure(.tooManyFractionDigits)
                }
                fractionDigits += 1
                i += 1
            }
        }
        guard i == end, digits + fractionDigits > 0 else { return .failure(.notANumber) }
        for _ in min(fractionDigits, 4)..<4 { fraction *= 10 }
        let (m, o1) = whole.multipliedReportingOverflow(by: scale)
        let (v, o2) = m.addingReportingOverflow(fraction)
        if o1 || o2 || v > maxMagnitude { return .failure(.outOfRange) }
        return .success(negative ? -v : v)
    }

    /// Parses a decimal from a string (convenience; allocation-free callers use the bytes form).
    public static func parse(_ text: String) -> Result<Int64, ParseError> {
        var copy = text
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Appends the shortest exact text of `value` (e.g. `1727994900` -> `172799.49`, `50000` -> `5`).
    public static func format(_ value: Int64, into out: inout [UInt8]) {
        var magnitude = value.magnitude
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let whole = magnitude / UInt64(scale)
        magnitude %= UInt64(scale)
        appendDigits(whole, into: &out)
        if magnitude != 0 {
            out.append(UInt8(ascii: "."))
            var frac = magnitude
            var width = 4
            while frac % 10 == 0 {
                frac /= 10
                width -= 1
            }
            var tmp: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &tmp) { t in
                for k in stride(from: width - 1, through: 0, by: -1) {
                    t[k] = UInt8(frac % 10) + 0x30
                    frac /= 10
                }
                out.append(contentsOf: t[0..<width])
            }
        }
    }

    /// The text of `value` (allocates).
    public static func string(_ value: Int64) -> String {
        var out: [UInt8] = []
        format(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// Appends the decimal digits of `n`.
@inlinable
public func appendDigits(_ n: UInt64, into out: inout [UInt8]) {
    if n < 10 {
        out.append(UInt8(n) + 0x30)
        return
    }
    var buf: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 20 digits
    var v = n
    var len = 0
    withUnsafeMutableBytes(of: &buf) { b in
        var i = 24
        while v > 0 {
            i -= 1
            b[i] = UInt8(v % 10) + 0x30
            v /= 10
        }
        len = 24 - i
        out.append(contentsOf: b[i..<24])
    }
    _ = len
}
