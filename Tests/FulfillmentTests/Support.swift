import Foundation
import OrderModel
@testable import Fulfillment

/// The repository root (for the shipped configuration).
let repoRoot = "/" + #filePath.split(separator: "/").dropLast(3).joined(separator: "/")

/// Writes a rules file and its tables into a fresh temporary folder and loads the plan.
func makePlan(rules: String, tables: [String: String]) throws -> FulfillmentPlan {
    let dir = NSTemporaryDirectory() + "fulfill-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    // The plan holds everything it read once loaded, so the folder can go right away.
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for (name, text) in tables { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
    try rules.write(toFile: dir + "/rules.yaml", atomically: true, encoding: .utf8)
    return try FulfillmentPlan.load(path: dir + "/rules.yaml")
}

/// The shipped CN + DE configuration.
func shippedPlan() throws -> FulfillmentPlan {
    try FulfillmentPlan.load(path: repoRoot + "/Pipelines/rules/fulfillment.yaml")
}

/// `2026-02-13T08:00:00Z` -> µs.
func ts(_ s: String) -> Int64 {
    let d = s.prefix(10), t = s.dropFirst(11).prefix(8).split(separator: ":").map { Int64($0)! }
    let p = d.split(separator: "-").map { Int($0)! }
    return CivilTime.days(year: p[0], month: p[1], day: p[2]) * CivilTime.microsPerDay
        + (t[0] * 3600 + t[1] * 60 + t[2]) * CivilTime.microsPerSecond
}

func day(_ s: String) -> Int64 {
    let p = s.split(separator: "-").map { Int($0)! }
    return CivilTime.days(year: p[0], month: p[1], day: p[2])
}

func money(_ s: String) -> Int64 { try! ExactDecimal.parse(s).get() }

/// Builds orders field by field by name; values are typed by the catalogue (timestamps as
/// RFC 3339 text, decimals as text, bools and integers as Swift values).
struct OrderBuilder {
    var batch = OrderBatch()

    mutating func add(_ fields: [String: Any], lines: [[String: Any]]) {
        batch.beginOrder()
        for (k, v) in fields { set(&batch.orders, OrderSchema.orderFieldIndex(k)!, OrderSchema.orderFields, v) }
        for (i, l) in lines.enumerated() {
            batch.beginLine()
            batch.lines.set(LineField.lineNo, int: Int64(i + 1))
            for (k, v) in l { set(&batch.lines, OrderSchema.lineFieldIndex(k)!, OrderSchema.lineFields, v) }
            batch.endLine()
        }
        batch.endOrder()
    }

    private func set(_ t: inout ColumnTable, _ c: Int, _ defs: [FieldDef], _ v: Any) {
        switch defs[c].kind {
        case .string: t.set(c, string: v as! String)
        case .timestamp: t.set(c, int: ts(v as! String))
        case .date: t.set(c, int: day(v as! String))
        case .decimal: t.set(c, int: money(v as! String))
        case .bool: t.set(c, int: (v as! Bool) ? 1 : 0)
        case .int32, .int64: t.set(c, int: Int64(v as! Int))
        case .stringList, .stringMap: fatalError("not used in these tests")
        }
    }
}

/// One planned output order, read back for assertions.
struct Planned {
    let batch: OrderBatch
    let row: Int

    func string(_ f: String) -> String? { batch.orders.columns[OrderSchema.orderFieldIndex(f)!].string(row) }
    func int(_ f: String) -> Int64? {
        let c = batch.orders.columns[OrderSchema.orderFieldIndex(f)!]
        return c.isNull(row) ? nil : c.int(row)
    }
    func reasons() -> [String: String] {
        let m = batch.orders.columns[OrderSchema.orderFieldIndex("plan_reasons")!].map(row) ?? []
        return Dictionary(m.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    }
    var holds: [String] { batch.orders.columns[OrderSchema.orderFieldIndex("hold_codes")!].list(row) ?? [] }
    var lineNumbers: [Int64] {
        batch.lineRange(row).map { batch.lines.columns[LineField.lineNo].int($0) }
    }
    /// Each line's `child_order_id` (nil when null).
    var lineChildren: [String?] {
        batch.lineRange(row).map { batch.lines.columns[LineField.childOrderId].string($0) }
    }
}

/// Plans `orders` and returns every output order (parents and children) in output order.
func run(_ plan: FulfillmentPlan, _ orders: OrderBuilder) throws -> (out: [Planned], summary: FulfillmentSummary) {
    let f = Fulfiller(plan: plan)
    var out = OrderBatch()
    let rejects = try RejectWriter(path: nil)
    try f.process(orders.batch, into: &out, rejects: rejects)
    let b = out
    return ((0..<b.count).map { Planned(batch: b, row: $0) }, f.finish())
}

/// A CN shop order with sensible defaults; `lines` override per line.
func cnOrder(id: String = "shop:1", created: String = "2026-03-03T02:00:00Z", province: String = "上海市",
             city: String = "上海市", extra: [String: Any] = [:], lines: [[String: Any]]) -> OrderBuilder {
    var fields: [String: Any] = [
        "order_id": id, "source": "shop", "external_order_id": String(id.split(separator: ":").last!),
        "order_type": "sale", "status": "PAID", "created_at": created, "order_date": String(created.prefix(10)),
        "currency": "CNY", "consignee_country": "CN", "consignee_province": province, "consignee_city": city,
    ]
    for (k, v) in extra { fields[k] = v }
    var b = OrderBuilder()
    b.add(fields, lines: lines)
    return b
}

/// A light ambient line: 500 g, 10 x 10 x 10 cm, 50.00.
func smallLine(_ extra: [String: Any] = [:]) -> [String: Any] {
    var l: [String: Any] = ["sku": "SKU-A", "quantity": "1", "unit_price": "50.00", "extended_price": "50.00",
                            "unit_weight_g": 500, "length_cm": 10, "width_cm": 10, "height_cm": 10]
    for (k, v) in extra { l[k] = v }
    return l
}
