import Foundation
import OrderModel
import Testing
@testable import Rules

/// The evaluator runs each instruction over a vector of orders (and of their lines inside an
/// aggregate). These tests compare whole rule runs at several vector widths: one lane is an
/// order at a time (the per-order semantics LanguageTests pin down); three lanes cut chunks
/// and an order's lines across passes everywhere; 256 is the default.
@Suite struct VectorEvaluationTests {
    /// Rules using every instruction: arithmetic with overflow and division by zero, widening,
    /// dates, strings, lists, three-valued logic, coalesce, if, regexes, every aggregate, and
    /// `when` guards that let some orders through.
    static let rules = """
        rules:
          - {id: A1, check: "grand_total - shipping_fee + coalesce(tax_total, 0) * 2 >= 0", severity: warn}
          - {id: A2, check: "grand_total / coalesce(shipping_fee, 0) > 1", severity: warn}
          - {id: A3, check: "version * 9223372036854775807 > 0 or version % 2 == 1", severity: warn}
          - {id: A4, check: "-grand_total < abs(shipping_fee) and trunc(grand_total, 1) <= round(grand_total, 0) + 1", severity: warn}
          - {id: D1, check: "to_date(created_at) == order_date and created_at - days(1) < timestamp('2024-03-05T00:00:00Z')", severity: hold}
          - {id: S1, when: "currency is not null", check: "currency in ['CNY', 'USD'] and length(consignee_name) > 2", severity: hold}
          - {id: S2, check: "starts_with(external_order_id, '1') or ends_with(external_order_id, '9') or contains(source, 'op')", severity: warn}
          - {id: S3, check: "matches(consignee_phone, '^1[3-9][0-9]{9}$') and status != 'CANCELLED'", severity: warn}
          - {id: L1, check: "count() > 0 and all(lines.quantity > 0) and any(lines.sku is not null)", severity: reject}
          - {id: L2, when: "count() > 2", check: "sum(lines.unit_price * lines.quantity) <= grand_total", severity: hold}
          - {id: L3, check: "min(lines.unit_price) >= 0 and max(lines.quantity) < 50 and count(lines.taxable) >= 1", severity: warn}
          - {id: L4, check: "sum(lines.quantity * 9223372036854775807) > 0", severity: warn}
          - {id: L5, when: "grand_total is not null and if(shipping_fee > 3, true, false)", check: "all(lines.title is null or lines.sku is null)", severity: warn}
          - {id: L6, check: "not any(lines.unit_price > grand_total)", severity: warn}
        """

    struct Rng {
        var s: UInt64
        mutating func next(_ n: Int) -> Int {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Int((s >> 33) % UInt64(n))
        }
    }

    /// Orders with each field null or set at random, 0 to 9 lines each (some with none).
    static func batch(orders: Int, seed: UInt64) -> OrderBatch {
        var rng = Rng(s: seed)
        var out: [TestBatches.Order] = []
        func maybe(_ f: inout [String: String], _ k: String, _ v: @autoclosure () -> String) {
            if rng.next(5) != 0 { f[k] = v() }
        }
        for i in 0..<orders {
            var f: [String: String] = ["order_id": "o:\(i)"]
            maybe(&f, "external_order_id", String(rng.next(200)))
            maybe(&f, "source", ["shop", "tpch", "op"][rng.next(3)])
            maybe(&f, "status", ["PAID", "CANCELLED", "CREATED"][rng.next(3)])
            maybe(&f, "currency", ["CNY", "USD", "EUR"][rng.next(3)])
            maybe(&f, "grand_total", "\(rng.next(300) - 20).\(rng.next(100))")
            maybe(&f, "shipping_fee", String(rng.next(8)))
            maybe(&f, "tax_total", "\(rng.next(10)).5")
            maybe(&f, "version", String(rng.next(5) == 0 ? Int.max - rng.next(3) : rng.next(9)))
            maybe(&f, "consignee_name", ["张三", "Li", "Ann Lee", ""][rng.next(4)])
            maybe(&f, "consignee_phone", ["13812341234", "1234", "19900000000"][rng.next(3)])
            maybe(&f, "created_at", "2024-03-0\(1 + rng.next(5))T1\(rng.next(10)):00:00Z")
            maybe(&f, "order_date", "2024-03-0\(1 + rng.next(5))")
            var lines: [[String: String]] = []
            for n in 0..<rng.next(10) {
                var l: [String: String] = ["line_no": String(n + 1)]
                maybe(&l, "quantity", String(rng.next(60) - 2))
                maybe(&l, "unit_price", "\(rng.next(90) - 3).2")
                maybe(&l, "sku", "S-\(rng.next(9))")
                maybe(&l, "title", "t\(rng.next(9))")
                maybe(&l, "taxable", rng.next(2) == 0 ? "true" : "false")
                lines.append(l)
            }
            out.append(TestBatches.Order(fields: f, lines: lines))
        }
        return TestBatches.batch(out)
    }

    /// The hits of a run: (row, rule, message) in the order recorded.
    static func hits(_ set: RuleSet, _ batch: OrderBatch, rows: [Int], lanes: Int) -> [String] {
        let engine = RuleEngine(ruleSet: set, lanes: lanes)
        var hits = RuleHits()
        engine.evaluate(batch, rows: rows, into: &hits)
        return (0..<hits.count).map { "\(hits.rows[$0]) \(hits.rules[$0]) \(hits.message($0))" }
    }

    @Test func everyWidthFindsTheSameHits() throws {
        let set = try RuleSet.parse(yaml: Self.rules, file: "v.yaml")
        let batch = Self.batch(orders: 700, seed: 7)
        // Every order, and a subset (the rows `transact` emits need not be contiguous).
        for rows in [Array(0..<batch.count), (0..<batch.count).filter { $0 % 3 != 1 }] {
            let one = Self.hits(set, batch, rows: rows, lanes: 1)
            #expect(one.count > 500)  // the rules hit often enough to compare something
            #expect(Set(one.map { $0.split(separator: " ")[1] }).count == 14)  // and every rule hits
            for lanes in [2, 3, 7, 256] {
                #expect(Self.firstDifference(Self.hits(set, batch, rows: rows, lanes: lanes), one) == nil, "lanes \(lanes)")
            }
        }
    }

    /// The shipped rules on the TPC-H feed (4 lines an order on average): the same hits at
    /// one lane and at the default width.
    @Test func shippedRulesOnTPCH() throws {
        let set = try RuleSet.load(path: TPCHOracleTests.rulesPath)
        let batch = try TPCHFeed.flatBatch()
        let rows = Array(0..<min(batch.count, 3_000))
        let wide = Self.hits(set, batch, rows: rows, lanes: 256)
        #expect(Self.firstDifference(Self.hits(set, batch, rows: rows, lanes: 1), wide) == nil)
        #expect(Self.firstDifference(Self.hits(set, batch, rows: rows, lanes: 5), wide) == nil)
    }

    /// The first hit where two runs differ, or nil (a short failure message, not two lists).
    static func firstDifference(_ a: [String], _ b: [String]) -> String? {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return "hit \(i): \(a[i]) vs \(b[i])" }
        return a.count == b.count ? nil : "\(a.count) hits vs \(b.count)"
    }
}
