/// Byte-level parsers for the scalar kinds that `ExactDecimal` and `TimeFormat` do not cover.
enum ValueParsers {
    /// `[+-]digits` with surrounding spaces; nil when not an integer or out of range.
    @inline(__always)
    static func int64(_ b: UnsafeRawBufferPointer) -> Int64? {
        var i = 0
        var n = b.count
        while i < n && b[i] == 0x20 { i += 1 }
        while n > i && b[n - 1] == 0x20 { n -= 1 }
        guard i < n else { return nil }
        var negative = false
        if b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+") {
            negative = b[i] == UInt8(ascii: "-")
            i += 1
            guard i < n else { return nil }
        }
        var v: Int64 = 0
        while i < n {
            let d = b[i] &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { return nil }
            v = a
            i += 1
        }
        return negative ? -v : v
    }

    /// true/false, 1/0, yes/no, y/n, t/f (any case).
    static func bool(_ b: UnsafeRawBufferPointer) -> Bool? {
        var i = 0
        var n = b.count
        while i < n && b[i] == 0x20 { i += 1 }
        while n > i && b[n - 1] == 0x20 { n -= 1 }
        let len = n - i
        guard len >= 1 && len <= 5 else { return nil }
        var word: UInt64 = 0
        for k in i..<n { word = word << 8 | UInt64(b[k] | 0x20) }  // ASCII lower case
        switch word {
        case 0x74_72_75_65, 0x31 | 0x20, 0x79_65_73, 0x79, 0x74: return true  // true, 1, yes, y, t
        case 0x66_61_6c_73_65, 0x30 | 0x20, 0x6e_6f, 0x6e, 0x66: return false  // false, 0, no, n, f
        default: return nil
        }
    }
}
