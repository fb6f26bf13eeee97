#if canImport(Glibc)
import Glibc
#endif
import OrderModel
import Yams

/// Loads a profile YAML file and compiles it (see docs/profiles.md for the language).
/// Every mistake is a `WaybillError.config` naming the file, line and column.
public enum ProfileLoader {
    public static func load(path: String) throws(WaybillError) -> Profile {
        guard let f = fopen(path, "rb") else {
            throw WaybillError.config(file: path, line: 0, column: 0, message: "cannot read profile: \(String(cString: strerror(errno)))")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        fclose(f)
        return try compile(yaml: String(decoding: bytes, as: UTF8.self), path: path)
    }

    public static func compile(yaml: String, path: String) throws(WaybillError) -> Profile {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw WaybillError.config(file: path, line: 1, column: 1, message: "the profile is empty")
            }
            root = node
        } catch let e as WaybillError {
            throw e
        } catch let e as YamlError {
            throw yamlError(e, path: path)
        } catch {
            throw WaybillError.config(file: path, line: 0, column: 0, message: "\(error)")
        }
        var c = ProfileCompiler(path: path)
        return try c.compile(root)
    }

    private static func yamlError(_ e: YamlError, path: String) -> WaybillError {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return .config(file: path, line: mark.line, column: mark.column, message: "YAML: \(problem)")
        default:
            return .config(file: path, line: 0, column: 0, message: "YAML: \(e)")
        }
    }
}

/// Turns the YAML tree into a `Profile`.
struct ProfileCompiler {
    let path: String
    var recordSlots = SlotTable()
    var itemSlots = SlotTable()
    let constants = ConstantPool()
    var zones: [ZoneSpec] = [.fixed(0)]
    var source = ""

    init(path: String) { self.path = path }

    func fail(_ node: Node?, _ message: String) -> WaybillError {
        .config(file: path, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0, message: message)
    }

    func mapping(_ node: Node, _ what: String) throws(WaybillError) -> Node.Mapping {
        guard let m = node.mapping else { throw fail(node, "\(what) must be a mapping") }
        return m
    }

    func string(_ node: Node, _ what: String) throws(WaybillError) -> String {
        guard let s = node.scalar?.string else { throw fail(node, "\(what) must be a single value") }
        return s
    }

    func checkKeys(_ m: Node.Mapping, _ allowed: Set<String>, _ what: String) throws(WaybillError) {
        for (k, _) in m {
            let key = k.scalar?.string ?? ""
            if !allowed.contains(key) {
                throw fail(k, "unknown key '\(key)' in \(what) (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
    }

    mutating func compile(_ root: Node) throws(WaybillError) -> Profile {
        let top = try mapping(root, "a profile")
        try checkKeys(
            top,
            ["source", "description", "format", "encoding", "timezone", "csv", "limits", "group", "lines", "ignore",
             "order", "line"], "the profile")
        guard let sourceNode = top["source"] else { throw fail(root, "missing 'source' (the feed's name)") }
        source = try string(sourceNode, "source")
        guard !source.isEmpty, source.utf8.allSatisfy({ $0 > 0x20 && $0 != UInt8(ascii: ".") && $0 < 0x7F }) else {
            throw fail(sourceNode, "source must be a short name without spaces or dots")
        }
        guard let formatNode = top["format"], let format = Profile.Format(rawValue: try string(formatNode, "format")) else {
            throw fail(top["format"] ?? root, "format must be csv or ndjson")
        }
        var encoding = TextEncoding.utf8
        if let e = top["encoding"] {
            let name = try string(e, "encoding").lowercased()
            switch name {
            case "utf-8", "utf8": encoding = .utf8
            case "latin1", "latin-1", "iso-8859-1": encoding = .latin1
            case "windows-1252", "cp1252": encoding = .windows1252
            default: throw fail(e, "encoding must be utf-8, latin1 or windows-1252")
            }
        }
        if let z = top["timezone"] {
            guard let spec = ZoneSpec.parse(try string(z, "timezone")) else { throw fail(z, "unknown time zone") }
            zones[0] = spec
        }
        var csv = CSVOptions()
        var limits = InputLimits()
        var hasHeader = true
        var columns: [String]?
        if let c = top["csv"] {
            let m = try mapping(c, "csv")
            try checkKeys(m, ["delimiter", "quote", "header", "columns"], "csv")
            if let d = m["delimiter"] { csv.delimiter = try singleByte(d, "delimiter") }
            if let q = m["quote"] { csv.quote = try singleByte(q, "quote") }
            if let h = m["header"] { hasHeader = try bool(h, "header") }
            if let cols = m["columns"] {
                guard let seq = cols.sequence else { throw fail(cols, "columns must be a list") }
                var names: [String] = []
                for n in seq { names.append(try string(n, "a column name")) }
                columns = names
            }
        }
        if !hasHeader && columns == nil { throw fail(top["csv"], "a CSV without header needs 'columns'") }
        if let l = top["limits"] {
            let m = try mapping(l, "limits")
            try checkKeys(m, Set(["max_field_bytes", "max_line_bytes", "max_columns"] + InputLimits.keys), "limits")
            if let v = m["max_field_bytes"] { csv.maxFieldBytes = try positiveInt(v, "max_field_bytes") }
            if let v = m["max_line_bytes"] { csv.maxLineBytes = try positiveInt(v, "max_line_bytes") }
            if let v = m["max_columns"] { csv.maxColumns = try positiveInt(v, "max_columns") }
            for key in InputLimits.keys {
                guard let v = m[key] else { continue }
                if let problem = limits.set(key, to: try string(v, key)) { throw fail(v, problem) }
            }
        }
        // Without a `line` section an order has no lines unless `lines` says otherwise.
        var lineSource = top["line"] == nil ? Profile.LineSource.none : .rows
        var lineExtPrefix = ""
        if let l = top["lines"] {
            let m = try mapping(l, "lines")
            try checkKeys(m, ["from", "key", "ext_prefix"], "lines")
            let from = try m["from"].map { n throws(WaybillError) in try string(n, "from") } ?? "rows"
            switch from {
            case "rows", "record": lineSource = .rows
            case "none": lineSource = .none
            case "items":
                guard let k = m["key"] else { throw fail(l, "lines from items needs 'key' (the array's name)") }
                lineSource = .items(key: try string(k, "key"))
                guard format == .ndjson else { throw fail(l, "lines from items needs format ndjson") }
            default: throw fail(m["from"], "lines.from must be rows, record, items or none")
            }
            if let p = m["ext_prefix"] { lineExtPrefix = try string(p, "ext_prefix") }
        }
        var groupKey: Int?
        var groupStart: Int?
        if let g = top["group"] {
            let m = try mapping(g, "group")
            try checkKeys(m, ["key", "new_when_set"], "group")
            guard let k = m["key"] else { throw fail(g, "group needs 'key' (the column shared by an order's rows)") }
            groupKey = recordSlots.slot(try string(k, "key"))
            if let s = m["new_when_set"] { groupStart = recordSlots.slot(try string(s, "new_when_set")) }
        }
        var ignored = Set<String>()
        if let i = top["ignore"] {
            guard let seq = i.sequence else { throw fail(i, "ignore must be a list of source fields") }
            for n in seq { ignored.insert(try string(n, "a field name")) }
        }
        guard let orderNode = top["order"] else { throw fail(root, "missing 'order' (the order field mappings)") }
        let orderOps = try fieldOps(orderNode, fields: OrderSchema.orderFields, itemLevel: false, what: "order")
        var lineOps: [FieldOp] = []
        if let lineNode = top["line"] {
            if lineSource == .none { throw fail(lineNode, "'line' mappings need lines.from rows, record or items") }
            if case .items = lineSource {
                lineOps = try fieldOps(lineNode, fields: OrderSchema.lineFields, itemLevel: true, what: "line")
            } else {
                lineOps = try fieldOps(lineNode, fields: OrderSchema.lineFields, itemLevel: false, what: "line")
            }
        }
        return Profile(
            path: path, source: source, format: format, encoding: encoding, csv: csv, columns: columns,
            hasHeader: hasHeader, maxFieldBytes: csv.maxFieldBytes, maxLineBytes: csv.maxLineBytes,
            lineSource: lineSource, groupKey: groupKey, groupStartWhenSet: groupStart, lineExtPrefix: lineExtPrefix,
            recordSlots: recordSlots, itemSlots: itemSlots, orderOps: orderOps, lineOps: lineOps,
            constants: constants, zones: zones, ignored: ignored, limits: limits)
    }

    private mutating func fieldOps(_ node: Node, fields: [FieldDef], itemLevel: Bool, what: String)
        throws(WaybillError) -> [FieldOp]
    {
        let m = try mapping(node, what)
        var ops: [FieldOp] = []
        for (k, v) in m {
            let name = try string(k, "a field name")
            guard let col = fields.firstIndex(where: { $0.name == name }) else {
                throw fail(k, "'\(name)' is not a\(what == "order" ? "n order" : " line") field of the unified model")
            }
            let def = fields[col]
            if def.kind == .stringMap { throw fail(k, "'\(name)' is filled from unmapped fields; it cannot be mapped") }
            if what == "line" && col == LineField.orderId { throw fail(k, "a line's order_id comes from its order") }
            let spec = try valueSpec(v, def: def, itemLevel: itemLevel, inFirstOf: false)
            ops.append(FieldOp(column: col, kind: def.kind, name: name, spec: spec))
        }
        return ops
    }

    func singleByte(_ node: Node, _ what: String) throws(WaybillError) -> UInt8 {
        let s = try string(node, what)
        let bytes = s == "\\t" || s == "tab" ? [UInt8(9)] : Array(s.utf8)
        guard bytes.count == 1 else { throw fail(node, "\(what) must be a single ASCII character") }
        return bytes[0]
    }

    func bool(_ node: Node, _ what: String) throws(WaybillError) -> Bool {
        switch try string(node, what).lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw fail(node, "\(what) must be true or false")
        }
    }

    private func positiveInt(_ node: Node, _ what: String) throws(WaybillError) -> Int {
        guard let v = Int(try string(node, what)), v > 0 else { throw fail(node, "\(what) must be a positive integer") }
        return v
    }
}
