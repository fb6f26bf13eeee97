/// One runtime value on the evaluator's stack: a few words, no reference counting, no String.
///
/// A number (of any static type) lives in `n`. A string is a byte range into one of the
/// batch's arenas or into the rule set's constant pool, named by `source`:
/// see
/// `StringSource`. `isNull` is SQL's NULL / unknown.
public struct Value: Sendable, Equatable {
    public var isNull: Bool
    public var n: Int64
    public var source: Int32
    public var lo: Int32
    public var hi: Int32

    @inline(__always) init(isNull: Bool, n: Int64, source: Int32, lo: Int32, hi: Int32) {
        self.isNull = isNull
        self.n = n
        self.source = source
        self.lo = lo
        self.hi = hi
    }

    public static let null = Value(isNull: true, n: 0, source: 0, lo: 0, hi: 0)

    @inline(__always) public static func number(_ n: Int64) -> Value {
        Value(isNull: false, n: n, source: 0, lo: 0, hi: 0)
    }

    @inline(__always) public static func bool(_ b: Bool) -> Value {
        Value(isNull: false, n: b ? 1 : 0, source: 0, lo: 0, hi: 0)
    }

    @inline(__always) static func string(_ source: Int32, _ range: Range<Int>) -> Value {
        Value(isNull: false, n: 0, source: source, lo: Int32(range.lowerBound), hi: Int32(range.upperBound))
    }

    var length: Int { Int(hi - lo) }
}

/// Where a string value's bytes live, packed in `Value.source`.
enum StringSource {
    /// Order column `c` (its `bytes` arena).
    static func order(_ c: Int) -> Int32 { Int32(c) }
    /// Line column `c`.
    static func line(_ c: Int) -> Int32 { Int32(1_000 + c) }
    /// The rule set's constant pool.
    static let constants: Int32 = -1
}
