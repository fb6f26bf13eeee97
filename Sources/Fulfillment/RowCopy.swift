import OrderModel

/// Copies one row's non-null fields into the row being built, as `OrderBatch.copyOrderFields`
/// does, for the planner's hot path (a parent and every child re-copy the order's ~30 set
/// fields, and each child its lines).
///
/// Written here rather than calling `copyRow` because the generic copy handed each `Column` to
/// a helper by value, retaining and releasing its nine arrays per field: that cost more than
/// the field itself (about half of writing a planned order). Reading through the buffer
/// pointer of the column array and capturing only the byte range keeps it to the append.
enum RowCopy {
    /// Fields of `source` (the input order table) at `row` into `target`'s open row, except
    /// those `skip` marks (fields the caller always sets afterwards, so copying them would only
    /// be undone).
    static func copy(_ source: [Column], row: Int, into target: inout ColumnTable, skip: [Bool]? = nil) {
        source.withUnsafeBufferPointer { cols in
            for c in 0..<cols.count where !cols[c].isNull(row) {
                if let skip, skip[c] { continue }
                switch cols[c].kind {
                case .string:
                    let r = cols[c].range(row)
                    cols[c].bytes.withUnsafeBytes { target.set(c, utf8: UnsafeRawBufferPointer(rebasing: $0[r])) }
                case .stringList, .stringMap:
                    target.touch(c)
                    let isMap = cols[c].kind == .stringMap
                    cols[c].bytes.withUnsafeBytes { vb in
                        cols[c].keyBytes.withUnsafeBytes { kb in
                            for e in cols[c].elements(row) {
                                let value = UnsafeRawBufferPointer(rebasing: vb[cols[c].elementRange(e)])
                                let key = isMap ? UnsafeRawBufferPointer(rebasing: kb[cols[c].keyRange(e)]) : nil
                                target.addElement(c, utf8: value, key: key)
                            }
                        }
                    }
                default:
                    target.set(c, int: cols[c].int(row))
                }
            }
        }
    }

    /// The line `line` of `source` as a new line of the order being built in `out`.
    static func copyLine(_ source: [Column], line: Int, into out: inout OrderBatch) {
        out.beginLine()
        copy(source, row: line, into: &out.lines)
        out.endLine()
    }
}
