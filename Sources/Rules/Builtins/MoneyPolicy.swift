import OrderModel
import Yams

/// The `money` built-in (domain.md T3/T4): recomputes an order's total from its lines with the
/// rounding model of its source and compares it with `grand_total`. One policy per source
/// (`source: "*"` matches any source not named elsewhere).
///
/// Formulas (every rounding step uses the policy's `rounding` and `digits`):
/// - `rated` (TPC-H): line = R(R(extended_price x (1 - discount_rate)) x (1 + tax_rate));
///   total = sum of lines. With `truncate` and 2 digits this is exact for TPC-H.
/// - `itemized` (shops): line = R(unit_price x quantity) - line_discount; total = sum of lines
///   - order_discount + shipping_fee - shipping_discount + (taxes_included ? 0 : tax_total).
/// A null money field counts as 0; a line without the prices the formula needs makes the
/// check not apply to that order. Tolerance: `tolerance` minor units per line (default 0).
public struct MoneyPolicy: Sendable {
    public enum Formula: String, Sendable { case rated, itemized }
    public enum Rounding: String, Sendable { case truncate, halfUp = "half_up" }

    public let id: String
    public let source: String
    public let formula: Formula
    public let rounding: Rounding
    public let digits: Int
    /// Allowed difference per line, in 1/10,000 units.
    public let tolerancePerLine: Int64
    public let severity: Severity

    static func read(_ node: Node, loader: RuleLoader) throws(WaybillError) -> [MoneyPolicy] {
        guard let list = node.sequence else { throw loader.error(node, "money is a list of per-source policies") }
        var out: [MoneyPolicy] = []
        for item in list {
            guard let m = item.mapping else { throw loader.error(item, "a money policy is a mapping") }
            for (k, _) in m where !["id", "source", "formula", "rounding", "digits", "tolerance", "severity"].contains(k.string ?? "") {
                throw loader.error(k, "unknown money key '\(k.string ?? "")' (id, source, formula, rounding, digits, tolerance, severity)")
            }
            let id = try loader.string(m["id"], "id", in: item)
            let source = try loader.string(m["source"], "source", in: item)
            guard let formula = m["formula"]?.string.flatMap(Formula.init(rawValue:)) else {
                throw loader.error(m["formula"] ?? item, "money.formula must be rated or itemized")
            }
            guard let rounding = (m["rounding"]?.string ?? "truncate").flatMap(Rounding.init(rawValue:)) else {
                throw loader.error(m["rounding"], "money.rounding must be truncate or half_up")
            }
            let digits = m["digits"]?.int ?? 2
            guard (0...4).contains(digits) else { throw loader.error(m["digits"], "money.digits must be 0 to 4") }
            var tolerance: Int64 = 0
            if let t = m["tolerance"] {
                guard let s = t.string, case .success(let v) = ExactDecimal.parse(s), v >= 0 else {
                    throw loader.error(t, "money.tolerance is a non-negative decimal (per line)")
                }
                tolerance = v
            }
            guard let severity = (m["severity"]?.string ?? "reject").flatMap(Severity.init(name:)) else {
                throw loader.error(m["severity"], "money.severity must be reject, hold or warn")
            }
            out.append(MoneyPolicy(id: id, source: source, formula: formula, rounding: rounding, digits: digits,
                tolerancePerLine: tolerance, severity: severity))
        }
        return out
    }

    @inline(__always) func r(_ v: Int64) -> Int64? {
        rounding == .truncate ? Money.trunc(v, digits: digits) : Money.round(v, digits: digits)
    }

    /// The expected total of order `row`, or nil when the formula does not apply (missing
    /// prices) or overflows.
    func expectedTotal(_ batch: OrderBatch, row: Int) -> Int64? {
        // The columns are read in place through pointers: binding them (`let c = columns[i]`)
        // copied each, a retain and a release of each of its arrays, for every order checked.
        batch.lines.columns.withUnsafeBufferPointer { lc in
            batch.orders.columns.withUnsafeBufferPointer { oc in
                expectedTotal(lines: lc.baseAddress!, orders: oc.baseAddress!, batch.lineRange(row), row: row)
            }
        }
    }

    private func expectedTotal(lines l: UnsafePointer<Column>, orders o: UnsafePointer<Column>, _ lines: Range<Int>,
                               row: Int) -> Int64? {
        @inline(__always) func value(_ c: UnsafePointer<Column>, _ i: Int) -> Int64 {
            c.pointee.isNull(i) ? 0 : c.pointee.int(i)
        }
        let ep = l + MoneyColumns.extendedPrice, d = l + MoneyColumns.discountRate, t = l + MoneyColumns.taxRate
        let up = l + MoneyColumns.unitPrice, q = l + MoneyColumns.quantity, ld = l + MoneyColumns.lineDiscount
        var total: Int64 = 0
        for i in lines {
            var line: Int64
            switch formula {
            case .rated:
                guard !ep.pointee.isNull(i) else { return nil }
                guard let net = Money.mulDecimal(ep.pointee.int(i), Money.scale - value(d, i)).flatMap(r),
                      let gross = Money.mulDecimal(net, Money.scale + value(t, i)).flatMap(r) else { return nil }
                line = gross
            case .itemized:
                guard !up.pointee.isNull(i), !q.pointee.isNull(i),
                      let amount = Money.mulDecimal(up.pointee.int(i), q.pointee.int(i)).flatMap(r) else { return nil }
                line = amount - value(ld, i)
            }
            guard let t = Money.add(total, line) else { return nil }
            total = t
        }
        if formula == .itemized {
            let taxIncluded = value(o + MoneyColumns.taxesIncluded, row) != 0
            total = total - value(o + MoneyColumns.orderDiscount, row) + value(o + MoneyColumns.shippingFee, row)
                - value(o + MoneyColumns.shippingDiscount, row) + (taxIncluded ? 0 : value(o + MoneyColumns.taxTotal, row))
        }
        return total
    }
}

enum MoneyColumns {
    static let extendedPrice = OrderSchema.lineFieldIndex("extended_price")!
    static let discountRate = OrderSchema.lineFieldIndex("discount_rate")!
    static let taxRate = OrderSchema.lineFieldIndex("tax_rate")!
    static let unitPrice = OrderSchema.lineFieldIndex("unit_price")!
    static let quantity = OrderSchema.lineFieldIndex("quantity")!
    static let lineDiscount = OrderSchema.lineFieldIndex("line_discount")!
    static let orderDiscount = OrderSchema.orderFieldIndex("order_discount")!
    static let shippingFee = OrderSchema.orderFieldIndex("shipping_fee")!
    static let shippingDiscount = OrderSchema.orderFieldIndex("shipping_discount")!
    static let taxTotal = OrderSchema.orderFieldIndex("tax_total")!
    static let taxesIncluded = OrderSchema.orderFieldIndex("taxes_included")!
}
