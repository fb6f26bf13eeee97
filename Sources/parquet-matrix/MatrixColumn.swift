import Parquet

/// One column of a matrix file: its schema node, its values (nil = null) and how they appear in expected.json.
struct MatrixColumn {
    enum Values {
        case bool([Bool?])
        case int32([Int32?])
        case int64([Int64?])
        case double([Double?])
        case string([String?])
        /// Optional list of optional strings.
        case stringList([[String?]?])
        /// Optional map of string keys to optional string values.
        case stringMap([[(String, String?)]?])
    }

    let name: String
    let node: SchemaNode
    let values: Values
    /// Tag telling the checker how to compare: bool, int, date, timestamp_us, decimal4, double, string, list, map.
    let kind: String
    /// Leaves this column occupies in the schema.
    var leafCount: Int { if case .stringMap = values { return 2 } else { return 1 } }

    static func flat(_ name: String, _ physical: PhysicalType, _ logical: LogicalType?, optional: Bool, kind: String, _ v: Values)
        -> MatrixColumn
    {
        MatrixColumn(
            name: name, node: .leaf(name: name, physical: physical, logical: logical, repetition: optional ? .optional : .required),
            values: v, kind: kind)
    }

    static func list(_ name: String, _ v: [[String?]?]) -> MatrixColumn {
        MatrixColumn(
            name: name,
            node: .list(name, element: .leaf(name: "element", physical: .byteArray, logical: .string, repetition: .optional)),
            values: .stringList(v), kind: "list")
    }

    static func map(_ name: String, _ v: [[(String, String?)]?]) -> MatrixColumn {
        MatrixColumn(
            name: name,
            node: .map(
                name, key: .leaf(name: "key", physical: .byteArray, logical: .string, repetition: .required),
                value: .leaf(name: "value", physical: .byteArray, logical: .string, repetition: .optional)),
            values: .stringMap(v), kind: "map")
    }

    var rowCount: Int {
        switch values {
        case .bool(let v): v.count
        case .int32(let v): v.count
        case .int64(let v): v.count
        case .double(let v): v.count
        case .string(let v): v.count
        case .stringList(let v): v.count
        case .stringMap(let v): v.count
        }
    }

    /// Writes rows `range` of this column starting at leaf `leaf`.
    func write(_ w: ParquetFileWriter, leaf: Int, rows range: Range<Int>) throws {
        let optional = node.repetition == .optional
        func levels<T>(_ v: ArraySlice<T?>) -> ([T], [UInt8]?) {
            (v.compactMap { $0 }, optional ? v.map { $0 == nil ? 0 : 1 } : nil)
        }
        switch values {
        case .bool(let v):
            let (x, d) = levels(v[range])
            try w.writeBooleans(column: leaf, values: x, defLevels: d)
        case .int32(let v):
            let (x, d) = levels(v[range])
            try w.writeInt32(column: leaf, values: x, defLevels: d)
        case .int64(let v):
            let (x, d) = levels(v[range])
            try w.writeInt64(column: leaf, values: x, defLevels: d)
        case .double(let v):
            let (x, d) = levels(v[range])
            try w.writeDoubles(column: leaf, values: x, defLevels: d)
        case .string(let v):
            let (x, d) = levels(v[range])
            try w.writeStrings(column: leaf, values: x, defLevels: d)
        case .stringList(let v):
            var vals: [String] = [], def: [UInt8] = [], rep: [UInt8] = []
            for row in v[range] {
                guard let row else { def.append(0); rep.append(0); continue }
                if row.isEmpty { def.append(1); rep.append(0); continue }
                for (i, e) in row.enumerated() {
                    rep.append(i == 0 ? 0 : 1)
                    if let e { vals.append(e); def.append(3) } else { def.append(2) }
                }
            }
            try w.writeStrings(column: leaf, values: vals, defLevels: def, repLevels: rep)
        case .stringMap(let v):
            var keys: [String] = [], vals: [String] = [], kdef: [UInt8] = [], vdef: [UInt8] = [], rep: [UInt8] = []
            for row in v[range] {
                guard let row else { kdef.append(0); vdef.append(0); rep.append(0); continue }
                if row.isEmpty { kdef.append(1); vdef.append(1); rep.append(0); continue }
                for (i, (k, val)) in row.enumerated() {
                    rep.append(i == 0 ? 0 : 1)
                    keys.append(k)
                    kdef.append(2)
                    if let val { vals.append(val); vdef.append(3) } else { vdef.append(2) }
                }
            }
            try w.writeStrings(column: leaf, values: keys, defLevels: kdef, repLevels: rep)
            try w.writeStrings(column: leaf + 1, values: vals, defLevels: vdef, repLevels: rep)
        }
    }

    /// The values as a JSON array (decimals as exact strings, everything else native).
    func json(into out: inout String) {
        func arr<T>(_ v: [T?], _ f: (T) -> String) {
            out += "["
            for (i, x) in v.enumerated() {
                if i > 0 { out += "," }
                out += x.map(f) ?? "null"
            }
            out += "]"
        }
        switch values {
        case .bool(let v): arr(v) { $0 ? "true" : "false" }
        case .int32(let v): arr(v) { "\($0)" }
        case .int64(let v):
            if kind == "decimal4" { arr(v) { JSON.string(Decimal4.text($0)) } } else { arr(v) { "\($0)" } }
        case .double(let v): arr(v) { "\($0)" }
        case .string(let v): arr(v) { JSON.string($0) }
        case .stringList(let v): arr(v) { row in "[" + row.map { $0.map(JSON.string) ?? "null" }.joined(separator: ",") + "]" }
        case .stringMap(let v):
            arr(v) { row in "[" + row.map { "[\(JSON.string($0.0)),\($0.1.map(JSON.string) ?? "null")]" }.joined(separator: ",") + "]" }
        }
    }
}

enum Decimal4 {
    static func text(_ unscaled: Int64) -> String {
        let neg = unscaled < 0
        var digits = String(unscaled.magnitude)
        while digits.count < 5 { digits = "0" + digits }
        return (neg ? "-" : "") + digits.dropLast(4) + "." + digits.suffix(4)
    }
}

enum JSON {
    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
