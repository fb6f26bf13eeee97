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
    ///
    /// Selected rows come in runs (a parent's children are adjacent), so each run is copied
    /// with one bulk append per array: its levels, its values, and its string bytes with the
    /// offsets rebased. Skipped rows only advance the value index. (Per entry, eight array
    /// appends made this projection a tenth of writing a partition.)
    func selecting(_ sel: [Int]) -> PendingColumn {
        var out = PendingColumn(kind: kind)
        guard materialized else {
            out.appendNulls(sel.count)
            return out
        }
        let nested = isNested
        let present: UInt8 = nested ? 2 : 1
        var defsOut: [UInt8] = []
        var repsOut: [UInt8] = []
        var intsOut: [Int64] = []
        var int32sOut: [Int32] = []
        var boolsOut: [Bool] = []
        var bytesOut: [UInt8] = []
        var offsetsOut: [UInt32] = [0]
        var keyBytesOut: [UInt8] = []
        var keyOffsetsOut: [UInt32] = [0]
        var e = 0  // next entry
        var row = 0  // the row entry `e` starts (or belongs to)
        var value = 0  // values before entry `e`
        var i = 0
        while i < sel.count {
            // The run sel[i], sel[i]+1, ... of consecutive rows.
            var j = i + 1
            while j < sel.count && sel[j] == sel[j - 1] + 1 { j += 1 }
            let first = sel[i], end = sel[j - 1] + 1
            // Skip to the first entry of row `first`, counting the values passed.
            while row < first {
                if defs[e] == present { value += 1 }
                e += 1
                if !nested || e == entries || reps[e] == 0 { row += 1 }
            }
            let e0 = e, v0 = value
            while row < end {
                if defs[e] == present { value += 1 }
                e += 1
                if !nested || e == entries || reps[e] == 0 { row += 1 }
            }
            defsOut.append(contentsOf: defs[e0..<e])
            if nested { repsOut.append(contentsOf: reps[e0..<e]) }
            if value > v0 {
                switch kind {
                case .int64, .decimal, .timestamp: intsOut.append(contentsOf: ints[v0..<value])
                case .int32, .date: int32sOut.append(contentsOf: int32s[v0..<value])
                case .bool: boolsOut.append(contentsOf: bools[v0..<value])
                case .string, .stringList, .stringMap:
                    Self.appendStrings(bytes, offsets, v0..<value, to: &bytesOut, &offsetsOut)
                    if kind == .stringMap { Self.appendStrings(keyBytes, keyOffsets, v0..<value, to: &keyBytesOut, &keyOffsetsOut) }
                }
            }
            i = j
        }
        out.adopt(rows: sel.count, entries: defsOut.count, defs: defsOut, reps: repsOut, ints: intsOut,
                  int32s: int32sOut, bools: boolsOut, bytes: bytesOut, offsets: offsetsOut, keyBytes: keyBytesOut,
                  keyOffsets: keyOffsetsOut)
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
