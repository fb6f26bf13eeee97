/// The canonical order statuses. The source status is kept beside the canonical one.
public enum CanonicalStatus: String, Sendable, CaseIterable {
    case created = "CREATED"
    case paid = "PAID"
    case allocated = "ALLOCATED"
    case picked = "PICKED"
    case shipped = "SHIPPED"
    case delivered = "DELIVERED"
    case cancelled = "CANCELLED"
    case returned = "RETURNED"
    case onHold = "ON_HOLD"

    public static let allNames: [String] = allCases.map(\.rawValue)
}
