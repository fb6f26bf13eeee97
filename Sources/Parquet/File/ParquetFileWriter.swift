/// Writes one Parquet file from columnar batches.
///
/// Feed every leaf column (in any order) with batches of dense non-null values plus, for nullable or
/// repeated columns, definition/repetition levels (one entry per level entry; a batch of a repeated column
/// must start at a row boundary). A row group is cut when every column has reached
/// `WriterProperties.rowGroupRowLimit` rows (exactly, splitting batches), when the buffered bytes reach
/// `rowGroupByteLimit` at a point where all columns hold the same number of rows, or on `endRowGroup()`.
public final class ParquetFileWriter {
    public let schema: ParquetSchema
    public let properties: WriterProperties
    private let sink: any ParquetOutputSink
    private let keyValueMetadata: [(String, String)]
    private let compressor: PageCompressor
    private let leaves: [any LeafWriter]
    private var position: Int64 = 0
    private var rowGroups: [RowGroup] = []
    /// Page index of every written chunk, [row group][column], emitted after the last row group.
    private var pageIndexes: [[(locations: [PageLocation], columnIndex: ColumnIndex?)]] = []
    private var totalRows: Int64 = 0
    private var closed = false

    /// Creates (or truncates) the file at `path`, written through a buffered descriptor.
    public convenience init(
        path: String, schema: ParquetSchema, properties: WriterProperties = WriterProperties(),
        keyValueMetadata: [(String, String)] = []
    ) throws {
        try self.init(
            sink: FileOutputSink(path: path), schema: schema, properties: properties, keyValueMetadata: keyValueMetadata)
    }

    public init(
        sink: any ParquetOutputSink, schema: ParquetSchema, properties: WriterProperties = WriterProperties(),
        keyValueMetadata: [(String, String)] = []
    ) throws {
        guard properties.dataPageRowLimit > 0, properties.rowGroupRowLimit > 0, properties.dataPageByteLimit > 0 else {
            throw ParquetError.invalid("page and row-group limits must be positive")
        }
        self.schema = schema
        self.properties = properties
        self.sink = sink
        self.keyValueMetadata = keyValueMetadata
        self.compressor = try PageCompressor(codec: properties.compression, level: properties.effectiveLevel)
        var leaves: [any LeafWriter] = []
        leaves.reserveCapacity(schema.columns.count)
        for c in schema.columns {
            let asm = ChunkAssembler(column: c, properties: properties, compressor: compressor)
            // The dotted path (a string joined per column and file) only when some column has
            // its own setting.
            let dict = properties.columnDictionary.isEmpty
                ? properties.dictionaryEnabled : properties.dictionaryEnabled(forPath: c.dottedPath)
            switch c.physical {
            case .boolean: leaves.append(BooleanColumnWriter(assembler: asm))
            case .int32: leaves.append(FixedColumnWriter<Int32>(assembler: asm, dictionary: dict))
            case .int64: leaves.append(FixedColumnWriter<Int64>(assembler: asm, dictionary: dict))
            case .double: leaves.append(FixedColumnWriter<Double>(assembler: asm, dictionary: dict))
            case .byteArray: leaves.append(ByteArrayColumnWriter(assembler: asm, dictionary: dict))
            default:
                throw ParquetError(.unsupported, "column '\(c.dottedPath)': writing \(c.physical.name) is not supported")
            }
        }
        self.leaves = leaves
        try emit(Self.magic)
    }

    static let magic: [UInt8] = [0x50, 0x41, 0x52, 0x31]

    // MARK: writing values

    public func writeBooleans(
        column: Int, values: UnsafeBufferPointer<Bool>, defLevels: UnsafeBufferPointer<UInt8>? = nil,
        repLevels: UnsafeBufferPointer<UInt8>? = nil
    ) throws {
        let w: BooleanColumnWriter = try leaf(column, .boolean)
        try w.write(values, def: defLevels, rep: repLevels)
        try afterWrite()
    }

    public func writeInt32(
        column: Int, values: UnsafeBufferPointer<Int32>, defLevels: UnsafeBufferPointer<UInt8>? = nil,
        repLevels: UnsafeBufferPointer<UInt8>? = nil
    ) throws {
        let w: FixedColumnWriter<Int32> = try leaf(column, .int32)
        try w.write(values, def: defLevels, rep: repLevels)
        try afterWrite()
    }

    public func writeInt64(
        column: Int, values: UnsafeBufferPointer<Int64>, defLevels: UnsafeBufferPointer<UInt8>? = nil,
        repLevels: UnsafeBufferPointer<UInt8>? = nil
    ) throws {
        let w: FixedColumnWriter<Int64> = try leaf(column, .int64)
        try w.write(values, def: defLevels, rep: repLevels)
        try afterWrite()
    }

    public func writeDoubles(
        column: Int, values: UnsafeBufferPointer<Double>, defLevels: UnsafeBufferPointer<UInt8>? = nil,
        repLevels: UnsafeBufferPointer<UInt8>? = nil
    ) throws {
        let w: FixedColumnWriter<Double> = try leaf(column, .double)
        try w.write(values, def: defLevels, rep: repLevels)
        try afterWrite()
    }

    /// Byte strings from one arena: value i is `bytes[offsets[i]..<offsets[i+1]]` (offsets.count = values + 1).
    public func writeByteArrays(
        column: Int, bytes: UnsafeRawBufferPointer, offsets: UnsafeBufferPointer<UInt32>,
        defLevels: UnsafeBufferPointer<UInt8>? = nil, repLevels: UnsafeBufferPointer<UInt8>? = nil
    ) throws {
        let w: ByteArrayColumnWriter = try leaf(column, .byteArray)
        try w.write(bytes: bytes, offsets: offsets, def: defLevels, rep: repLevels)
        try afterWrite()
    }

    private func leaf<W>(_ column: Int, _ physical: PhysicalType) throws -> W {
        guard !closed else { throw ParquetError.invalid("write after close") }
        guard column >= 0 && column < leaves.count else {
            throw ParquetError.invalid("column index \(column) out of range (0..<\(leaves.count))")
        }
        guard let w = leaves[column] as? W else {
            let c = schema.columns[column]
            throw ParquetError.invalid("column '\(c.dottedPath)' is \(c.physical.name), not \(physical.name)")
        }
        return w
    }

    // MARK: row groups

    /// Bytes held in memory for the open row group: compressed pages, open pages and dictionaries.
    public var bufferedBytes: Int { leaves.reduce(0) { $0 + $1.bufferedBytes } }

    /// Rows buffered per column (sealed + open); all equal at a row boundary.
    public var bufferedRows: [Int] { leaves.map { $0.pendingRows } }

    /// Rows already handed to finished row groups.
    public var rowsWritten: Int64 { totalRows }

    private func afterWrite() throws {
        try writeCompleteRowGroups()
        // Called after every column write: test the last leaf first, which only catches up
        // with the first once the whole row is written, so a row group of N columns costs
        // O(N) here instead of O(N^2) walks over every leaf.
        let rows = leaves[0].pendingRows
        if rows > 0 && leaves[leaves.count - 1].pendingRows == rows
            && leaves.allSatisfy({ $0.asm.sealed.isEmpty && $0.pendingRows == rows })
            && bufferedBytes >= properties.rowGroupByteLimit
        {
            try endRowGroup()
        }
    }

    /// Closes the open row group now (e.g. under memory pressure) and frees the chunk buffers kept for reuse.
    /// Every column must hold the same rows.
    public func endRowGroup() throws {
        guard !closed else { throw ParquetError.invalid("endRowGroup after close") }
        let rows = leaves.map { $0.pendingRows }
        guard let first = rows.first, rows.allSatisfy({ $0 == first }) else {
            let detail = zip(schema.columns, rows).map { "\($0.dottedPath)=\($1)" }.joined(separator: ", ")
            throw ParquetError.invalid("columns hold different row counts (\(detail)); write every column before ending a row group")
        }
        for l in leaves where l.asm.chunkRows > 0 || l.asm.pageEntries > 0 { try l.sealChunk() }
        try writeCompleteRowGroups()
        // The file may stay open for later row groups (a partition that comes back): what its
        // columns keep for reuse would otherwise hold about a row group's worth of memory per
        // open file, which a budget over many open partitions cannot afford.
        for l in leaves { l.releaseBuffers() }
        compressor.releaseScratch()
    }

    /// Writes every row group for which all columns have a sealed chunk.
    private func writeCompleteRowGroups() throws {
        while leaves.allSatisfy({ !$0.asm.sealed.isEmpty }) {
            var chunks = leaves.map { $0.asm.takeSealed() }
            let rows = chunks[0].rows
            for (c, ch) in zip(schema.columns, chunks) where ch.rows != rows {
                throw ParquetError.invalid("column '\(c.dottedPath)' has \(ch.rows) rows in row group \(rowGroups.count), expected \(rows)")
            }
            try writeRowGroup(chunks, rows: rows)
            for i in chunks.indices { leaves[i].asm.recycle(&chunks[i].dataPages) }
        }
    }

    private func writeRowGroup(_ chunks: [SealedChunk], rows: Int64) throws {
        let start = position
        var columns: [ColumnChunk] = []
        var totalUncompressed: Int64 = 0
        var totalCompressed: Int64 = 0
        var indexes: [(locations: [PageLocation], columnIndex: ColumnIndex?)] = []
        for (c, ch) in zip(schema.columns, chunks) {
            let chunkStart = position
            var dictOffset: Int64?
            if !ch.dictionaryPage.isEmpty {
                dictOffset = position
                try emit(ch.dictionaryPage)
            }
            let dataOffset = position
            try emit(ch.dataPages)
            let meta = ColumnMetaData(
                type: c.physical.rawValue, encodings: ch.encodings, pathInSchema: c.path,
                codec: properties.compression.rawValue, numValues: ch.numValues,
                totalUncompressedSize: Int64(ch.uncompressedSize), totalCompressedSize: position - chunkStart,
                dataPageOffset: dataOffset, dictionaryPageOffset: dictOffset, statistics: ch.statistics,
                encodingStats: ch.encodingStats)
            columns.append(ColumnChunk(fileOffset: 0, metaData: meta))
            if properties.pageIndex { indexes.append(Self.pageIndex(ch.pageIndex, dataOffset: dataOffset)) }
            totalUncompressed += Int64(ch.uncompressedSize)
            totalCompressed += position - chunkStart
        }
        rowGroups.append(
            RowGroup(
                columns: columns, totalByteSize: totalUncompressed, numRows: rows, fileOffset: start,
                totalCompressedSize: totalCompressed, ordinal: rowGroups.count <= Int(Int16.max) ? Int16(rowGroups.count) : nil))
        totalRows += rows
        if properties.pageIndex { pageIndexes.append(indexes) }
    }

    /// OffsetIndex locations and, when every non-null page has both bounds, the ColumnIndex of a chunk.
    private static func pageIndex(_ entries: [PageIndexEntry], dataOffset: Int64) -> ([PageLocation], ColumnIndex?) {
        let locations = entries.map {
            PageLocation(offset: dataOffset + Int64($0.relativeOffset), compressedPageSize: Int32($0.size), firstRowIndex: $0.firstRow)
        }
        guard entries.allSatisfy({ $0.isNullPage || ($0.min != nil && $0.max != nil) }) else { return (locations, nil) }
        // Bounds are left UNORDERED (0): correct for any data; readers still prune page by page.
        let index = ColumnIndex(
            nullPages: entries.map(\.isNullPage), minValues: entries.map { $0.isNullPage ? [] : $0.min! },
            maxValues: entries.map { $0.isNullPage ? [] : $0.max! }, boundaryOrder: 0, nullCounts: entries.map(\.nullCount))
        return (locations, index)
    }

    /// Writes every ColumnIndex, then every OffsetIndex (PageIndex.md layout) and points the chunks at them.
    private func emitPageIndexes() throws {
        for (g, group) in pageIndexes.enumerated() {
            for (c, entry) in group.enumerated() {
                guard let ci = entry.columnIndex else { continue }
                let bytes = PageIndexCoding.writeColumnIndex(ci)
                rowGroups[g].columns[c].columnIndexOffset = position
                rowGroups[g].columns[c].columnIndexLength = Int32(bytes.count)
                try emit(bytes)
            }
        }
        for (g, group) in pageIndexes.enumerated() {
            for (c, entry) in group.enumerated() {
                let bytes = PageIndexCoding.writeOffsetIndex(entry.locations)
                rowGroups[g].columns[c].offsetIndexOffset = position
                rowGroups[g].columns[c].offsetIndexLength = Int32(bytes.count)
                try emit(bytes)
            }
        }
    }

    private func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try sink.write($0) }
        position += Int64(bytes.count)
    }

    // MARK: closing

    /// Ends the last row group, writes the footer and closes the output; `fsync` forces it to disk first.
    @discardableResult
    public func close(fsync: Bool = false) throws -> FileSummary {
        guard !closed else { throw ParquetError.invalid("close called twice") }
        if leaves.contains(where: { $0.pendingRows > 0 || $0.asm.pageEntries > 0 }) { try endRowGroup() }
        closed = true
        if properties.pageIndex { try emitPageIndexes() }
        let meta = FileMetaData(
            version: 1, schema: schema.elements, numRows: totalRows, rowGroups: rowGroups,
            keyValueMetadata: keyValueMetadata.isEmpty ? nil : keyValueMetadata.map { (key: $0.0, value: Optional($0.1)) },
            createdBy: properties.createdBy, columnOrders: Array(repeating: true, count: schema.columns.count))
        let footer = meta.serialized(schemaElements: schema.serializedElements)
        try emit(footer)
        let len = UInt32(footer.count)
        try emit([UInt8(len & 0xFF), UInt8((len >> 8) & 0xFF), UInt8((len >> 16) & 0xFF), UInt8(len >> 24)])
        try emit(Self.magic)
        try sink.finish(fsync: fsync)
        return FileSummary(
            rows: totalRows, rowGroups: rowGroups.count, fileBytes: position, columns: columnSummaries(meta), metadata: meta)
    }

    private func columnSummaries(_ meta: FileMetaData) -> [ColumnSummary] {
        schema.columns.enumerated().map { i, c in
            var s = ColumnSummary(
                path: c.path, physical: c.physical, numValues: 0, nullCount: 0, compressedBytes: 0, uncompressedBytes: 0)
            for g in meta.rowGroups {
                guard let m = g.columns[i].metaData else { continue }
                s.numValues += m.numValues
                s.nullCount += m.statistics?.nullCount ?? 0
                s.compressedBytes += m.totalCompressedSize
                s.uncompressedBytes += m.totalUncompressedSize
            }
            let stats: Statistics
            switch leaves[i] {
            case let w as FixedColumnWriter<Int32>: stats = w.fileStats.thrift()
            case let w as FixedColumnWriter<Int64>: stats = w.fileStats.thrift()
            case let w as FixedColumnWriter<Double>: stats = w.fileStats.thrift()
            case let w as ByteArrayColumnWriter:
                stats = w.fileStats.thrift(truncateTo: properties.statisticsTruncateLength, utf8: c.logical == .string)
            case let w as BooleanColumnWriter:
                stats = BooleanColumnWriter.statistics(hasTrue: w.fileTrue, hasFalse: w.fileFalse, nulls: w.fileNulls)
            default: stats = Statistics()
            }
            s.minValue = stats.minValue
            s.maxValue = stats.maxValue
            return s
        }
    }
}
