/// What a failed rule does to its order. Ordered: the strongest hit on an order decides.
public enum Severity: Int, Sendable, Comparable, CustomStringConvertible {
    /// Recorded in the order's `rule_results`; the order passes.
    case warn = 1
    /// The order passes as ON_HOLD with the rule id in `hold_codes`.
    case hold = 2
    /// The order goes to the rejects file with the rule id as code and the message as reason.
    case reject = 3

    public init?(name: String) {
        switch name {
        case "warn": self = .warn
        case "hold": self = .hold
        case "reject": self = .reject
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .warn: return "warn"
        case .hold: return "hold"
        case .reject: return "reject"
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
}
