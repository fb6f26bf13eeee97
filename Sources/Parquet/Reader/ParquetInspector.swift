/// Human-readable description of a Parquet file (for `waybill inspect`): schema, row groups, column chunks
/// with sizes, encodings, codecs and statistics, and the key-value metadata.
public enum ParquetInspector {
    /// Describes the file at `path`; `pages: true` also lists every page of every chunk.
    public static func describe(path: String, pages: Bool = false) throws -> String {
        try describe(ParquetFileReader(path: path), pages: pages)
    }

    public static func describe(_ reader: ParquetFileReader, pages: Bool = false) throws -> String {
        let m = reader.metadata
        var out = ""
        out += "file: \(reader.source) (\(reader.bytes.count) bytes, footer \(reader.footerLength) bytes)\n"
        out += "format version: \(m.version)\n"
        out += "created by: \(m.createdBy ?? "-")\n"
        out += "rows: \(m.numRows) in \(m.rowGroups.count) row group(s)\n"
        out += "schema \(reader.schema.rootName):\n"
        describeSchema(m.schema, into: &out)
        if let kv = m.keyValueMetadata, !kv.isEmpty {
            out += "key-value metadata:\n"
            for (k, v) in kv { out += "  \(escaped(k)) = \(clip(escaped(v ?? "(null)"), 200))\n" }
        }
        for (gi, g) in m.rowGroups.enumerated() {
            out += "row group \(gi): \(g.numRows) rows, \(g.totalCompressedSize ?? 0) bytes compressed, "
            out += "\(g.totalByteSize) uncompressed, at byte \(g.fileOffset.map(String.init) ?? "-")\n"
            for (ci, c) in reader.schema.columns.enumerated() {
                guard let cm = g.columns[ci].metaData else {
                    out += "  \(c.dottedPath): no metadata\n"
                    continue
                }
                let codec = ParquetCompression(rawValue: cm.codec)?.name ?? "codec(\(cm.codec))"
                out += "  \(c.dottedPath): \(c.physical.name) \(codec) values=\(cm.numValues) "
                out += "size=\(cm.totalCompressedSize)/\(cm.totalUncompressedSize) "
                out += "encodings=\(cm.encodings.map(ParquetEncoding.name(of:)).joined(separator: ","))"
                if let d = cm.dictionaryPageOffset { out += " dict@\(d)" }
                out += " data@\(cm.dataPageOffset)\n"
                if let es = cm.encodingStats, !es.isEmpty {
                    let parts = es.map {
                        "\(PageType(rawValue: $0.pageType)?.name ?? "\($0.pageType)"):\(ParquetEncoding.name(of: $0.encoding))x\($0.count)"
                    }
                    out += "    pages: \(parts.joined(separator: " "))\n"
                }
                if let s = cm.statistics { out += "    stats: \(describe(s, c))\n" }
                let chunk = g.columns[ci]
                if let o = chunk.offsetIndexOffset {
                    out += "    page index: offsets@\(o) (\(chunk.offsetIndexLength ?? 0) bytes)"
                    if let c = chunk.columnIndexOffset { out += ", bounds@\(c) (\(chunk.columnIndexLength ?? 0) bytes)" }
                    out += "\n"
                }
                if pages {
                    let data = try reader.readColumn(rowGroup: gi, column: ci)
                    for p in data.pages {
                        out += "    page @\(p.offset) \(p.type.name) \(p.encoding.name) values=\(p.numValues) "
                        out += "header=\(p.headerSize) size=\(p.compressedSize)/\(p.uncompressedSize)"
                        if let s = p.statistics { out += " stats: \(describe(s, c))" }
                        out += "\n"
                    }
                }
            }
        }
        return out
    }

    private static func describeSchema(_ elements: [SchemaElement], into out: inout String) {
        // Depth-first walk with an explicit stack of remaining children counts.
        var stack: [Int] = [Int(elements.first?.numChildren ?? 0)]
        for e in elements.dropFirst() {
            while let last = stack.last, last == 0 { stack.removeLast() }
            guard !stack.isEmpty else { break }
            stack[stack.count - 1] -= 1
            let indent = String(repeating: "  ", count: stack.count)
            let rep = Repetition(rawValue: e.repetitionType ?? 0)?.name ?? "?"
            var line = "\(indent)\(rep) "
            if let t = e.type {
                line += (PhysicalType(rawValue: t)?.name ?? "type(\(t))") + " \(e.name)"
            } else {
                line += "group \(e.name)"
            }
            if let l = e.logicalType { line += " (\(l.description))" } else if let o = e.otherLogicalTypeId { line += " (logical #\(o))" }
            out += line + "\n"
            if let n = e.numChildren, n > 0 { stack.append(Int(n)) }
        }
    }

    /// Statistics decoded with the column's type (the raw bytes are PLAIN without a length prefix).
    public static func describe(_ s: Statistics, _ c: ColumnDescriptor) -> String {
        var parts: [String] = []
        if let n = s.nullCount { parts.append("nulls=\(n)") }
        if let v = s.minValue { parts.append("min=\(render(v, c))" + (s.isMinValueExact == false ? "(truncated)" : "")) }
        if let v = s.maxValue { parts.append("max=\(render(v, c))" + (s.isMaxValueExact == false ? "(truncated)" : "")) }
        if s.minValue == nil, let v = s.min { parts.append("min(legacy)=\(render(v, c))") }
        if s.maxValue == nil, let v = s.max { parts.append("max(legacy)=\(render(v, c))") }
        return parts.joined(separator: " ")
    }

    static func render(_ v: [UInt8], _ c: ColumnDescriptor) -> String {
        func le(_ n: Int) -> UInt64? {
            guard v.count == n else { return nil }
            var x: UInt64 = 0
            for (i, b) in v.enumerated() { x |= UInt64(b) << UInt64(8 * i) }
            return x
        }
        switch c.physical {
        case .boolean: return v.first.map { $0 != 0 ? "true" : "false" } ?? "?"
        case .int32:
            guard let x = le(4) else { return "?" }
            let i = Int32(bitPattern: UInt32(x))
            if case .decimal(_, let scale)? = c.logical { return decimal(Int64(i), scale) }
            if c.logical == .date { return "\(i) (days)" }
            return "\(i)"
        case .int64:
            guard let x = le(8) else { return "?" }
            let i = Int64(bitPattern: x)
            if case .decimal(_, let scale)? = c.logical { return decimal(i, scale) }
            if case .timestampMicros? = c.logical { return "\(i) (us)" }
            return "\(i)"
        case .double:
            guard let x = le(8) else { return "?" }
            return "\(Double(bitPattern: x))"
        case .float:
            guard let x = le(4) else { return "?" }
            return "\(Float(bitPattern: UInt32(x)))"
        case .fixedLenByteArray where v.count <= 8 && !v.isEmpty:
            // Big-endian two's complement (DECIMAL on FIXED_LEN_BYTE_ARRAY).
            var x: Int64 = v[0] >= 0x80 ? -1 : 0
            for b in v { x = (x << 8) | Int64(b) }
            if case .decimal(_, let scale)? = c.logical { return decimal(x, scale) }
            return "\(x)"
        case .byteArray where c.logical == .string:
            return "\"" + clip(escaped(String(decoding: v, as: UTF8.self)), 80) + "\""
        default:
            return v.prefix(32).map { String($0, radix: 16) }.joined(separator: " ")
        }
    }

    static func decimal(_ unscaled: Int64, _ scale: Int32) -> String {
        guard scale > 0 else { return "\(unscaled)" }
        let neg = unscaled < 0
        var digits = String(unscaled.magnitude)
        while digits.count <= Int(scale) { digits = "0" + digits }
        let cut = digits.index(digits.endIndex, offsetBy: -Int(scale))
        return (neg ? "-" : "") + digits[..<cut] + "." + digits[cut...]
    }

    /// Control characters as \u{..} so a value cannot break the line layout.
    static func escaped(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.value < 0x20 || u.value == 0x7F || u == "\"" || u == "\\" {
                out += u == "\"" ? "\\\"" : u == "\\" ? "\\\\" : "\\u{\(String(u.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    private static func clip(_ s: String, _ n: Int) -> String {
        s.count <= n ? s : String(s.prefix(n)) + "…"
    }
}
