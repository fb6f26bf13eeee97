/// One field of the unified order model: its column name, kind, group and contract.
public struct FieldDef: Sendable, Hashable {
    /// Column name in Parquet and key in the NDJSON form (snake_case, unique within its table).
    public let name: String
    public let kind: ColumnKind
    public let group: FieldGroup
    /// A required field is never null in a valid order; `collect` rejects a record that lacks it.
    public let required: Bool
    /// One line for the JSON Schema and the docs.
    public let doc: String
    /// Allowed values, for enumerations kept as text (statuses, order types).
    public let allowed: [String]?

    public init(
        _ name: String, _ kind: ColumnKind, _ group: FieldGroup, required: Bool = false,
        allowed: [String]? = nil, _ doc: String
    ) {
        self.name = name
        self.kind = kind
        self.group = group
        self.required = required
        self.doc = doc
        self.allowed = allowed
    }
}
