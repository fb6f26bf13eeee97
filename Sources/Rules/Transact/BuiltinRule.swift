/// The ids of the built-in rule kinds, as they appear in rejects, `rule_results` and the
/// summary.
public enum BuiltinRule {
    public static let duplicate = "T7-duplicate"
    public static let stale = "T7-stale"
    public static let conflict = "T7-conflict"
    public static let transition = "T8-transition"
    public static let badStatus = "T8-status"
}

/// A hit of a built-in kind on one order row, kept until the output is built.
struct BuiltinHit {
    let row: Int
    let id: String
    let severity: Severity
    let message: String
}
