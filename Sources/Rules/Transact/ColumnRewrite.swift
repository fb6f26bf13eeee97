import OrderModel

/// Copies of one column of a batch with some rows changed, built column by column.
///
/// When every order of a batch goes out of `transact`, the output is the input batch itself
/// (a copy-on-write share, no bytes copied) with the few columns transact writes (rule
/// results, hold codes, held-from, status) replaced by these rewrites. Copying each order
/// field by field into a new batch instead cost more than evaluating all the rules.
enum ColumnRewrite {
    /// `old` (a list or map column) with elements appended to rows: `add(row, &column)` appends
    /// the new elements of `row` after the ones it had and returns whether it appended any. A
    /// null row stays null unless elements are added to it (then it holds just those).
    static func appendingElements(_ old: Column, rows n: Int, add: (Int, inout Column) -> Bool) -> Column {
        var col = Column(kind: old.kind)
        let isMap = old.kind == .stringMap
        old.bytes.withUnsafeBytes { vb in
            old.keyBytes.withUnsafeBytes { kb in
                for row in 0..<n {
                    let present = !old.isNull(row)
                    if present {
                        for e in old.elements(row) {
                            let value = UnsafeRawBufferPointer(rebasing: vb[old.elementRange(e)])
                            col.appendElement(utf8: value, key: isMap ? UnsafeRawBufferPointer(rebasing: kb[old.keyRange(e)]) : nil)
                        }
                    }
                    if add(row, &col) || present {
                        col.closeRow()
                    } else {
                        col.appendNull()
                    }
                }
            }
        }
        return col
    }

    /// `old` (a string column) with the rows where `replace(row)` holds set to `value`.
    static func replacingStrings(_ old: Column, rows n: Int, with value: [UInt8], where replace: (Int) -> Bool) -> Column {
        var col = Column(kind: old.kind)
        value.withUnsafeBytes { v in
            old.bytes.withUnsafeBytes { b in
                for row in 0..<n {
                    if replace(row) {
                        col.append(utf8: v)
                    } else if old.isNull(row) {
                        col.appendNull()
                    } else {
                        col.append(utf8: UnsafeRawBufferPointer(rebasing: b[old.range(row)]))
                    }
                }
            }
        }
        return col
    }

    /// `old` (a numeric column) with its null rows set to `value(row)`.
    static func fillingNulls(_ old: Column, rows n: Int, with value: (Int) -> Int64) -> Column {
        var col = Column(kind: old.kind)
        for row in 0..<n { col.append(old.isNull(row) ? value(row) : old.int(row)) }
        return col
    }
}
