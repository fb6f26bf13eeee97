import OrderModel

/// The `fulfillment/` dataset: one row per child order of a fulfillment plan, with the
/// columns an analyst needs to read the plan (where, how, by when, at what cost, and why).
///
/// Its rows are the planned children `waybill fulfill` writes after each parent snapshot:
/// orders with `parent_order_id` and `plan_reasons` set and no `child_count` (parents carry
/// `child_count`). They land here only, not in `orders/` or `order_lines/`: `orders/` holds
/// the customer's orders (each parent once, so sums over it never count an order twice), and
/// the parent's lines name their child in `child_order_id`.
public enum FulfillmentRows {
    static let names = [
        "order_id", "parent_order_id", "source", "order_date", "business_line", "status", "warehouse_code", "carrier",
        "service_level", "ship_mode", "package_count", "line_count", "total_weight_g", "volume_cm3",
        "chargeable_weight_g", "freight_amount", "currency", "subtotal", "grand_total", "cod_amount", "insured_value",
        "promised_ship_by", "promised_delivery_from", "promised_delivery_to", "shipped_at", "delivered_at",
        "late_ship", "late_delivery", "hold_codes", "plan_reasons",
    ]
    /// Order-table column of each dataset column.
    static let source = names.map { OrderSchema.orderFieldIndex($0)! }
    static let fields = source.map { OrderSchema.orderFields[$0] }
    private static let parent = OrderSchema.orderFieldIndex("parent_order_id")!
    private static let reasons = OrderSchema.orderFieldIndex("plan_reasons")!
    private static let childCount = OrderSchema.orderFieldIndex("child_count")!

    /// Marks in `flags` (one per order of `orders`) the planned children; false when there is
    /// none (a batch no plan touched has no `plan_reasons` at all and is not scanned).
    public static func markChildren(_ orders: ColumnTable, into flags: inout [Bool]) -> Bool {
        flags.removeAll(keepingCapacity: true)
        return orders.columns.withUnsafeBufferPointer { cols in
            guard cols[reasons].nullCount < cols[reasons].count else { return false }
            var any = false
            for row in 0..<orders.rowCount {
                let child = !cols[parent].isNull(row) && !cols[reasons].isNull(row) && cols[childCount].isNull(row)
                flags.append(child)
                any = any || child
            }
            return any
        }
    }
}

extension DatasetWriteOptions {
    /// The order fields the writer reads of a planned child order: the `fulfillment/` columns
    /// (among them what marks a row as a child: `parent_order_id`, `plan_reasons`, and the
    /// `child_count` only parents carry), the partition keys' fields, and the source position a
    /// route reject names. A stage feeding the writer may leave every other field of a child
    /// null and give it no lines (`Fulfiller.childFields`).
    public var childOrderFields: Set<Int> {
        var fields = Set(FulfillmentRows.source)
        fields.insert(OrderSchema.orderFieldIndex("child_count")!)
        fields.formUnion(partitionKeys.map(\.field))
        fields.formUnion([OrderField.sourceFile, OrderField.sourceMember, OrderField.sourceLine])
        return fields
    }
}
