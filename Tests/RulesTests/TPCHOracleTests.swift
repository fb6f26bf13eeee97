import Foundation
import OrderModel
import Testing
@testable import Rules

/// TPC-H totals are exact under whole-cent truncation (domain.md T4): the shipped rules must
/// pass every order of a scale-0.01 feed, and catch a one-cent change to one order.
@Suite(.serialized) struct TPCHOracleTests {
    static let rulesPath = TPCHFeed.repoRoot + "/Pipelines/rules/transaction.yaml"

    @Test func everyOrderPassesTheShippedRules() throws {
        let batch = TPCHFeed.batch(try TPCHFeed.flatCSV())
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
        let batch = TPCHFeed.batch(try TPCHFeed.flatCSV())
        let pool = ExpressionPool()
        let e = try pool.compile("grand_total == sum(round(round(lines.extended_price * (1 - lines.discount_rate), 2) * (1 + lines.tax_rate), 2))")
        let ev = Evaluator(pool: pool)
        let misses = (0..<batch.count).filter { !ev.isTrue(e, batch, row: $0) }.count
        #expect(misses > 1_000)
    }
}
