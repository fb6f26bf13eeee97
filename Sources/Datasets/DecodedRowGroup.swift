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
        for c in columns.indices { columns[c].copy(row: r, into: &table, field: c) }
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
    public func isNull(_ field: Int, _ r: Int) -> Bool {
        switch columns[field] {
        case .absent: return true
        case .constantInt(let v): return v == nil
        case .constantString(let v): return v == nil
        case .flat(_, let slot): return slot[r] < 0
        case .list(_, _, let state, _), .map(_, _, _, _, _, let state, _): return state[r] == 0
        }
    }

    /// The numeric value of field `field` at row `r`, nil when null or not numeric.
    public func int(_ field: Int, _ r: Int) -> Int64? {
        switch columns[field] {
        case .constantInt(let v): return v
        case .flat(let values, let slot):
            let s = Int(slot[r])
            guard s >= 0 else { return nil }
            switch values {
            case .int32(let a): return Int64(a[s])
            case .int64(let a): return a[s]
            case .boolean(let a): return a[s] ? 1 : 0
            default: return nil
            }
        default: return nil
        }
    }

    /// Calls `body` with the UTF-8 bytes of string field `field` at row `r` (nil when null).
    public func withBytes<R>(_ field: Int, _ r: Int, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        switch columns[field] {
        case .constantString(let v):
            guard let v else { return try body(nil) }
            return try v.withUnsafeBytes { try body($0) }
        case .flat(.byteArray(let b, let o), let slot):
            let s = Int(slot[r])
            guard s >= 0 else { return try body(nil) }
            return try b.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[Int(o[s])..<Int(o[s + 1])])) }
        default:
            return try body(nil)
        }
    }

    /// The string value of a field (allocates: tests and messages).
    public func string(_ field: Int, _ r: Int) -> String? {
        withBytes(field, r) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }
}
