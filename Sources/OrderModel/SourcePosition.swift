/// Where a record came from: enough for a person to find it (file, archive member, line) and
/// for a program to seek to it (byte offset within the file or member).
public struct SourcePosition: Sendable, Hashable {
    public var file: String
    public var member: String?
    /// 1-based line of the record's first byte (0 when unknown).
    public var line: Int
    /// 0-based byte offset of the record's first byte within the file or member.
    public var byteOffset: Int

    public init(file: String, member: String? = nil, line: Int, byteOffset: Int) {
        self.file = file
        self.member = member
        self.line = line
        self.byteOffset = byteOffset
    }

    /// `file[:member]:line`, as error messages show it.
    public var description: String {
        var s = file
        if let member { s += "!" + member }
        return s + ":\(line)"
    }
}

extension Optional where Wrapped == [SourcePosition] {
    /// Where row `row` of a batch was read, for a stage's reject: the reader's position when
    /// the caller has one per row (`UnifiedNDJSONReader.positions()`), else the order's number
    /// `ordinal` (1-based) in the stage's input and no byte offset (inside `run` batches are
    /// orders, not bytes).
    public func position(ofRow row: Int, file: String, ordinal: Int) -> SourcePosition {
        if let positions = self, row < positions.count { return positions[row] }
        return SourcePosition(file: file, line: ordinal, byteOffset: 0)
    }
}
