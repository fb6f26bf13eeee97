/// A node of a schema tree: a leaf column or a group (plain, LIST or MAP).
public indirect enum SchemaNode: Sendable {
    case leaf(name: String, physical: PhysicalType, logical: LogicalType?, repetition: Repetition)
    case group(name: String, repetition: Repetition, logical: LogicalType?, children: [SchemaNode])

    public var name: String {
        switch self {
        case .leaf(let name, _, _, _), .group(let name, _, _, _): name
        }
    }

    public var repetition: Repetition {
        switch self {
        case .leaf(_, _, _, let r), .group(_, let r, _, _): r
        }
    }

    /// The spec's three-level list: `<rep> group name (LIST) { repeated group list { <element> } }`.
    /// The element node is renamed `element` (a mandatory name for interoperability).
    public static func list(_ name: String, repetition: Repetition = .optional, element: SchemaNode) -> SchemaNode {
        .group(
            name: name, repetition: repetition, logical: .list,
            children: [.group(name: "list", repetition: .repeated, logical: nil, children: [element.renamed("element")])])
    }

    /// The spec's map: `<rep> group name (MAP) { repeated group key_value { required key; value } }`.
    public static func map(_ name: String, repetition: Repetition = .optional, key: SchemaNode, value: SchemaNode)
        -> SchemaNode
    {
        .group(
            name: name, repetition: repetition, logical: .map,
            children: [
                .group(
                    name: "key_value", repetition: .repeated, logical: nil,
                    children: [key.renamed("key").withRepetition(.required), value.renamed("value")])
            ])
    }

    public func renamed(_ newName: String) -> SchemaNode {
        switch self {
        case .leaf(_, let p, let l, let r): .leaf(name: newName, physical: p, logical: l, repetition: r)
        case .group(_, let r, let l, let c): .group(name: newName, repetition: r, logical: l, children: c)
        }
    }

    public func withRepetition(_ rep: Repetition) -> SchemaNode {
        switch self {
        case .leaf(let n, let p, let l, _): .leaf(name: n, physical: p, logical: l, repetition: rep)
        case .group(let n, _, let l, let c): .group(name: n, repetition: rep, logical: l, children: c)
        }
    }
}

/// One leaf column of a schema with the levels its values carry.
public struct ColumnDescriptor: Sendable, Equatable {
    /// Position among the leaves (depth-first), which is also the column chunk order in each row group.
    public let index: Int
    /// Path from the root's child down to the leaf (`path_in_schema`).
    public let path: [String]
    public let physical: PhysicalType
    public let logical: LogicalType?
    public let repetition: Repetition
    public let maxDefinitionLevel: Int
    public let maxRepetitionLevel: Int
    /// Byte width of FIXED_LEN_BYTE_ARRAY leaves (files from other writers); nil otherwise.
    public var typeLength: Int? = nil

    /// Dotted path, e.g. `ext.key_value.key`.
    public var dottedPath: String { path.joined(separator: ".") }
}
