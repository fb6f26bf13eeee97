import OrderModel

/// What a `transact` run did: the books, the hits per rule (expression rules and built-in
/// kinds), and the thresholds crossed. Returned so metrics can label counters by rule.
public struct TransactSummary: Sendable {
    public struct RuleCount: Sendable, Equatable {
        public let id: String
        public let severity: Severity
        public var hits: Int
    }

    public var books = Books()
    /// Hits per rule id, expression rules in file order, then the built-in kinds.
    public var rules: [RuleCount] = []
    /// Exact duplicates folded into their twin (T7).
    public var duplicates = 0
    /// Older versions folded into a newer one of the same batch (T7).
    public var superseded = 0
    /// Updates older than the newest version seen (T7), dropped or passed per `dedup.stale`.
    public var stale = 0
    /// Same version, different content (T7).
    public var conflicts = 0
    /// Illegal status transitions (T8).
    public var illegalTransitions = 0
    /// Orders emitted ON_HOLD.
    public var held = 0
    /// Threshold messages: `errors` make the run fail with exit 65.
    public var thresholdErrors: [String] = []
    public var thresholdWarnings: [String] = []

    public init() {}

    /// Hits of rule `id` (0 when it never hit or does not exist).
    public func hits(_ id: String) -> Int { rules.first { $0.id == id }?.hits ?? 0 }

    /// Lines for stderr: the books, then one line per rule that hit.
    public func report() -> [String] {
        var out = [books.summary(stage: "transact")]
        out.append("transact: duplicates=\(duplicates) superseded=\(superseded) stale=\(stale) conflicts=\(conflicts) "
            + "illegal_transitions=\(illegalTransitions) held=\(held)")
        for r in rules where r.hits > 0 { out.append("transact: rule \(r.id) (\(r.severity)): \(r.hits)") }
        for w in thresholdWarnings { out.append("transact: warning: \(w)") }
        for e in thresholdErrors { out.append("transact: error: \(e)") }
        return out
    }
}
