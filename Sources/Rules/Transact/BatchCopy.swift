import OrderModel

/// Copies orders between batches column by column (the output of `transact` is the input's
/// surviving orders, with a few columns rewritten after the copy: a field set twice in a row
/// keeps the later value, and a list or map keeps growing until the row ends).
enum BatchCopy {
    /// Copies order `row` of `source` into the order being built in `target` (between
    /// `beginOrder()` and `endOrder()`), without its lines.
    static func copyOrderFields(_ source: OrderBatch, row: Int, into target: inout OrderBatch) {
        copyRow(source.orders, row, &target.orders)
    }

    /// Copies the lines of order `row` into the open order of `target`.
    static func copyLines(_ source: OrderBatch, row: Int, into target: inout OrderBatch) {
        for l in source.lineRange(row) {
            target.beginLine()
            copyRow(source.lines, l, &target.lines)
            target.endLine()
        }
    }

    static func copyRow(_ source: borrowing ColumnTable, _ row: Int, _ target: inout ColumnTable) {
        // Through a buffer pointer: an array element passed by value is a copy that retains
        // the column's nine arrays.
        source.columns.withUnsafeBufferPointer { cols in
            for c in cols.indices where !cols[c].isNull(row) {  // unset fields end up null
                copyValue(cols[c], c, row, &target)
            }
        }
    }

    /// Copies one non-null value; `col` is borrowed (a local copy would retain its arrays).
    @inline(__always)
    static func copyValue(_ col: borrowing Column, _ c: Int, _ row: Int, _ target: inout ColumnTable) {
        switch col.kind {
            case .string:
                col.bytes.withUnsafeBytes { target.set(c, utf8: UnsafeRawBufferPointer(rebasing: $0[col.range(row)])) }
            case .stringList, .stringMap:
                target.touch(c)
                col.bytes.withUnsafeBytes { vb in
                    col.keyBytes.withUnsafeBytes { kb in
                        for e in col.elements(row) {
                            let value = UnsafeRawBufferPointer(rebasing: vb[col.elementRange(e)])
                            let key = col.kind == .stringMap ? UnsafeRawBufferPointer(rebasing: kb[col.keyRange(e)]) : nil
                            target.addElement(c, utf8: value, key: key)
                        }
                    }
                }
            default:
                target.set(c, int: col.int(row))
        }
    }
}
