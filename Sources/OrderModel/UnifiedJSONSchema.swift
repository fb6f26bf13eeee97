/// Generates the JSON Schema (draft 2020-12) of the unified NDJSON form from the catalogue.
///
/// The committed copy lives at `docs/unified-order.schema.json`; a test checks it is current,
/// and the interop tests validate what `collect` emits against it with a real validator.
public enum UnifiedJSONSchema {
    public static func document() -> String {
        var o = ""
        o += "{\n"
        o += "  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n"
        o += "  \"$id\": \"https://waybill.dev/schema/unified-order/v\(OrderSchema.version).json\",\n"
        o += "  \"title\": \"Waybill unified order (NDJSON interchange form), schema version \(OrderSchema.version)\",\n"
        o += "  \"type\": \"object\",\n"
        o += "  \"additionalProperties\": false,\n"
        let header = OrderSchema.orderFields.filter { $0.group == .header }
        var props: [String] = header.map { "    \(quote($0.name)): \(type(of: $0, indent: 4))" }
        for group in FieldGroup.allCases where group != .header && group != .product && group != .ext {
            let fields = OrderSchema.orderFields.filter { $0.group == group }
            if fields.isEmpty { continue }
            props.append(
                "    \(quote(group.rawValue)): {\n      \"type\": \"object\",\n      \"additionalProperties\": false,\n"
                    + "      \"properties\": {\n"
                    + fields.map { "        \(quote($0.name)): \(type(of: $0, indent: 8))" }.joined(separator: ",\n")
                    + "\n      }\n    }")
        }
        props.append("    \"ext\": \(type(of: OrderSchema.orderFields[OrderField.ext], indent: 4))")
        let lineFields = OrderSchema.lineFields.filter { $0.name != "order_id" }
        props.append(
            "    \"lines\": {\n      \"type\": \"array\",\n      \"items\": {\n        \"type\": \"object\",\n"
                + "        \"additionalProperties\": false,\n"
                + "        \"required\": [" + lineFields.filter(\.required).map { quote($0.name) }.joined(separator: ", ")
                + "],\n        \"properties\": {\n"
                + lineFields.map { "          \(quote($0.name)): \(type(of: $0, indent: 10))" }.joined(separator: ",\n")
                + "\n        }\n      }\n    }")
        o += "  \"required\": [" + header.filter(\.required).map { quote($0.name) }.joined(separator: ", ") + "],\n"
        o += "  \"properties\": {\n" + props.joined(separator: ",\n") + "\n  }\n}\n"
        return o
    }

    static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        JSONText.appendString(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func type(of f: FieldDef, indent: Int) -> String {
        let d = "\"description\": \(quote(f.doc))"
        switch f.kind {
        case .string:
            if let allowed = f.allowed {
                return "{\"type\": \"string\", \"enum\": [\(allowed.map(quote).joined(separator: ", "))], \(d)}"
            }
            return "{\"type\": \"string\", \(d)}"
        case .int32:
            return "{\"type\": \"integer\", \"minimum\": -2147483648, \"maximum\": 2147483647, \(d)}"
        case .int64:
            return "{\"type\": \"integer\", \(d)}"
        case .decimal:
            return "{\"type\": \"string\", \"pattern\": \"^-?[0-9]+(\\\\.[0-9]{1,4})?$\", \(d)}"
        case .timestamp:
            return "{\"type\": \"string\", \"format\": \"date-time\", "
                + "\"pattern\": \"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\\\.[0-9]{6})?Z$\", \(d)}"
        case .date:
            return "{\"type\": \"string\", \"format\": \"date\", \"pattern\": \"^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}$\", \(d)}"
        case .bool:
            return "{\"type\": \"boolean\", \(d)}"
        case .stringList:
            return "{\"type\": \"array\", \"items\": {\"type\": \"string\"}, \(d)}"
        case .stringMap:
            return "{\"type\": \"object\", \"additionalProperties\": {\"type\": \"string\"}, \(d)}"
        }
    }
}
