import OrderModel

/// The rows a partition holds for its next row groups: its orders and their lines, and the
/// planned child orders, already projected onto the `fulfillment/` columns (a child lands in
/// that dataset only; see `FulfillmentRows`).
struct PartitionRows {
    var orders = PendingTable(fields: OrderSchema.orderFields)
    var lines = PendingTable(fields: OrderSchema.lineFields)
    var children = PendingTable(fields: FulfillmentRows.fields)

    var isEmpty: Bool { orders.rowCount == 0 && children.rowCount == 0 }

    /// Drops every row, keeping the tables' memory for the next ones.
    mutating func removeAllKeepingCapacity() {
        orders.removeAllKeepingCapacity()
        lines.removeAllKeepingCapacity()
        children.removeAllKeepingCapacity()
    }

    /// Memory held, for the budget.
    var heapBytes: Int { orders.heapBytes + lines.heapBytes + children.heapBytes }

    /// Bytes of row data, for the row-group threshold.
    var dataBytes: Int { orders.dataBytes + lines.dataBytes + children.dataBytes }

    /// The table of `dataset`.
    func table(_ dataset: DatasetKind) -> PendingTable {
        switch dataset {
        case .orders: return orders
        case .orderLines: return lines
        case .fulfillment: return children
        }
    }

    /// Appends the three tables to `out` (a spill segment).
    func serialize(into out: inout [UInt8]) {
        orders.serialize(into: &out)
        lines.serialize(into: &out)
        children.serialize(into: &out)
    }

    /// Reads a segment written by `serialize` at `p` and appends its rows.
    mutating func appendSerialized(_ raw: UnsafeRawBufferPointer, _ p: inout Int) {
        orders.appendSerialized(raw, &p)
        lines.appendSerialized(raw, &p)
        children.appendSerialized(raw, &p)
    }

    mutating func append(contentsOf other: PartitionRows) {
        orders.append(contentsOf: other.orders)
        lines.append(contentsOf: other.lines)
        children.append(contentsOf: other.children)
    }
}
