import OrderModel
import Parquet

/// Writes one data file of a dataset with the dataset's schema and metadata (the same
/// encoder `waybill write` uses), under caller-chosen Parquet properties: what the lifecycle
/// verbs use to rewrite partitions (compaction) or recompress them for a cold tier (ZSTD at a
/// high level, bigger row groups). The caller stages the file and commits it.
public final class DatasetFileWriter {
    public let path: String
    private let sink: ParquetDataFile
    private var pending: ColumnTable
    let rowGroupRows: Int
    private let rowGroupBytes: Int
    public private(set) var rows = 0

    /// - Parameters:
    ///   - keys: the dataset's partition keys (their identity columns are left out of the file).
    ///   - compressionLevel: the codec level (zstd 1-22); nil for the codec's default.
    ///   - encryption: encrypts the PII columns (docs/encryption.md).
    ///   - rowGroupRows, rowGroupBytes: a row group is written when either is reached (the
    ///     rows wait in memory as a `ColumnTable` until then).
    public init(
        path: String, dataset: DatasetKind, keys: [PartitionKey], batchId: String,
        compression: DatasetCompression = .zstd, compressionLevel: Int32? = nil, rowGroupRows: Int = 1_048_576,
        rowGroupBytes: Int = 128 << 20, applicationVersion: String = "0.0.0", encryption: ColumnEncryption? = nil
    ) throws(WaybillError) {
        self.path = path
        let sealer = encryption?.sealer(dataset: dataset, keys: keys)
        let schema = try DatasetSchema(dataset: dataset, keys: keys, sealer: sealer)
        var props = WriterProperties()
        switch compression {
        case .zstd: props.compression = .zstd
        case .snappy: props.compression = .snappy
        case .gzip: props.compression = .gzip
        case .none: props.compression = .uncompressed
        }
        props.compressionLevel = compressionLevel
        // Never more rows than Waybill's reader decodes from one row group (the recrypter asks
        // for no row cap at all, only the byte one).
        self.rowGroupRows = min(max(1, rowGroupRows), DatasetWriteOptions.maxRowGroupRows)
        self.rowGroupBytes = max(1 << 16, rowGroupBytes)
        props.rowGroupRowLimit = self.rowGroupRows
        props.applicationVersion = applicationVersion
        props.applicationBuild = "waybill-lifecycle"
        sealer?.configure(&props)
        sink = try ParquetDataFile(path: path, schema: schema, properties: props,
            metadata: DatasetSchema.keyValueMetadata(dataset: dataset, keys: keys, batchId: batchId)
                + (sealer.map { [$0.metadata] } ?? []), sealer: sealer)
        pending = ColumnTable(fields: dataset.fields)
    }

    /// Appends one row: `fill` sets its fields (between the table's `beginRow` and `endRow`).
    public func append(_ fill: (inout ColumnTable) -> Void) throws(WaybillError) {
        pending.beginRow()
        fill(&pending)
        pending.endRow()
        rows += 1
        // The byte size sums every column, so it is only looked at every 1,024 rows.
        if pending.rowCount >= rowGroupRows || (pending.rowCount & 1023 == 0 && pending.byteSize >= rowGroupBytes) {
            try flush()
        }
    }

    /// Writes the buffered rows as a row group.
    public func flush() throws(WaybillError) {
        guard pending.rowCount > 0 else { return }
        var table = PendingTable(fields: pending.fields)
        Array(Int32(0)..<Int32(pending.rowCount)).withUnsafeBufferPointer { table.append(pending, rows: $0) }
        try sink.writeRowGroup(table)
        pending.removeAll()
    }

    /// Writes the footer and closes the file: its size and CRC-32 (zlib).
    public func finish() throws(WaybillError) -> (bytes: Int, crc32: String) {
        try flush()
        let r = try sink.finish()
        return (r.bytes, DatasetManifest.crcText(r.crc32))
    }
}
