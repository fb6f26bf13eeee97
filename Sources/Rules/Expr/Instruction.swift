/// One instruction of a compiled expression. A program is a flat array of these run over a
/// value stack; aggregates over lines run a sub-program once per line. No closures, no
/// existentials, no allocation per evaluation.
enum Instruction: Sendable {
    /// Push constant `k` of the program's pool.
    case constant(Int32)
    /// Push order column `c` of the current order (`numeric`: from `ints`, else a byte range).
    case loadOrder(Int32, numeric: Bool)
    /// Push line column `c` of the current line (inside an aggregate).
    case loadLine(Int32, numeric: Bool)
    /// Numeric binary operations on the top two values (null in, null out; overflow gives null).
    case add, sub, mulInt, mulDecimal, divInt, divDecimal, mod
    case negate, abs
    /// Multiply the value `depth` below the top by `factor` (int -> decimal, date -> timestamp).
    case widen(depth: Int8, factor: Int64)
    /// Floor-divide the top by `divisor` (timestamp -> date, durations -> whole days or hours).
    case floorDiv(Int64)
    case truncate(digits: Int8)
    case round(digits: Int8)
    case compareNumbers(Comparison)
    case compareStrings(Comparison)
    /// Three-valued logic.
    case and, or, not
    case isNull(negated: Bool)
    /// Membership of the top value in constants `start..<start+count`.
    case inSet(start: Int32, count: Int32, strings: Bool, negated: Bool)
    /// Replace the top `count` values by the first non-null among them.
    case coalesce(Int32)
    /// `if(c, a, b)`: pops three, pushes `a` when `c` is TRUE, else `b` (false and null alike).
    case select
    case length
    case startsWith, endsWith, contains
    /// Regex `k` of the rule set (POSIX extended, compiled at load).
    case matches(Int32)
    /// Run sub-program `program` for each line of the order and fold with `kind`.
    case aggregate(Aggregate, program: Int32)
}

enum Comparison: UInt8, Sendable {
    case eq, ne, lt, le, gt, ge

    init?(_ op: String) {
        switch op {
        case "==": self = .eq
        case "!=": self = .ne
        case "<": self = .lt
        case "<=": self = .le
        case ">": self = .gt
        case ">=": self = .ge
        default: return nil
        }
    }

    @inline(__always) func holds(_ order: Int) -> Bool {
        switch self {
        case .eq: return order == 0
        case .ne: return order != 0
        case .lt: return order < 0
        case .le: return order <= 0
        case .gt: return order > 0
        case .ge: return order >= 0
        }
    }
}

enum Aggregate: UInt8, Sendable {
    /// Sum of non-null values; 0 over no values (not SQL's null: a money total of no lines is 0).
    case sum
    /// Number of lines where the body is true (`count()` with no argument: number of lines).
    case count
    case countAll
    /// true if any line is true, else null if any is null, else false (SQL `bool_or`).
    case any
    /// false if any line is false, else null if any is null, else true (SQL `bool_and`).
    case all
    /// Smallest / largest non-null value, null over none.
    case min, max
}

/// A compiled expression: its code, its aggregate bodies and its constants.
struct Program: Sendable {
    var code: [Instruction] = []
    var type: ValueType = .bool
    /// The deepest stack this program (with its aggregate bodies) needs.
    var maxDepth = 0
}
