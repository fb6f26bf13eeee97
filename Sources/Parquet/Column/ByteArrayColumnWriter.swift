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
    /// Per dictionary entry, the page whose statistics already include it (`page`), so a
    /// dictionary-encoded page compares each distinct value once instead of every value.
    private var statsStamp: [UInt32] = []
    private var page: UInt32 = 1
    private var distinct: [UInt32] = []
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
            if useDictionary {
                let first = indices.count
                dict.appendIndices(base, offsets, range, to: &indices)
                updateStatsFromDictionary(from: first)
            } else {
                pageStats.update(base, offsets, range)
                PlainEncoder.appendByteArrays(base, offsets, range, to: &plain)
            }
        }
    }

    /// Folds the dictionary entries of `indices[first...]` not yet seen on this page into the
    /// page's statistics: the same extremes as comparing every value.
    private func updateStatsFromDictionary(from first: Int) {
        if statsStamp.count < dict.count { statsStamp.append(contentsOf: repeatElement(0, count: dict.count - statsStamp.count)) }
        distinct.removeAll(keepingCapacity: true)
        let stamp = page
        statsStamp.withUnsafeMutableBufferPointer { seen in
            indices.withUnsafeBufferPointer { ix in
                for k in first..<ix.count {
                    let e = Int(ix[k])
                    if seen[e] != stamp {
                        seen[e] = stamp
                        distinct.append(UInt32(e))
                    }
                }
            }
        }
        if !distinct.isEmpty { dict.updateStats(&pageStats, entries: distinct) }
    }

    /// A new page, or a dictionary whose indices now mean other values: no entry is in the
    /// statistics being built.
    private func forgetStatsStamps(dictionaryReset: Bool) {
        if dictionaryReset || page == .max {
            statsStamp.removeAll(keepingCapacity: true)
            page = 1
        } else {
            page += 1
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
        forgetStatsStamps(dictionaryReset: true)
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
                    level: asm.properties.textLevel(plainBytes: plain.count, values: asm.pageEntries - Int(asm.pageNulls)))
            }
        }
        indices.removeAll(keepingCapacity: true)
        plain.removeAll(keepingCapacity: true)
        chunkStats.merge(pageStats)
        pageStats = ByteStats()
        forgetStatsStamps(dictionaryReset: false)
    }

    func releaseBuffers() {
        indices = []
        plain = []
        encoded = []
        dict = ByteDictionary()
        statsStamp = []
        distinct = []
        page = 1
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
        forgetStatsStamps(dictionaryReset: true)
        dictionaryUsedInChunk = false
        useDictionary = dictionaryConfigured
    }
}
