import OrderModel

/// Type-checks a syntax tree and emits its program into the pool. Every type error names the
/// offset of the offending node. Rules (docs/rules.md): numbers widen int -> decimal, dates
/// widen to timestamps when compared with one; line fields only inside aggregates; the literal
/// `null` is not a value (use `is null`, `coalesce`).
struct Compiler {
    let pool: ExpressionPool
    private var code: [Instruction] = []
    private var depth = 0
    private var maxDepth = 0
    private var inAggregate = false

    init(pool: ExpressionPool) { self.pool = pool }

    mutating func compileTop(_ tree: Syntax) throws(ExpressionError) -> Int {
        let type = try emit(tree)
        return finish(type)
    }

    private mutating func finish(_ type: ValueType) -> Int {
        pool.programs.append(Program(code: code, type: type, maxDepth: maxDepth))
        return pool.programs.count - 1
    }

    // MARK: Emission with stack accounting

    private mutating func push(_ i: Instruction) {
        code.append(i)
        depth += 1
        maxDepth = max(maxDepth, depth)
    }

    /// An instruction that rewrites a value in place (the depth does not change).
    private mutating func inPlace(_ i: Instruction) {
        code.append(i)
    }

    /// An instruction that pops `pops` values and pushes one.
    private mutating func op(_ i: Instruction, pops: Int) {
        code.append(i)
        depth -= pops - 1
    }

    // MARK: Nodes

    private mutating func emit(_ node: Syntax) throws(ExpressionError) -> ValueType {
        switch node.kind {
        case .int(let v):
            push(.constant(pool.addConstant(.number(v))))
            return .int
        case .decimal(let v):
            push(.constant(pool.addConstant(.number(v))))
            return .decimal
        case .string(let s):
            push(.constant(pool.addString(s)))
            return .string
        case .bool(let b):
            push(.constant(pool.addConstant(.bool(b))))
            return .bool
        case .null:
            throw ExpressionError(offset: node.offset, "null is not a value here: use 'x is null', 'x is not null' or coalesce(x, default)")
        case .path(let parts):
            return try emitPath(parts, node.offset)
        case .unary(let o, let e):
            let t = try emit(e)
            if o == "not" {
                guard t == .bool else { throw typeError(e, "'not' needs a bool, not \(t)") }
                op(.not, pops: 1)
                return .bool
            }
            guard t == .int || t == .decimal || t == .duration else { throw typeError(e, "cannot negate a \(t)") }
            op(.negate, pops: 1)
            return t
        case .binary(let o, let l, let r):
            return try emitBinary(o, l, r, node)
        case .isNull(let e, let negated):
            _ = try emit(e)
            op(.isNull(negated: negated), pops: 1)
            return .bool
        case .inList(let e, let items, let negated):
            let t = try emit(e)
            guard t == .string || t == .int || t == .decimal else { throw typeError(e, "'in' works on strings and numbers, not \(t)") }
            let start = Int32(pool.constants.count)
            for item in items {
                switch (item.kind, t) {
                case (.string(let s), .string): _ = pool.addString(s)
                case (.int(let v), .int): _ = pool.addConstant(.number(v))
                case (.int(let v), .decimal): _ = pool.addConstant(.number(v * Money.scale))
                case (.decimal(let v), .decimal): _ = pool.addConstant(.number(v))
                default: throw typeError(item, "the items of 'in' must be \(t) literals")
                }
            }
            op(.inSet(start: start, count: Int32(items.count), strings: t == .string, negated: negated), pops: 1)
            return .bool
        case .call(let name, let args):
            return try emitCall(name, args, node)
        }
    }

    private mutating func emitPath(_ parts: [String], _ offset: Int) throws(ExpressionError) -> ValueType {
        if parts.count == 2, parts[0] == "lines" {
            guard let c = OrderSchema.lineFieldIndex(parts[1]) else {
                throw ExpressionError(offset: offset, "unknown line field '\(parts[1])'")
            }
            guard inAggregate else {
                throw ExpressionError(offset: offset, "lines.\(parts[1]) is only allowed inside an aggregate (sum, count, any, all, min, max)")
            }
            guard let t = ValueType.of(OrderSchema.lineFields[c].kind) else {
                throw ExpressionError(offset: offset, "lines.\(parts[1]) is a list or map and cannot be used in an expression")
            }
            push(.loadLine(Int32(c), numeric: t != .string))
            return t
        }
        // Group prefixes of the NDJSON form (`finance.grand_total`) are accepted and ignored.
        let groups = Set(FieldGroup.allCases.map(\.rawValue))
        let name: String
        if parts.count == 1 {
            name = parts[0]
        } else if parts.count == 2, groups.contains(parts[0]) {
            name = parts[1]
        } else {
            throw ExpressionError(offset: offset, "unknown field '\(parts.joined(separator: "."))'")
        }
        guard let c = OrderSchema.orderFieldIndex(name) else {
            throw ExpressionError(offset: offset, "unknown field '\(name)'")
        }
        guard let t = ValueType.of(OrderSchema.orderFields[c].kind) else {
            throw ExpressionError(offset: offset, "\(name) is a list or map and cannot be used in an expression")
        }
        push(.loadOrder(Int32(c), numeric: t != .string))
        return t
    }

    private func typeError(_ node: Syntax, _ message: String) -> ExpressionError {
        ExpressionError(offset: node.offset, message)
    }

    // MARK: Binary operators

    private mutating func emitBinary(_ o: String, _ l: Syntax, _ r: Syntax, _ node: Syntax) throws(ExpressionError) -> ValueType {
        let lt = try emit(l)
        let rt = try emit(r)
        if o == "and" || o == "or" {
            guard lt == .bool else { throw typeError(l, "'\(o)' needs bools, not \(lt)") }
            guard rt == .bool else { throw typeError(r, "'\(o)' needs bools, not \(rt)") }
            op(o == "and" ? .and : .or, pops: 2)
            return .bool
        }
        if let cmp = Comparison(o) {
            switch (lt, rt) {
            case (.string, .string):
                op(.compareStrings(cmp), pops: 2)
            case (.bool, .bool) where cmp == .eq || cmp == .ne:
                op(.compareNumbers(cmp), pops: 2)
            default:
                _ = try unify(lt, rt, node, what: "compare")
                op(.compareNumbers(cmp), pops: 2)
            }
            return .bool
        }
        switch o {
        case "+", "-":
            switch (lt, rt) {
            case (.date, .int): break  // date +/- days
            case (.date, .date) where o == "-":
                op(.sub, pops: 2)
                return .int
            case (.timestamp, .duration): break
            case (.duration, .timestamp) where o == "+":
                op(.add, pops: 2)
                return .timestamp
            case (.timestamp, .timestamp) where o == "-":
                op(.sub, pops: 2)
                return .duration
            case (.duration, .duration): break
            default:
                let t = try unify(lt, rt, node, what: o == "+" ? "add" : "subtract")
                guard t.isNumeric else { throw typeError(node, "cannot \(o == "+" ? "add" : "subtract") \(lt) and \(rt)") }
                op(o == "+" ? .add : .sub, pops: 2)
                return t
            }
            op(o == "+" ? .add : .sub, pops: 2)
            return lt
        case "*":
            switch (lt, rt) {
            case (.decimal, .decimal):
                op(.mulDecimal, pops: 2)
                return .decimal
            case (.int, .int), (.decimal, .int), (.duration, .int):
                op(.mulInt, pops: 2)
                return lt
            case (.int, .decimal), (.int, .duration):
                op(.mulInt, pops: 2)
                return rt
            default:
                throw typeError(node, "cannot multiply \(lt) by \(rt)")
            }
        case "/":
            switch (lt, rt) {
            case (.decimal, .decimal):
                op(.divDecimal, pops: 2)
                return .decimal
            case (.int, .int), (.duration, .int):
                op(.divInt, pops: 2)
                return lt
            case (.decimal, .int):
                op(.divInt, pops: 2)  // exact scale: (a/10^4)/b keeps 4 digits, truncated
                return .decimal
            case (.int, .decimal):
                inPlace(.widen(depth: 1, factor: Money.scale))
                op(.divDecimal, pops: 2)
                return .decimal
            default:
                throw typeError(node, "cannot divide \(lt) by \(rt)")
            }
        case "%":
            guard lt == .int, rt == .int else { throw typeError(node, "'%' needs ints, not \(lt) and \(rt)") }
            op(.mod, pops: 2)
            return .int
        default:
            throw typeError(node, "unknown operator '\(o)'")
        }
    }

    /// Brings two operands on the stack to one type, widening int -> decimal and
    /// date -> timestamp; throws when they cannot meet.
    private mutating func unify(_ lt: ValueType, _ rt: ValueType, _ node: Syntax, what: String) throws(ExpressionError) -> ValueType {
        if lt == rt, lt != .bool, lt != .string { return lt }
        switch (lt, rt) {
        case (.int, .decimal):
            inPlace(.widen(depth: 1, factor: Money.scale))
            return .decimal
        case (.decimal, .int):
            inPlace(.widen(depth: 0, factor: Money.scale))
            return .decimal
        case (.date, .timestamp):
            inPlace(.widen(depth: 1, factor: CivilTime.microsPerDay))
            return .timestamp
        case (.timestamp, .date):
            inPlace(.widen(depth: 0, factor: CivilTime.microsPerDay))
            return .timestamp
        default:
            throw typeError(node, "cannot \(what) \(lt) and \(rt)")
        }
    }

    // MARK: Functions and aggregates

    private mutating func emitCall(_ name: String, _ args: [Syntax], _ node: Syntax) throws(ExpressionError) -> ValueType {
        if let agg = aggregateKind(name) {
            return try emitAggregate(agg, name, args, node)
        }
        func arity(_ n: Int) throws(ExpressionError) {
            guard args.count == n else { throw typeError(node, "\(name)() takes \(n) argument\(n == 1 ? "" : "s"), not \(args.count)") }
        }
        switch name {
        case "length":
            try arity(1)
            guard try emit(args[0]) == .string else { throw typeError(args[0], "length() needs a string") }
            op(.length, pops: 1)
            return .int
        case "starts_with", "ends_with", "contains":
            try arity(2)
            guard try emit(args[0]) == .string else { throw typeError(args[0], "\(name)() needs a string") }
            guard try emit(args[1]) == .string else { throw typeError(args[1], "\(name)() needs a string") }
            op(name == "starts_with" ? .startsWith : name == "ends_with" ? .endsWith : .contains, pops: 2)
            return .bool
        case "matches":
            try arity(2)
            guard try emit(args[0]) == .string else { throw typeError(args[0], "matches() needs a string") }
            guard case .string(let pattern) = args[1].kind else {
                throw typeError(args[1], "matches() needs a literal pattern (compiled once when the rules load)")
            }
            let regex: LinearRegex
            do {
                regex = try LinearRegex(pattern)
            } catch {
                throw ExpressionError(offset: args[1].offset, error.message)
            }
            pool.regexes.append(regex)
            op(.matches(Int32(pool.regexes.count - 1)), pops: 1)
            return .bool
        case "trunc", "round":
            guard args.count == 1 || args.count == 2 else { throw typeError(node, "\(name)() takes 1 or 2 arguments") }
            let t = try emit(args[0])
            guard t == .decimal || t == .int else { throw typeError(args[0], "\(name)() needs a number, not \(t)") }
            var digits = 0
            if args.count == 2 {
                guard case .int(let d) = args[1].kind, d >= 0, d <= 4 else {
                    throw typeError(args[1], "\(name)()'s digits must be a literal 0 to 4")
                }
                digits = Int(d)
            }
            if t == .int { return .int }
            op(name == "trunc" ? .truncate(digits: Int8(digits)) : .round(digits: Int8(digits)), pops: 1)
            return .decimal
        case "abs":
            try arity(1)
            let t = try emit(args[0])
            guard t == .int || t == .decimal || t == .duration else { throw typeError(args[0], "abs() needs a number") }
            op(.abs, pops: 1)
            return t
        case "coalesce":
            guard args.count >= 2 else { throw typeError(node, "coalesce() takes at least 2 arguments") }
            var types: [ValueType] = []
            for a in args { types.append(try emit(a)) }
            var t = types[0]
            for (i, u) in types.enumerated() where u != t {
                if t == .int && u == .decimal || t == .decimal && u == .int {
                    t = .decimal
                } else {
                    throw typeError(args[i], "coalesce() arguments must share one type: \(t) and \(u)")
                }
            }
            if t == .decimal {
                for (i, u) in types.enumerated() where u == .int {
                    inPlace(.widen(depth: Int8(types.count - 1 - i), factor: Money.scale))
                }
            }
            op(.coalesce(Int32(args.count)), pops: args.count)
            return t
        case "if":
            try arity(3)
            guard try emit(args[0]) == .bool else { throw typeError(args[0], "if() needs a bool condition") }
            var a = try emit(args[1])
            let b = try emit(args[2])
            if a != b {
                if a == .int && b == .decimal {
                    inPlace(.widen(depth: 1, factor: Money.scale))
                    a = .decimal
                } else if a == .decimal && b == .int {
                    inPlace(.widen(depth: 0, factor: Money.scale))
                } else {
                    throw typeError(args[2], "if() branches must share one type: \(a) and \(b)")
                }
            }
            op(.select, pops: 3)
            return a
        case "days", "hours", "minutes":
            try arity(1)
            guard try emit(args[0]) == .int else { throw typeError(args[0], "\(name)() needs an int") }
            let unit: Int64 = name == "days" ? CivilTime.microsPerDay : name == "hours" ? 3_600_000_000 : 60_000_000
            push(.constant(pool.addConstant(.number(unit))))
            op(.mulInt, pops: 2)
            return .duration
        case "in_days", "in_hours":
            try arity(1)
            guard try emit(args[0]) == .duration else { throw typeError(args[0], "\(name)() needs a duration") }
            op(.floorDiv(name == "in_days" ? CivilTime.microsPerDay : 3_600_000_000), pops: 1)
            return .int
        case "to_date":
            try arity(1)
            let t = try emit(args[0])
            if t == .date { return .date }
            guard t == .timestamp else { throw typeError(args[0], "to_date() needs a timestamp") }
            op(.floorDiv(CivilTime.microsPerDay), pops: 1)
            return .date
        case "to_timestamp":
            try arity(1)
            guard try emit(args[0]) == .date else { throw typeError(args[0], "to_timestamp() needs a date") }
            inPlace(.widen(depth: 0, factor: CivilTime.microsPerDay))
            return .timestamp
        case "date", "timestamp":
            try arity(1)
            guard case .string(let text) = args[0].kind, let v = Self.parseTime(text, timestamp: name == "timestamp") else {
                throw typeError(args[0], name == "date" ? "date() needs a literal 'YYYY-MM-DD'" : "timestamp() needs a literal 'YYYY-MM-DDTHH:MM:SSZ'")
            }
            push(.constant(pool.addConstant(.number(v))))
            return name == "date" ? .date : .timestamp
        default:
            throw typeError(node, "unknown function '\(name)'")
        }
    }

    private func aggregateKind(_ name: String) -> Aggregate? {
        switch name {
        case "sum": return .sum
        case "count": return .count
        case "any": return .any
        case "all": return .all
        case "min": return .min
        case "max": return .max
        default: return nil
        }
    }

    private mutating func emitAggregate(_ agg: Aggregate, _ name: String, _ args: [Syntax], _ node: Syntax) throws(ExpressionError) -> ValueType {
        guard !inAggregate else { throw typeError(node, "aggregates cannot be nested") }
        if agg == .count && args.isEmpty {
            push(.aggregate(.countAll, program: -1))
            return .int
        }
        guard args.count == 1 else { throw typeError(node, "\(name)() takes one expression over lines") }
        var body = Compiler(pool: pool)
        body.inAggregate = true
        let t = try body.emit(args[0])
        switch agg {
        case .count, .any, .all:
            guard t == .bool else { throw typeError(args[0], "\(name)() needs a bool expression over lines, not \(t)") }
        case .sum:
            guard t == .int || t == .decimal || t == .duration else { throw typeError(args[0], "sum() needs numbers, not \(t)") }
        case .min, .max:
            guard t != .string && t != .bool else { throw typeError(args[0], "\(name)() needs numbers or dates, not \(t)") }
        case .countAll:
            break
        }
        let index = body.finish(t)
        // The body runs above the current stack top.
        maxDepth = max(maxDepth, depth + body.maxDepth)
        push(.aggregate(agg, program: Int32(index)))
        return agg == .count ? .int : (agg == .any || agg == .all ? .bool : t)
    }

    /// `YYYY-MM-DD` as days, or `YYYY-MM-DDTHH:MM:SS[Z]` as UTC microseconds.
    static func parseTime(_ text: String, timestamp: Bool) -> Int64? {
        let b = Array(text.utf8)
        func num(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= b.count else { return nil }
            var v = 0
            for i in r {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = num(0..<4), let m = num(5..<7), let d = num(8..<10), CivilTime.isValid(year: y, month: m, day: d)
        else { return nil }
        let days = CivilTime.days(year: y, month: m, day: d)
        if !timestamp { return b.count == 10 ? days : nil }
        guard b.count == 19 || (b.count == 20 && b[19] == UInt8(ascii: "Z")), b[10] == UInt8(ascii: "T") || b[10] == 0x20,
              let hh = num(11..<13), let mm = num(14..<16), let ss = num(17..<19), hh < 24, mm < 60, ss < 60
        else { return nil }
        return days * CivilTime.microsPerDay + Int64(hh * 3600 + mm * 60 + ss) * CivilTime.microsPerSecond
    }
}
