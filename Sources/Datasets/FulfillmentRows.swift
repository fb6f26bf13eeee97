import OrderModel

/// The `fulfillment/` dataset: one row per child order of a fulfillment plan, with the
/// columns an analyst needs to read the plan (where, how, by when, at what cost, and why).
/// Rows are the orders with `parent_order_id` and `plan_reasons` set and no `child_count`
/// (planned children; parent snapshots carry `child_count`).
enum FulfillmentRows {
    static let names = [
        "order_id", "parent_order_id", "source", "order_date", "business_line", "status", "warehouse_code", "carrier",
        "service_level", "ship_mode", "package_count", "line_count", "total_weight_g", "volume_cm3",
        "chargeable_weight_g", "freight_amount", "currency", "grand_total", "cod_amount", "insured_value",
        "promised_ship_by", "promised_delivery_from", "promised_delivery_to", "shipped_at", "delivered_at",
        "late_ship", "late_delivery", "hold_codes", "plan_reasons",
    ]
    /// Order-table column of each dataset column.
    static let source = names.map { OrderSchema.orderFieldIndex($0)! }
    static let fields = source.map { OrderSchema.orderFields[$0] }
    private static let parent = OrderSchema.orderFieldIndex("parent_order_id")!
    private static let reasons = OrderSchema.orderFieldIndex("plan_reasons")!
    private static let childCount = OrderSchema.orderFieldIndex("child_count")!
}

extension FulfillmentRows {
    /// The child rows of a partition's pending orders, projected onto `fields` (what the
    /// partitioned writer writes as the partition's `fulfillment/` row group).
    static func project(_ o: PendingTable) -> PendingTable {
        let parentNull = o.column(parent).nullRows(), reasonsNull = o.column(reasons).nullRows()
        let childNull = o.column(childCount).nullRows()
        var sel: [Int] = []
        for row in 0..<o.rowCount where !parentNull[row] && !reasonsNull[row] && childNull[row] {
            sel.append(row)
        }
        return o.selecting(rows: sel, columns: source, fields: fields)
    }
}
