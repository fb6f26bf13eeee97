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
    /// Where row `row` of batch `orders` was read, for a stage's reject: the reader's position
    /// when the caller has one per row (`UnifiedNDJSONReader.positions()`: the stage read
    /// NDJSON); else, inside `run`, the feed file, member and line the order was collected from
    /// (its lineage), with byte offset 0, since the model does not carry the offset; else the
    /// order's number `ordinal` (1-based) in the stage's input.
    public func position(ofRow row: Int, in orders: ColumnTable, file: String, ordinal: Int) -> SourcePosition {
        if let positions = self, row < positions.count { return positions[row] }
        if let lineage = orders.lineagePosition(row) { return lineage }
        return SourcePosition(file: file, line: ordinal, byteOffset: 0)
    }
}

extension ColumnTable {
    /// The feed position `collect` stamped on order `row` (`source_file`, `source_member`,
    /// `source_line`), byte offset 0; nil when the order carries none.
    public func lineagePosition(_ row: Int) -> SourcePosition? {
        let file = columns[OrderField.sourceFile], line = columns[OrderField.sourceLine]
        guard row < file.count, row < line.count, !line.isNull(row), let name = file.string(row) else { return nil }
        let member = columns[OrderField.sourceMember]
        return SourcePosition(file: name, member: row < member.count ? member.string(row) : nil, line: Int(line.int(row)), byteOffset: 0)
    }
}
