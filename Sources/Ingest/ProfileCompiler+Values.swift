import OrderModel
import Yams

/// The value part of the profile language: field references, templates, constants,
/// `first_of`, maps, conditions, scaling and time formats (docs/profiles.md, "Values").
extension ProfileCompiler {
    mutating func slot(_ name: String, itemLevel: Bool) -> Int {
        itemLevel ? itemSlots.slot(name) : recordSlots.slot(name)
    }

    /// Parses a text that may hold `{field}` references into a source.
    mutating func textSource(_ text: String, node: Node, itemLevel: Bool) throws(WaybillError) -> ValueSpec.Source {
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

    func literalBytes(_ parts: [ValueSpec.TemplatePart]) -> [UInt8] {
        var out: [UInt8] = []
        for p in parts { if case .literal(let b) = p { out += b.bytes } }
        return out
    }

    mutating func valueSpec(_ node: Node, def: FieldDef, itemLevel: Bool, inFirstOf: Bool)
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
    func finish(_ spec: inout ValueSpec, def: FieldDef, node: Node) throws(WaybillError) {
        if spec.timeFormat == nil && (def.kind == .date || def.kind == .timestamp) {
            spec.timeFormat = TimeFormat(def.kind == .date ? "%Y-%m-%d" : "%Y-%m-%dT%H:%M:%S%f%z")
        }
        if case .constant(let b) = spec.source, spec.map == nil {
            try checkAllowed(String(decoding: b.bytes, as: UTF8.self), def: def, node: node)
        }
    }

    func checkAllowed(_ value: String, def: FieldDef, node: Node) throws(WaybillError) {
        if let allowed = def.allowed, !allowed.contains(value) {
            throw fail(node, "'\(value)' is not a valid \(def.name) (one of: \(allowed.joined(separator: ", ")))")
        }
    }

    mutating func condition(_ node: Node, itemLevel: Bool) throws(WaybillError) -> Condition {
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

}

func gcd(_ a: Int64, _ b: Int64) -> Int64 {
    var (x, y) = (a, b)
    while y != 0 { (x, y) = (y, x % y) }
    return x
}
