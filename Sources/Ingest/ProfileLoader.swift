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
            try checkKeys(m, ["max_field_bytes", "max_line_bytes"], "limits")
            if let v = m["max_field_bytes"] { csv.maxFieldBytes = try positiveInt(v, "max_field_bytes") }
            if let v = m["max_line_bytes"] { csv.maxLineBytes = try positiveInt(v, "max_line_bytes") }
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
            constants: constants, zones: zones, ignored: ignored)
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

    private mutating func slot(_ name: String, itemLevel: Bool) -> Int {
        itemLevel ? itemSlots.slot(name) : recordSlots.slot(name)
    }

    /// Parses a text that may hold `{field}` references into a source.
    private mutating func textSource(_ text: String, node: Node, itemLevel: Bool) throws(WaybillError) -> ValueSpec.Source {
        guard text.contains("{") else { return .slot(slot(text, itemLevel: itemLevel)) }
        var parts: [ValueSpec.TemplatePart] = []
        var literal: [UInt8] = []
        var chars = Array(text.utf8)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == UInt8(ascii: "{") {
                if chars.first == UInt8(ascii: "{") {
                    literal.append(c)
                    chars = chars.dropFirst()
                    continue
                }
                guard let close = chars.firstIndex(of: UInt8(ascii: "}")) else { throw fail(node, "unclosed '{' in \"\(text)\"") }
                let name = String(decoding: chars[chars.startIndex..<close], as: UTF8.self)
                chars = chars[(close + 1)...]
                if name == "source" {
                    literal += Array(source.utf8)
                    continue
                }
                guard !name.isEmpty else { throw fail(node, "empty '{}' in \"\(text)\"") }
                if !literal.isEmpty { parts.append(.literal(constants.add(literal))) }
                literal = []
                parts.append(.slot(slot(name, itemLevel: itemLevel)))
            } else if c == UInt8(ascii: "}") && chars.first == UInt8(ascii: "}") {
                literal.append(c)
                chars = chars.dropFirst()
            } else {
                literal.append(c)
            }
        }
        if !literal.isEmpty { parts.append(.literal(constants.add(literal))) }
        if parts.allSatisfy({ if case .literal = $0 { return true } else { return false } }) {
            return .constant(constants.add(literalBytes(parts)))
        }
        return .template(parts)
    }

    private func literalBytes(_ parts: [ValueSpec.TemplatePart]) -> [UInt8] {
        var out: [UInt8] = []
        for p in parts { if case .literal(let b) = p { out += b.bytes } }
        return out
    }

    private mutating func valueSpec(_ node: Node, def: FieldDef, itemLevel: Bool, inFirstOf: Bool)
        throws(WaybillError) -> ValueSpec
    {
        if let s = node.scalar?.string {
            let src = try textSource(s, node: node, itemLevel: itemLevel)
            var spec = ValueSpec(source: src, label: s)
            try finish(&spec, def: def, node: node)
            return spec
        }
        let m = try mapping(node, "the mapping of '\(def.name)'")
        try checkKeys(
            m,
            ["from", "const", "template", "first_of", "when", "map", "default", "split", "multiply", "divide", "format",
             "timezone"], "the mapping of '\(def.name)'")
        var spec: ValueSpec
        if let f = m["from"] {
            let s = try string(f, "from")
            spec = ValueSpec(source: try textSource(s, node: f, itemLevel: itemLevel), label: s)
        } else if let t = m["template"] {
            let s = try string(t, "template")
            spec = ValueSpec(source: try textSource(s, node: t, itemLevel: itemLevel), label: s)
        } else if let c = m["const"] {
            let s = try string(c, "const")
            try checkAllowed(s, def: def, node: c)
            spec = ValueSpec(source: .constant(constants.add(s)), label: "constant \"\(s)\"")
        } else if let alts = m["first_of"] {
            guard let seq = alts.sequence, !seq.isEmpty else { throw fail(alts, "first_of must be a non-empty list") }
            var list: [ValueSpec] = []
            for a in seq { list.append(try valueSpec(a, def: def, itemLevel: itemLevel, inFirstOf: true)) }
            spec = ValueSpec(source: .firstOf(list), label: list.map(\.label).joined(separator: " | "))
        } else {
            throw fail(node, "the mapping of '\(def.name)' needs one of from, template, const or first_of")
        }
        if let w = m["when"] { spec.when = try condition(w, itemLevel: itemLevel) }
        if let mp = m["map"] {
            let mm = try mapping(mp, "map")
            var entries: [(PooledBytes, PooledBytes)] = []
            for (k, v) in mm {
                let to = try string(v, "a map value")
                try checkAllowed(to, def: def, node: v)
                entries.append((constants.add(try string(k, "a map key")), constants.add(to)))
            }
            spec.map = entries.map { (key: $0.0, value: $0.1) }
        }
        if let d = m["default"] {
            let s = try string(d, "default")
            try checkAllowed(s, def: def, node: d)
            spec.mapDefault = constants.add(s)
        }
        if let sp = m["split"] {
            guard def.kind == .stringList else { throw fail(sp, "split applies to list fields only") }
            spec.split = try singleByte(sp, "split")
        }
        for key in ["multiply", "divide"] {
            guard let f = m[key] else { continue }
            guard def.kind == .decimal || def.kind == .int32 || def.kind == .int64 else {
                throw fail(f, "\(key) applies to numeric fields only")
            }
            guard case .success(let v) = ExactDecimal.parse(try string(f, key)), v > 0 else {
                throw fail(f, "\(key) must be a positive decimal number")
            }
            // value * v / 10^4 (multiply) or value * 10^4 / v (divide), reduced.
            var (num, den) = key == "multiply" ? (v, ExactDecimal.scale) : (ExactDecimal.scale, v)
            let g = gcd(num, den)
            num /= g
            den /= g
            spec.numerator *= num
            spec.denominator *= den
        }
        if let f = m["format"] {
            guard def.kind == .date || def.kind == .timestamp else { throw fail(f, "format applies to date and timestamp fields") }
            guard let tf = TimeFormat(try string(f, "format")) else { throw fail(f, "unknown % directive in format") }
            spec.timeFormat = tf
        }
        if let z = m["timezone"] {
            guard let zs = ZoneSpec.parse(try string(z, "timezone")) else { throw fail(z, "unknown time zone") }
            if let i = zones.firstIndex(of: zs) {
                spec.zone = i
            } else {
                zones.append(zs)
                spec.zone = zones.count - 1
            }
        }
        try finish(&spec, def: def, node: node)
        return spec
    }

    /// Fills defaults that depend on the target kind.
    private func finish(_ spec: inout ValueSpec, def: FieldDef, node: Node) throws(WaybillError) {
        if spec.timeFormat == nil && (def.kind == .date || def.kind == .timestamp) {
            spec.timeFormat = TimeFormat(def.kind == .date ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%S%f%z")
        }
        if case .constant(let b) = spec.source, spec.map == nil {
            try checkAllowed(String(decoding: b.bytes, as: UTF8.self), def: def, node: node)
        }
    }

    private func checkAllowed(_ value: String, def: FieldDef, node: Node) throws(WaybillError) {
        if let allowed = def.allowed, !allowed.contains(value) {
            throw fail(node, "'\(value)' is not a valid \(def.name) (one of: \(allowed.joined(separator: ", ")))")
        }
    }

    private mutating func condition(_ node: Node, itemLevel: Bool) throws(WaybillError) -> Condition {
        let m = try mapping(node, "when")
        try checkKeys(m, ["field", "in", "not_in", "present"], "when")
        guard let f = m["field"] else { throw fail(node, "when needs 'field'") }
        let s = slot(try string(f, "field"), itemLevel: itemLevel)
        func list(_ n: Node?) throws(WaybillError) -> [PooledBytes]? {
            guard let n else { return nil }
            if let one = n.scalar?.string { return [constants.add(one)] }
            guard let seq = n.sequence else { throw fail(n, "expected a list of values") }
            var out: [PooledBytes] = []
            for x in seq { out.append(constants.add(try string(x, "a value"))) }
            return out
        }
        return Condition(
            slot: s, oneOf: try list(m["in"]), noneOf: try list(m["not_in"]),
            present: try m["present"].map { n throws(WaybillError) in try bool(n, "present") })
    }

    private func singleByte(_ node: Node, _ what: String) throws(WaybillError) -> UInt8 {
        let s = try string(node, what)
        let bytes = s == "\\t" || s == "tab" ? [UInt8(9)] : Array(s.utf8)
        guard bytes.count == 1 else { throw fail(node, "\(what) must be a single ASCII character") }
        return bytes[0]
    }

    private func bool(_ node: Node, _ what: String) throws(WaybillError) -> Bool {
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

private func gcd(_ a: Int64, _ b: Int64) -> Int64 {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return x
}
