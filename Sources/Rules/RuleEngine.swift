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

    /// Scratch for one chunk of `evaluator.laneCount` orders: their rows, the rows a rule's
    /// `when` let through (and their lanes), a rule's TRUE flags, and the failures of every
    /// rule (`failed[r * lanes + j]`).
    private let chunk: UnsafeMutablePointer<Int32>
    private let picked: UnsafeMutablePointer<Int32>
    private let pickedLane: UnsafeMutablePointer<Int32>
    private let truth: UnsafeMutablePointer<Bool>
    private let failed: UnsafeMutablePointer<Bool>

    /// `lanes`: orders evaluated together (tests pass a few to cross the chunk edges).
    public init(ruleSet: RuleSet, lanes: Int = 256) {
        self.ruleSet = ruleSet
        evaluator = Evaluator(pool: ruleSet.pool, lanes: lanes)
        let n = evaluator.laneCount
        chunk = .allocate(capacity: n)
        picked = .allocate(capacity: n)
        pickedLane = .allocate(capacity: n)
        truth = .allocate(capacity: n)
        failed = .allocate(capacity: max(1, ruleSet.rules.count) * n)
        hitCounts = Array(repeating: 0, count: ruleSet.rules.count)
        whens = ruleSet.rules.map(\.when)
        checks = ruleSet.rules.map(\.check)
        severities = ruleSet.rules.map(\.severity)
        messages = ruleSet.rules.map(\.message)
    }

    deinit {
        chunk.deallocate()
        picked.deallocate()
        pickedLane.deallocate()
        truth.deallocate()
        failed.deallocate()
    }

    /// Evaluates every rule on the given rows of `batch`, recording hits into `hits` (which is
    /// reset first). Hit rule indexes are `ruleIndexBase + rule`.
    ///
    /// A chunk of orders at a time, rule by rule (the evaluator runs each rule over all of them
    /// at once); a rule's `check` runs only on the orders its `when` lets through. The hits are
    /// then recorded order by order, rules in file order, as a row at a time would find them.
    public func evaluate(_ batch: OrderBatch, rows: [Int], into hits: inout RuleHits, keepExisting: Bool = false) {
        if !keepExisting { hits.reset(orders: batch.count) }
        ordersChecked += rows.count
        let lanes = evaluator.laneCount
        var start = 0
        while start < rows.count {
            let n = min(lanes, rows.count - start)
            for j in 0..<n { chunk[j] = Int32(rows[start + j]) }
            for r in checks.indices {
                let fail = failed + r * lanes
                if let when = whens[r] {
                    evaluator.isTrue(when, batch, rows: chunk, count: n, into: truth)
                    var m = 0
                    for j in 0..<n {
                        fail[j] = false
                        if truth[j] {
                            picked[m] = chunk[j]
                            pickedLane[m] = Int32(j)
                            m += 1
                        }
                    }
                    evaluator.isTrue(checks[r], batch, rows: picked, count: m, into: truth)
                    for i in 0..<m where !truth[i] { fail[Int(pickedLane[i])] = true }
                } else {
                    evaluator.isTrue(checks[r], batch, rows: chunk, count: n, into: truth)
                    for j in 0..<n { fail[j] = !truth[j] }
                }
            }
            for j in 0..<n {
                for r in checks.indices where failed[r * lanes + j] {
                    let row = Int(chunk[j])
                    hitCounts[r] += 1
                    hits.add(row: row, rule: r, severity: severities[r]) { out in
                        messages[r].render(batch, row: row, evaluator: evaluator, into: &out)
                    }
                }
            }
            start += n
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
