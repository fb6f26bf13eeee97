/// Exact decimal arithmetic for the rules language, on `Int64` counts of 1/10,000.
///
/// Scale rules (docs/rules.md, "Money"):
/// - `+`, `-`: exact; an `int` operand is scaled by 10^4 first.
/// - `decimal * decimal`: the exact product has 8 fractional digits; it is truncated toward
///   zero to 4. With money at two digits and rates at two (TPC-H) the product is exact.
/// - `decimal * int`: exact.
/// - `decimal / decimal` and `decimal / int`: the quotient truncated toward zero to 4 digits.
/// - Division by zero and any overflow give null: a check over them is unknown, so it fails.
/// - `trunc(x, d)` truncates toward zero to `d` (0...4) fractional digits; `round(x, d)` rounds
///   half away from zero.
/// No floating point anywhere.
enum Money {
    static let scale: Int64 = 10_000

    @inline(__always) static func add(_ a: Int64, _ b: Int64) -> Int64? {
        let (r, o) = a.addingReportingOverflow(b)
        return o ? nil : r
    }

    @inline(__always) static func sub(_ a: Int64, _ b: Int64) -> Int64? {
        let (r, o) = a.subtractingReportingOverflow(b)
        return o ? nil : r
    }

    /// Plain integer product (int * int, decimal * int, duration * int).
    @inline(__always) static func mulInt(_ a: Int64, _ b: Int64) -> Int64? {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        return o ? nil : r
    }

    /// decimal * decimal: exact 128-bit product, truncated toward zero to 4 digits.
    @inline(__always) static func mulDecimal(_ a: Int64, _ b: Int64) -> Int64? {
        let negative = (a < 0) != (b < 0)
        let p = a.magnitude.multipliedFullWidth(by: b.magnitude)
        guard p.high < UInt64(scale) else { return nil }
        let (q, _) = UInt64(scale).dividingFullWidth((p.high, p.low))
        guard q <= UInt64(Int64.max) else { return nil }
        return negative ? -Int64(q) : Int64(q)
    }

    /// decimal / decimal: (a * 10^4) / b truncated toward zero; nil when b == 0 or on overflow.
    @inline(__always) static func divDecimal(_ a: Int64, _ b: Int64) -> Int64? {
        guard b != 0 else { return nil }
        let negative = (a < 0) != (b < 0)
        let p = a.magnitude.multipliedFullWidth(by: UInt64(scale))
        guard p.high < b.magnitude else { return nil }
        let (q, _) = b.magnitude.dividingFullWidth((p.high, p.low))
        guard q <= UInt64(Int64.max) else { return nil }
        return negative ? -Int64(q) : Int64(q)
    }

    /// Integer division truncated toward zero; nil on zero divisor or Int64.min / -1.
    @inline(__always) static func divInt(_ a: Int64, _ b: Int64) -> Int64? {
        guard b != 0, !(a == .min && b == -1) else { return nil }
        return a / b
    }

    @inline(__always) static func modInt(_ a: Int64, _ b: Int64) -> Int64? {
        guard b != 0, !(a == .min && b == -1) else { return nil }
        return a % b
    }

    /// The unit of the last kept digit when keeping `digits` fractional digits.
    @inline(__always) static func unit(_ digits: Int) -> Int64 {
        switch digits {
        case 0: return 10_000
        case 1: return 1_000
        case 2: return 100
        case 3: return 10
        default: return 1
        }
    }

    /// Truncation toward zero to `digits` fractional digits.
    @inline(__always) static func trunc(_ a: Int64, digits: Int) -> Int64 {
        let u = unit(digits)
        return a / u * u
    }

    /// Rounding half away from zero to `digits` fractional digits; nil on overflow.
    @inline(__always) static func round(_ a: Int64, digits: Int) -> Int64? {
        let u = unit(digits)
        let r = a % u
        let base = a - r
        if r.magnitude * 2 >= u.magnitude {
            return a < 0 ? sub(base, u) : add(base, u)
        }
        return base
    }
}
