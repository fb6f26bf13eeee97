import Yams

/// Maps a byte offset inside a YAML scalar back to a line and column of the file, using the
/// scalar's mark (where it starts) and its style. The scalar's text is walked line by line
/// against the file: each source line contributes its content (without indentation) and one
/// separator (the newline, or the space a fold turns it into). Quoted scalars start one column
/// after their quote; escapes inside quotes are assumed absent (expressions have no need of
/// them). Columns count Unicode scalars, as libyaml's marks do.
struct ScalarPosition {
    let lines: [[UInt8]]

    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.utf8) }
    }

    func locate(_ scalar: Node.Scalar, offset: Int) -> (line: Int, column: Int) {
        guard let mark = scalar.mark, mark.line >= 1, mark.line <= lines.count else { return (0, 0) }
        var remaining = offset
        var lineIndex: Int
        var contentStart: Int
        switch scalar.style {
        case .literal, .folded:
            // Content starts on the line after the indicator, at the first content line's indent.
            lineIndex = mark.line
            while lineIndex < lines.count, lines[lineIndex].allSatisfy({ $0 == 0x20 }) { lineIndex += 1 }
            guard lineIndex < lines.count else { return (mark.line, mark.column) }
            let indent = lines[lineIndex].prefix { $0 == 0x20 }.count
            while true {
                let line = lines[lineIndex]
                let content = max(0, line.count - indent)
                if remaining <= content || lineIndex + 1 >= lines.count {
                    return (lineIndex + 1, columns(line, from: indent, bytes: remaining) + 1)
                }
                remaining -= content + 1
                lineIndex += 1
            }
        default:
            lineIndex = mark.line - 1
            contentStart = byteIndex(lines[lineIndex], column: mark.column - 1)
            if scalar.style == .singleQuoted || scalar.style == .doubleQuoted { contentStart += 1 }
            while true {
                let line = lines[lineIndex]
                let content = max(0, line.count - contentStart)
                if remaining <= content || lineIndex + 1 >= lines.count {
                    return (lineIndex + 1, columns(line, from: contentStart, bytes: remaining) + 1)
                }
                remaining -= content + 1
                lineIndex += 1
                contentStart = lines[lineIndex].prefix { $0 == 0x20 }.count
            }
        }
    }

    /// Unicode scalars in `bytes` bytes of `line` starting at `from`, plus `from` itself.
    private func columns(_ line: [UInt8], from: Int, bytes: Int) -> Int {
        let end = min(line.count, from + bytes)
        guard from < end else { return from }
        return from + line[from..<end].filter { $0 & 0xC0 != 0x80 }.count
    }

    /// The byte index of a 0-based Unicode-scalar column.
    private func byteIndex(_ line: [UInt8], column: Int) -> Int {
        var seen = 0
        for (i, b) in line.enumerated() where b & 0xC0 != 0x80 {
            if seen == column { return i }
            seen += 1
        }
        return line.count
    }
}
