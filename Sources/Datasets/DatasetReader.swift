#if canImport(Glibc)
import Glibc
#endif
import OrderModel
import Parquet

/// One partition folder of a dataset and the committed files in it.
public struct DatasetPartition: Sendable, Equatable {
    /// Relative to the dataset folder (`business_line=express/order_date=2024-01-05`, "" when unpartitioned).
    public var directory: String
    /// Unescaped folder values in key order; nil for `__HIVE_DEFAULT_PARTITION__`.
    public var values: [String?]
    public var files: [DatasetManifest.File]
    public var rows: Int { files.reduce(0) { $0 + $1.rows } }
}

/// Reads a Waybill dataset (`DIR/orders` or `DIR/order_lines`) back into model rows:
/// partition by partition, file by file, one row group at a time, so memory stays bounded by
/// the largest row group (plus the file's bytes, which the Parquet reader maps in whole).
///
/// The committed files come from `_waybill_manifest.json` (the commit's truth: a reader never
/// picks up a file a crashed run left behind). Partition columns dropped from the files are
/// restored from the folder names (Hive unescaping, `__HIVE_DEFAULT_PARTITION__` -> null).
public final class DatasetReader {
    public let root: String
    public let dataset: DatasetKind
    public let manifest: DatasetManifest
    public let partitionKeys: [PartitionKey]
    /// Sorted by directory.
    public let partitions: [DatasetPartition]
    /// Opens encrypted columns (docs/encryption.md); without it, reading an encrypted column fails (exit 78).
    public var keyring: Keyring? = nil

    /// Opens `<directory>/<dataset>`; a missing manifest is `inputNotFound` (exit 66).
    public init(directory: String, dataset: DatasetKind) throws(WaybillError) {
        var out = directory
        while out.count > 1 && out.hasSuffix("/") { out.removeLast() }
        root = out + "/" + dataset.name
        self.dataset = dataset
        guard let m = try DatasetManifest.read(root + "/" + DatasetManifest.fileName) else {
            throw DatasetManifest.missing(in: out, dataset: dataset.name)
        }
        manifest = m
        var keys: [PartitionKey] = []
        for k in m.partitionKeys { keys.append(try PartitionKey.parse(k.spec)) }
        partitionKeys = keys
        var byDir: [String: [DatasetManifest.File]] = [:]
        for f in m.files {
            let d = FileOps.dirname(f.path)
            byDir[d == "." ? "" : d, default: []].append(f)
        }
        var parts: [DatasetPartition] = []
        for (dir, files) in byDir {
            guard let pairs = HivePath.parse(relativeDirectory: dir), pairs.map(\.key) == keys.map(\.name) else {
                throw .data("\(root)/\(dir): folder does not match the partition keys [\(keys.map(\.name).joined(separator: ","))]")
            }
            parts.append(DatasetPartition(directory: dir, values: pairs.map(\.value), files: files.sorted { $0.path < $1.path }))
        }
        partitions = parts.sorted { $0.directory < $1.directory }
    }

    /// Decodes every row group of every file of `partition`, in file order.
    /// `fields` limits decoding to those model fields (the others read as null).
    public func forEachRowGroup(
        in partition: DatasetPartition, fields: Set<Int>? = nil, _ body: (DecodedRowGroup) throws(WaybillError) -> Void
    ) throws(WaybillError) {
        for f in partition.files {
            try forEachRowGroup(path: f.path, values: partition.values, fields: fields, body)
        }
    }

    /// Decodes every row group of one file (path relative to the dataset folder).
    public func forEachRowGroup(
        path: String, values: [String?], fields: Set<Int>? = nil, _ body: (DecodedRowGroup) throws(WaybillError) -> Void
    ) throws(WaybillError) {
        let full = root + "/" + path
        let file: ParquetFileReader
        do {
            file = try ParquetFileReader(path: full)
        } catch {
            throw Self.wrap(error, full)
        }
        let sealed = try EncryptionMetadata.read(file.metadata.keyValueMetadata, path: full)
        for g in file.metadata.rowGroups.indices {
            try body(try Self.decodeDecrypting(file, rowGroup: g, path: path, dataset: dataset, keys: partitionKeys,
                values: values, fields: fields, where: full, keyring: keyring, metadata: sealed))
        }
    }

    /// Every row of a partition as one table (tests and small partitions).
    public func readTable(_ partition: DatasetPartition) throws(WaybillError) -> ColumnTable {
        var table = ColumnTable(fields: dataset.fields)
        try forEachRowGroup(in: partition) { (g: DecodedRowGroup) throws(WaybillError) in g.appendAll(to: &table) }
        return table
    }

    static func wrap(_ error: any Error, _ path: String) -> WaybillError {
        if let e = error as? WaybillError { return e }
        if let p = error as? ParquetError, p.kind == .io {
            // A file the manifest lists is gone: the dataset was changed behind its manifest.
            if p.errno == ENOENT { return .data("\(path): listed in the dataset's manifest but missing (waybill inspect checks the rest)") }
            if let e = p.errno { return .io(path: path, errno: e) }
            return .io(path: "\(path): \(p)", errno: EIO)
        }
        return .data("\(path): \(error)")
    }

    /// Decodes one row group of a file into the dataset's fields.
    public static func decode(
        _ file: ParquetFileReader, rowGroup g: Int, path: String, dataset: DatasetKind, keys: [PartitionKey],
        values: [String?], fields wanted: Set<Int>?, where full: String
    ) throws(WaybillError) -> DecodedRowGroup {
        let rows: Int
        do {
            rows = Int(try file.rowCount(rowGroup: g))
        } catch {
            throw wrap(error, full)
        }
        var leavesByName: [String: [Int]] = [:]
        for c in file.schema.columns { leavesByName[c.path[0], default: []].append(c.index) }
        var partitionValue: [String: String?] = [:]
        for (i, k) in keys.enumerated() where k.dropsColumn && i < values.count {
            partitionValue[OrderSchema.orderFields[k.field].name] = values[i]
        }
        var columns: [DecodedColumn] = []
        for (fi, def) in dataset.fields.enumerated() {
            if let value = partitionValue[def.name], leavesByName[def.name] == nil {
                columns.append(try constant(value, def, full))
                continue
            }
            guard wanted?.contains(fi) ?? true, let leaves = leavesByName[def.name] else {
                columns.append(.absent)
                continue
            }
            do {
                columns.append(try decodeField(file, g, def, leaves, rows))
            } catch {
                throw wrap(error, full + " row group \(g) column '\(def.name)'")
            }
        }
        return DecodedRowGroup(dataset: dataset, rowCount: rows, path: path, rowGroup: g, columns: columns)
    }

    private static func decodeField(
        _ file: ParquetFileReader, _ g: Int, _ def: FieldDef, _ leaves: [Int], _ rows: Int
    ) throws -> DecodedColumn {
        let desc = file.schema.columns[leaves[0]]
        let expected: PhysicalType
        switch def.kind {
        case .string, .stringList, .stringMap: expected = .byteArray
        case .int32, .date: expected = .int32
        case .int64, .decimal, .timestamp: expected = .int64
        case .bool: expected = .boolean
        }
        guard desc.physical == expected, leaves.count == (def.kind == .stringMap ? 2 : 1) else {
            throw WaybillError.data("has Parquet type \(desc.physical.name) (\(leaves.count) leaves), the model wants \(def.kind)")
        }
        // Lists and maps are read through repetition levels, flat fields by row index: a file
        // whose nesting differs from the model's would index levels that are not there.
        let repeated = def.kind == .stringList || def.kind == .stringMap
        guard leaves.allSatisfy({ file.schema.columns[$0].maxRepetitionLevel == (repeated ? 1 : 0) }) else {
            throw WaybillError.data("is nested differently from the model's \(def.kind) (repetition levels)")
        }
        let data = try file.readColumn(rowGroup: g, column: leaves[0])
        switch def.kind {
        case .stringList:
            var c = DecodedColumn(shape: .list)
            (c.bytes, c.offsets) = DecodedColumn.byteArrays(data.values)
            c.setRows(data, elementDef: UInt8(desc.maxDefinitionLevel), rows: rows)
            return c
        case .stringMap:
            let valueData = try file.readColumn(rowGroup: g, column: leaves[1])
            let valueDesc = file.schema.columns[leaves[1]]
            let entryDef = UInt8(desc.maxDefinitionLevel)
            let (kb, ko) = DecodedColumn.byteArrays(data.values)
            let (vb, vo) = DecodedColumn.byteArrays(valueData.values)
            var slot: [Int32] = []
            var v: Int32 = 0
            let top = UInt8(valueDesc.maxDefinitionLevel)
            for d in valueData.defLevels where d >= entryDef {
                if d == top {
                    slot.append(v)
                    v += 1
                } else {
                    slot.append(-1)
                }
            }
            var c = DecodedColumn(shape: .map)
            (c.keyBytes, c.keyOffsets, c.bytes, c.offsets, c.slot) = (kb, ko, vb, vo, slot)
            c.setRows(data, elementDef: entryDef, rows: rows)
            guard slot.count >= Int(c.start[rows]) else { throw WaybillError.data("map keys and values disagree") }
            return c
        default:
            return DecodedColumn.flat(data, maxDef: desc.maxDefinitionLevel, rows: rows)
        }
    }

    /// A partition value as the field's type (`2024-01-05` -> days for a date key).
    private static func constant(_ value: String?, _ def: FieldDef, _ full: String) throws(WaybillError) -> DecodedColumn {
        guard let value else { return def.kind.isNumeric ? .constant(int: nil) : .constant(bytes: nil) }
        switch def.kind {
        case .string: return .constant(bytes: Array(value.utf8))
        case .date:
            let p = value.split(separator: "-")
            guard p.count == 3, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]),
                CivilTime.isValid(year: y, month: m, day: d)
            else { throw .data("\(full): partition value '\(value)' of \(def.name) is not a date") }
            return .constant(int: CivilTime.days(year: y, month: m, day: d))
        case .bool:
            guard value == "true" || value == "false" else { throw .data("\(full): partition value '\(value)' of \(def.name) is not a boolean") }
            return .constant(int: value == "true" ? 1 : 0)
        default:
            guard let n = Int64(value) else { throw .data("\(full): partition value '\(value)' of \(def.name) is not an integer") }
            return .constant(int: n)
        }
    }
}
