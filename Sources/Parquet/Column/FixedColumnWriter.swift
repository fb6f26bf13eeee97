/// Column writer for INT32, INT64 and DOUBLE: dictionary encoding with PLAIN fallback, or PLAIN throughout.
final class FixedColumnWriter<T: ParquetFixedValue>: LeafWriter {
    let asm: ChunkAssembler
    private let dictionaryConfigured: Bool
    /// Dictionary encoding is active for the open chunk (false after a fallback).
    private var useDictionary: Bool
    private var dictionaryUsedInChunk = false
    private var dict = FixedDictionary<T>()
    private var indices: [UInt32] = []
    private var plain: [UInt8] = []
    private var encoded: [UInt8] = []
    private var pageStats = FixedStats<T>()
    private var chunkStats = FixedStats<T>()
    /// Whole-file statistics, for the file summary.
    private(set) var fileStats = FixedStats<T>()

    init(assembler: ChunkAssembler, dictionary: Bool) {
        self.asm = assembler
        self.dictionaryConfigured = dictionary
        self.useDictionary = dictionary
    }

    var pageValueBytes: Int {
        useDictionary ? (indices.count * RLEHybridEncoder.bitWidth(UInt64(max(dict.count, 1))) + 7) / 8 : plain.count
    }

    var dictionaryBytes: Int { useDictionary || dictionaryUsedInChunk ? dict.plainSize : 0 }

    func write(
        _ values: UnsafeBufferPointer<T>, def: UnsafeBufferPointer<UInt8>?, rep: UnsafeBufferPointer<UInt8>?
    ) throws {
        try feed(valueCount: values.count, def: def, rep: rep) { _, range in
            let slice = UnsafeBufferPointer(rebasing: values[range])
            pageStats.update(slice)
            if useDictionary {
                dict.appendIndices(slice, to: &indices)
            } else {
                PlainEncoder.appendFixed(slice, to: &plain)
            }
        }
    }

    func checkDictionary(valuesLeft: Int?) throws {
        if useDictionary && dict.plainSize >= asm.properties.dictionaryPageByteLimit {
            // arrow-rs style fallback: the pages written so far keep the dictionary, the rest goes PLAIN.
            try flushPage()
            useDictionary = false
        } else if useDictionary && !dictionaryUsedInChunk
            && asm.properties.abandonsDictionaryEarly(distinct: dict.count, values: indices.count, flat: asm.maxRep == 0,
                valuesLeft: valuesLeft)
        {
            dropDictionary()
        }
    }

    /// Rewrites the open page's values PLAIN from the dictionary and goes on PLAIN; only while
    /// no page of the chunk used the dictionary, so the chunk never gets a dictionary page.
    private func dropDictionary() {
        plain.removeAll(keepingCapacity: true)
        let d = dict.values
        var decoded: [T] = []
        decoded.reserveCapacity(indices.count)
        for i in indices { decoded.append(d[Int(i)]) }
        decoded.withUnsafeBufferPointer { PlainEncoder.appendFixed($0, to: &plain) }
        indices.removeAll(keepingCapacity: true)
        dict.reset()
        useDictionary = false
    }

    func flushPage() throws {
        guard asm.pageEntries > 0 else { return }
        pageStats.nullCount = asm.pageNulls
        let stats = pageStats.thrift()
        if useDictionary && !dictionaryUsedInChunk && asm.properties.abandonsDictionary(distinct: dict.count, values: indices.count) {
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
            try plain.withUnsafeBytes { try asm.emitDataPage(values: $0, encoding: ParquetEncoding.plain.rawValue, statistics: stats) }
        }
        indices.removeAll(keepingCapacity: true)
        plain.removeAll(keepingCapacity: true)
        chunkStats.merge(pageStats)
        pageStats = FixedStats<T>()
    }

    func releaseBuffers() {
        indices = []
        plain = []
        encoded = []
        dict = FixedDictionary<T>()
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
        try asm.seal(dictionary: dictionary, statistics: chunkStats.thrift())
        fileStats.merge(chunkStats)
        chunkStats = FixedStats<T>()
        dict.reset()
        dictionaryUsedInChunk = false
        useDictionary = dictionaryConfigured
    }
}
