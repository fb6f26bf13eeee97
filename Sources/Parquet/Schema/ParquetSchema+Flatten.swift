extension ParquetSchema {
    /// Depth-first flattening of one node into SchemaElements, computing each leaf's max levels.
    static func flatten(
        _ node: SchemaNode, path: [String], def: Int, rep: Int, elements: inout [SchemaElement],
        columns: inout [ColumnDescriptor]
    ) throws {
        let d = def + (node.repetition == .required ? 0 : 1)
        let r = rep + (node.repetition == .repeated ? 1 : 0)
        let p = path + [node.name]
        let dotted = p.joined(separator: ".")
        guard !node.name.isEmpty else { throw ParquetError.invalid("schema node under '\(path.joined(separator: "."))' has an empty name") }
        guard d <= 255, r <= 255 else { throw ParquetError.invalid("schema '\(dotted)' is nested too deeply") }
        var e = SchemaElement(name: node.name)
        e.repetitionType = node.repetition.rawValue
        switch node {
        case .leaf(_, let physical, let logical, let repetition):
            e.type = physical.rawValue
            if let logical { try annotate(&e, logical, physical, dotted) }
            elements.append(e)
            columns.append(
                ColumnDescriptor(
                    index: columns.count, path: p, physical: physical, logical: logical, repetition: repetition,
                    maxDefinitionLevel: d, maxRepetitionLevel: r))
        case .group(_, _, let logical, let children):
            guard !children.isEmpty else { throw ParquetError.invalid("group '\(dotted)' has no children") }
            e.numChildren = Int32(children.count)
            switch logical {
            case .list?:
                guard children.count == 1, case .group(_, .repeated, _, let inner) = children[0], inner.count == 1 else {
                    throw ParquetError.invalid("LIST group '\(dotted)' must hold one repeated group with one child")
                }
                e.convertedType = ConvertedType.list
                e.logicalType = .list
            case .map?:
                guard children.count == 1, case .group(_, .repeated, _, let inner) = children[0], inner.count == 2,
                    inner[0].repetition == .required
                else {
                    throw ParquetError.invalid("MAP group '\(dotted)' must hold one repeated group with a required key and a value")
                }
                e.convertedType = ConvertedType.map
                e.logicalType = .map
            case nil: break
            case let other?: throw ParquetError.invalid("group '\(dotted)' cannot carry logical type \(other.description)")
            }
            elements.append(e)
            for c in children {
                try flatten(c, path: p, def: d, rep: r, elements: &elements, columns: &columns)
            }
        }
    }

    /// Sets both the LogicalType and the legacy ConvertedType (+ scale/precision), as LogicalTypes.md asks.
    private static func annotate(_ e: inout SchemaElement, _ logical: LogicalType, _ physical: PhysicalType, _ dotted: String)
        throws
    {
        func require(_ ok: Bool) throws {
            guard ok else {
                throw ParquetError.invalid("column '\(dotted)': \(logical.description) does not fit physical type \(physical.name)")
            }
        }
        e.logicalType = logical
        switch logical {
        case .string:
            try require(physical == .byteArray)
            e.convertedType = ConvertedType.utf8
        case .date:
            try require(physical == .int32)
            e.convertedType = ConvertedType.date
        case .timestampMicros:
            try require(physical == .int64)
            e.convertedType = ConvertedType.timestampMicros
        case .decimal(let precision, let scale):
            try require(
                (physical == .int64 && precision >= 1 && precision <= 18)
                    || (physical == .int32 && precision >= 1 && precision <= 9))
            try require(scale >= 0 && scale <= precision)
            e.convertedType = ConvertedType.decimal
            e.scale = scale
            e.precision = precision
        case .integer(let width, let signed):
            try require([8, 16, 32, 64].contains(width))
            try require(width == 64 ? physical == .int64 : physical == .int32)
            let step: Int32 = width == 8 ? 0 : width == 16 ? 1 : width == 32 ? 2 : 3
            e.convertedType = (signed ? ConvertedType.int8 : ConvertedType.uint8) + step
        case .list, .map:
            try require(false)
        }
    }
}
