/// One expression rule, compiled: `when` (optional) decides whether it applies, `check` must
/// be TRUE for the order to pass (false or null is a hit), `severity` says what a hit does.
public struct Rule: Sendable {
    public let id: String
    public let description: String
    public let severity: Severity
    let when: CompiledExpression?
    let check: CompiledExpression
    let message: MessageTemplate
    public let warnIf: Threshold?
    public let errorIf: Threshold?
}
