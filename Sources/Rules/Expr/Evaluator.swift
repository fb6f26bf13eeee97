internal import CByteScan
import OrderModel

/// Runs compiled expressions against the orders of a batch, many orders at a time. One
/// evaluator per thread: it owns a value stack and its scratch vectors, allocated once, so evaluating
/// allocates nothing.
///
/// Vectorised: each instruction runs over a vector of lanes (up to `laneCount` orders, or the
/// lines of those orders inside an aggregate) before the next one is decoded. Row at a time,
/// decoding and dispatching an instruction cost more than most instructions do: a TPC-H order
/// runs about 500 of them over its rules. The per-order `evaluate` is the same loop over one
/// lane, so both paths share every operation's code.
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
    private let regexes: [LinearRegex]
    /// Lanes per vector: how many orders (or lines) one pass of an instruction covers.
    public let laneCount: Int
    /// `capacity` stack slots of `laneCount` values each; slot `i` is `stack + i * laneCount`.
    private let stack: UnsafeMutablePointer<Value>
    private let capacity: Int
    /// An aggregate's lanes: each line, the order row it belongs to, and the order lane that
    /// folds it (aggregates do not nest, so one set serves every aggregate).
    private let lineIndex: UnsafeMutablePointer<Int32>
    private let lineRow: UnsafeMutablePointer<Int32>
    private let lineOwner: UnsafeMutablePointer<Int32>
    /// Per order lane: an aggregate's running value and its `Fold` flags.
    private let foldValue: UnsafeMutablePointer<Int64>
    private let foldFlags: UnsafeMutablePointer<UInt8>
    /// The one row of a per-order `evaluate`.
    private let single: UnsafeMutablePointer<Int32>

    /// Compile every expression into `pool` first: the evaluator sees the pool as it is now.
    /// `lanes`: orders per vector (tests pass a few to cross the chunk edges).
    public init(pool: ExpressionPool, lanes: Int = 256) {
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
        laneCount = max(1, lanes)
        capacity = max(8, pool.programs.reduce(0) { max($0, $1.maxDepth) } + 4)
        stack = .allocate(capacity: capacity * laneCount)
        stack.initialize(repeating: .null, count: capacity * laneCount)
        lineIndex = .allocate(capacity: laneCount)
        lineRow = .allocate(capacity: laneCount)
        lineOwner = .allocate(capacity: laneCount)
        foldValue = .allocate(capacity: laneCount)
        foldFlags = .allocate(capacity: laneCount)
        single = .allocate(capacity: 1)
    }

    deinit {
        stack.deinitialize(count: capacity * laneCount)
        stack.deallocate()
        lineIndex.deallocate()
        lineRow.deallocate()
        lineOwner.deallocate()
        foldValue.deallocate()
        foldFlags.deallocate()
        single.deallocate()
        code.deinitialize().deallocate()
        starts.deallocate()
    }

    /// The value of `expression` for order `row` of `batch`.
    public func evaluate(_ expression: CompiledExpression, _ batch: OrderBatch, row: Int) -> Value {
        single.pointee = Int32(row)
        return run(expression.index, batch, rows: single, lines: nil, count: 1, base: 0).pointee
    }

    /// Whether a bool expression is TRUE (null and false are not).
    @inline(__always)
    public func isTrue(_ expression: CompiledExpression, _ batch: OrderBatch, row: Int) -> Bool {
        let v = evaluate(expression, batch, row: row)
        return !v.isNull && v.n != 0
    }

    /// For each of the orders `rows[0..<count]` of `batch` (`count` at most `laneCount`),
    /// whether a bool expression is TRUE, into `out`.
    func isTrue(_ expression: CompiledExpression, _ batch: OrderBatch, rows: UnsafePointer<Int32>, count n: Int,
                into out: UnsafeMutablePointer<Bool>) {
        guard n > 0 else { return }
        let v = run(expression.index, batch, rows: rows, lines: nil, count: n, base: 0)
        for j in 0..<n { out[j] = !v[j].isNull && v[j].n != 0 }
    }

    /// The bytes of string `v`, read in place: valid while `batch` (or the constant pool) is,
    /// which outlives the instruction or message that reads them. Handing back the arena
    /// itself retained and released its storage at every use: with the shipped rules, string
    /// comparisons were 13% of `transact`'s samples, mostly that.
    @inline(__always)
    func bytes(_ v: Value, _ batch: OrderBatch) -> UnsafeBufferPointer<UInt8> {
        @inline(__always) func base(_ a: ByteArena) -> UnsafePointer<UInt8> {
            // An empty arena has no allocation; no byte of it is read then.
            a.withUnsafeBufferPointer { $0.baseAddress } ?? UnsafePointer(bitPattern: 1)!
        }
        let b: UnsafePointer<UInt8>
        if v.source == StringSource.constants {
            b = base(stringPool)
        } else if v.source >= 1_000 {
            b = base(batch.lines.columns[Int(v.source) - 1_000].bytes)
        } else {
            b = base(batch.orders.columns[Int(v.source)].bytes)
        }
        return UnsafeBufferPointer(start: b + Int(v.lo), count: v.length)
    }

    /// Runs program `index` over `n` lanes: lane `j` is order `rows[j]` (and, inside an
    /// aggregate, line `lines[j]` of it). The stack slots from `base` up are this run's; the
    /// result is the vector in slot `base`.
    private func run(_ index: Int, _ batch: OrderBatch, rows: UnsafePointer<Int32>, lines: UnsafePointer<Int32>?,
                     count n: Int, base: Int) -> UnsafeMutablePointer<Value> {
        let lanes = laneCount
        let s0 = stack + base * lanes
        @inline(__always) func slot(_ i: Int) -> UnsafeMutablePointer<Value> { s0 + i * lanes }
        var sp = 0  // number of vectors on this program's part of the stack
        for pc in starts[index]..<starts[index + 1] {
            let instruction = code[pc]
            switch instruction {
            case .constant(let k):
                let v = constants[Int(k)], d = slot(sp)
                for j in 0..<n { d[j] = v }
                sp += 1
            case .loadOrder(let c, let numeric):
                // Read in place: binding the column to a local would retain its arrays.
                Self.load(batch.orders.columns[Int(c)], rows, n, numeric, source: c, into: slot(sp))
                sp += 1
            case .loadLine(let c, let numeric):
                Self.load(batch.lines.columns[Int(c)], lines!, n, numeric, source: c + 1_000, into: slot(sp))
                sp += 1
            case .add: sp = binary(slot(sp - 2), slot(sp - 1), n, sp, Money.add)
            case .sub: sp = binary(slot(sp - 2), slot(sp - 1), n, sp, Money.sub)
            case .mulInt: sp = binary(slot(sp - 2), slot(sp - 1), n, sp, Money.mulInt)
            case .mulDecimal: sp = binary(slot(sp - 2), slot(sp - 1), n, sp, Money.mulDecimal)
            case .divInt: sp = binary(slot(sp - 2), slot(sp - 1), n, sp, Money.divInt)
            case .divDecimal: sp = binary(slot(sp - 2), slot(sp - 1), n, sp, Money.divDecimal)
            case .mod: sp = binary(slot(sp - 2), slot(sp - 1), n, sp, Money.modInt)
            case .negate:
                let d = slot(sp - 1)
                for j in 0..<n where !d[j].isNull { d[j] = d[j].n == .min ? .null : .number(-d[j].n) }
            case .abs:
                let d = slot(sp - 1)
                for j in 0..<n where !d[j].isNull { d[j] = d[j].n == .min ? .null : .number(Swift.abs(d[j].n)) }
            case .widen(let depth, let factor):
                let d = slot(sp - 1 - Int(depth))
                for j in 0..<n where !d[j].isNull { d[j] = Money.mulInt(d[j].n, factor).map { .number($0) } ?? .null }
            case .floorDiv(let divisor):
                let d = slot(sp - 1)
                for j in 0..<n where !d[j].isNull {
                    let x = d[j].n
                    d[j] = .number(x >= 0 ? x / divisor : -((-x - 1) / divisor) - 1)
                }
            case .truncate(let digits):
                let d = slot(sp - 1)
                for j in 0..<n where !d[j].isNull { d[j] = .number(Money.trunc(d[j].n, digits: Int(digits))) }
            case .round(let digits):
                let d = slot(sp - 1)
                for j in 0..<n where !d[j].isNull { d[j] = Money.round(d[j].n, digits: Int(digits)).map { .number($0) } ?? .null }
            case .compareNumbers(let cmp):
                let a = slot(sp - 2), b = slot(sp - 1)
                for j in 0..<n {
                    let x = a[j], y = b[j]
                    a[j] = x.isNull || y.isNull ? .null : .bool(cmp.holds(x.n < y.n ? -1 : x.n > y.n ? 1 : 0))
                }
                sp -= 1
            case .compareStrings(let cmp):
                let a = slot(sp - 2), b = slot(sp - 1)
                for j in 0..<n {
                    let x = a[j], y = b[j]
                    a[j] = x.isNull || y.isNull ? .null : .bool(cmp.holds(compare(x, y, batch)))
                }
                sp -= 1
            case .and:
                let a = slot(sp - 2), b = slot(sp - 1)
                for j in 0..<n {
                    let x = a[j], y = b[j]
                    if (!x.isNull && x.n == 0) || (!y.isNull && y.n == 0) {
                        a[j] = .bool(false)
                    } else {
                        a[j] = x.isNull || y.isNull ? .null : .bool(true)
                    }
                }
                sp -= 1
            case .or:
                let a = slot(sp - 2), b = slot(sp - 1)
                for j in 0..<n {
                    let x = a[j], y = b[j]
                    if (!x.isNull && x.n != 0) || (!y.isNull && y.n != 0) {
                        a[j] = .bool(true)
                    } else {
                        a[j] = x.isNull || y.isNull ? .null : .bool(false)
                    }
                }
                sp -= 1
            case .not:
                let d = slot(sp - 1)
                for j in 0..<n where !d[j].isNull { d[j] = .bool(d[j].n == 0) }
            case .isNull(let negated):
                let d = slot(sp - 1)
                for j in 0..<n { d[j] = .bool(d[j].isNull != negated) }
            case .inSet(let start, let count, let strings, let negated):
                let d = slot(sp - 1)
                for j in 0..<n where !d[j].isNull {
                    let v = d[j]
                    var found = false
                    for k in Int(start)..<Int(start + count) {
                        let c = constants[k]
                        if strings ? compare(v, c, batch) == 0 : v.n == c.n {
                            found = true
                            break
                        }
                    }
                    d[j] = .bool(found != negated)
                }
            case .coalesce(let count):
                let first = sp - Int(count)
                let d = slot(first)
                for j in 0..<n where d[j].isNull {
                    for i in (first + 1)..<sp where !slot(i)[j].isNull {
                        d[j] = slot(i)[j]
                        break
                    }
                }
                sp = first + 1
            case .select:
                let c = slot(sp - 3), a = slot(sp - 2), b = slot(sp - 1)
                for j in 0..<n { c[j] = !c[j].isNull && c[j].n != 0 ? a[j] : b[j] }
                sp -= 2
            case .length:
                let d = slot(sp - 1)
                for j in 0..<n where !d[j].isNull { d[j] = .number(Int64(utf8Length(d[j], batch))) }
            case .startsWith, .endsWith, .contains:
                let a = slot(sp - 2), b = slot(sp - 1)
                for j in 0..<n {
                    let x = a[j], y = b[j]
                    a[j] = x.isNull || y.isNull ? .null : .bool(find(y, in: x, batch, mode: instruction))
                }
                sp -= 1
            case .matches(let k):
                let d = slot(sp - 1), regex = regexes[Int(k)]
                for j in 0..<n where !d[j].isNull { d[j] = .bool(match(d[j], regex: regex, batch)) }
            case .aggregate(let kind, let program):
                aggregate(kind, program: Int(program), batch, rows: rows, count: n, into: slot(sp), base: base + sp + 1)
                sp += 1
            }
        }
        return slot(sp - 1)
    }

    /// Loads column `col` at rows `index[0..<n]`, through buffer pointers bound once per
    /// vector: one range check per value (a row past the column's end traps, as `isNull`
    /// does) instead of `isNull`'s and each array's own.
    @inline(__always)
    private static func load(_ col: borrowing Column, _ index: UnsafePointer<Int32>, _ n: Int, _ numeric: Bool,
                             source: Int32, into d: UnsafeMutablePointer<Value>) {
        let nullable = col.nullCount != 0
        let rows = UInt(col.count)
        col.validity.withUnsafeBufferPointer { valid in
            if numeric {
                col.ints.withUnsafeBufferPointer { ints in
                    for j in 0..<n {
                        let row = Int(index[j])
                        precondition(UInt(bitPattern: row) < rows, "row \(row) of a column of \(rows)")
                        d[j] = nullable && !valid[row] ? .null : .number(ints[row])
                    }
                }
            } else {
                col.offsets.withUnsafeBufferPointer { off in
                    for j in 0..<n {
                        let row = Int(index[j])
                        precondition(UInt(bitPattern: row) < rows, "row \(row) of a column of \(rows)")
                        d[j] = nullable && !valid[row] ? .null : .string(source, Int(off[row])..<Int(off[row + 1]))
                    }
                }
            }
        }
    }

    @inline(__always)
    private func binary(_ a: UnsafeMutablePointer<Value>, _ b: UnsafeMutablePointer<Value>, _ n: Int, _ sp: Int,
                        _ f: (Int64, Int64) -> Int64?) -> Int {
        for j in 0..<n {
            let x = a[j], y = b[j]
            a[j] = x.isNull || y.isNull ? .null : f(x.n, y.n).map { .number($0) } ?? .null
        }
        return sp - 1
    }

    /// An aggregate's flags per order lane.
    private enum Fold {
        static let seen: UInt8 = 1
        static let sawNull: UInt8 = 2
        /// The result is known: `any` met a TRUE line, `all` a FALSE one, `sum` overflowed.
        static let decided: UInt8 = 4
    }

    /// Folds sub-program `program` over the lines of the orders `rows[0..<n]` into `d`: the
    /// lines go through the program `laneCount` at a time (an order's lines may span two
    /// passes), each value folded into its order's lane in line order.
    private func aggregate(_ kind: Aggregate, program: Int, _ batch: OrderBatch, rows: UnsafePointer<Int32>,
                           count n: Int, into d: UnsafeMutablePointer<Value>, base: Int) {
        if kind == .countAll {
            for j in 0..<n { d[j] = .number(Int64(batch.lineRange(Int(rows[j])).count)) }
            return
        }
        for j in 0..<n {
            foldValue[j] = 0
            foldFlags[j] = 0
        }
        var m = 0
        for j in 0..<n {
            for l in batch.lineRange(Int(rows[j])) {
                lineIndex[m] = Int32(l)
                lineRow[m] = rows[j]
                lineOwner[m] = Int32(j)
                m += 1
                if m == laneCount {
                    fold(kind, run(program, batch, rows: lineRow, lines: lineIndex, count: m, base: base), m)
                    m = 0
                }
            }
        }
        if m > 0 { fold(kind, run(program, batch, rows: lineRow, lines: lineIndex, count: m, base: base), m) }
        for j in 0..<n {
            let flags = foldFlags[j], acc = foldValue[j]
            switch kind {
            case .sum: d[j] = flags & Fold.decided != 0 ? .null : .number(acc)
            case .count, .countAll: d[j] = .number(acc)
            case .any: d[j] = flags & Fold.decided != 0 ? .bool(true) : flags & Fold.sawNull != 0 ? .null : .bool(false)
            case .all: d[j] = flags & Fold.decided != 0 ? .bool(false) : flags & Fold.sawNull != 0 ? .null : .bool(true)
            case .min, .max: d[j] = flags & Fold.seen != 0 ? .number(acc) : .null
            }
        }
    }

    /// Folds line values `v[0..<m]` into their orders' lanes (`lineOwner`). A null is skipped
    /// (and noted for `any` / `all`); a decided lane takes no more values.
    @inline(__always)
    private func fold(_ kind: Aggregate, _ v: UnsafeMutablePointer<Value>, _ m: Int) {
        for i in 0..<m {
            let k = Int(lineOwner[i])
            let flags = foldFlags[k]
            if flags & Fold.decided != 0 { continue }
            if v[i].isNull {
                foldFlags[k] = flags | Fold.sawNull
                continue
            }
            let x = v[i].n
            var add = Fold.seen
            switch kind {
            case .sum:
                if let r = Money.add(foldValue[k], x) { foldValue[k] = r } else { add |= Fold.decided }
            case .count: if x != 0 { foldValue[k] += 1 }
            case .any: if x != 0 { add |= Fold.decided }
            case .all: if x == 0 { add |= Fold.decided }
            case .min: foldValue[k] = flags & Fold.seen != 0 ? Swift.min(foldValue[k], x) : x
            case .max: foldValue[k] = flags & Fold.seen != 0 ? Swift.max(foldValue[k], x) : x
            case .countAll: break
            }
            foldFlags[k] = flags | add
        }
    }

    // MARK: Strings (byte-wise; UTF-8 byte order is code point order)

    private func compare(_ a: Value, _ b: Value, _ batch: OrderBatch) -> Int {
        let x = bytes(a, batch), y = bytes(b, batch)
        let n = Swift.min(a.length, b.length)
        var i = 0
        while i < n {
            let p = x[i], q = y[i]
            if p != q { return p < q ? -1 : 1 }
            i += 1
        }
        return a.length == b.length ? 0 : (a.length < b.length ? -1 : 1)
    }

    /// Length in characters (Unicode scalars): bytes that are not UTF-8 continuation bytes.
    private func utf8Length(_ v: Value, _ batch: OrderBatch) -> Int {
        let x = bytes(v, batch)
        var n = 0
        for i in 0..<v.length where x[i] & 0xC0 != 0x80 { n += 1 }
        return n
    }

    private func find(_ needle: Value, in hay: Value, _ batch: OrderBatch, mode: Instruction) -> Bool {
        let h = bytes(hay, batch), nb = bytes(needle, batch)
        let n = needle.length
        guard n <= hay.length else { return false }
        func at(_ start: Int) -> Bool {
            for k in 0..<n where h[start + k] != nb[k] { return false }
            return true
        }
        switch mode {
        case .startsWith: return at(0)
        case .endsWith: return at(hay.length - n)
        default:
            // glibc's memmem (two-way search, through CByteScan) is linear in both lengths;
            // trying every start was their product, which two long field values
            // (contains(address, city) on hostile input) would make minutes.
            guard n > 0 else { return true }
            return wb_contains_bytes(h.baseAddress, hay.length, nb.baseAddress, n) != 0
        }
    }

    private func match(_ v: Value, regex: LinearRegex, _ batch: OrderBatch) -> Bool {
        regex.matches(bytes(v, batch))
    }
}
