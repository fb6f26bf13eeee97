/// A strict RFC 4180 reader for the tests, written independently of the generator so the two
/// cannot share a mistake: rows of byte fields, with a flag for rows whose quoting is broken
/// (a quote inside an unquoted field, or text after a closing quote).
struct TestCSV {
    struct Row {
        var fields: [[UInt8]] = []
        var badQuoting = false
        /// Bytes of the record, line end excluded.
        var length = 0
        /// Byte offset of the record's first byte.
        var offset = 0
    }

    static func parse(_ bytes: [UInt8], skipBOM: Bool = true) -> [Row] {
        var rows: [Row] = []
        var row = Row()
        var field: [UInt8] = []
        var i = 0
        if skipBOM && bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        var start = i
        enum State { case fieldStart, unquoted, quoted, afterQuote }
        var state = State.fieldStart
        func endRow(_ end: Int) {
            row.fields.append(field)
            field.removeAll()
            row.length = end - start
            row.offset = start
            rows.append(row)
            row = Row()
        }
        while i < bytes.count {
            let b = bytes[i]
            switch state {
            case .fieldStart, .unquoted:
                if b == 0x22 {
                    if state == .fieldStart { state = .quoted } else {
                        row.badQuoting = true
                        field.append(b)
                    }
                } else if b == 0x2C {
                    row.fields.append(field)
                    field.removeAll()
                    state = .fieldStart
                } else if b == 0x0A || b == 0x0D {
                    let end = i
                    if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                    endRow(end)
                    start = i + 1
                    state = .fieldStart
                } else {
                    field.append(b)
                    state = .unquoted
                }
            case .quoted:
                if b == 0x22 { state = .afterQuote } else { field.append(b) }
            case .afterQuote:
                if b == 0x22 {
                    field.append(b)
                    state = .quoted
                } else if b == 0x2C {
                    row.fields.append(field)
                    field.removeAll()
                    state = .fieldStart
                } else if b == 0x0A || b == 0x0D {
                    let end = i
                    if b == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
                    endRow(end)
                    start = i + 1
                    state = .fieldStart
                } else {
                    row.badQuoting = true
                    field.append(b)
                    state = .unquoted
                }
            }
            i += 1
        }
        if start < bytes.count { endRow(bytes.count) }
        return rows
    }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
    var isValidUTF8: Bool { String(validating: self, as: UTF8.self) != nil }
}

/// Cents from a decimal text with at most two decimals (`131251.81`, `0.1`, `12`), or nil.
func cents(_ s: String) -> Int64? {
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, let whole = Int64(parts[0]), !parts[0].isEmpty else { return nil }
    var frac: Int64 = 0
    if parts.count == 2 {
        let f = parts[1]
        guard f.count >= 1 && f.count <= 2, let v = Int64(f) else { return nil }
        frac = f.count == 1 ? v * 10 : v
    }
    return whole * 100 + frac
}

/// Whether `YYYY-MM-DD` (the first 10 characters of `s`) is a real date.
func isRealDate(_ s: String) -> Bool {
    let p = s.prefix(10).split(separator: "-")
    guard s.count >= 10, p.count == 3, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]) else { return false }
    guard (1...12).contains(m), d >= 1 else { return false }
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
    let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    return d <= days
}
