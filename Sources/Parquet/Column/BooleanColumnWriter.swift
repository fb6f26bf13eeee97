/// Column writer for BOOLEAN: PLAIN bit-packed values (LSB first); a dictionary would never pay off.
final class BooleanColumnWriter: LeafWriter {
    let asm: ChunkAssembler
    private var packed: [UInt8] = []
    private var bitCount = 0
    private var pageTrue = false, pageFalse = false
    private var chunkTrue = false, chunkFalse = false, chunkNulls: Int64 = 0
    private(set) var fileTrue = false, fileFalse = false, fileNulls: Int64 = 0

    init(assembler: ChunkAssembler) { self.asm = assembler }

    var pageValueBytes: Int { packed.count }
    var dictionaryBytes: Int { 0 }

    func write(_ values: UnsafeBufferPointer<Bool>, def: UnsafeBufferPointer<UInt8>?, rep: UnsafeBufferPointer<UInt8>?) throws {
        try feed(valueCount: values.count, def: def, rep: rep) { _, range in
            for k in range {
                let b = values[k]
                if b { pageTrue = true } else { pageFalse = true }
                let bit = bitCount & 7
                if bit == 0 { packed.append(0) }
                if b { packed[packed.count - 1] |= UInt8(1) << UInt8(bit) }
                bitCount &+= 1
            }
        }
    }

    func checkDictionary(valuesLeft: Int?) throws {}

    static func statistics(hasTrue: Bool, hasFalse: Bool, nulls: Int64) -> Statistics {
        var s = Statistics()
        s.nullCount = nulls
        if hasTrue || hasFalse {
            s.minValue = [hasFalse ? 0 : 1]
            s.maxValue = [hasTrue ? 1 : 0]
            s.isMinValueExact = true
            s.isMaxValueExact = true
        }
        return s
    }

    func flushPage() throws {
        guard asm.pageEntries > 0 else { return }
        let stats = Self.statistics(hasTrue: pageTrue, hasFalse: pageFalse, nulls: asm.pageNulls)
        chunkNulls += asm.pageNulls
        try packed.withUnsafeBytes { try asm.emitDataPage(values: $0, encoding: ParquetEncoding.plain.rawValue, statistics: stats) }
        chunkTrue = chunkTrue || pageTrue
        chunkFalse = chunkFalse || pageFalse
        packed.removeAll(keepingCapacity: true)
        bitCount = 0
        pageTrue = false
        pageFalse = false
    }

    func releaseBuffers() {
        packed = []
        asm.releaseBuffers()
    }

    func sealChunk() throws {
        try flushPage()
        try asm.seal(dictionary: nil, statistics: Self.statistics(hasTrue: chunkTrue, hasFalse: chunkFalse, nulls: chunkNulls))
        fileTrue = fileTrue || chunkTrue
        fileFalse = fileFalse || chunkFalse
        fileNulls += chunkNulls
        chunkTrue = false
        chunkFalse = false
        chunkNulls = 0
    }
}
