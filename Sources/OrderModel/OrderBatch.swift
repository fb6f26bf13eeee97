/// A batch of unified orders: the order table and the line table, column by column.
///
/// This is what stages hand to each other inside a process (design.md section 8): parsers
/// append straight into it, rules read it through row indexes, the Parquet writer encodes its
/// columns, and NDJSON is read into and written from it. `lineParent[i]` is the order row of
/// line `i`; the lines of one order are contiguous and in order.
public struct OrderBatch: Sendable {
    public var orders = ColumnTable(fields: OrderSchema.orderFields)
    public var lines = ColumnTable(fields: OrderSchema.lineFields)
    public private(set) var lineParent: [Int32] = []
    /// For each order row, the index of its first line (`lineStart[count]` = lines.rowCount).
    public private(set) var lineStart: [Int32] = [0]

    private var orderOpen = false
    private var linesAtOrderStart = 0

    public init() {}

    /// Defers null padding in both tables (see `ColumnTable.defersNullPadding`): for parsers,
    /// which set a dozen of the ~120 fields per row. Setting it back to false pads the columns.
    public var defersNullPadding: Bool {
        get { orders.defersNullPadding }
        set {
            orders.defersNullPadding = newValue
            lines.defersNullPadding = newValue
        }
    }

    /// Fills every column of both tables up to their row counts with nulls.
    public mutating func padNulls() {
        orders.padNulls()
        lines.padNulls()
    }

    /// Number of complete orders in the batch.
    public var count: Int { orders.rowCount }

    /// The line rows of order `row`.
    @inlinable public func lineRange(_ row: Int) -> Range<Int> { Int(lineStart[row])..<Int(lineStart[row + 1]) }

    // MARK: Building

    /// Starts an order; set its fields through `orders`, add lines with `beginLine()`/`endLine()`.
    public mutating func beginOrder() {
        precondition(!orderOpen, "beginOrder() while an order is open")
        orderOpen = true
        linesAtOrderStart = lines.rowCount
        orders.beginRow()
    }

    /// Starts a line of the open order.
    public mutating func beginLine() {
        precondition(orderOpen, "beginLine() outside an order")
        lines.beginRow()
    }

    /// Ends the line being built.
    public mutating func endLine() {
        lines.endRow()
    }

    /// Abandons the line being built.
    public mutating func cancelLine() {
        lines.cancelRow()
    }

    /// Number of lines added to the open order so far.
    public var openOrderLineCount: Int { lines.rowCount - linesAtOrderStart }

    /// Ends the open order: fills each line's `order_id` from the order, and the order's
    /// `line_count` unless the mapping set it.
    public mutating func endOrder() {
        precondition(orderOpen, "endOrder() without beginOrder()")
        let n = lines.rowCount - linesAtOrderStart
        if !orders.isSet(OrderField.lineCount) {
            orders.set(OrderField.lineCount, int: Int64(n))
        }
        orders.endRow()
        let row = orders.rowCount - 1
        if n > 0 {
            // Lines were built before the order id was final, so their order_id is filled now
            // (in place: copying the column out would copy the whole batch once per order).
            if lines.columns[LineField.orderId].count > linesAtOrderStart {
                lines.columns[LineField.orderId].truncate(toCount: linesAtOrderStart)
            } else {
                lines.columns[LineField.orderId].padNulls(to: linesAtOrderStart)
            }
            // A column shorter than the table (deferred padding) is null in its missing rows.
            // The id column is read in place: binding it to a local copied the `Column` (nine
            // array retains and releases per order).
            orders.columns.withUnsafeBufferPointer { cols in
                let id = OrderField.orderId
                if row >= cols[id].count || cols[id].isNull(row) {
                    for _ in 0..<n { lines.columns[LineField.orderId].appendNull() }
                } else {
                    cols[id].bytes.withUnsafeBytes { raw in
                        let slice = UnsafeRawBufferPointer(rebasing: raw[cols[id].range(row)])
                        for _ in 0..<n { lines.columns[LineField.orderId].append(utf8: slice) }
                    }
                }
            }
        }
        for _ in 0..<n { lineParent.append(Int32(row)) }
        lineStart.append(Int32(lines.rowCount))
        orderOpen = false
    }

    /// Abandons the open order and every line added to it.
    public mutating func cancelOrder() {
        guard orderOpen else { return }
        lines.cancelRow()
        lines.truncate(toCount: linesAtOrderStart)
        orders.cancelRow()
        orderOpen = false
    }

    /// Makes room for `orders` orders and `lines` lines in the line index (`BatchCapacity`).
    mutating func reserveRows(orders: Int, lines: Int) {
        let lines = lines + lines / 4, orders = orders + orders / 4  // as `Column.reserveCapacity`
        if lines > lineParent.capacity { lineParent.reserveCapacity(lines) }
        if orders + 1 > lineStart.capacity { lineStart.reserveCapacity(orders + 1) }
    }

    /// Empties the batch, keeping storage for the next one.
    public mutating func removeAll() {
        precondition(!orderOpen)
        orders.removeAll()
        lines.removeAll()
        lineParent.removeAll(keepingCapacity: true)
        lineStart.removeAll(keepingCapacity: true)
        lineStart.append(0)
    }

    /// Appends order `row` of `other` (with its lines) to this batch.
    public mutating func append(from other: OrderBatch, row: Int) {
        beginOrder()
        copyOrderFields(from: other, row: row)
        copyLines(from: other, row: row)
        endOrder()
    }

    /// Copies the fields of order `row` of `other` into the order being built (between
    /// `beginOrder()` and `endOrder()`), without its lines. Fields set afterwards replace
    /// the copied values; lists and maps keep growing until the order ends. Fields `skipping`
    /// marks (indexed by order field) are left out: callers that always set them afterwards
    /// need not copy them first.
    public mutating func copyOrderFields(from other: OrderBatch, row: Int, skipping skip: [Bool]? = nil) {
        copyRow(from: other.orders, row: row, into: &orders, skipping: skip)
    }

    /// Copies the lines of order `row` of `other` into the order being built.
    public mutating func copyLines(from other: OrderBatch, row: Int) {
        for l in other.lineRange(row) {
            beginLine()
            copyRow(from: other.lines, row: l, into: &lines)
            endLine()
        }
    }

    /// Bytes held, for memory budgets.
    public var byteSize: Int { orders.byteSize + lines.byteSize + lineParent.count * 4 + lineStart.count * 4 }
}

/// Copies one row of `source` into the row being built in `target` (same fields), except the
/// fields `skip` marks. Null fields are skipped: a field not set in the row ends up null when
/// the row ends.
func copyRow(from source: ColumnTable, row: Int, into target: inout ColumnTable, skipping skip: [Bool]? = nil) {
    // Each column is read in place through the buffer pointer: handing a `Column` to a helper
    // (even `borrowing`) retained and released its nine arrays per field, which cost more than
    // copying the value itself (about half of writing a planned order in fulfillment).
    source.columns.withUnsafeBufferPointer { cols in
        for c in cols.indices where !cols[c].isNull(row) {
            if let skip, skip[c] { continue }
            copyField(cols, c, row: row, into: &target)
        }
    }
}

/// Copies field `c` (not null) of `row` of the columns `cols` into the row being built in `target`.
@inline(__always)
func copyField(_ cols: UnsafeBufferPointer<Column>, _ c: Int, row: Int, into target: inout ColumnTable) {
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
