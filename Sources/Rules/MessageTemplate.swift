import OrderModel

/// A rule's message: text with `{expression}` placeholders, compiled when the rules load and
/// rendered into a byte arena only when the rule hits. A placeholder that is a bare personal
/// data field is masked (`{consignee_phone}` -> `138****1234`); any other string-valued
/// placeholder that reads personal data is refused at load, so raw PII never reaches rejects,
/// logs or results.
struct MessageTemplate: Sendable {
    enum Part: Sendable {
        case text([UInt8])
        case value(CompiledExpression, mask: Masking.Kind?)
    }

    let parts: [Part]

    /// Compiles `text`; errors carry the byte offset within `text`.
    init(_ text: String, pool: ExpressionPool) throws(ExpressionError) {
        let b = Array(text.utf8)
        var parts: [Part] = []
        var literal: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "{") {
                guard let close = b[i...].firstIndex(of: UInt8(ascii: "}")) else {
                    throw ExpressionError(offset: i, "unclosed '{' in message")
                }
                if !literal.isEmpty { parts.append(.text(literal)) }
                literal = []
                let source = String(decoding: b[(i + 1)..<close], as: UTF8.self)
                let compiled: CompiledExpression
                var mask: Masking.Kind?
                do throws(ExpressionError) {
                    compiled = try pool.compile(source)
                    var parser = try Parser(source)
                    let tree = try parser.parse()
                    if case .path(let p) = tree.kind, let kind = Masking.fields[p.last ?? ""] {
                        mask = kind
                    } else if compiled.type == .string, Self.readsPII(tree) {
                        throw ExpressionError(offset: 0, "this placeholder would put personal data in a message; quote the bare field so it is masked")
                    }
                } catch {
                    throw ExpressionError(offset: i + 1 + error.offset, error.message)
                }
                parts.append(.value(compiled, mask: mask))
                i = close + 1
            } else {
                literal.append(b[i])
                i += 1
            }
        }
        if !literal.isEmpty { parts.append(.text(literal)) }
        self.parts = parts
    }

    private static func readsPII(_ node: Syntax) -> Bool {
        switch node.kind {
        case .path(let p): return Masking.fields[p.last ?? ""] != nil
        case .unary(_, let e), .isNull(let e, _): return readsPII(e)
        case .binary(_, let l, let r): return readsPII(l) || readsPII(r)
        case .inList(let e, let items, _): return readsPII(e) || items.contains(where: readsPII)
        case .call(_, let args): return args.contains(where: readsPII)
        default: return false
        }
    }

    /// Appends the message for order `row` to `out`.
    func render(_ batch: OrderBatch, row: Int, evaluator: Evaluator, into out: inout [UInt8]) {
        for part in parts {
            switch part {
            case .text(let t):
                out.append(contentsOf: t)
            case .value(let e, let mask):
                let v = evaluator.evaluate(e, batch, row: row)
                if v.isNull {
                    out.append(contentsOf: "null".utf8)
                    continue
                }
                switch e.type {
                case .string:
                    let bytes = evaluator.bytes(v, batch)
                    if let mask { Masking.mask(bytes, as: mask, into: &out) } else { out.append(contentsOf: bytes) }
                case .decimal: ExactDecimal.format(v.n, into: &out)
                case .int: appendInt(v.n, into: &out)
                case .bool: out.append(contentsOf: (v.n != 0 ? "true" : "false").utf8)
                case .date: CivilTime.formatDate(days: v.n, into: &out)
                case .timestamp: CivilTime.formatTimestamp(micros: v.n, into: &out)
                case .duration:
                    appendInt(v.n / CivilTime.microsPerSecond, into: &out)
                    out.append(UInt8(ascii: "s"))
                case .null: out.append(contentsOf: "null".utf8)
                }
            }
        }
    }

    private func appendInt(_ n: Int64, into out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        appendDigits(n.magnitude, into: &out)
    }
}
