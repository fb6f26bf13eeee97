#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal Parquet reader: footer, schema, row groups, chunk metadata and decoding of every column this
/// module writes (PLAIN, dictionary, levels, every codec). Every length is checked against the bytes it
/// claims, so corrupt files fail with a `ParquetError` naming what and where.
public final class ParquetFileReader {
    public let metadata: FileMetaData
    public let schema: ParquetSchema
    /// Bytes of the whole file.
    public let bytes: [UInt8]
    /// Size of the serialized FileMetaData.
    public let footerLength: Int
    /// What decoding may materialise (row group rows, chunk entries and bytes).
    public let limits: ParquetReadLimits
    let source: String

    public convenience init(path: String, limits: ParquetReadLimits = .standard) throws {
        try self.init(bytes: try Self.readFile(path), source: path, limits: limits)
    }

    public init(bytes: [UInt8], source: String = "<memory>", limits: ParquetReadLimits = .standard) throws {
        self.bytes = bytes
        self.source = source
        self.limits = limits
        let n = bytes.count
        guard n >= 12 else { throw ParquetError.corrupt("\(source): \(n) bytes is too short for a Parquet file") }
        guard bytes[0..<4].elementsEqual(ParquetFileWriter.magic) else {
            throw ParquetError.corrupt("\(source): missing PAR1 magic at byte 0")
        }
        guard bytes[(n - 4)...].elementsEqual(ParquetFileWriter.magic) else {
            throw ParquetError.corrupt("\(source): missing PAR1 magic at the end (byte \(n - 4)); the file is truncated")
        }
        let len = Int(bytes[n - 8]) | Int(bytes[n - 7]) << 8 | Int(bytes[n - 6]) << 16 | Int(bytes[n - 5]) << 24
        guard len > 0, len <= n - 12 else {
            throw ParquetError.corrupt("\(source): footer length \(len) does not fit a \(n)-byte file")
        }
        footerLength = len
        var r = CompactReader(bytes: bytes, start: n - 8 - len, end: n - 8, fileOffset: 0, context: "\(source): footer")
        let meta = try FileMetaData.read(from: &r)
        guard r.remaining == 0 else { throw r.error("\(r.remaining) stray bytes after the footer struct") }
        let schema = try ParquetSchema(elements: meta.schema)
        var rows: Int64 = 0
        for (i, g) in meta.rowGroups.enumerated() {
            guard g.columns.count == schema.columns.count else {
                throw ParquetError.corrupt("\(source): row group \(i) has \(g.columns.count) column chunks for \(schema.columns.count) leaves")
            }
            guard g.numRows >= 0 else { throw ParquetError.corrupt("\(source): row group \(i) has negative num_rows") }
            let (sum, overflow) = rows.addingReportingOverflow(g.numRows)
            guard !overflow else { throw ParquetError.corrupt("\(source): row counts overflow") }
            rows = sum
        }
        guard rows == meta.numRows else {
            throw ParquetError.corrupt("\(source): num_rows \(meta.numRows) differs from the row groups' sum \(rows)")
        }
        self.metadata = meta
        self.schema = schema
    }

    /// The metadata of one column chunk.
    public func chunkMetadata(rowGroup: Int, column: Int) throws -> ColumnMetaData {
        guard rowGroup >= 0 && rowGroup < metadata.rowGroups.count else {
            throw ParquetError.invalid("row group \(rowGroup) out of range (file has \(metadata.rowGroups.count))")
        }
        guard column >= 0 && column < schema.columns.count else {
            throw ParquetError.invalid("column \(column) out of range (schema has \(schema.columns.count) leaves)")
        }
        guard let m = metadata.rowGroups[rowGroup].columns[column].metaData else {
            throw ParquetError.corrupt("\(source): row group \(rowGroup) column \(column) has no metadata")
        }
        return m
    }

    /// The rows of a row group, refused when they exceed `limits.maxRowGroupRows`: whoever decodes
    /// the row group allocates for that many rows.
    public func rowCount(rowGroup: Int) throws -> Int64 {
        guard rowGroup >= 0 && rowGroup < metadata.rowGroups.count else {
            throw ParquetError.invalid("row group \(rowGroup) out of range (file has \(metadata.rowGroups.count))")
        }
        let rows = metadata.rowGroups[rowGroup].numRows
        guard rows <= limits.maxRowGroupRows else {
            throw ParquetError(
                .unsupported,
                "\(source): row group \(rowGroup) declares \(rows) rows, more than this reader decodes at once (\(limits.maxRowGroupRows))")
        }
        return rows
    }

    /// Decodes one column chunk into values and levels.
    public func readColumn(rowGroup: Int, column: Int) throws -> ColumnData {
        let meta = try chunkMetadata(rowGroup: rowGroup, column: column)
        let desc = schema.columns[column]
        let where_ = "\(source): row group \(rowGroup) column '\(desc.dottedPath)'"
        guard meta.type == desc.physical.rawValue else {
            throw ParquetError.corrupt("\(where_): chunk type \(meta.type) differs from the schema's \(desc.physical.name)")
        }
        guard let codec = ParquetCompression(rawValue: meta.codec) else {
            throw ParquetError(.unsupported, "\(where_): compression codec \(meta.codec)")
        }
        let rows = try rowCount(rowGroup: rowGroup)
        guard meta.numValues <= limits.maxChunkEntries else {
            throw ParquetError(
                .unsupported,
                "\(where_): chunk declares \(meta.numValues) entries, more than this reader decodes at once (\(limits.maxChunkEntries))")
        }
        if rows == 0 && meta.numValues == 0 {
            // An empty row group: parquet-cpp writes its chunks with page offset 0, pointing at nothing.
            return ChunkDecoder(column: desc, codec: codec, expectedValues: 0, where: where_).finish()
        }
        let start = meta.chunkStart
        let dataLimit = Int64(bytes.count - 8 - footerLength)
        guard start >= 4, meta.totalCompressedSize >= 0, start <= dataLimit,
            meta.totalCompressedSize <= dataLimit - start
        else {
            throw ParquetError.corrupt(
                "\(where_): chunk at byte \(start) with \(meta.totalCompressedSize) bytes lies outside the data area (4..<\(dataLimit))")
        }
        guard meta.numValues >= 0 else { throw ParquetError.corrupt("\(where_): negative num_values") }
        var decoder = ChunkDecoder(
            column: desc, codec: codec, expectedValues: meta.numValues, maxValueBytes: limits.maxChunkValueBytes,
            where: where_)
        try decoder.decodePages(bytes, from: Int(start), to: Int(start + meta.totalCompressedSize))
        let data = decoder.finish()
        let entries = Int64(max(data.defLevels.count, data.repLevels.count, desc.maxDefinitionLevel == 0 ? data.values.count : 0))
        guard entries == meta.numValues else {
            throw ParquetError.corrupt("\(where_): pages hold \(entries) level entries, metadata says \(meta.numValues)")
        }
        let decodedRows = desc.maxRepetitionLevel == 0 ? entries : Int64(data.repLevels.lazy.filter { $0 == 0 }.count)
        guard decodedRows == rows else {
            throw ParquetError.corrupt("\(where_): chunk holds \(decodedRows) rows, row group says \(rows)")
        }
        return data
    }

    /// The OffsetIndex of a chunk, nil when the file has no page index for it.
    public func offsetIndex(rowGroup: Int, column: Int) throws -> [PageLocation]? {
        _ = try chunkMetadata(rowGroup: rowGroup, column: column)
        let c = metadata.rowGroups[rowGroup].columns[column]
        guard let off = c.offsetIndexOffset, let len = c.offsetIndexLength else { return nil }
        var r = try indexReader(off, len, "offset index of row group \(rowGroup) column \(column)")
        return try PageIndexCoding.readOffsetIndex(from: &r)
    }

    /// The ColumnIndex of a chunk, nil when the file has none for it.
    public func columnIndex(rowGroup: Int, column: Int) throws -> ColumnIndex? {
        _ = try chunkMetadata(rowGroup: rowGroup, column: column)
        let c = metadata.rowGroups[rowGroup].columns[column]
        guard let off = c.columnIndexOffset, let len = c.columnIndexLength else { return nil }
        var r = try indexReader(off, len, "column index of row group \(rowGroup) column \(column)")
        return try PageIndexCoding.readColumnIndex(from: &r)
    }

    private func indexReader(_ off: Int64, _ len: Int32, _ what: String) throws -> CompactReader {
        let limit = Int64(bytes.count - 8 - footerLength)
        guard off >= 4, len >= 0, off <= limit, Int64(len) <= limit - off else {
            throw ParquetError.corrupt("\(source): \(what) at byte \(off) (\(len) bytes) lies outside the data area")
        }
        return CompactReader(bytes: bytes, start: Int(off), end: Int(off) + Int(len), context: "\(source): \(what)")
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { let e = errno; throw ParquetError(.io, "cannot open \(path): \(String(cString: strerror(e)))", errno: e) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { let e = errno; throw ParquetError(.io, "cannot stat \(path)", errno: e) }
        let size = Int(st.st_size)
        var out = [UInt8](repeating: 0, count: size)
        var off = 0
        try out.withUnsafeMutableBytes { buf in
            while off < size {
                let n = read(fd, buf.baseAddress! + off, size - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    let e = errno
                    throw ParquetError(.io, "read \(path): \(String(cString: strerror(e)))", errno: e)
                }
                if n == 0 { break }
                off += n
            }
        }
        if off < size { out.removeSubrange(off...) }
        return out
    }
}
