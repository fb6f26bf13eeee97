import OrderModel

/// The columns of one input batch that the planner reads, as views bound once per batch
/// (`BatchView.with`). Readers return raw byte buffers into the batch's storage: no String
/// per field, and no reference counting.
///
/// Why raw buffers: the planner keeps what it reads of a line (temperature class, seller,
/// SKU, ship mode) in `LineFacts` and `ChildPlan`, which it copies, sorts and reads per
/// child. As slices of the column arenas (`ByteSlice`) each of those held a reference, so
/// every copy retained and released up to five of them: at TPC-H scale 0.1 (600,000
/// children) a quarter of the fulfill thread's samples were `swift_retain`/`swift_release`.
///
/// Lifetime: the buffers are valid while the batch is, which `with` guarantees for its body;
/// the planner's per-order scratch (`facts`, `children`) is refilled for every order of the
/// batch and never read after `process` returns.
struct BatchView {
    let o: UnsafeBufferPointer<ColumnView>
    let l: UnsafeBufferPointer<ColumnView>

    /// Calls `body` with a view of every order and line column of `batch`.
    ///
    /// The binding recurses a few levels per column (`ColumnTable.withViews`), and whatever
    /// the closures capture is copied at every level: capturing the whole batch copied it (a
    /// retain and release of each of its arrays) some 500 times per call, so only the line
    /// table is captured.
    static func with<R>(_ batch: OrderBatch, _ body: (BatchView) -> R) -> R {
        let lines = batch.lines
        return batch.orders.withViews { o in
            lines.withViews { l in body(BatchView(o: o, l: l)) }
        }
    }

    @inline(__always) func isNull(_ c: Int, _ row: Int) -> Bool { o[c].isNull(row) }
    @inline(__always) func int(_ c: Int, _ row: Int) -> Int64? { o[c].isNull(row) ? nil : o[c].int(row) }
    @inline(__always) func lineInt(_ c: Int, _ line: Int) -> Int64? { l[c].isNull(line) ? nil : l[c].int(line) }

    /// The bytes of a string order field (empty when null).
    @inline(__always) func bytes(_ c: Int, _ row: Int) -> UnsafeRawBufferPointer {
        o[c].isNull(row) ? UnsafeRawBufferPointer(start: nil, count: 0) : o[c].string(row)
    }

    @inline(__always) func lineBytes(_ c: Int, _ line: Int) -> UnsafeRawBufferPointer? {
        l[c].isNull(line) ? nil : l[c].string(line)
    }

    func fill(_ d: inout Destination, row: Int) {
        d.clear()
        d.country.append(contentsOf: bytes(F.country, row))
        for i in d.country.indices where d.country[i] >= 0x61 && d.country[i] <= 0x7A { d.country[i] -= 32 }
        d.province.append(contentsOf: bytes(F.province, row))
        d.city.append(contentsOf: bytes(F.city, row))
        d.postal.append(contentsOf: bytes(F.postal, row))
    }
}

/// Field indexes the planner uses (looked up once).
enum F {
    static let status = OrderField.status
    static let createdAt = OrderField.createdAt
    static let country = OrderSchema.orderFieldIndex("consignee_country")!
    static let province = OrderSchema.orderFieldIndex("consignee_province")!
    static let city = OrderSchema.orderFieldIndex("consignee_city")!
    static let postal = OrderSchema.orderFieldIndex("consignee_postal_code")!
    static let salesChannel = OrderSchema.orderFieldIndex("sales_channel")!
    static let parentOrderId = OrderSchema.orderFieldIndex("parent_order_id")!
    static let warehouseCode = OrderSchema.orderFieldIndex("warehouse_code")!
    static let packageCount = OrderSchema.orderFieldIndex("package_count")!
    static let totalWeightG = OrderSchema.orderFieldIndex("total_weight_g")!
    static let volumeCm3 = OrderSchema.orderFieldIndex("volume_cm3")!
    static let subtotal = OrderSchema.orderFieldIndex("subtotal")!
    static let grandTotal = OrderSchema.orderFieldIndex("grand_total")!
    static let isCOD = OrderSchema.orderFieldIndex("is_cod")!
    static let codAmount = OrderSchema.orderFieldIndex("cod_amount")!
    static let insured = OrderSchema.orderFieldIndex("insured")!
    static let insuredValue = OrderSchema.orderFieldIndex("insured_value")!
    static let serviceLevel = OrderSchema.orderFieldIndex("service_level")!
    static let carrier = OrderSchema.orderFieldIndex("carrier")!
    static let shipMode = OrderSchema.orderFieldIndex("ship_mode")!
    static let promisedShipBy = OrderSchema.orderFieldIndex("promised_ship_by")!
    static let promisedFrom = OrderSchema.orderFieldIndex("promised_delivery_from")!
    static let promisedTo = OrderSchema.orderFieldIndex("promised_delivery_to")!
    static let shippedAt = OrderSchema.orderFieldIndex("shipped_at")!
    static let deliveredAt = OrderSchema.orderFieldIndex("delivered_at")!
    static let holdCodes = OrderSchema.orderFieldIndex("hold_codes")!
    static let lineCount = OrderField.lineCount
    static let chargeableWeightG = OrderSchema.orderFieldIndex("chargeable_weight_g")!
    static let freightAmount = OrderSchema.orderFieldIndex("freight_amount")!
    static let lateShip = OrderSchema.orderFieldIndex("late_ship")!
    static let lateDelivery = OrderSchema.orderFieldIndex("late_delivery")!
    static let childCount = OrderSchema.orderFieldIndex("child_count")!
    static let planReasons = OrderSchema.orderFieldIndex("plan_reasons")!
    /// Order money that stays on the parent snapshot: a child carries only its allocated share
    /// of the total, COD and insured value, so summing children never double counts.
    static let parentOnlyMoney = [
        "tax_total", "shipping_fee", "discount_total", "paid_amount", "refunded_amount", "order_discount",
        "shipping_discount", "coupon_amount",
    ].map { OrderSchema.orderFieldIndex($0)! }

    // lines
    static let lQuantity = LineField.quantity
    static let lSku = OrderSchema.lineFieldIndex("sku")!
    static let lProductId = OrderSchema.lineFieldIndex("product_id")!
    static let lUnitPrice = OrderSchema.lineFieldIndex("unit_price")!
    static let lExtendedPrice = OrderSchema.lineFieldIndex("extended_price")!
    static let lRequiresShipping = OrderSchema.lineFieldIndex("requires_shipping")!
    static let lUnitWeightG = OrderSchema.lineFieldIndex("unit_weight_g")!
    static let lLength = OrderSchema.lineFieldIndex("length_cm")!
    static let lWidth = OrderSchema.lineFieldIndex("width_cm")!
    static let lHeight = OrderSchema.lineFieldIndex("height_cm")!
    static let lTempClass = OrderSchema.lineFieldIndex("temp_class")!
    static let lSeller = OrderSchema.lineFieldIndex("seller_id")!
    static let lShipMode = OrderSchema.lineFieldIndex("ship_mode")!
}
