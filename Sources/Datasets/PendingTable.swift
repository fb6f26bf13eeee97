import OrderModel

/// The rows of one dataset (orders or order lines) a partition holds for its next row group,
/// one `PendingColumn` per model field that has held a value.
///
/// Batches are routed column by column: `append(_:rows:)` copies the selected rows of every
/// column of a batch table in one pass per column, instead of serialising each row and
/// decoding it again before the Parquet encoder (what the partitioned writer did before).
/// A field that has only been null is not stored at all (its rows are implied by
/// `rowCount`): most of the ~95 order fields are empty in a given feed, and ten thousand
/// partitions must not each pay for them. Tables are created when a partition first receives
/// rows and dropped after each row group; after a spill they are emptied and kept for the
/// partition's next rows, within a limit (`PartitionedWriter.spillAll`).
struct PendingTable {
    let fields: [FieldDef]
    /// For each field, its index in `present`, or -1 while every row is null.
    private var slot: [Int16]
    private var present: [PendingColumn] = []
    private(set) var rowCount = 0

    init(fields: [FieldDef]) {
        self.fields = fields
        slot = Array(repeating: -1, count: fields.count)
    }

    /// Field `c`'s column (a null-only column, allocation-free, when never set).
    func column(_ c: Int) -> PendingColumn {
        let k = Int(slot[c])
        if k >= 0 { return present[k] }
        var col = PendingColumn(kind: fields[c].kind)
        col.appendNulls(rowCount)
        return col
    }

    /// The index in `present` of field `c`, creating its column (null so far) if needed.
    private mutating func materialize(_ c: Int) -> Int {
        let k = Int(slot[c])
        if k >= 0 { return k }
        var col = PendingColumn(kind: fields[c].kind)
        col.appendNulls(rowCount)
        present.append(col)
        slot[c] = Int16(present.count - 1)
        return present.count - 1
    }

    /// Appends rows `sel` of `table`, in that order: of a table of the same fields, or with
    /// `columns` of a projection of it (this table's field `i` is the table's column
    /// `columns[i]`, as the fulfillment dataset is of orders).
    mutating func append(_ table: ColumnTable, rows sel: UnsafeBufferPointer<Int32>, columns: [Int]? = nil) {
        guard !sel.isEmpty else { return }
        table.withViews(of: columns) { src in
            precondition(src.count == fields.count, "the appended table has this table's fields")
            for c in fields.indices { appendColumn(c, src.baseAddress! + c, rows: sel) }
        }
        endAppend(rows: sel.count)
    }

    /// Appends rows `sel` of `col` (a column of a batch table, read in place) to field `c`
    /// only. For routing column by column across partitions: call it for every field, then
    /// `endAppend` with the row count (the fields created meanwhile are padded to the row
    /// count before the append).
    @inline(__always)
    mutating func appendColumn(_ c: Int, _ col: UnsafePointer<ColumnView>, rows sel: UnsafeBufferPointer<Int32>) {
        guard !sel.isEmpty else { return }
        if slot[c] < 0 && col.pointee.nullCount == col.pointee.count { return }  // still null throughout
        let k = materialize(c)
        present[k].append(col, rows: sel)
    }

    /// Ends an append made with `appendColumn`: `n` rows were added to every field.
    mutating func endAppend(rows n: Int) { rowCount += n }

    /// Appends every row of `other` (a table of the same fields).
    mutating func append(contentsOf other: PendingTable) {
        guard other.rowCount > 0 else { return }
        if rowCount == 0 && present.isEmpty {
            self = other
            return
        }
        for c in fields.indices {
            let o = Int(other.slot[c])
            if o >= 0 {
                let k = materialize(c)
                present[k].append(contentsOf: other.present[o])
            } else if slot[c] >= 0 {
                present[Int(slot[c])].appendNulls(other.rowCount)
            }
        }
        rowCount += other.rowCount
    }

    /// Drops every row but keeps the columns and their arrays' memory for the next rows
    /// (`PendingColumn.removeAllKeepingCapacity`).
    mutating func removeAllKeepingCapacity() {
        for k in present.indices { present[k].removeAllKeepingCapacity() }
        rowCount = 0
    }

    /// Memory held, for the budget: the column arrays plus the table's own arrays.
    /// (Summed through a buffer pointer: `reduce` and `for col in present` copied each column,
    /// retaining and releasing its nine arrays, after every batch routed to the partition.)
    var heapBytes: Int {
        present.withUnsafeBufferPointer { columns in
            var n = columns.count * MemoryLayout<PendingColumn>.stride + slot.count * 2
            for k in columns.indices { n += columns[k].heapBytes }
            return n
        }
    }

    /// Bytes of row data, for the row-group threshold.
    var dataBytes: Int {
        present.withUnsafeBufferPointer { columns in
            var n = 0
            for k in columns.indices { n += columns[k].dataBytes }
            return n
        }
    }

    /// Appends the table to `out`: row count, then each stored column with its field index.
    func serialize(into out: inout [UInt8]) {
        SpillCoding.put(Int64(rowCount), &out)
        SpillCoding.put(Int64(present.count), &out)
        // Through a buffer pointer: `present[k].serialize` copied the column (retaining its nine
        // arrays, and releasing them after) for every column of every spilled partition.
        present.withUnsafeBufferPointer { columns in
            for c in fields.indices where slot[c] >= 0 {
                SpillCoding.put(Int64(c), &out)
                columns[Int(slot[c])].serialize(into: &out)
            }
        }
    }

    /// Reads a table written by `serialize` at `p` and appends its rows, each column decoded
    /// straight into this table's (fields the segment does not hold get nulls).
    mutating func appendSerialized(_ raw: UnsafeRawBufferPointer, _ p: inout Int) {
        let segmentRows = Int(SpillCoding.get(raw, &p) as Int64)
        let n = Int(SpillCoding.get(raw, &p) as Int64)
        for _ in 0..<n {
            let c = Int(SpillCoding.get(raw, &p) as Int64)
            let k = materialize(c)
            present[k].appendSerialized(raw, &p)
        }
        let total = rowCount + segmentRows
        for k in present.indices where present[k].rows < total { present[k].appendNulls(total - present[k].rows) }
        rowCount = total
    }
}
