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

    public init(ruleSet: RuleSet) {
        self.ruleSet = ruleSet
        evaluator = Evaluator(pool: ruleSet.pool)
        hitCounts = Array(repeating: 0, count: ruleSet.rules.count)
    }

    /// Evaluates every rule on the given rows of `batch`, recording hits into `hits` (which is
    /// reset first). Hit rule indexes are `ruleIndexBase + rule`.
    public func evaluate(_ batch: OrderBatch, rows: [Int], into hits: inout RuleHits, keepExisting: Bool = false) {
        if !keepExisting { hits.reset(orders: batch.count) }
        let rules = ruleSet.rules
        ordersChecked += rows.count
        for row in rows {
            for (r, rule) in rules.enumerated() {
                if let when = rule.when, !evaluator.isTrue(when, batch, row: row) { continue }
                if evaluator.isTrue(rule.check, batch, row: row) { continue }
                hitCounts[r] += 1
                hits.add(row: row, rule: r, severity: rule.severity) { out in
                    rule.message.render(batch, row: row, evaluator: evaluator, into: &out)
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
