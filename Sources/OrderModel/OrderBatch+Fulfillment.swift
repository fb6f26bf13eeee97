extension OrderBatch {
    /// Copies one line (`line`, a row of `other.lines`) into the order being built. The
    /// fulfillment planner uses it to give each child order its subset of the parent's lines.
    public mutating func copyLine(from other: OrderBatch, line: Int) {
        beginLine()
        copyRow(from: other.lines, row: line, into: &lines)
        endLine()
    }
}
