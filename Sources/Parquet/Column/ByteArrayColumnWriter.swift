/// Column writer for BYTE_ARRAY: arena-backed dictionary with PLAIN fallback, or PLAIN throughout.
final class ByteArrayColumnWriter: LeafWriter {
    let asm: ChunkAssembler
    private let dictionaryConfigured: Bool
    private let utf8: Bool
    private var useDictionary: Bool
    private var dictionaryUsedInChunk = false
    private var dict = ByteDictionary()
    private var indices: [UInt32] = []
    private var plain: [UInt8] = []
    private var encoded: [UInt8] = []
    private var pageStats = ByteStats()
    private var chunkStats = ByteStats()
    private(set) var fileStats = ByteStats()

    init(assembler: ChunkAssembler, dictionary: Bool) {
        self.asm = assembler
        self.dictionaryConfigured = dictionary
        self.useDictionary = dictionary
        self.utf8 = assembler.column.logical == .string
    }

    var pageValueBytes: Int {
        useDictionary ? (indices.count * RLEHybridEncoder.bitWidth(UInt64(max(dict.count, 1))) + 7) / 8 : plain.count
    }

    var dictionaryBytes: Int { useDictionary || dictionaryUsedInChunk ? dict.plainSize : 0 }

    /// `offsets` has one more entry than there are values; value i is `bytes[offsets[i]..<offsets[i+1]]`.
    func write(
        bytes: UnsafeRawBufferPointer, offsets: UnsafeBufferPointer<UInt32>, def: UnsafeBufferPointer<UInt8>?,
        rep: UnsafeBufferPointer<UInt8>?
    ) throws {
        let name = asm.column.dottedPath
        guard !offsets.isEmpty else { throw ParquetError.invalid("column '\(name)': offsets must hold count + 1 entries") }
        var prev = offsets[0]
        for o in offsets.dropFirst() {
            guard o >= prev else { throw ParquetError.invalid("column '\(name)': offsets decrease") }
            prev = o
        }
        guard Int(prev) <= bytes.count else {
            throw ParquetError.invalid("column '\(name)': offsets reach byte \(prev) of a \(bytes.count)-byte arena")
        }
        // An empty arena may have no base address; any non-null pointer works since no byte is read.
        let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        try feed(valueCount: offsets.count - 1, def: def, rep: rep) { _, range in
            pageStats.update(base, offsets, range)
            if useDictionary {
                dict.appendIndices(base, offsets, range, to: &indices)
            } else {
                PlainEncoder.appendByteArrays(base, offsets, range, to: &plain)
            }
        }
    }

    func checkDictionary(valuesLeft: Int?) throws {
        if useDictionary && dict.plainSize >= asm.properties.dictionaryPageByteLimit {
            try flushPage()
            useDictionary = false
        } else if useDictionary && !dictionaryUsedInChunk
            && asm.properties.abandonsDictionaryEarly(distinct: dict.count, values: indices.count, flat: asm.maxRep == 0,
                valuesLeft: valuesLeft, byteArray: true)
        {
            dropDictionary()
        }
    }

    /// Rewrites the open page's values PLAIN from the dictionary and goes on PLAIN; only while
    /// no page of the chunk used the dictionary, so the chunk never gets a dictionary page.
    private func dropDictionary() {
        plain.removeAll(keepingCapacity: true)
        dict.appendPlain(indices, to: &plain)
        indices.removeAll(keepingCapacity: true)
        dict.reset()
        useDictionary = false
    }

    func flushPage() throws {
        guard asm.pageEntries > 0 else { return }
        pageStats.nullCount = asm.pageNulls
        let stats = pageStats.thrift(truncateTo: asm.properties.statisticsTruncateLength, utf8: utf8)
        if useDictionary && !dictionaryUsedInChunk && asm.properties.abandonsDictionary(distinct: dict.count, values: indices.count, byteArray: true) {
            dropDictionary()
        }
        if useDictionary && !indices.isEmpty {
            encoded.removeAll(keepingCapacity: true)
            let width = RLEHybridEncoder.bitWidth(UInt64(dict.count - 1))
            encoded.append(UInt8(width))
            indices.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: width, into: &encoded) }
            let enc = asm.properties.legacyPlainDictionaryEncoding ? ParquetEncoding.plainDictionary : .rleDictionary
            try encoded.withUnsafeBytes { try asm.emitDataPage(values: $0, encoding: enc.rawValue, statistics: stats) }
            dictionaryUsedInChunk = true
        } else {
            try plain.withUnsafeBytes {
                try asm.emitDataPage(values: $0, encoding: ParquetEncoding.plain.rawValue, statistics: stats,
                    level: asm.properties.textCompressionLevel)
            }
        }
        indices.removeAll(keepingCapacity: true)
        plain.removeAll(keepingCapacity: true)
        chunkStats.merge(pageStats)
        pageStats = ByteStats()
    }

    func releaseBuffers() {
        indices = []
        plain = []
        encoded = []
        dict = ByteDictionary()
        asm.releaseBuffers()
    }

    func sealChunk() throws {
        try flushPage()
        var dictionary: (body: [UInt8], count: Int)?
        if dictionaryUsedInChunk {
            var body: [UInt8] = []
            dict.plainBody(into: &body)
            dictionary = (body, dict.count)
        }
        try asm.seal(dictionary: dictionary, statistics: chunkStats.thrift(truncateTo: asm.properties.statisticsTruncateLength, utf8: utf8))
        fileStats.merge(chunkStats)
        chunkStats = ByteStats()
        dict.reset()
        dictionaryUsedInChunk = false
        useDictionary = dictionaryConfigured
    }
}
