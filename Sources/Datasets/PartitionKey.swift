import OrderModel

/// One partition key of a dataset: a folder level `name=value` computed from an order field.
///
/// Keys are computed from the order row; a line lands in the partition of its order, so the
/// two datasets of one run always share their partition folders.
public struct PartitionKey: Sendable, Hashable, CustomStringConvertible {
    public enum Transform: Sendable, Hashable {
        /// The field's value as text (string, integer and boolean fields; dates as `YYYY-MM-DD`).
        case identity
        /// A date field's month as `YYYY-MM` (text).
        case month
        /// `(murmur3(value) & Int32.max) % n`, written without padding (`order_id_bucket=7`).
        case bucket(Int)
    }

    /// The folder key (`order_date`, `order_month`, `order_id_bucket`, ...).
    public let name: String
    /// The order field it is computed from (an index into `OrderSchema.orderFields`).
    public let field: Int
    public let transform: Transform

    public init(name: String, field: Int, transform: Transform) {
        self.name = name
        self.field = field
        self.transform = transform
    }

    /// The spec that parses back to this key.
    public var description: String {
        let f = OrderSchema.orderFields[field].name
        switch transform {
        case .identity: return f
        case .month: return "month(\(f))"
        case .bucket(let n): return "bucket(\(n), \(f))"
        }
    }

    /// The type readers should give the partition column (DuckDB `hive_types`, pyarrow
    /// partitioning schema): `DATE`, `VARCHAR`, `INTEGER`, `BIGINT` or `BOOLEAN`.
    public var sqlType: String {
        switch transform {
        case .month: return "VARCHAR"
        case .bucket: return "INTEGER"
        case .identity:
            switch OrderSchema.orderFields[field].kind {
            case .date: return "DATE"
            case .int32: return "INTEGER"
            case .int64: return "BIGINT"
            case .bool: return "BOOLEAN"
            default: return "VARCHAR"
            }
        }
    }

    /// Whether the key copies a column (so that column is dropped from the data files, where
    /// the folder name already holds it). Derived keys (month, bucket) drop nothing.
    public var dropsColumn: Bool { transform == .identity }

    // MARK: Parsing

    /// Parses a `--partition-by` list: `order_date`, `order_month`, `month(order_date)`,
    /// `business_line`, `source`, `bucket(16, order_id)` or any string, integer, boolean or
    /// date order field, comma-separated (commas inside parentheses belong to the key).
    public static func parseList(_ spec: String) throws(WaybillError) -> [PartitionKey] {
        var parts: [String] = []
        var depth = 0
        var current = ""
        for ch in spec {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == "," && depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current)
        var keys: [PartitionKey] = []
        for part in parts {
            let t = part.trimmingSpaces
            if t.isEmpty { continue }
            let key = try parse(t)
            if keys.contains(where: { $0.name == key.name }) {
                throw .usage("--partition-by: key '\(key.name)' appears twice")
            }
            keys.append(key)
        }
        return keys
    }

    /// Parses one key spec.
    public static func parse(_ spec: String) throws(WaybillError) -> PartitionKey {
        let s = spec.trimmingSpaces
        if s == "order_month" {
            return PartitionKey(name: "order_month", field: OrderField.orderDate, transform: .month)
        }
        if let args = call(s, "month") {
            guard args.count == 1 else { throw .usage("--partition-by: month() takes one date field: '\(s)'") }
            let f = try field(args[0], in: s)
            guard OrderSchema.orderFields[f].kind == .date else {
                throw .usage("--partition-by: month() needs a date field, '\(args[0])' is not one")
            }
            let name = args[0] == "order_date" ? "order_month" : "\(args[0])_month"
            return PartitionKey(name: name, field: f, transform: .month)
        }
        if let args = call(s, "bucket") {
            guard args.count == 2, let n = Int(args[0]), n >= 1, n <= 1_000_000 else {
                throw .usage("--partition-by: expected bucket(N, field) with 1 <= N <= 1000000: '\(s)'")
            }
            let f = try field(args[1], in: s)
            switch OrderSchema.orderFields[f].kind {
            case .string, .int32, .int64, .date: break
            default: throw .usage("--partition-by: cannot bucket '\(args[1])' (a \(OrderSchema.orderFields[f].kind) field)")
            }
            return PartitionKey(name: "\(args[1])_bucket", field: f, transform: .bucket(n))
        }
        if s.contains("(") { throw .usage("--partition-by: unknown transform '\(s)' (use month(...) or bucket(N, ...))") }
        let f = try field(s, in: s)
        switch OrderSchema.orderFields[f].kind {
        case .string, .int32, .int64, .date, .bool: break
        case .timestamp:
            // One folder per instant is never meant: say what partitions by time.
            throw .usage("--partition-by: '\(s)' is a timestamp (one folder per instant); partition by a date field, "
                + "e.g. order_date, or by month(order_date) (folders order_month=YYYY-MM)")
        default:
            throw .usage("--partition-by: '\(s)' is a \(OrderSchema.orderFields[f].kind) field; partition by a scalar field")
        }
        // A line field of the same name would be dropped from order_lines files and shadowed
        // by the folder value taken from the order: refuse rather than lose line data.
        if OrderSchema.lineFieldIndex(s) != nil {
            throw .usage("--partition-by: '\(s)' is also a line field; order_lines would lose it (use a transform)")
        }
        return PartitionKey(name: s, field: f, transform: .identity)
    }

    private static func field(_ name: String, in spec: String) throws(WaybillError) -> Int {
        guard let f = OrderSchema.orderFieldIndex(name) else {
            throw .usage("--partition-by: unknown order field '\(name)' in '\(spec)'")
        }
        return f
    }

    /// `name(a, b)` -> ["a", "b"], or nil when `s` is not a call of `name`.
    private static func call(_ s: String, _ name: String) -> [String]? {
        guard s.hasPrefix(name + "("), s.hasSuffix(")") else { return nil }
        let inner = s.dropFirst(name.count + 1).dropLast()
        return inner.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
    }

    // MARK: Values

    /// Appends the unescaped folder value of order `row`; returns false when it is null.
    /// Works on the batch's bytes: no String per row.
    public func appendValue(of table: ColumnTable, row: Int, into out: inout [UInt8]) -> Bool {
        // The column is read in place, through a pointer into the table's storage: binding it
        // (`let col = table.columns[field]`, or passing it on as an argument) copied it, a
        // retain and a release of each of its seven buffers for every order routed.
        table.columns.withUnsafeBufferPointer { cols in
            let col = cols.baseAddress! + field
            if col.pointee.isNull(row) { return false }
            switch transform {
            case .identity:
                switch col.pointee.kind {
                case .string:
                    let r = col.pointee.range(row)
                    col.pointee.bytes.withUnsafeBytes { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[r])) }
                case .date:
                    CivilTime.formatDate(days: col.pointee.int(row), into: &out)
                case .bool:
                    out.append(contentsOf: col.pointee.int(row) != 0 ? "true".utf8 : "false".utf8)
                default:
                    appendSigned(col.pointee.int(row), into: &out)
                }
            case .month:
                let start = out.count
                CivilTime.formatDate(days: col.pointee.int(row), into: &out)
                out.removeLast(out.count - start - 7)  // keep YYYY-MM
            case .bucket(let n):
                let h: UInt32
                if col.pointee.kind == .string {
                    let r = col.pointee.range(row)
                    h = col.pointee.bytes.withUnsafeBytes { Murmur3.hash32(UnsafeRawBufferPointer(rebasing: $0[r])) }
                } else {
                    h = Murmur3.hash32(int: col.pointee.int(row))
                }
                appendDigits(UInt64(Murmur3.bucket(h, count: n)), into: &out)
            }
            return true
        }
    }
}

func appendSigned(_ v: Int64, into out: inout [UInt8]) {
    if v < 0 {
        out.append(0x2D)
        appendDigits(v.magnitude, into: &out)
    } else {
        appendDigits(UInt64(v), into: &out)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
