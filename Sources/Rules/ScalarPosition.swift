import Yams

/// Maps a byte offset inside a YAML scalar back to a line and column of the file, using the
/// scalar's mark (where it starts) and its style. Plain and quoted scalars on one line map
/// exactly (a quoted one starts one column after its quote; escapes are assumed absent);
/// block scalars (`|`, `>`) map line by line from the first content line, whose indentation
/// is read from the file. A multi-line plain or quoted scalar maps to its first line.
struct ScalarPosition {
    let lines: [Substring]

    init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    func locate(_ scalar: Node.Scalar, offset: Int) -> (line: Int, column: Int) {
        guard let mark = scalar.mark else { return (0, 0) }
        let bytes = Array(scalar.string.utf8)
        let upTo = bytes[..<min(offset, bytes.count)]
        let newlines = upTo.filter { $0 == 0x0A }.count
        let lineStart = upTo.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        // Columns count Unicode scalars, as libyaml's marks do.
        let column = bytes[lineStart..<upTo.endIndex].filter { $0 & 0xC0 != 0x80 }.count
        switch scalar.style {
        case .literal, .folded:
            // Content starts on the line after the indicator.
            var line = mark.line + 1 + newlines
            // Skip blank lines before the content (libyaml drops them from the value's start).
            while line - 1 < lines.count, lines[line - 1].allSatisfy({ $0 == " " }), newlines == 0 { line += 1 }
            guard line - 1 < lines.count else { return (mark.line, mark.column) }
            let indent = lines[line - 1].prefix { $0 == " " }.count
            return (line, indent + column + 1)
        case .singleQuoted, .doubleQuoted:
            return newlines == 0 ? (mark.line, mark.column + 1 + column) : (mark.line, mark.column)
        default:
            return newlines == 0 ? (mark.line, mark.column + column) : (mark.line, mark.column)
        }
    }
}
