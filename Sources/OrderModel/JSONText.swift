/// Writing JSON text into a byte buffer without Foundation (the NDJSON edge is a hot path).
public enum JSONText {
    /// Appends `bytes` as a JSON string literal. `bytes` must be valid UTF-8; control
    /// characters, `"` and `\` are escaped, everything else is copied as is.
    @inlinable
    public static func appendString(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.append(0x22)
        var start = 0
        var i = 0
        let n = bytes.count
        while i < n {
            // Eight bytes at a time while none needs an escape (almost all text).
            if i + 8 <= n && !needsEscape(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) {
                i += 8
                continue
            }
            let b = bytes[i]
            if b < 0x20 || b == 0x22 || b == 0x5C {
                if start < i { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i])) }
                appendEscape(b, into: &out)
                start = i + 1
            }
            i += 1
        }
        if start < n { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<n])) }
        out.append(0x22)
    }

    /// Whether any of the eight bytes of `w` is a control character, `"` or `\`.
    @inlinable @inline(__always)
    static func needsEscape(_ w: UInt64) -> Bool {
        ByteWord.below(w, 0x20) | ByteWord.matches(w, 0x22) | ByteWord.matches(w, 0x5C) != 0
    }

    /// Appends a Swift string as a JSON string literal.
    public static func appendString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendString(UnsafeRawBufferPointer($0), into: &out) }
    }

    @usableFromInline
    static func appendEscape(_ b: UInt8, into out: inout [UInt8]) {
        out.append(0x5C)
        switch b {
        case 0x22: out.append(0x22)
        case 0x5C: out.append(0x5C)
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
        }
    }

    /// Whether `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
    @inlinable
    public static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        firstInvalidUTF8(bytes) == nil
    }

    /// The offset of the first byte that makes `bytes` ill-formed UTF-8, or nil.
    @inlinable
    public static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            var need = 0
            var lo: UInt8 = 0x80
            var hi: UInt8 = 0xBF
            switch b0 {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return i
            }
            if i + need >= n { return i }  // truncated sequence
            let b1 = bytes[i + 1]
            if b1 < lo || b1 > hi { return i }
            var k = 2
            while k <= need {
                let b = bytes[i + k]
                if b < 0x80 || b > 0xBF { return i }
                k += 1
            }
            i += need + 1
        }
        return nil
    }
}
