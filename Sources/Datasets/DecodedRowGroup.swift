import OrderModel
import Parquet

/// One row group of a dataset file, decoded into model fields (`DatasetKind.fields` order),
/// with the partition columns put back from the folder name.
///
/// Rows are copied out with `copyRow(_:into:)` (into the row being built of a `ColumnTable`
/// or an `OrderBatch`), or read field by field with `isNull`/`int`/`withBytes` without
/// building a table (what compaction does for the key columns).
public struct DecodedRowGroup {
    public let dataset: DatasetKind
    public let rowCount: Int
    /// The file it came from (relative to the dataset folder) and its row group.
    public let path: String
    public let rowGroup: Int
    let columns: [DecodedColumn]

    /// Sets every field of row `r` into the row being built in `table` (which has this
    /// dataset's fields), between `beginRow()` and `endRow()`.
    public func copyRow(_ r: Int, into table: inout ColumnTable) {
        precondition(r >= 0 && r < rowCount, "row \(r) out of range (\(rowCount) rows)")
        columns.withUnsafeBufferPointer { cols in
            for c in cols.indices { cols[c].copy(row: r, into: &table, field: c) }
        }
    }

    /// Appends every row to `table` as complete rows.
    public func appendAll(to table: inout ColumnTable) {
        for r in 0..<rowCount {
            table.beginRow()
            copyRow(r, into: &table)
            table.endRow()
        }
    }

    /// Whether field `field` of row `r` is null (absent fields are null everywhere).
    public func isNull(_ field: Int, _ r: Int) -> Bool { columns[field].isNull(r) }

    /// The numeric value of field `field` at row `r`, nil when null or not numeric.
    public func int(_ field: Int, _ r: Int) -> Int64? {
        let col = columns[field]
        guard !col.isBytes else { return nil }
        switch col.shape {
        case .constant: return col.isNullConstant ? nil : col.ints[0]
        case .flat:
            let s = Int(col.slot[r])
            return s < 0 ? nil : col.ints[s]
        default: return nil
        }
    }

    /// Calls `body` with the UTF-8 bytes of string field `field` at row `r` (nil when null).
    public func withBytes<R>(_ field: Int, _ r: Int, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        let col = columns[field]
        guard col.isBytes else { return try body(nil) }
        switch col.shape {
        case .constant:
            if col.isNullConstant { return try body(nil) }
            return try col.bytes.withUnsafeBytes { try body($0) }
        case .flat:
            let s = Int(col.slot[r])
            guard s >= 0 else { return try body(nil) }
            return try col.bytes.withUnsafeBytes {
                try body(UnsafeRawBufferPointer(rebasing: $0[Int(col.offsets[s])..<Int(col.offsets[s + 1])]))
            }
        default:
            return try body(nil)
        }
    }

    /// The string value of a field (allocates: tests and messages).
    public func string(_ field: Int, _ r: Int) -> String? {
        withBytes(field, r) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }
}
