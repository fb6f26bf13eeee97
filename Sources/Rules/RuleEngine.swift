import OrderModel

/// Evaluates a rule set's expression rules over batches and keeps the run's hit counts for
/// the thresholds and the summary. One engine per thread (it owns an evaluator).
public final class RuleEngine {
    public let ruleSet: RuleSet
    let evaluator: Evaluator
    /// Hits per expression rule over the run, in rule order.
    public private(set) var hitCounts: [Int]
    /// Orders the rules were evaluated on over the run (the denominator of share thresholds).
    public private(set) var ordersChecked = 0

    /// The rules' parts as flat arrays: iterating `ruleSet.rules` copied each `Rule` (with its
    /// strings) once per rule per order.
    private let whens: [CompiledExpression?]
    private let checks: [CompiledExpression]
    private let severities: [Severity]
    private let messages: [MessageTemplate]

    public init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
        evaluator = Evaluator(pool: ruleSet.pool)
        hitCounts = Array(repeating: 0, count: ruleSet.rules.count)
        whens = ruleSet.rules.map(\.when)
        checks = ruleSet.rules.map(\.check)
        severities = ruleSet.rules.map(\.severity)
        messages = ruleSet.rules.map(\.message)
    }

    /// Evaluates every rule on the given rows of `batch`, recording hits into `hits` (which is
    /// reset first). Hit rule indexes are `ruleIndexBase + rule`.
    public func evaluate(_ batch: OrderBatch, rows: [Int], into hits: inout RuleHits, keepExisting: Bool = false) {
        if !keepExisting { hits.reset(orders: batch.count) }
        ordersChecked += rows.count
        for row in rows {
            for r in checks.indices {
                if let when = whens[r], !evaluator.isTrue(when, batch, row: row) { continue }
                if evaluator.isTrue(checks[r], batch, row: row) { continue }
                hitCounts[r] += 1
                hits.add(row: row, rule: r, severity: severities[r]) { out in
                    messages[r].render(batch, row: row, evaluator: evaluator, into: &out)
                }
            }
        }
    }

    /// The rules whose `error_if` / `warn_if` threshold the run's counts cross.
    public func thresholdReport() -> (errors: [String], warnings: [String]) {
        var errors: [String] = [], warnings: [String] = []
        for (r, rule) in ruleSet.rules.enumerated() {
            let n = hitCounts[r]
            if let t = rule.errorIf, t.isCrossed(hits: n, total: ordersChecked) {
                errors.append("rule \(rule.id): \(n) of \(ordersChecked) orders hit, past error_if \(t)")
            } else if let t = rule.warnIf, t.isCrossed(hits: n, total: ordersChecked) {
                warnings.append("rule \(rule.id): \(n) of \(ordersChecked) orders hit, past warn_if \(t)")
            }
        }
        return (errors, warnings)
    }
}
