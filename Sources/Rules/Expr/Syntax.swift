/// The syntax tree of one expression, as parsed; lives only while the rules file loads.
final class Syntax {
    enum Kind {
        case int(Int64)
        case decimal(Int64)
        case string(String)
        case bool(Bool)
        case null
        /// `grand_total`, `lines.quantity`
        case path([String])
        case unary(String, Syntax)
        case binary(String, Syntax, Syntax)
        case isNull(Syntax, negated: Bool)
        case inList(Syntax, [Syntax], negated: Bool)
        case call(String, [Syntax])
    }

    let kind: Kind
    let offset: Int

    init(_ kind: Kind, _ offset: Int) {
        self.kind = kind
        self.offset = offset
    }
}
