import OrderModel

/// RFC 4180 field writing: a field is quoted only when it holds a comma, a quote or a line
/// break, and quotes inside are doubled (what DuckDB, Python's csv module and Shopify do).
extension FeedBuffer {
    @inline(__always)
    mutating func csv(_ s: [UInt8]) {
        var needs = false
        for b in s where b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D {
            needs = true
            break
        }
        if !needs {
            bytes.append(contentsOf: s)
            return
        }
        bytes.append(0x22)
        for b in s {
            if b == 0x22 { bytes.append(0x22) }
            bytes.append(b)
        }
        bytes.append(0x22)
    }

    /// The field separator.
    @inline(__always) mutating func comma() { bytes.append(0x2C) }

    /// CRLF (shop-csv) or LF (tpch-flat-csv).
    @inline(__always) mutating func lineEnd(crlf: Bool) {
        if crlf { bytes.append(0x0D) }
        bytes.append(0x0A)
    }
}

/// JSON appends for the NDJSON shapes: keys are static ASCII, strings are escaped on the way.
extension FeedBuffer {
    /// `"key":` with the leading comma unless it is the first member.
    @inline(__always)
    mutating func key(_ k: StaticString, first: Bool = false) {
        if !first { bytes.append(0x2C) }
        bytes.append(0x22)
        k.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0x22)
        bytes.append(0x3A)
    }

    /// A JSON string literal of UTF-8 bytes (control characters, `"` and `\` escaped).
    @inline(__always)
    mutating func jsonString(_ s: [UInt8]) {
        s.withUnsafeBytes { JSONText.appendString($0, into: &bytes) }
    }

    /// A JSON string of ASCII text known at compile time (no escaping needed).
    @inline(__always)
    mutating func jsonASCII(_ s: StaticString) {
        bytes.append(0x22)
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0x22)
    }
}
