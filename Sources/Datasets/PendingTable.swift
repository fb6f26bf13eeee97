import OrderModel

/// The rows of one dataset (orders or order lines) a partition holds for its next row group,
/// one `PendingColumn` per model field.
///
/// Batches are routed column by column: `append(_:rows:)` copies the selected rows of every
/// column of a batch table in one pass per column, instead of serialising each row and
/// decoding it again before the Parquet encoder (what the partitioned writer did before).
/// Tables are created when a partition first receives rows and dropped after each row group
/// or spill, so an idle partition holds no table at all.
struct PendingTable {
    private(set) var columns: [PendingColumn]
    private(set) var rowCount = 0

    init(fields: [FieldDef]) {
        columns = fields.map { PendingColumn(kind: $0.kind) }
    }

    /// Appends rows `sel` of `table` (a table of the same fields), in that order.
    mutating func append(_ table: ColumnTable, rows sel: UnsafeBufferPointer<Int32>) {
        guard !sel.isEmpty else { return }
        table.columns.withUnsafeBufferPointer { src in
            columns.withUnsafeMutableBufferPointer { dst in
                for c in 0..<dst.count { dst[c].append(src[c], rows: sel) }
            }
        }
        rowCount += sel.count
    }

    /// Appends every row of `other`.
    mutating func append(contentsOf other: PendingTable) {
        guard other.rowCount > 0 else { return }
        for c in columns.indices { columns[c].append(contentsOf: other.columns[c]) }
        rowCount += other.rowCount
    }

    /// Memory held, for the budget: the column arrays plus the column structs themselves.
    var heapBytes: Int {
        columns.reduce(columns.capacity * MemoryLayout<PendingColumn>.stride) { $0 + $1.heapBytes }
    }

    /// Bytes of row data, for the row-group threshold.
    var dataBytes: Int { columns.reduce(0) { $0 + $1.dataBytes } }

    func serialize(into out: inout [UInt8]) {
        SpillCoding.put(Int64(rowCount), &out)
        for c in columns { c.serialize(into: &out) }
    }

    /// Reads a table written by `serialize` at `p` and appends its rows.
    mutating func appendSerialized(_ raw: UnsafeRawBufferPointer, _ p: inout Int) {
        rowCount += Int(SpillCoding.get(raw, &p) as Int64)
        for c in columns.indices { columns[c].appendSerialized(raw, &p) }
    }
}
