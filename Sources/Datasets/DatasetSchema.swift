import OrderModel
import Parquet

/// The Parquet schema of a dataset: one column per model field (minus those a partition key
/// copies into the folder name), typed as parquet.md section 9 requires:
///
/// | model kind | Parquet |
/// |---|---|
/// | string | BYTE_ARRAY STRING |
/// | int32 / int64 | INT32 / INT64 |
/// | decimal | INT64 DECIMAL(18,4) |
/// | timestamp | INT64 TIMESTAMP(MICROS, UTC) |
/// | date | INT32 DATE |
/// | bool | BOOLEAN |
/// | stringList | LIST<STRING> (3-level, required elements) |
/// | stringMap | MAP<STRING, STRING> |
///
/// Every column is optional: the model's "required" is enforced upstream by `collect`, and a
/// null must still land rather than fail a whole file.
struct DatasetSchema {
    let dataset: DatasetKind
    /// Model field index of each top-level column, in file order.
    let fields: [Int]
    let parquet: ParquetSchema
    /// For each entry of `fields`, the index of its first leaf column in `parquet.columns`.
    let firstLeaf: [Int]

    /// `binary`: columns written as BYTE_ARRAY without a logical type (the encrypted ones).
    init(dataset: DatasetKind, keys: [PartitionKey], binary: Set<String> = []) throws(WaybillError) {
        self.dataset = dataset
        fields = dataset.dataColumns(keys: keys)
        let defs = dataset.fields
        var nodes: [SchemaNode] = []
        var leaves: [Int] = []
        var leaf = 0
        for f in fields {
            leaves.append(leaf)
            let node = binary.contains(defs[f].name) ? Self.binaryNode(defs[f]) : Self.node(defs[f])
            nodes.append(node)
            leaf += defs[f].kind == .stringMap ? 2 : 1
        }
        firstLeaf = leaves
        do {
            parquet = try ParquetSchema(fields: nodes, rootName: "schema")
        } catch {
            // The catalogue is fixed at build time; a failure here is a programming error
            // that a test catches, reported rather than trapped.
            throw .data("cannot build the Parquet schema of \(dataset.name): \(error)")
        }
    }

    static func node(_ def: FieldDef) -> SchemaNode {
        let name = def.name
        switch def.kind {
        case .string: return .leaf(name: name, physical: .byteArray, logical: .string, repetition: .optional)
        case .int32: return .leaf(name: name, physical: .int32, logical: nil, repetition: .optional)
        case .int64: return .leaf(name: name, physical: .int64, logical: nil, repetition: .optional)
        case .decimal:
            return .leaf(name: name, physical: .int64, logical: .decimal(precision: 18, scale: 4), repetition: .optional)
        case .timestamp:
            return .leaf(name: name, physical: .int64, logical: .timestampMicros(adjustedToUTC: true), repetition: .optional)
        case .date: return .leaf(name: name, physical: .int32, logical: .date, repetition: .optional)
        case .bool: return .leaf(name: name, physical: .boolean, logical: nil, repetition: .optional)
        case .stringList:
            return .list(name, repetition: .optional,
                element: .leaf(name: "element", physical: .byteArray, logical: .string, repetition: .required))
        case .stringMap:
            return .map(name, repetition: .optional,
                key: .leaf(name: "key", physical: .byteArray, logical: .string, repetition: .required),
                value: .leaf(name: "value", physical: .byteArray, logical: .string, repetition: .optional))
        }
    }

    /// Key-value metadata of every data file.
    static func keyValueMetadata(dataset: DatasetKind, keys: [PartitionKey], batchId: String) -> [(String, String)] {
        [
            ("waybill.schema_version", OrderSchema.version),
            ("waybill.dataset", dataset.name),
            ("waybill.batch_id", batchId),
            ("waybill.partition_keys", keys.map(\.description).joined(separator: ",")),
        ]
    }
}
