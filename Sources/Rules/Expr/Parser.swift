/// Recursive-descent parser for the expression language (grammar in docs/rules.md):
///
///     or      := and ("or" and)*
///     and     := not ("and" not)*
///     not     := "not" not | compare
///     compare := sum (("=="|"!="|"<"|"<="|">"|">=") sum | "is" ["not"] "null" | ["not"] "in" "[" list "]")?
///     sum     := product (("+"|"-") product)*
///     product := unary (("*"|"/"|"%") unary)*
///     unary   := "-" unary | primary
///     primary := number | string | true | false | null | path | name "(" args ")" | "(" or ")"
struct Parser {
    private let tokens: [Token]
    private var i = 0

    init(_ text: String) throws(ExpressionError) {
        tokens = try Lexer(text).tokens()
    }

    /// Parses the whole text as one expression.
    mutating func parse() throws(ExpressionError) -> Syntax {
        let e = try parseOr()
        guard case .end = peek.kind else { throw ExpressionError(offset: peek.offset, "unexpected \(describe(peek))") }
        return e
    }

    private var peek: Token { tokens[i] }

    private mutating func next() -> Token {
        let t = tokens[i]
        if i < tokens.count - 1 { i += 1 }
        return t
    }

    private func isOp(_ s: String) -> Bool { peek.kind == .op(s) }
    private func isWord(_ s: String) -> Bool {
        if case .ident(let w) = peek.kind { return w.lowercased() == s }
        return false
    }

    private mutating func expect(_ s: String) throws(ExpressionError) {
        guard isOp(s) else { throw ExpressionError(offset: peek.offset, "expected '\(s)' but found \(describe(peek))") }
        _ = next()
    }

    private mutating func parseOr() throws(ExpressionError) -> Syntax {
        var e = try parseAnd()
        while isWord("or") {
            let t = next()
            e = Syntax(.binary("or", e, try parseAnd()), t.offset)
        }
        return e
    }

    private mutating func parseAnd() throws(ExpressionError) -> Syntax {
        var e = try parseNot()
        while isWord("and") {
            let t = next()
            e = Syntax(.binary("and", e, try parseNot()), t.offset)
        }
        return e
    }

    private mutating func parseNot() throws(ExpressionError) -> Syntax {
        if isWord("not") {
            let t = next()
            return Syntax(.unary("not", try parseNot()), t.offset)
        }
        return try parseCompare()
    }

    private mutating func parseCompare() throws(ExpressionError) -> Syntax {
        let left = try parseSum()
        for op in ["==", "!=", "<=", ">=", "<", ">"] where isOp(op) {
            let t = next()
            return Syntax(.binary(op, left, try parseSum()), t.offset)
        }
        if isWord("is") {
            let t = next()
            var negated = false
            if isWord("not") {
                _ = next()
                negated = true
            }
            guard isWord("null") else { throw ExpressionError(offset: peek.offset, "expected 'null' after 'is'") }
            _ = next()
            return Syntax(.isNull(left, negated: negated), t.offset)
        }
        var negated = false
        if isWord("not") {
            _ = next()
            negated = true
            guard isWord("in") else { throw ExpressionError(offset: peek.offset, "expected 'in' after 'not'") }
        }
        if isWord("in") {
            let t = next()
            try expect("[")
            var items: [Syntax] = []
            if !isOp("]") {
                items.append(try parseSum())
                while isOp(",") {
                    _ = next()
                    items.append(try parseSum())
                }
            }
            try expect("]")
            return Syntax(.inList(left, items, negated: negated), t.offset)
        }
        return left
    }

    private mutating func parseSum() throws(ExpressionError) -> Syntax {
        var e = try parseProduct()
        while isOp("+") || isOp("-") {
            let t = next()
            guard case .op(let op) = t.kind else { break }
            e = Syntax(.binary(op, e, try parseProduct()), t.offset)
        }
        return e
    }

    private mutating func parseProduct() throws(ExpressionError) -> Syntax {
        var e = try parseUnary()
        while isOp("*") || isOp("/") || isOp("%") {
            let t = next()
            guard case .op(let op) = t.kind else { break }
            e = Syntax(.binary(op, e, try parseUnary()), t.offset)
        }
        return e
    }

    private mutating func parseUnary() throws(ExpressionError) -> Syntax {
        if isOp("-") {
            let t = next()
            return Syntax(.unary("-", try parseUnary()), t.offset)
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(ExpressionError) -> Syntax {
        let t = next()
        switch t.kind {
        case .int(let v): return Syntax(.int(v), t.offset)
        case .decimal(let v): return Syntax(.decimal(v), t.offset)
        case .string(let s): return Syntax(.string(s), t.offset)
        case .op("("):
            let e = try parseOr()
            try expect(")")
            return e
        case .ident(let name):
            switch name.lowercased() {
            case "true": return Syntax(.bool(true), t.offset)
            case "false": return Syntax(.bool(false), t.offset)
            case "null": return Syntax(.null, t.offset)
            default: break
            }
            if isOp("(") {
                _ = next()
                var args: [Syntax] = []
                if !isOp(")") {
                    args.append(try parseOr())
                    while isOp(",") {
                        _ = next()
                        args.append(try parseOr())
                    }
                }
                try expect(")")
                return Syntax(.call(name.lowercased(), args), t.offset)
            }
            var parts = [name]
            while isOp(".") {
                _ = next()
                guard case .ident(let p) = peek.kind else {
                    throw ExpressionError(offset: peek.offset, "expected a field name after '.'")
                }
                _ = next()
                parts.append(p)
            }
            return Syntax(.path(parts), t.offset)
        default:
            throw ExpressionError(offset: t.offset, "expected a value but found \(describe(t))")
        }
    }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .int(let v): return "number \(v)"
        case .decimal(let v): return "number \(ExactDecimal.string(v))"
        case .string(let s): return "string '\(s)'"
        case .ident(let s): return "'\(s)'"
        case .op(let s): return "'\(s)'"
        case .end: return "end of expression"
        }
    }
}

import OrderModel
