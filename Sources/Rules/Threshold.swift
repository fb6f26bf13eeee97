/// A dbt-style threshold on a rule's hit count: `"> 10"` (a count) or `"> 1%"` (a share of the
/// orders checked). Past `error_if` the stage exits 65; past `warn_if` it warns on stderr.
public struct Threshold: Sendable, Equatable, CustomStringConvertible {
    public enum Op: String, Sendable { case gt = ">", ge = ">=", lt = "<", le = "<=", eq = "==", ne = "!=" }

    public let op: Op
    /// A count, or a percentage in 1/10,000 of a percent when `isShare`.
    public let value: Int64
    public let isShare: Bool
    public let text: String

    /// Parses `"> 10"`, `">= 0.5%"`, `"!= 0"`; nil when malformed.
    public init?(_ text: String) {
        var s = Substring(text.trimmingSpaces)
        var found: Op?
        for o in [Op.ge, .le, .eq, .ne, .gt, .lt] where s.hasPrefix(o.rawValue) {
            found = o
            s = s.dropFirst(o.rawValue.count)
            break
        }
        guard let op = found else { return nil }
        var body = String(s).trimmingSpaces
        let share = body.hasSuffix("%")
        if share { body.removeLast() }
        if share {
            // At most 100%: a larger share can never be crossed, and its product with the
            // order count (`isCrossed`) overflowed, which trapped.
            guard case .success(let v) = ExactDecimal.parse(body.trimmingSpaces), v >= 0, v <= 100 * ExactDecimal.scale
            else { return nil }
            value = v
        } else {
            guard let v = Int64(body.trimmingSpaces), v >= 0 else { return nil }
            value = v
        }
        self.op = op
        self.isShare = share
        self.text = text
    }

    /// Whether `hits` out of `total` orders crosses the threshold. Shares compare exactly:
    /// hits / total <op> value% as hits * 100 * 10^4 <op> value * total.
    public func isCrossed(hits: Int, total: Int) -> Bool {
        let l: Int64, r: Int64
        if isShare {
            l = Int64(hits) * 100 * ExactDecimal.scale
            r = value * Int64(total)
        } else {
            l = Int64(hits)
            r = value
        }
        switch op {
        case .gt: return l > r
        case .ge: return l >= r
        case .lt: return l < r
        case .le: return l <= r
        case .eq: return l == r
        case .ne: return l != r
        }
    }

    public var description: String { text }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

import OrderModel
