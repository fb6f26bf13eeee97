/// The static types of the rules language. Every expression has exactly one type, fixed when
/// the rules file loads, so the evaluator never inspects a runtime type tag.
///
/// Numbers at runtime are all `Int64`; the type says how to read them:
/// - `int`: a plain integer;
/// - `decimal`: exact, in 1/10,000 units (money, quantities, rates);
/// - `date`: days since 1970-01-01; `timestamp`: UTC microseconds since the epoch;
/// - `duration`: microseconds (from `days(n)`, `hours(n)` or timestamp differences);
/// - `bool`: 0 or 1.
public enum ValueType: UInt8, Sendable, CustomStringConvertible {
    case int, decimal, bool, string, date, timestamp, duration, null

    public var description: String {
        switch self {
        case .int: return "int"
        case .decimal: return "decimal"
        case .bool: return "bool"
        case .string: return "string"
        case .date: return "date"
        case .timestamp: return "timestamp"
        case .duration: return "duration"
        case .null: return "null"
        }
    }

    var isNumeric: Bool { self == .int || self == .decimal }

    /// The language type of a model column kind (lists and maps are not expressions).
    static func of(_ kind: OrderModelKind) -> ValueType? {
        switch kind {
        case .string: return .string
        case .int32, .int64: return .int
        case .decimal: return .decimal
        case .timestamp: return .timestamp
        case .date: return .date
        case .bool: return .bool
        case .stringList, .stringMap: return nil
        }
    }
}

import OrderModel
typealias OrderModelKind = ColumnKind
