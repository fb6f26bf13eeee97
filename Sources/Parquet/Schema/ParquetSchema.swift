/// A file schema: the tree of nodes, its flattened SchemaElements and its leaf columns with their levels.
public struct ParquetSchema: Sendable {
    public let rootName: String
    public let elements: [SchemaElement]
    public let columns: [ColumnDescriptor]
    /// The elements in the footer's compact Thrift form (the body of FileMetaData's schema
    /// list), made once for a schema built to write: every file written with it repeats them,
    /// and encoding them again was 3.6% of the instructions of a write of small partitions.
    /// Nil for a schema read from a file.
    let serializedElements: [UInt8]?

    /// Builds a schema from top-level fields; validates that each leaf's logical type fits its physical type.
    public init(fields: [SchemaNode], rootName: String = "schema") throws {
        var elements = [SchemaElement(name: rootName)]
        elements[0].numChildren = Int32(fields.count)
        var columns: [ColumnDescriptor] = []
        for f in fields {
            try Self.flatten(f, path: [], def: 0, rep: 0, elements: &elements, columns: &columns)
        }
        guard !columns.isEmpty else { throw ParquetError.invalid("schema has no leaf columns") }
        self.rootName = rootName
        self.elements = elements
        self.columns = columns
        var w = CompactWriter()
        for e in elements { e.write(to: &w) }
        serializedElements = w.bytes
    }

    /// Rebuilds a schema from a file's flattened elements (the reader's path); validates child counts.
    public init(elements: [SchemaElement]) throws {
        guard let root = elements.first else { throw ParquetError.corrupt("footer: empty schema") }
        var columns: [ColumnDescriptor] = []
        var cursor = 1
        let n = Int(root.numChildren ?? 0)
        guard n >= 0 else { throw ParquetError.corrupt("footer: negative num_children at schema root") }
        for _ in 0..<n {
            try Self.walk(elements, &cursor, path: [], def: 0, rep: 0, depth: 0, columns: &columns)
        }
        guard cursor == elements.count else {
            throw ParquetError.corrupt("footer: schema has \(elements.count - cursor) elements not reachable from the root")
        }
        self.rootName = root.name
        self.elements = elements
        self.columns = columns
        serializedElements = nil
    }

    /// The leaf at a dotted path (`ext.key_value.key`), if any.
    public func column(named dotted: String) -> ColumnDescriptor? {
        columns.first { $0.dottedPath == dotted }
    }

    private static func walk(
        _ elements: [SchemaElement], _ cursor: inout Int, path: [String], def: Int, rep: Int, depth: Int,
        columns: inout [ColumnDescriptor]
    ) throws {
        guard depth < 64 else { throw ParquetError.corrupt("footer: schema nested deeper than 64 levels") }
        guard cursor < elements.count else { throw ParquetError.corrupt("footer: schema children run past its end") }
        let e = elements[cursor]
        cursor += 1
        let repetition = Repetition(rawValue: e.repetitionType ?? 0) ?? .required
        let d = def + (repetition == .required ? 0 : 1)
        let r = rep + (repetition == .repeated ? 1 : 0)
        let p = path + [e.name]
        let kids = Int(e.numChildren ?? 0)
        if e.numChildren == nil || (kids == 0 && e.type != nil) {
            guard let t = e.type, let physical = PhysicalType(rawValue: t) else {
                throw ParquetError.corrupt("footer: leaf '\(p.joined(separator: "."))' has no valid physical type")
            }
            var logical = e.logicalType
            if logical == nil, let c = e.convertedType { logical = Self.logical(fromConverted: c, e) }
            columns.append(
                ColumnDescriptor(
                    index: columns.count, path: p, physical: physical, logical: logical, repetition: repetition,
                    maxDefinitionLevel: d, maxRepetitionLevel: r, typeLength: e.typeLength.map(Int.init)))
            return
        }
        guard kids > 0, kids <= elements.count - cursor else {
            throw ParquetError.corrupt("footer: group '\(p.joined(separator: "."))' claims \(kids) children")
        }
        for _ in 0..<kids {
            try walk(elements, &cursor, path: p, def: d, rep: r, depth: depth + 1, columns: &columns)
        }
    }

    private static func logical(fromConverted c: Int32, _ e: SchemaElement) -> LogicalType? {
        switch c {
        case ConvertedType.utf8: .string
        case ConvertedType.date: .date
        case ConvertedType.timestampMicros: .timestampMicros(adjustedToUTC: true)
        case ConvertedType.decimal: .decimal(precision: e.precision ?? 0, scale: e.scale ?? 0)
        case 15...18: .integer(bitWidth: Int8(8 << (c - 15)), signed: true)
        case 11...14: .integer(bitWidth: Int8(8 << (c - 11)), signed: false)
        default: nil
        }
    }
}
