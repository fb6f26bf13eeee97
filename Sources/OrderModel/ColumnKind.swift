/// The storage and logical type of one column of the unified order model.
///
/// Every kind maps to exactly one Parquet type (see `Datasets`) and one JSON form (see
/// `UnifiedNDJSONEncoder` and the published JSON Schema).
public enum ColumnKind: UInt8, Sendable, CaseIterable {
    /// UTF-8 text, stored as bytes in the column's arena.
    case string
    /// A 32-bit integer (counts, line numbers, dimensions).
    case int32
    /// A 64-bit integer (versions, grams, cubic centimetres).
    case int64
    /// An exact decimal with four fractional digits, stored as an integer count of 1/10,000
    /// (money, quantities, rates). Never floating point. Parquet DECIMAL(18,4).
    case decimal
    /// A UTC instant in microseconds since 1970-01-01T00:00:00Z. Parquet TIMESTAMP(MICROS, UTC).
    case timestamp
    /// A calendar date as days since 1970-01-01. Parquet DATE.
    case date
    /// true / false, stored as 1 / 0.
    case bool
    /// A list of UTF-8 strings (tags, discount codes).
    case stringList
    /// A string-to-string map (the `ext` extension, keys namespaced by source).
    case stringMap

    /// Whether values live in `Column.ints` (as opposed to the byte arenas).
    @inlinable public var isNumeric: Bool {
        switch self {
        case .int32, .int64, .decimal, .timestamp, .date, .bool: return true
        case .string, .stringList, .stringMap: return false
        }
    }
}

/// The nine groups of the unified order model, after the reference order centre, plus the
/// line table and the key-value extension.
public enum FieldGroup: String, Sendable, CaseIterable {
    case header, product, logistics, marketing, finance, channel, shipping, operation, ext
}
