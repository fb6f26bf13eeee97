#if canImport(Glibc)
import Glibc
#endif
import CCodecs
import OrderModel
import Parquet

/// Opens Parquet data files for the partitioned writer.
struct ParquetSinkFactory: DataFileSinkFactory {
    private let schemas = SchemaCache()

    func makeSink(path: String, dataset: DatasetKind, options: DatasetWriteOptions) throws(WaybillError) -> DataFileSink {
        let sealer = options.encryption?.sealer(dataset: dataset, keys: options.partitionKeys)
        let schema = try schemas.schema(dataset, keys: options.partitionKeys, sealer: sealer)
        var props = WriterProperties()
        switch options.compression {
        case .zstd: props.compression = .zstd
        case .snappy: props.compression = .snappy
        case .gzip: props.compression = .gzip
        case .none: props.compression = .uncompressed
        }
        // Row groups are cut by the partitioned writer (one endRowGroup per flush), so the
        // file writer's own limits only act as a safety net.
        props.rowGroupRowLimit = max(options.rowGroupRows, 1)
        props.rowGroupByteLimit = max(options.effectiveRowGroupBytes, 1 << 20)
        props.chunksWrittenWhole = true  // ParquetDataFile writes each column of a row group in one call
        if options.compression == .zstd {
            props.compressionLevel = DatasetWriteOptions.zstdLevel
            props.textCompressionLevel = DatasetWriteOptions.zstdTextLevel
        }
        props.applicationVersion = options.applicationVersion
        props.applicationBuild = "waybill-datasets"
        sealer?.configure(&props)
        return try ParquetDataFile(path: path, schema: schema, properties: props,
            metadata: DatasetSchema.keyValueMetadata(dataset: dataset, keys: options.partitionKeys, batchId: options.batchId)
                + (sealer.map { [$0.metadata] } ?? []), sealer: sealer)
    }
}

/// The schemas of the files a factory opens: every file of a dataset in a run has the same
/// one, so it is built once instead of per file (building it was about 250,000 instructions,
/// a sixth of a small partition's file; a run partitioned by day opens thousands).
private final class SchemaCache: @unchecked Sendable {
    private struct Key: Hashable {
        var dataset: DatasetKind
        var keys: String
        var binary: Set<String>
    }

    private let lock = Lock()
    private var built: [Key: DatasetSchema] = [:]

    func schema(_ dataset: DatasetKind, keys: [PartitionKey], sealer: ColumnSealer?) throws(WaybillError) -> DatasetSchema {
        let key = Key(dataset: dataset, keys: keys.map(\.description).joined(separator: ","), binary: sealer?.names ?? [])
        lock.lock()
        defer { lock.unlock() }
        if let s = built[key] { return s }
        let s = try DatasetSchema(dataset: dataset, keys: keys, sealer: sealer)
        built[key] = s
        return s
    }
}

/// A file descriptor output that computes the file's CRC-32 as it writes (so the manifest
/// needs no second read) through a small buffer (so 64 open files cost 4 MiB, not 64).
final class ChecksummingFileSink: ParquetOutputSink {
    let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int
    private(set) var crc: UInt32 = 0
    private(set) var size = 0

    init(path: String, bufferBytes: Int = 64 << 10) throws(WaybillError) {
        self.path = path
        capacity = bufferBytes
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw .cannotCreate(path: path, errno: errno) }
    }

    deinit { if fd >= 0 { close(fd) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        crc = wb_crc32(crc, bytes.baseAddress, bytes.count)
        size += bytes.count
        if buffer.count + bytes.count > capacity {
            try flush()
            if bytes.count >= capacity {
                try writeAll(bytes)
                return
            }
        }
        buffer.append(contentsOf: bytes)
    }

    func finish(fsync doSync: Bool) throws {
        guard fd >= 0 else { return }
        try flush()
        buffer = []
        if doSync {
            if fsync(fd) != 0 { throw WaybillError.io(path: path, errno: errno) }
        } else {
            // Starts writing the file back now, without waiting: the commit's one syncfs then
            // finds most of the run's data already on disk instead of flushing all of it at
            // the end (TPC-H 0.1 flat: 13-45 ms of a 60-90 ms commit). Advisory: an error here
            // changes nothing, the syncfs still makes the data durable or fails the commit.
            FileOps.startWriteback(fd)
        }
        let rc = close(fd)
        fd = -1
        if rc != 0 { throw WaybillError.io(path: path, errno: errno) }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var off = 0
        while off < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + off, bytes.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw WaybillError.io(path: path, errno: errno)
            }
            off += n
        }
    }
}

/// One Parquet data file of a dataset, fed a `PendingTable` per row group.
final class ParquetDataFile: DataFileSink {
    private let path: String
    private let schema: DatasetSchema
    private let output: ChecksummingFileSink
    private let writer: ParquetFileWriter
    private var encoder = PendingColumnEncoder()
    private let sealer: ColumnSealer?

    init(
        path: String, schema: DatasetSchema, properties: WriterProperties, metadata: [(String, String)],
        sealer: ColumnSealer? = nil
    ) throws(WaybillError) {
        self.path = path
        self.schema = schema
        self.sealer = sealer
        output = try ChecksummingFileSink(path: path)
        do {
            writer = try ParquetFileWriter(sink: output, schema: schema.parquet, properties: properties,
                keyValueMetadata: metadata)
        } catch {
            throw Self.wrap(error, path)
        }
    }

    var bytesWritten: Int { output.size }

    func writeRowGroup(_ table: PendingTable) throws(WaybillError) {
        do {
            for (i, f) in schema.fields.enumerated() {
                if let sealer, sealer.columns[f] != nil {
                    try sealer.write(table.column(f), field: f, leaf: schema.firstLeaf[i], to: writer)
                    continue
                }
                try encoder.write(table.column(f), leaf: schema.firstLeaf[i], to: writer)
            }
            try writer.endRowGroup()
        } catch {
            throw Self.wrap(error, path)
        }
    }

    func finish() throws(WaybillError) -> (bytes: Int, crc32: UInt32) {
        do {
            try writer.close(fsync: false)  // made durable by one syncfs before the commit
        } catch {
            throw Self.wrap(error, path)
        }
        return (output.size, output.crc)
    }

    static func wrap(_ error: any Error, _ path: String) -> WaybillError {
        if let e = error as? WaybillError { return e }
        return .io(path: path + ": " + String(describing: error), errno: EIO)
    }
}
