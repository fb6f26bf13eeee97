import OrderModel

/// RFC 4180 field writing: a field is quoted only when it holds a comma, a quote or a line
/// break, and quotes inside are doubled (what DuckDB, Python's csv module and Shopify do).
extension FeedBuffer {
    @inline(__always)
    mutating func csv(_ s: [UInt8]) { s.withUnsafeBytes { csv($0) } }

    mutating func csv(_ s: UnsafeRawBufferPointer) {
        if ByteScan.firstSpecial(s, csv: true) == s.count {
            raw(s)
            return
        }
        byte(0x22)
        for b in s {
            if b == 0x22 { byte(0x22) }
            byte(b)
        }
        byte(0x22)
    }

    /// The field separator.
    @inline(__always) mutating func comma() { byte(0x2C) }

    /// CRLF (shop-csv) or LF (tpch-flat-csv).
    @inline(__always) mutating func lineEnd(crlf: Bool) {
        if crlf { byte(0x0D) }
        byte(0x0A)
    }
}

/// JSON appends for the NDJSON shapes: keys are static ASCII, strings are escaped on the way.
extension FeedBuffer {
    /// `"key":` with the leading comma unless it is the first member.
    @inline(__always)
    mutating func key(_ k: StaticString, first: Bool = false) {
        if !first { byte(0x2C) }
        byte(0x22)
        ascii(k)
        byte(0x22)
        byte(0x3A)
    }

    /// A JSON string literal of UTF-8 bytes (control characters, `"` and `\` escaped).
    @inline(__always)
    mutating func jsonString(_ s: [UInt8]) { s.withUnsafeBytes { jsonString($0) } }

    /// A JSON string literal: control characters, `"` and `\` escaped, other bytes copied
    /// (the same escaping as `JSONText.appendString`, straight into this buffer).
    mutating func jsonString(_ s: UnsafeRawBufferPointer) {
        byte(0x22)
        let first = ByteScan.firstSpecial(s, csv: false)
        if first == s.count {  // the common case: nothing to escape
            raw(s)
            byte(0x22)
            return
        }
        var start = 0
        for i in first..<s.count {
            let b = s[i]
            if b < 0x20 || b == 0x22 || b == 0x5C {
                if start < i { raw(UnsafeRawBufferPointer(rebasing: s[start..<i])) }
                escape(b)
                start = i + 1
            }
        }
        if start < s.count { raw(UnsafeRawBufferPointer(rebasing: s[start..<s.count])) }
        byte(0x22)
    }

    private mutating func escape(_ b: UInt8) {
        byte(0x5C)
        switch b {
        case 0x22, 0x5C: byte(b)
        case 0x0A: byte(UInt8(ascii: "n"))
        case 0x0D: byte(UInt8(ascii: "r"))
        case 0x09: byte(UInt8(ascii: "t"))
        default:
            ascii("u00")
            byte(FeedBuffer.hex[Int(b >> 4)])
            byte(FeedBuffer.hex[Int(b & 15)])
        }
    }

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string of ASCII text known at compile time (no escaping needed).
    @inline(__always)
    mutating func jsonASCII(_ s: StaticString) {
        byte(0x22)
        ascii(s)
        byte(0x22)
    }
}
