/// A record that did not make it into the output, with everything needed to find, understand
/// and replay it (design.md section 2: the dead-letter contract).
public struct Reject: Sendable {
    /// The stage that rejected it (`collect`, `transact`, ...).
    public var stage: String
    /// A stable machine-readable reason code (`csv_malformed`, `json_invalid`, `bad_type`,
    /// `missing_required`, `invalid_utf8`, `field_too_long`, `line_too_long`,
    /// `archive_corrupt`, ...) or a rule id.
    public var code: String
    /// A readable reason naming the field and the offending value where there is one.
    public var reason: String
    /// The field concerned, when there is one.
    public var field: String?
    public var position: SourcePosition
    /// The raw record bytes, as read (possibly not UTF-8).
    public var raw: [UInt8]

    public init(stage: String, code: String, reason: String, field: String? = nil, position: SourcePosition, raw: [UInt8]) {
        self.stage = stage
        self.code = code
        self.reason = reason
        self.field = field
        self.position = position
        self.raw = raw
    }

    /// The reject as one NDJSON line (with the newline). Raw bytes that are valid UTF-8 go in
    /// `raw`; anything else goes in `raw_base64`, so the exact bytes always survive.
    public func ndjson(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"stage":"#.utf8)
        JSONText.appendString(stage, into: &out)
        out.append(contentsOf: #","code":"#.utf8)
        JSONText.appendString(code, into: &out)
        out.append(contentsOf: #","reason":"#.utf8)
        JSONText.appendString(reason, into: &out)
        if let field {
            out.append(contentsOf: #","field":"#.utf8)
            JSONText.appendString(field, into: &out)
        }
        out.append(contentsOf: #","file":"#.utf8)
        JSONText.appendString(position.file, into: &out)
        if let member = position.member {
            out.append(contentsOf: #","member":"#.utf8)
            JSONText.appendString(member, into: &out)
        }
        out.append(contentsOf: #","line":"#.utf8)
        appendDigits(UInt64(max(0, position.line)), into: &out)
        out.append(contentsOf: #","byte_offset":"#.utf8)
        appendDigits(UInt64(max(0, position.byteOffset)), into: &out)
        raw.withUnsafeBytes { r in
            if JSONText.isValidUTF8(r) {
                out.append(contentsOf: #","raw":"#.utf8)
                JSONText.appendString(r, into: &out)
            } else {
                out.append(contentsOf: #","raw_base64":""#.utf8)
                Base64.encode(r, into: &out)
                out.append(0x22)
            }
        }
        out.append(contentsOf: "}\n".utf8)
    }
}

/// Standard base64 (RFC 4648) encoding, for raw reject bytes that are not UTF-8.
public enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    public static func encode(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        var i = 0
        let n = bytes.count
        while i + 3 <= n {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(alphabet[Int(v & 63)])
            i += 3
        }
        if n - i == 1 {
            let v = UInt32(bytes[i]) << 16
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(contentsOf: "==".utf8)
        } else if n - i == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        }
    }
}
