extension OrderBatch {
    /// Copies one line (`line`, a row of `other.lines`) into the order being built. The
    /// fulfillment planner uses it to give each child order its subset of the parent's lines.
    public mutating func copyLine(from other: OrderBatch, line: Int) {
        beginLine()
        copyRow(from: other.lines, row: line, into: &lines)
        endLine()
    }
}

extension OrderBatch {
    /// Copies the fields `columns` (order field indexes) of order `row` of `other` into the
    /// order being built, as `copyOrderFields(from:row:skipping:)` does for the fields it does
    /// not skip. For a writer that sets a few fields row by row and fills the others in bulk
    /// (`Column.appendGathering`): the loop visits only the fields it names.
    public mutating func copyOrderFields(from other: OrderBatch, row: Int, columns: [Int]) {
        other.orders.columns.withUnsafeBufferPointer { cols in
            for c in columns where !cols[c].isNull(row) { copyField(cols, c, row: row, into: &orders) }
        }
    }
}
