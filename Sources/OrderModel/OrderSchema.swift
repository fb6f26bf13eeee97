/// The catalogue of the unified order model: one table of fields for orders and one for their
/// lines. Everything else (batches, the NDJSON form, the JSON Schema, the Parquet datasets and
/// the profile language) is driven by these two lists, so adding a field is one line here.
///
/// Order matters: a field's position is its column index in a batch. Append new fields at the
/// end of their table and bump `OrderSchema.version`.
public enum OrderSchema {
    /// The version of the unified model, written into every Parquet file's key-value metadata
    /// and into the JSON Schema's `$id`.
    public static let version = "4"

    /// The canonical order types (three inbound and three outbound flows, plus exchange).
    public static let orderTypes = [
        "sale", "return", "exchange", "transfer_in", "transfer_out", "purchase_in", "supplier_return",
    ]

    public static let orderFields: [FieldDef] = [
        // header (main file)
        FieldDef("order_id", .string, .header, required: true, "Unique order key: `source:external_order_id`."),
        FieldDef("source", .string, .header, required: true, "The feed the order came from (profile's source name)."),
        FieldDef("external_order_id", .string, .header, required: true, "The order's id in its source system."),
        FieldDef("display_name", .string, .header, "Human-facing order name (e.g. Shopify `#1001`); not unique."),
        FieldDef("parent_order_id", .string, .header, "Parent order of a child (split) order."),
        FieldDef("order_type", .string, .header, required: true, allowed: orderTypes, "Kind of order flow."),
        FieldDef("business_line", .string, .header, "Business line (express, freight, cold_chain, ...)."),
        FieldDef("status", .string, .header, required: true, allowed: CanonicalStatus.allNames, "Canonical status."),
        FieldDef("source_status", .string, .header, "The status exactly as the source wrote it."),
        FieldDef("created_at", .timestamp, .header, required: true, "When the order was placed (UTC)."),
        FieldDef("updated_at", .timestamp, .header, "Last change in the source (UTC); orders versions with `version`."),
        FieldDef("order_date", .date, .header, required: true, "Business date of the order in the feed's time zone."),
        FieldDef("version", .int64, .header, "Source version of this order record; higher is newer."),
        FieldDef("tenant_id", .string, .header, "Customer / tenant code (JD `customerCode`)."),
        FieldDef("is_test", .bool, .header, "A test order."),
        // logistics
        FieldDef("consignee_name", .string, .logistics, "Receiver's name."),
        FieldDef("consignee_phone", .string, .logistics, "Receiver's phone."),
        FieldDef("consignee_email", .string, .logistics, "Receiver's email."),
        FieldDef("consignee_country", .string, .logistics, "Receiver's country, ISO 3166-1 alpha-2 where known."),
        FieldDef("consignee_province", .string, .logistics, "Receiver's province / state."),
        FieldDef("consignee_city", .string, .logistics, "Receiver's city."),
        FieldDef("consignee_district", .string, .logistics, "Receiver's district / county."),
        FieldDef("consignee_street", .string, .logistics, "Receiver's street address."),
        FieldDef("consignee_postal_code", .string, .logistics, "Receiver's postal code."),
        FieldDef("consignee_region_code", .string, .logistics, "Receiver's region code (CN adcode)."),
        FieldDef("consignee_phone_hash", .string, .logistics, "Salted SHA-256 of the normalised phone, for joins."),
        FieldDef("consignee_email_hash", .string, .logistics, "Salted SHA-256 of the normalised email, for joins."),
        FieldDef("consignor_name", .string, .logistics, "Sender's name."),
        FieldDef("consignor_phone", .string, .logistics, "Sender's phone."),
        FieldDef("consignor_country", .string, .logistics, "Sender's country, ISO 3166-1 alpha-2 where known."),
        FieldDef("consignor_province", .string, .logistics, "Sender's province / state."),
        FieldDef("consignor_city", .string, .logistics, "Sender's city."),
        FieldDef("consignor_district", .string, .logistics, "Sender's district / county."),
        FieldDef("consignor_street", .string, .logistics, "Sender's street address."),
        FieldDef("consignor_postal_code", .string, .logistics, "Sender's postal code."),
        FieldDef("warehouse_code", .string, .logistics, "Shipping warehouse, when the source names one."),
        FieldDef("package_count", .int32, .logistics, "Number of parcels."),
        FieldDef("total_weight_g", .int64, .logistics, "Total weight in grams."),
        FieldDef("volume_cm3", .int64, .logistics, "Total volume in cubic centimetres."),
        FieldDef("transport_type", .string, .logistics, "land or air."),
        // marketing
        FieldDef("discount_codes", .stringList, .marketing, "Discount codes applied."),
        FieldDef("promotion_ids", .stringList, .marketing, "Promotion ids applied."),
        FieldDef("order_discount", .decimal, .marketing, "Order-level discount (positive)."),
        FieldDef("shipping_discount", .decimal, .marketing, "Discount on shipping (positive)."),
        FieldDef("coupon_amount", .decimal, .marketing, "Coupon amount (positive)."),
        // finance
        FieldDef("currency", .string, .finance, "ISO 4217 currency code."),
        FieldDef("subtotal", .decimal, .finance, "Sum of line amounts before order-level adjustments."),
        FieldDef("shipping_fee", .decimal, .finance, "Shipping charged."),
        FieldDef("tax_total", .decimal, .finance, "Total tax."),
        FieldDef("taxes_included", .bool, .finance, "Whether prices include tax."),
        FieldDef("discount_total", .decimal, .finance, "Total discounts (positive)."),
        FieldDef("grand_total", .decimal, .finance, "What the customer pays."),
        FieldDef("paid_amount", .decimal, .finance, "Amount paid so far."),
        FieldDef("refunded_amount", .decimal, .finance, "Amount refunded."),
        FieldDef("payment_status", .string, .finance, "pending, paid, partially_paid, refunded, ..."),
        FieldDef("payment_method", .string, .finance, "Payment method as the source names it."),
        FieldDef("is_cod", .bool, .finance, "Cash on delivery."),
        FieldDef("cod_amount", .decimal, .finance, "Amount to collect on delivery."),
        FieldDef("insured", .bool, .finance, "Insured shipment."),
        FieldDef("insured_value", .decimal, .finance, "Declared (insured) value."),
        // channel
        FieldDef("platform", .string, .channel, "Selling platform (shopify, amazon, jd, tmall, ...)."),
        FieldDef("sales_channel", .string, .channel, "Sales channel (web, pos, app, marketplace site)."),
        FieldDef("marketplace", .string, .channel, "Marketplace id."),
        FieldDef("shop_id", .string, .channel, "Shop / store id."),
        FieldDef("source_name", .string, .channel, "Order source within the platform (web, pos, draft, api)."),
        FieldDef("fulfilled_by", .string, .channel, allowed: ["platform", "merchant"], "Who fulfils the order."),
        // shipping
        FieldDef("service_level", .string, .shipping, "Canonical service level: same_day, next_day, standard, economy, scheduled."),
        FieldDef("source_service_level", .string, .shipping, "Service level exactly as the source wrote it."),
        FieldDef("carrier", .string, .shipping, "Carrier."),
        FieldDef("ship_mode", .string, .shipping, "Ship mode (air, truck, rail, mail, ...)."),
        FieldDef("tracking_no", .string, .shipping, "Carrier tracking number."),
        FieldDef("waybill_no", .string, .shipping, "Waybill number."),
        FieldDef("promised_ship_by", .timestamp, .shipping, "Promised ship-by instant (UTC)."),
        FieldDef("promised_delivery_from", .timestamp, .shipping, "Start of the promised delivery window (UTC)."),
        FieldDef("promised_delivery_to", .timestamp, .shipping, "End of the promised delivery window (UTC)."),
        FieldDef("shipped_at", .timestamp, .shipping, "When the order shipped (UTC)."),
        FieldDef("delivered_at", .timestamp, .shipping, "When the order was delivered (UTC)."),
        // operation
        FieldDef("priority", .string, .operation, "Order priority as the source names it."),
        FieldDef("risk_level", .string, .operation, "Risk level (low, medium, high)."),
        FieldDef("tags", .stringList, .operation, "Free tags."),
        FieldDef("note", .string, .operation, "Order note / comment."),
        FieldDef("clerk", .string, .operation, "Employee / clerk who handled the order."),
        FieldDef("line_count", .int32, .operation, "Number of lines of the order."),
        FieldDef("hold_codes", .stringList, .operation, "Why the order is ON_HOLD (rule ids or hold codes)."),
        FieldDef("rule_results", .stringMap, .operation, "Rule hits: rule id -> `severity: message`."),
        FieldDef("batch_id", .string, .operation, "Lineage: the collect run that produced this record."),
        FieldDef("source_file", .string, .operation, "Lineage: the input file."),
        FieldDef("source_member", .string, .operation, "Lineage: the archive member, when there is one."),
        FieldDef("source_line", .int64, .operation, "Lineage: the 1-based line of the record's first row."),
        // extension
        FieldDef("ext", .stringMap, .ext, "Every unmapped source field, keyed `<source>.<field>`."),
        // fulfillment plan (written by `fulfill`, docs/fulfillment.md); appended, so earlier indexes hold
        FieldDef("chargeable_weight_g", .int64, .shipping, "Planned: billed weight, max(actual, volumetric), in grams."),
        FieldDef("freight_amount", .decimal, .shipping, "Planned: carrier freight of the shipment, in `currency`."),
        FieldDef("late_ship", .bool, .shipping, "SLA: shipped after `promised_ship_by`."),
        FieldDef("late_delivery", .bool, .shipping, "SLA: delivered after `promised_delivery_to`."),
        FieldDef("child_count", .int32, .operation, "Planned parent snapshot: how many child orders it split into."),
        FieldDef("plan_reasons", .stringMap, .operation, "Planned: decision -> why (warehouse, split, carrier, promise, ...)."),
    ]

    public static let lineFields: [FieldDef] = [
        FieldDef("order_id", .string, .product, required: true, "The order the line belongs to."),
        FieldDef("line_no", .int32, .product, required: true, "1-based line number within the order."),
        FieldDef("external_line_id", .string, .product, "The line's id in its source system."),
        FieldDef("sku", .string, .product, "Stock keeping unit."),
        FieldDef("product_id", .string, .product, "Product / part id (ASIN, part key)."),
        FieldDef("title", .string, .product, "Product title."),
        FieldDef("category", .string, .product, "Product category."),
        FieldDef("quantity", .decimal, .product, required: true, "Quantity ordered."),
        FieldDef("unit_price", .decimal, .product, "Price of one unit."),
        FieldDef("list_price", .decimal, .product, "List (compare-at) price of one unit."),
        FieldDef("extended_price", .decimal, .product, "Line amount before discount and tax (unit price x quantity)."),
        FieldDef("discount_rate", .decimal, .product, "Discount as a fraction (0.05 = 5%)."),
        FieldDef("line_discount", .decimal, .product, "Discount amount on the line (positive)."),
        FieldDef("tax_rate", .decimal, .product, "Tax as a fraction (0.08 = 8%)."),
        FieldDef("line_tax", .decimal, .product, "Tax amount on the line."),
        FieldDef("taxable", .bool, .product, "Whether the line is taxable."),
        FieldDef("requires_shipping", .bool, .product, "Whether the line ships (gift cards do not)."),
        FieldDef("is_gift", .bool, .product, "A gift line."),
        FieldDef("unit_weight_g", .int64, .product, "Weight of one unit in grams."),
        FieldDef("length_cm", .int32, .product, "Length of one unit in cm."),
        FieldDef("width_cm", .int32, .product, "Width of one unit in cm."),
        FieldDef("height_cm", .int32, .product, "Height of one unit in cm."),
        FieldDef("temp_class", .string, .product, "Temperature class: ambient, chilled, frozen, ..."),
        FieldDef("seller_id", .string, .product, "Seller / merchant of the line."),
        FieldDef("supplier_id", .string, .product, "Supplier of the line."),
        FieldDef("line_status", .string, .product, "Line status as the source writes it."),
        FieldDef("ship_mode", .string, .product, "Ship mode of the line."),
        FieldDef("ship_date", .date, .product, "Date the line shipped."),
        FieldDef("commit_date", .date, .product, "Date the line was committed to arrive."),
        FieldDef("receipt_date", .date, .product, "Date the line was received."),
        FieldDef("ext", .stringMap, .ext, "Every unmapped source field of the line, keyed `<source>.<field>`."),
        // appended in schema version 3, so earlier indexes hold
        FieldDef("note", .string, .product, "Free-text remark on the line (TPC-H l_comment, a buyer's per-item message)."),
        // appended in schema version 4
        FieldDef("child_order_id", .string, .product,
            "Planned parent snapshot: the child order (shipment) that ships this line, as in `fulfillment/`."),
    ]

    /// Index of an order field by name, or nil.
    public static func orderFieldIndex(_ name: String) -> Int? { orderIndex[name] }
    /// Index of a line field by name, or nil.
    public static func lineFieldIndex(_ name: String) -> Int? { lineIndex[name] }

    private static let orderIndex: [String: Int] = Dictionary(
        uniqueKeysWithValues: orderFields.enumerated().map { ($1.name, $0) })
    private static let lineIndex: [String: Int] = Dictionary(
        uniqueKeysWithValues: lineFields.enumerated().map { ($1.name, $0) })
}

/// Column indexes of the order fields that code addresses directly. Checked against the
/// catalogue by a test, so a reordering of `OrderSchema.orderFields` cannot go unnoticed.
public enum OrderField {
    public static let orderId = 0, source = 1, externalOrderId = 2, orderType = 5, businessLine = 6
    public static let status = 7, sourceStatus = 8, createdAt = 9, updatedAt = 10, orderDate = 11, version = 12
    public static let grandTotal = OrderSchema.orderFieldIndex("grand_total")!
    public static let lineCount = OrderSchema.orderFieldIndex("line_count")!
    public static let batchId = OrderSchema.orderFieldIndex("batch_id")!
    public static let sourceFile = OrderSchema.orderFieldIndex("source_file")!
    public static let sourceMember = OrderSchema.orderFieldIndex("source_member")!
    public static let sourceLine = OrderSchema.orderFieldIndex("source_line")!
    public static let ext = OrderSchema.orderFieldIndex("ext")!
}

/// Column indexes of the line fields that code addresses directly.
public enum LineField {
    public static let orderId = 0, lineNo = 1, quantity = 7
    public static let ext = OrderSchema.lineFieldIndex("ext")!
    public static let childOrderId = OrderSchema.lineFieldIndex("child_order_id")!
}
