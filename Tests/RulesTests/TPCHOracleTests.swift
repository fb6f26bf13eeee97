import Foundation
import OrderModel
import Testing
@testable import Rules

/// TPC-H totals are exact under whole-cent truncation (domain.md T4): the shipped rules must
/// pass every order of a scale-0.01 feed, and catch a one-cent change to one order.
@Suite(.serialized) struct TPCHOracleTests {
    static let rulesPath = TPCHFeed.repoRoot + "/Pipelines/rules/transaction.yaml"

    @Test func everyOrderPassesTheShippedRules() throws {
        let batch = try TPCHFeed.flatBatch()
        #expect(batch.count == 15_000)
        let engine = RuleEngine(ruleSet: try RuleSet.load(path: Self.rulesPath))
        var hits = RuleHits()
        engine.evaluate(batch, rows: Array(0..<batch.count), into: &hits)
        // Only the warning that TPC-H names no currency may fire.
        let ids = Set(hits.rules.map { engine.ruleSet.rules[Int($0)].id })
        #expect(ids == ["T1-currency"])
        let t4 = engine.ruleSet.rules.firstIndex { $0.id == "T4-tpch-total" }!
        #expect(engine.hitCounts[t4] == 0)
        #expect(engine.thresholdReport().errors.isEmpty)
    }

    @Test func aOneCentChangeIsCaught() throws {
        var csv = try TPCHFeed.flatCSV()
        // Order 1's total (on every row of order 1) gains one cent.
        let firstRow = TPCHFeed.fields(csv.split(separator: "\n")[1])
        let total = firstRow[3]
        guard case .success(let cents) = ExactDecimal.parse(total) else { Issue.record("bad total"); return }
        let changed = ExactDecimal.string(cents + 100)
        csv = csv.replacingOccurrences(of: "\n1,\(firstRow[1]),\(firstRow[2]),\(total),", with: "\n1,\(firstRow[1]),\(firstRow[2]),\(changed),")
        let batch = TPCHFeed.batch(csv)
        let engine = RuleEngine(ruleSet: try RuleSet.load(path: Self.rulesPath))
        var hits = RuleHits()
        engine.evaluate(batch, rows: Array(0..<batch.count), into: &hits)
        let t4 = engine.ruleSet.rules.firstIndex { $0.id == "T4-tpch-total" }!
        #expect(engine.hitCounts[t4] == 1)
        guard let i = hits.rules.firstIndex(of: Int32(t4)) else { return }
        #expect(hits.rows[i] == 0)
        #expect(hits.message(i) == "order tpch:1: total \(changed) != \(total) under whole-cent truncation")
        #expect(engine.thresholdReport().errors.count == 1)
    }

    @Test func floatingOrRoundedMathsWouldNotBeExact() throws {
        // The same check with rounding instead of truncation misses many orders: the rounding
        // model matters (domain.md T4), so the exact pass above is not a loose tolerance.
        let batch = try TPCHFeed.flatBatch()
        let pool = ExpressionPool()
        let e = try pool.compile("grand_total == sum(round(round(lines.extended_price * (1 - lines.discount_rate), 2) * (1 + lines.tax_rate), 2))")
        let ev = Evaluator(pool: pool)
        let misses = (0..<batch.count).filter { !ev.isTrue(e, batch, row: $0) }.count
        #expect(misses > 1_000)
    }
}

/// The `money` built-in with the TPC-H policy gives the same verdicts as the expression rule.
@Suite(.serialized) struct MoneyPolicyTests {
    static func run(_ csv: String) throws -> (TransactSummary, [String]) {
        let set = try RuleSet.parse(yaml: """
            money:
              - {id: M-tpch, source: tpch, formula: rated, rounding: truncate, digits: 2, severity: reject}
              - {id: M-shop, source: "*", formula: itemized, rounding: half_up, digits: 2, tolerance: "0.01", severity: hold}
            """, file: "m.yaml")
        let t = try Transactor(ruleSet: set, state: nil)
        var out = OrderBatch()
        let path = NSTemporaryDirectory() + "money-rejects-\(UUID().uuidString)"
        let w = try RejectWriter(path: path)
        try t.process(TPCHFeed.batch(csv), into: &out, rejects: w)
        try w.close()
        defer { try? FileManager.default.removeItem(atPath: path) }
        return (t.finish(), try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init))
    }

    @Test func tpchPolicyPassesEveryOrderAndCatchesOneCent() throws {
        var csv = try TPCHFeed.flatCSV()
        let (ok, _) = try Self.run(csv)
        #expect(ok.books.recordsIn == 15_000 && ok.books.ordersOut == 15_000 && ok.hits("M-tpch") == 0)
        let firstRow = TPCHFeed.fields(csv.split(separator: "\n")[1])
        guard case .success(let cents) = ExactDecimal.parse(firstRow[3]) else { Issue.record("bad total"); return }
        let changed = ExactDecimal.string(cents - 100)
        csv = csv.replacingOccurrences(of: "\n1,\(firstRow[1]),\(firstRow[2]),\(firstRow[3]),", with: "\n1,\(firstRow[1]),\(firstRow[2]),\(changed),")
        let (bad, rejects) = try Self.run(csv)
        #expect(bad.hits("M-tpch") == 1 && bad.books.rejected == 1 && bad.books.ordersOut == 14_999)
        #expect(rejects.first?.contains("grand total \(changed) != \(firstRow[3]) recomputed (rated, truncate to 2 digits)") == true)
    }

    @Test func itemizedPolicyWithHalfUpRounding() throws {
        let set = try RuleSet.parse(yaml: """
            money:
              - {id: M-shop, source: "*", formula: itemized, rounding: half_up, digits: 2, severity: hold}
            """, file: "m.yaml")
        let t = try Transactor(ruleSet: set, state: nil)
        // 3 x 3.335 = 10.005 -> 10.01 (half up); - 1 line discount + 5 shipping - 0.5 order discount + 1.2 tax = 14.71
        func order(_ id: String, total: String) -> TestBatches.Order {
            TestBatches.Order(fields: [
                "order_id": "s:\(id)", "source": "shop", "external_order_id": id, "status": "PAID", "grand_total": total,
                "shipping_fee": "5", "order_discount": "0.5", "tax_total": "1.2",
            ], lines: [["line_no": "1", "unit_price": "3.335", "quantity": "3", "line_discount": "1"]])
        }
        var out = OrderBatch()
        try t.process(TestBatches.batch([order("1", total: "14.71"), order("2", total: "14.70")]), into: &out, rejects: try RejectWriter(path: nil))
        #expect(out.orders.columns[OrderField.status].string(0) == "PAID")
        #expect(out.orders.columns[OrderField.status].string(1) == "ON_HOLD")
        #expect(t.finish().hits("M-shop") == 1)
    }
}
