import CCodecs

/// The type-independent half of a column writer: buffers the open page's levels, turns encoded value
/// bodies into compressed V1 data pages (header + body) and collects them into the open column chunk.
final class ChunkAssembler {
    let column: ColumnDescriptor
    let properties: WriterProperties
    let compressor: PageCompressor
    let maxDef: UInt8
    let maxRep: UInt8
    private let defWidth: Int
    private let repWidth: Int

    // Open page.
    var defLevels: [UInt8] = []
    var repLevels: [UInt8] = []
    /// Level entries in the open page (num_values: nulls and empty lists included).
    var pageEntries = 0
    var pageRows = 0
    var pageNulls: Int64 = 0

    // Open chunk.
    private var chunkBytes: [UInt8] = []
    private var chunkUncompressed = 0
    var chunkEntries: Int64 = 0
    var chunkRows = 0
    /// Data pages of the open chunk per encoding, indexed by the encoding's Thrift id (0-9):
    /// an array, not a set and a dictionary, whose hashing and sorting at every chunk's seal
    /// were 3% of the instructions of a write of small partitions.
    private var pageCounts = [Int32](repeating: 0, count: ChunkAssembler.encodingSlots)
    private static let encodingSlots = 16
    private var pageIndex: [PageIndexEntry] = []

    // Finished chunks, oldest first.
    var sealed: [SealedChunk] = []

    private var body: [UInt8] = []
    /// An emptied data-page buffer handed back after its row group was written, reused by the next chunk
    /// (a row group's chunk buffers are MBs: regrowing them costs copies and page faults).
    private var spare: [UInt8] = []
    private var header = CompactWriter()

    init(column: ColumnDescriptor, properties: WriterProperties, compressor: PageCompressor) {
        self.column = column
        self.properties = properties
        self.compressor = compressor
        self.maxDef = UInt8(column.maxDefinitionLevel)
        self.maxRep = UInt8(column.maxRepetitionLevel)
        self.defWidth = RLEHybridEncoder.bitWidth(UInt64(column.maxDefinitionLevel))
        self.repWidth = RLEHybridEncoder.bitWidth(UInt64(column.maxRepetitionLevel))
    }

    /// Estimated bytes of the open page's levels.
    var pageLevelBytes: Int { (pageEntries * (defWidth + repWidth) + 7) / 8 }
    /// Bytes held by finished pages of the open chunk and by sealed chunks.
    var storedBytes: Int { chunkBytes.count + sealed.reduce(0) { $0 + $1.compressedSize } }
    var sealedRows: Int { sealed.reduce(0) { $0 + Int($1.rows) } }

    func appendLevels(def: UnsafeBufferPointer<UInt8>?, rep: UnsafeBufferPointer<UInt8>?, _ range: Range<Int>) {
        if maxDef > 0, let def { defLevels.append(contentsOf: UnsafeBufferPointer(rebasing: def[range])) }
        if maxRep > 0, let rep { repLevels.append(contentsOf: UnsafeBufferPointer(rebasing: rep[range])) }
    }

    /// Turns the open page into a V1 data page: [rep levels][def levels][values], compressed as one body.
    /// `level` overrides the codec level for this page (PLAIN text pages, see `WriterProperties.textCompressionLevel`).
    func emitDataPage(values: UnsafeRawBufferPointer, encoding: Int32, statistics: Statistics?, level: Int32? = nil) throws {
        let hasLevels = maxRep > 0 || maxDef > 0
        if hasLevels {
            body.removeAll(keepingCapacity: true)
            if maxRep > 0 { appendLevelStream(repLevels, width: repWidth) }
            if maxDef > 0 { appendLevelStream(defLevels, width: defWidth) }
            body.append(contentsOf: values)
        }
        // A required flat column's body is its values: compress them in place, no copy.
        let pageStart = chunkBytes.count
        let (headerSize, bodySize) = try hasLevels
            ? body.withUnsafeBytes { try appendDataPage($0, encoding: encoding, statistics: statistics, level: level) }
            : appendDataPage(values, encoding: encoding, statistics: statistics, level: level)
        chunkUncompressed += headerSize + bodySize
        if properties.pageIndex {
            let present = pageEntries - Int(pageNulls)
            pageIndex.append(
                PageIndexEntry(
                    relativeOffset: pageStart, size: chunkBytes.count - pageStart, firstRow: Int64(chunkRows - pageRows),
                    nullCount: pageNulls, isNullPage: present == 0, min: statistics?.minValue, max: statistics?.maxValue))
        }
        precondition(encoding >= 0 && Int(encoding) < Self.encodingSlots, "unknown page encoding \(encoding)")
        pageCounts[Int(encoding)] += 1
        chunkEntries += Int64(pageEntries)
        defLevels.removeAll(keepingCapacity: true)
        repLevels.removeAll(keepingCapacity: true)
        pageEntries = 0
        pageRows = 0
        pageNulls = 0
    }

    private func appendDataPage(
        _ src: UnsafeRawBufferPointer, encoding: Int32, statistics: Statistics?, level: Int32?
    ) throws -> (Int, Int) {
        guard src.count <= Int(Int32.max) else {
            throw ParquetError.invalid("column '\(column.dottedPath)': page body of \(src.count) bytes exceeds 2 GiB")
        }
        var dph = DataPageHeader(numValues: Int32(pageEntries), encoding: encoding)
        if properties.pageStatistics { dph.statistics = statistics }
        var h = PageHeader(type: PageType.dataPage.rawValue, uncompressedPageSize: Int32(src.count), compressedPageSize: 0)
        h.dataPageHeader = dph
        return (try appendPage(&h, src, to: &chunkBytes, level: level), src.count)
    }

    private func appendLevelStream(_ levels: [UInt8], width: Int) {
        let lenAt = body.count
        body.append(contentsOf: [0, 0, 0, 0])
        RLEHybridEncoder.encode(levels, bitWidth: width, into: &body)
        let len = UInt32(body.count - lenAt - 4)
        body.withUnsafeMutableBytes { $0.storeBytes(of: len.littleEndian, toByteOffset: lenAt, as: UInt32.self) }
    }

    /// Compresses `src`, writes header then compressed body into `out`; returns the header size.
    private func appendPage(
        _ h: inout PageHeader, _ src: UnsafeRawBufferPointer, to out: inout [UInt8], level: Int32? = nil
    ) throws -> Int {
        let compressed = compressor.codec == .uncompressed ? src.count : try compressor.compress(src, level: level)
        guard compressed <= Int(Int32.max) else {
            throw ParquetError.invalid("column '\(column.dottedPath)': compressed page exceeds 2 GiB")
        }
        h.compressedPageSize = Int32(compressed)
        if properties.pageChecksums {
            let crc: UInt32
            if compressor.codec == .uncompressed {
                crc = wb_crc32(0, src.baseAddress, src.count)
            } else {
                crc = compressor.scratch.withUnsafeBytes { wb_crc32(0, $0.baseAddress, compressed) }
            }
            h.crc = Int32(bitPattern: crc)
        }
        header.reset()
        h.write(to: &header)
        out.append(contentsOf: header.bytes)
        if compressor.codec == .uncompressed {
            out.append(contentsOf: src)
        } else {
            compressor.scratch.withUnsafeBytes { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<compressed])) }
        }
        return header.bytes.count
    }

    /// Closes the open chunk. The caller has flushed its last page; `dictionary` is the PLAIN dictionary body
    /// when any page of the chunk was dictionary-encoded.
    func seal(dictionary: (body: [UInt8], count: Int)?, statistics: Statistics) throws {
        var chunk = SealedChunk(statistics: statistics, encodings: [], encodingStats: [])
        var used = pageCounts.map { $0 > 0 }
        if let dictionary {
            let encoding =
                properties.legacyPlainDictionaryEncoding ? ParquetEncoding.plainDictionary.rawValue : ParquetEncoding.plain.rawValue
            var h = PageHeader(
                type: PageType.dictionaryPage.rawValue, uncompressedPageSize: Int32(dictionary.body.count), compressedPageSize: 0)
            h.dictionaryPageHeader = DictionaryPageHeader(numValues: Int32(dictionary.count), encoding: encoding, isSorted: false)
            let hs = try dictionary.body.withUnsafeBytes { try appendPage(&h, $0, to: &chunk.dictionaryPage) }
            chunk.dictionaryUncompressed = hs + dictionary.body.count
            used[Int(encoding)] = true
            chunk.encodingStats.append(PageEncodingStats(pageType: PageType.dictionaryPage.rawValue, encoding: encoding, count: 1))
        }
        // Levels are RLE-encoded whenever a level stream exists; readers expect RLE listed regardless.
        used[Int(ParquetEncoding.rle.rawValue)] = true
        // In ascending order of id, as the sorted set and dictionary gave them.
        for (enc, u) in used.enumerated() where u { chunk.encodings.append(Int32(enc)) }
        for (enc, n) in pageCounts.enumerated() where n > 0 {
            chunk.encodingStats.append(PageEncodingStats(pageType: PageType.dataPage.rawValue, encoding: Int32(enc), count: n))
        }
        swap(&chunk.dataPages, &chunkBytes)  // hand the buffer over without a copy
        swap(&chunkBytes, &spare)
        swap(&chunk.pageIndex, &pageIndex)
        chunk.dataUncompressed = chunkUncompressed
        chunk.numValues = chunkEntries
        chunk.rows = Int64(chunkRows)
        sealed.append(chunk)
        chunkUncompressed = 0
        chunkEntries = 0
        chunkRows = 0
        for k in pageCounts.indices { pageCounts[k] = 0 }
    }

    /// Takes back a written chunk's buffer for reuse.
    func recycle(_ buffer: inout [UInt8]) {
        guard buffer.capacity > spare.capacity else { return }
        buffer.removeAll(keepingCapacity: true)
        swap(&spare, &buffer)
    }

    /// Frees the buffers kept for the next page and chunk (an explicit row-group end is how
    /// callers relieve memory pressure). Only between chunks: the open page must be empty.
    func releaseBuffers() {
        spare = []
        body = []
        defLevels = []
        repLevels = []
    }

    /// Removes and returns the oldest sealed chunk.
    func takeSealed() -> SealedChunk { sealed.removeFirst() }
}
