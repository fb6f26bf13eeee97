import OrderModel

// Row selection over pending tables, for datasets that are a subset of another's rows and
// columns (the `fulfillment/` dataset: the child orders of `orders/`, fewer columns). The
// partitioned writer buffers orders and lines only; such a dataset is cut out of the orders
// table when a row group is written, so routing and spilling stay as they are.

extension PendingColumn {
    /// For each top-level row, whether it is null (one pass over the levels).
    func nullRows() -> [Bool] {
        guard materialized else { return [Bool](repeating: true, count: rows) }
        guard isNested else { return defs.map { $0 == 0 } }
        var out: [Bool] = []
        out.reserveCapacity(rows)
        for e in 0..<entries where reps[e] == 0 { out.append(defs[e] == 0) }
        return out
    }

    /// The rows `sel` (ascending) of this column, as a new column of the same kind.
    func selecting(_ sel: [Int]) -> PendingColumn {
        var out = PendingColumn(kind: kind)
        guard materialized else {
            out.appendNulls(sel.count)
            return out
        }
        var picked = [Bool](repeating: false, count: rows)
        for r in sel { picked[r] = true }
        var rowsOut = 0
        var entriesOut = 0
        var defsOut: [UInt8] = []
        var repsOut: [UInt8] = []
        var intsOut: [Int64] = []
        var int32sOut: [Int32] = []
        var boolsOut: [Bool] = []
        var bytesOut: [UInt8] = []
        var offsetsOut: [UInt32] = [0]
        var keyBytesOut: [UInt8] = []
        var keyOffsetsOut: [UInt32] = [0]
        var value = 0  // index of the next non-null value (flat) or element (nested)
        var row = -1
        for e in 0..<entries {
            if !isNested || reps[e] == 0 { row += 1 }
            let keep = picked[row]
            let hasValue = isNested ? defs[e] == 2 : defs[e] == 1
            if keep {
                if !isNested || reps[e] == 0 { rowsOut += 1 }
                entriesOut += 1
                defsOut.append(defs[e])
                if isNested { repsOut.append(reps[e]) }
                if hasValue {
                    switch kind {
                    case .int64, .decimal, .timestamp: intsOut.append(ints[value])
                    case .int32, .date: int32sOut.append(int32s[value])
                    case .bool: boolsOut.append(bools[value])
                    case .string, .stringList, .stringMap:
                        bytesOut.append(contentsOf: bytes[Int(offsets[value])..<Int(offsets[value + 1])])
                        offsetsOut.append(UInt32(bytesOut.count))
                        if kind == .stringMap {
                            keyBytesOut.append(contentsOf: keyBytes[Int(keyOffsets[value])..<Int(keyOffsets[value + 1])])
                            keyOffsetsOut.append(UInt32(keyBytesOut.count))
                        }
                    }
                }
            }
            if hasValue { value += 1 }
        }
        out.adopt(rows: rowsOut, entries: entriesOut, defs: defsOut, reps: repsOut, ints: intsOut, int32s: int32sOut,
                  bools: boolsOut, bytes: bytesOut, offsets: offsetsOut, keyBytes: keyBytesOut, keyOffsets: keyOffsetsOut)
        return out
    }
}

extension PendingTable {
    /// Rows `sel` (ascending) of the columns `columns` of this table, as a table of `fields`
    /// (`fields[i]` is this table's field `columns[i]`).
    func selecting(rows sel: [Int], columns: [Int], fields: [FieldDef]) -> PendingTable {
        var out = PendingTable(fields: fields)
        for (i, c) in columns.enumerated() {
            let col = column(c)
            if !col.materialized { continue }
            out.set(i, col.selecting(sel))
        }
        out.setRowCount(sel.count)
        return out
    }
}
