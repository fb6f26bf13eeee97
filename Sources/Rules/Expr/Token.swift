/// A token of the expression language, with its byte offset in the expression text.
struct Token: Equatable {
    enum Kind: Equatable {
        case int(Int64)
        case decimal(Int64)
        case string(String)
        case ident(String)
        case op(String)
        case end
    }

    let kind: Kind
    let offset: Int
}

/// A parse or type error at a byte offset in one expression; the loader turns the offset into
/// a file line and column.
public struct ExpressionError: Error, Equatable, Sendable {
    public let offset: Int
    public let message: String

    public init(offset: Int, _ message: String) {
        self.offset = offset
        self.message = message
    }
}

/// Splits an expression into tokens. Strings are single- or double-quoted with `\` escapes;
/// numbers are `123` (int) or `1.25` (exact decimal, at most 4 fractional digits).
struct Lexer {
    let bytes: [UInt8]

    init(_ text: String) { bytes = Array(text.utf8) }

    func tokens() throws(ExpressionError) -> [Token] {
        var out: [Token] = []
        var i = 0
        while true {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D {
                i += 1
            }
            guard i < bytes.count else {
                out.append(Token(kind: .end, offset: i))
                return out
            }
            let start = i
            let c = bytes[i]
            if isDigit(c) {
                while i < bytes.count, isDigit(bytes[i]) { i += 1 }
                var isDecimal = false
                if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "."), isDigit(bytes[i + 1]) {
                    isDecimal = true
                    i += 1
                    while i < bytes.count, isDigit(bytes[i]) { i += 1 }
                }
                let text = bytes[start..<i]
                if isDecimal {
                    let r = text.withUnsafeBytes { ExactDecimal.parse($0) }
                    guard case .success(let v) = r else {
                        throw ExpressionError(offset: start, "number \(String(decoding: text, as: UTF8.self)) is not an exact decimal with at most 4 fractional digits")
                    }
                    out.append(Token(kind: .decimal(v), offset: start))
                } else {
                    guard let v = Int64(String(decoding: text, as: UTF8.self)) else {
                        throw ExpressionError(offset: start, "integer \(String(decoding: text, as: UTF8.self)) is out of range")
                    }
                    out.append(Token(kind: .int(v), offset: start))
                }
            } else if isIdentStart(c) {
                while i < bytes.count, isIdentStart(bytes[i]) || isDigit(bytes[i]) { i += 1 }
                out.append(Token(kind: .ident(String(decoding: bytes[start..<i], as: UTF8.self)), offset: start))
            } else if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
                i += 1
                var s: [UInt8] = []
                var closed = false
                while i < bytes.count {
                    if bytes[i] == c {
                        closed = true
                        i += 1
                        break
                    }
                    // `\\`, `\'` and `\"` are escapes; any other backslash is kept, so
                    // regular expressions read as written (`'\+[0-9]'`).
                    if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count,
                       bytes[i + 1] == UInt8(ascii: "\\") || bytes[i + 1] == UInt8(ascii: "'") || bytes[i + 1] == UInt8(ascii: "\"") {
                        i += 1
                    }
                    s.append(bytes[i])
                    i += 1
                }
                guard closed else { throw ExpressionError(offset: start, "unterminated string") }
                out.append(Token(kind: .string(String(decoding: s, as: UTF8.self)), offset: start))
            } else {
                let two = i + 1 < bytes.count ? String(decoding: bytes[i...i + 1], as: UTF8.self) : ""
                if ["==", "!=", "<=", ">=", "<>"].contains(two) {
                    out.append(Token(kind: .op(two == "<>" ? "!=" : two), offset: start))
                    i += 2
                } else if "+-*/%<>()[],.=".utf8.contains(c) {
                    let s = String(UnicodeScalar(c))
                    out.append(Token(kind: .op(s == "=" ? "==" : s), offset: start))
                    i += 1
                } else {
                    throw ExpressionError(offset: start, "unexpected character '\(String(decoding: [c], as: UTF8.self))'")
                }
            }
        }
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private func isIdentStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == UInt8(ascii: "_")
    }
}

import OrderModel
