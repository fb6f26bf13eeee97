import OrderModel
import Testing
@testable import Rules

@Suite struct RuleFileTests {
    func configError(_ yaml: String) -> (line: Int, column: Int, message: String)? {
        do {
            _ = try RuleSet.parse(yaml: yaml, file: "r.yaml")
            return nil
        } catch {
            if case .config(let f, let l, let c, let m) = error, f == "r.yaml" { return (l, c, m) }
            return (-1, -1, "\(error)")
        }
    }

    @Test func errorsInPlainScalarsPointAtTheToken() {
        let e = configError("""
            rules:
              - id: A
                check: grand_total > currency
                severity: reject
            """)
        #expect(e?.line == 3)
        #expect(e?.column == 24)  // the '>' of `grand_total > currency`
        #expect(e?.message.contains("cannot compare decimal and string") == true)
    }

    @Test func errorsInQuotedScalarsSkipTheQuote() {
        let e = configError("""
            rules:
              - id: A
                check: "status == 'PAID' and nosuch"
                severity: reject
            """)
        #expect(e?.line == 3)
        #expect(e?.column == 34)
        #expect(e?.message.contains("unknown field 'nosuch'") == true)
    }

    @Test func errorsInBlockScalarsMapLineByLine() {
        let e = configError("""
            rules:
              - id: A
                check: >-
                  status == 'PAID'
                    and sum(lines.sku) > 0
                severity: reject
            """)
        #expect(e?.line == 5)
        #expect(e?.column == 17)  // `lines.sku`, the argument of sum on the scalar's second line
        #expect(e?.message.contains("sum() needs numbers") == true)
    }

    @Test func errorsInMessagesPointIntoTheTemplate() {
        let e = configError("""
            rules:
              - id: A
                check: true
                severity: warn
                message: "total {grand_total + 'x'}"
            """)
        #expect(e?.line == 5)
        #expect(e?.column == 34)
    }

    @Test func structuralMistakesAreNamed() {
        #expect(configError("rules:\n  - id: A\n    check: true\n    severity: fatal\n")?.message.contains("severity must be") == true)
        #expect(configError("rules:\n  - id: A\n    check: grand_total\n    severity: warn\n")?.message.contains("must be a bool") == true)
        #expect(configError("rules:\n  - id: A\n    check: true\n    severity: warn\n  - id: A\n    check: true\n    severity: warn\n")?.line == 5)
        #expect(configError("rules:\n  - id: A\n    chek: true\n")?.message.contains("unknown rule key 'chek'") == true)
        #expect(configError("rules:\n  - id: A\n    check: true\n    severity: warn\n    error_if: lots\n")?.line == 5)
        #expect(configError("rules: [")?.message.hasPrefix("YAML") == true)
        #expect(configError("rulez: []")?.message.contains("unknown key 'rulez'") == true)
        #expect(configError("rules:\n  - id: A\n    check: true\n    severity: warn\n    message: \"{consignee_phone || 'x'}\"\n") != nil)
        #expect(configError("rules:\n  - id: A\n    check: true\n    severity: warn\n    message: \"{coalesce(consignee_phone, 'x')}\"\n")?.message.contains("personal data") == true)
    }

    @Test func thresholdsCountAndShare() {
        #expect(Threshold("> 10")!.isCrossed(hits: 11, total: 1000))
        #expect(!Threshold("> 10")!.isCrossed(hits: 10, total: 1000))
        #expect(Threshold("> 1%")!.isCrossed(hits: 11, total: 1000))
        #expect(!Threshold("> 1%")!.isCrossed(hits: 10, total: 1000))
        #expect(Threshold(">= 0.5%")!.isCrossed(hits: 5, total: 1000))
        #expect(Threshold("!= 0")!.isCrossed(hits: 1, total: 1))
        #expect(Threshold("10") == nil)
        #expect(Threshold("> -1") == nil)
        // A share is at most 100% (a larger one overflowed against the order count and trapped).
        #expect(Threshold(">= 100%")!.isCrossed(hits: 7, total: 7))
        #expect(Threshold("> 100.0001%") == nil && Threshold("> 99999999999999%") == nil)
    }

    @Test func messagesQuoteValuesAndMaskPersonalData() throws {
        let set = try RuleSet.parse(yaml: """
            rules:
              - id: P
                check: false
                severity: warn
                message: "{order_id} to {consignee_name} at {consignee_phone}, {consignee_email}: {grand_total} on {order_date}, {count()} lines"
            """, file: "r.yaml")
        let batch = TestBatches.batch([TestBatches.Order(fields: [
            "order_id": "s:9", "consignee_name": "张三", "consignee_phone": "13812341234",
            "consignee_email": "li@example.com", "grand_total": "12.50", "order_date": "2024-01-31",
        ])])
        let engine = RuleEngine(ruleSet: set)
        var hits = RuleHits()
        engine.evaluate(batch, rows: [0], into: &hits)
        #expect(hits.message(0) == "s:9 to 张* at 138****1234, l***@example.com: 12.5 on 2024-01-31, 0 lines")
    }

    @Test func whenGuardsAndNullChecks() throws {
        let set = try RuleSet.parse(yaml: """
            rules:
              - {id: W, when: "currency == 'USD'", check: "grand_total > 0", severity: hold}
              - {id: N, check: "paid_amount <= grand_total", severity: warn}
            """, file: "r.yaml")
        let batch = TestBatches.batch([
            TestBatches.Order(fields: ["order_id": "a", "currency": "USD", "grand_total": "0", "paid_amount": "0"]),
            TestBatches.Order(fields: ["order_id": "b", "currency": "EUR", "grand_total": "0"]),  // W skipped; N unknown -> hit
            TestBatches.Order(fields: ["order_id": "c", "grand_total": "1", "paid_amount": "1"]),  // W: when unknown -> skipped
        ])
        let engine = RuleEngine(ruleSet: set)
        var hits = RuleHits()
        engine.evaluate(batch, rows: [0, 1, 2], into: &hits)
        #expect(engine.hitCounts == [1, 1])
        #expect(hits.worst == [.hold, .warn, nil])
    }
}
