import OrderModel

/// Runs compiled expressions against the orders of a batch. One evaluator per thread: it owns
/// a value stack and a scratch buffer, both allocated once, so evaluating a rule on an order
/// allocates nothing.
public final class Evaluator {
    let pool: ExpressionPool
    /// The pool's contents, copied once into constants of this object: the pool's are
    /// variables of a class, and every read of those pays a dynamic exclusivity check (and a
    /// retain), which was a fifth of the cost of evaluating a rule.
    /// Every program's instructions back to back (program `i` is `starts[i]..<starts[i + 1]`):
    /// walking a buffer retains nothing, where iterating a program's array retained it per run.
    private let code: UnsafeMutableBufferPointer<Instruction>
    private let starts: UnsafeMutableBufferPointer<Int>
    private let constants: [Value]
    private let stringPool: ByteArena
    private let regexes: [PosixRegex]
    private let stack: UnsafeMutablePointer<Value>
    private let capacity: Int
    /// NUL-terminated copy of a value for regexec (allocated once; see `match`).
    private let scratch: UnsafeMutableBufferPointer<CChar>

    /// Compile every expression into `pool` first: the evaluator sees the pool as it is now.
    public init(pool: ExpressionPool) {
        self.pool = pool
        let flat = pool.programs.flatMap(\.code)
        code = .allocate(capacity: flat.count)
        _ = code.initialize(from: flat)
        starts = .allocate(capacity: pool.programs.count + 1)
        var at = 0
        for (i, p) in pool.programs.enumerated() {
            starts[i] = at
            at += p.code.count
        }
        starts[pool.programs.count] = at
        constants = pool.constants
        stringPool = pool.stringPool
        regexes = pool.regexes
        capacity = max(8, pool.programs.reduce(0) { max($0, $1.maxDepth) } + 4)
        stack = .allocate(capacity: capacity)
        stack.initialize(repeating: .null, count: capacity)
        scratch = .allocate(capacity: 256)
    }

    deinit {
        stack.deinitialize(count: capacity)
        stack.deallocate()
        scratch.deallocate()
        code.deinitialize().deallocate()
        starts.deallocate()
    }

    /// The value of `expression` for order `row` of `batch`.
    public func evaluate(_ expression: CompiledExpression, _ batch: OrderBatch, row: Int) -> Value {
        run(expression.index, batch, row: row, line: -1, base: 0)
    }

    /// Whether a bool expression is TRUE (null and false are not).
    @inline(__always)
    public func isTrue(_ expression: CompiledExpression, _ batch: OrderBatch, row: Int) -> Bool {
        let v = evaluate(expression, batch, row: row)
        return !v.isNull && v.n != 0
    }

    /// The bytes of a string value (the array holding them and the range).
    @inline(__always)
    func bytes(_ v: Value, _ batch: OrderBatch) -> ByteArena {
        if v.source == StringSource.constants { return stringPool }
        if v.source >= 1_000 { return batch.lines.columns[Int(v.source) - 1_000].bytes }
        return batch.orders.columns[Int(v.source)].bytes
    }

    private func run(_ index: Int, _ batch: OrderBatch, row: Int, line: Int, base: Int) -> Value {
        let s = stack + base
        var sp = 0  // number of values on this program's part of the stack
        for pc in starts[index]..<starts[index + 1] {
            let instruction = code[pc]
            switch instruction {
            case .constant(let k):
                s[sp] = constants[Int(k)]
                sp += 1
            case .loadOrder(let c, let numeric):
                // Read in place: binding the column to a local would retain its arrays.
                s[sp] = Self.load(batch.orders.columns[Int(c)], row, numeric, source: c)
                sp += 1
            case .loadLine(let c, let numeric):
                s[sp] = Self.load(batch.lines.columns[Int(c)], line, numeric, source: c + 1_000)
                sp += 1
            case .add: sp = binary(s, sp, Money.add)
            case .sub: sp = binary(s, sp, Money.sub)
            case .mulInt: sp = binary(s, sp, Money.mulInt)
            case .mulDecimal: sp = binary(s, sp, Money.mulDecimal)
            case .divInt: sp = binary(s, sp, Money.divInt)
            case .divDecimal: sp = binary(s, sp, Money.divDecimal)
            case .mod: sp = binary(s, sp, Money.modInt)
            case .negate:
                if !s[sp - 1].isNull { s[sp - 1] = s[sp - 1].n == .min ? .null : .number(-s[sp - 1].n) }
            case .abs:
                if !s[sp - 1].isNull { s[sp - 1] = s[sp - 1].n == .min ? .null : .number(Swift.abs(s[sp - 1].n)) }
            case .widen(let depth, let factor):
                let i = sp - 1 - Int(depth)
                if !s[i].isNull { s[i] = Money.mulInt(s[i].n, factor).map { .number($0) } ?? .null }
            case .floorDiv(let d):
                if !s[sp - 1].isNull {
                    let n = s[sp - 1].n
                    s[sp - 1] = .number(n >= 0 ? n / d : -((-n - 1) / d) - 1)
                }
            case .truncate(let digits):
                if !s[sp - 1].isNull { s[sp - 1] = .number(Money.trunc(s[sp - 1].n, digits: Int(digits))) }
            case .round(let digits):
                if !s[sp - 1].isNull { s[sp - 1] = Money.round(s[sp - 1].n, digits: Int(digits)).map { .number($0) } ?? .null }
            case .compareNumbers(let cmp):
                let a = s[sp - 2], b = s[sp - 1]
                sp -= 1
                s[sp - 1] = a.isNull || b.isNull ? .null : .bool(cmp.holds(a.n < b.n ? -1 : a.n > b.n ? 1 : 0))
            case .compareStrings(let cmp):
                let a = s[sp - 2], b = s[sp - 1]
                sp -= 1
                s[sp - 1] = a.isNull || b.isNull ? .null : .bool(cmp.holds(compare(a, b, batch)))
            case .and:
                let a = s[sp - 2], b = s[sp - 1]
                sp -= 1
                if (!a.isNull && a.n == 0) || (!b.isNull && b.n == 0) {
                    s[sp - 1] = .bool(false)
                } else {
                    s[sp - 1] = a.isNull || b.isNull ? .null : .bool(true)
                }
            case .or:
                let a = s[sp - 2], b = s[sp - 1]
                sp -= 1
                if (!a.isNull && a.n != 0) || (!b.isNull && b.n != 0) {
                    s[sp - 1] = .bool(true)
                } else {
                    s[sp - 1] = a.isNull || b.isNull ? .null : .bool(false)
                }
            case .not:
                if !s[sp - 1].isNull { s[sp - 1] = .bool(s[sp - 1].n == 0) }
            case .isNull(let negated):
                s[sp - 1] = .bool(s[sp - 1].isNull != negated)
            case .inSet(let start, let count, let strings, let negated):
                let v = s[sp - 1]
                if v.isNull { break }
                var found = false
                for k in Int(start)..<Int(start + count) {
                    let c = constants[k]
                    if strings ? compare(v, c, batch) == 0 : v.n == c.n {
                        found = true
                        break
                    }
                }
                s[sp - 1] = .bool(found != negated)
            case .coalesce(let n):
                let first = sp - Int(n)
                var result = Value.null
                for i in first..<sp where !s[i].isNull {
                    result = s[i]
                    break
                }
                sp = first + 1
                s[first] = result
            case .select:
                let c = s[sp - 3]
                s[sp - 3] = !c.isNull && c.n != 0 ? s[sp - 2] : s[sp - 1]
                sp -= 2
            case .length:
                let v = s[sp - 1]
                if !v.isNull { s[sp - 1] = .number(Int64(utf8Length(v, batch))) }
            case .startsWith, .endsWith, .contains:
                let a = s[sp - 2], b = s[sp - 1]
                sp -= 1
                if a.isNull || b.isNull {
                    s[sp - 1] = .null
                } else {
                    s[sp - 1] = .bool(find(b, in: a, batch, mode: instruction))
                }
            case .matches(let k):
                let v = s[sp - 1]
                if !v.isNull { s[sp - 1] = .bool(match(v, regex: regexes[Int(k)], batch)) }
            case .aggregate(let kind, let program):
                s[sp] = aggregate(kind, program: Int(program), batch, row: row, base: base + sp + 1)
                sp += 1
            }
        }
        return s[sp - 1]
    }

    @inline(__always)
    private static func load(_ col: borrowing Column, _ row: Int, _ numeric: Bool, source: Int32) -> Value {
        col.isNull(row) ? .null : numeric ? .number(col.int(row)) : .string(source, col.range(row))
    }

    @inline(__always)
    private func binary(_ s: UnsafeMutablePointer<Value>, _ sp: Int, _ f: (Int64, Int64) -> Int64?) -> Int {
        let a = s[sp - 2], b = s[sp - 1]
        if a.isNull || b.isNull {
            s[sp - 2] = .null
        } else {
            s[sp - 2] = f(a.n, b.n).map { .number($0) } ?? .null
        }
        return sp - 1
    }

    private func aggregate(_ kind: Aggregate, program: Int, _ batch: OrderBatch, row: Int, base: Int) -> Value {
        let lines = batch.lineRange(row)
        if kind == .countAll { return .number(Int64(lines.count)) }
        var acc: Int64 = 0
        var seen = false
        var sawNull = false
        for l in lines {
            let v = run(program, batch, row: row, line: l, base: base)
            if v.isNull {
                sawNull = true
                continue
            }
            switch kind {
            case .sum:
                guard let r = Money.add(acc, v.n) else { return .null }
                acc = r
            case .count: if v.n != 0 { acc += 1 }
            case .any: if v.n != 0 { return .bool(true) }
            case .all: if v.n == 0 { return .bool(false) }
            case .min: acc = seen ? Swift.min(acc, v.n) : v.n
            case .max: acc = seen ? Swift.max(acc, v.n) : v.n
            case .countAll: break
            }
            seen = true
        }
        switch kind {
        case .sum, .count, .countAll: return .number(acc)
        case .any: return sawNull ? .null : .bool(false)
        case .all: return sawNull ? .null : .bool(true)
        case .min, .max: return seen ? .number(acc) : .null
        }
    }

    // MARK: Strings (byte-wise; UTF-8 byte order is code point order)

    private func compare(_ a: Value, _ b: Value, _ batch: OrderBatch) -> Int {
        let x = bytes(a, batch), y = bytes(b, batch)
        let n = Swift.min(a.length, b.length)
        var i = 0
        while i < n {
            let p = x[Int(a.lo) + i], q = y[Int(b.lo) + i]
            if p != q { return p < q ? -1 : 1 }
            i += 1
        }
        return a.length == b.length ? 0 : (a.length < b.length ? -1 : 1)
    }

    /// Length in characters (Unicode scalars): bytes that are not UTF-8 continuation bytes.
    private func utf8Length(_ v: Value, _ batch: OrderBatch) -> Int {
        let x = bytes(v, batch)
        var n = 0
        for i in Int(v.lo)..<Int(v.hi) where x[i] & 0xC0 != 0x80 { n += 1 }
        return n
    }

    private func find(_ needle: Value, in hay: Value, _ batch: OrderBatch, mode: Instruction) -> Bool {
        let h = bytes(hay, batch), nb = bytes(needle, batch)
        let n = needle.length
        guard n <= hay.length else { return false }
        func at(_ start: Int) -> Bool {
            for k in 0..<n where h[start + k] != nb[Int(needle.lo) + k] { return false }
            return true
        }
        switch mode {
        case .startsWith: return at(Int(hay.lo))
        case .endsWith: return at(Int(hay.hi) - n)
        default:
            for start in Int(hay.lo)...(Int(hay.hi) - n) where at(start) { return true }
            return false
        }
    }

    private func match(_ v: Value, regex: PosixRegex, _ batch: OrderBatch) -> Bool {
        let x = bytes(v, batch)
        // regexec needs a NUL-terminated copy; the fixed scratch serves short values (codes,
        // phones) without allocating, a longer value gets a temporary buffer.
        let n = v.length
        if n < scratch.count {
            for i in 0..<n { scratch[i] = CChar(bitPattern: x[Int(v.lo) + i]) }
            scratch[n] = 0
            return regex.matches(UnsafePointer(scratch.baseAddress!))
        }
        var long = x[Int(v.lo)..<Int(v.hi)].map { CChar(bitPattern: $0) }
        long.append(0)
        return long.withUnsafeBufferPointer { regex.matches($0.baseAddress!) }
    }
}
