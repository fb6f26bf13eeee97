@testable import Parquet

/// Writes a file in memory with `body` and returns its bytes.
func writeInMemory(
    _ schema: ParquetSchema, _ props: WriterProperties = WriterProperties(), kv: [(String, String)] = [],
    _ body: (ParquetFileWriter) throws -> Void
) throws -> (bytes: [UInt8], summary: FileSummary) {
    let sink = MemoryOutputSink()
    let w = try ParquetFileWriter(sink: sink, schema: schema, properties: props, keyValueMetadata: kv)
    try body(w)
    let summary = try w.close()
    return (sink.bytes, summary)
}

/// Deterministic pseudo-random numbers (tests must be repeatable).
struct LCG {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 11
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Reads every row group of column `c` and concatenates values and levels.
func readAll(_ r: ParquetFileReader, _ c: Int) throws -> ColumnData {
    var all: ColumnData?
    for g in 0..<r.metadata.rowGroups.count {
        let d = try r.readColumn(rowGroup: g, column: c)
        guard var a = all else { all = d; continue }
        a.defLevels += d.defLevels
        a.repLevels += d.repLevels
        a.pages += d.pages
        switch (a.values, d.values) {
        case (.boolean(let x), .boolean(let y)): a.values = .boolean(x + y)
        case (.int32(let x), .int32(let y)): a.values = .int32(x + y)
        case (.int64(let x), .int64(let y)): a.values = .int64(x + y)
        case (.double(let x), .double(let y)): a.values = .double(x + y)
        case (.byteArray(let xb, let xo), .byteArray(let yb, let yo)):
            let base = UInt32(xb.count)
            a.values = .byteArray(bytes: xb + yb, offsets: xo + yo.dropFirst().map { $0 + base })
        default: break
        }
        all = a
    }
    return all!
}

/// Checks the chunk invariants every reader relies on: sizes = sum of pages incl. headers, offsets.
func checkChunkInvariants(_ r: ParquetFileReader) throws -> [String] {
    var problems: [String] = []
    for (gi, g) in r.metadata.rowGroups.enumerated() {
        var expectedOffset = g.fileOffset ?? -1
        for ci in 0..<g.columns.count {
            let m = try r.chunkMetadata(rowGroup: gi, column: ci)
            let d = try r.readColumn(rowGroup: gi, column: ci)
            if g.columns[ci].fileOffset != 0 { problems.append("file_offset != 0") }
            if m.chunkStart != expectedOffset { problems.append("rg \(gi) col \(ci) starts at \(m.chunkStart), expected \(expectedOffset)") }
            let total = d.pages.reduce(0) { $0 + $1.headerSize + $1.compressedSize }
            let utotal = d.pages.reduce(0) { $0 + $1.headerSize + $1.uncompressedSize }
            if Int64(total) != m.totalCompressedSize { problems.append("rg \(gi) col \(ci) compressed \(m.totalCompressedSize) != \(total)") }
            if Int64(utotal) != m.totalUncompressedSize { problems.append("rg \(gi) col \(ci) uncompressed \(m.totalUncompressedSize) != \(utotal)") }
            let firstData = d.pages.first { $0.type == .dataPage }
            if firstData?.offset != m.dataPageOffset { problems.append("rg \(gi) col \(ci) data_page_offset") }
            let dict = d.pages.first { $0.type == .dictionaryPage }
            if dict?.offset != m.dictionaryPageOffset { problems.append("rg \(gi) col \(ci) dictionary_page_offset") }
            let byEncoding = Dictionary(grouping: d.pages.filter { $0.type == .dataPage }, by: { $0.encoding.rawValue })
            for s in m.encodingStats ?? [] where s.pageType == 0 {
                if byEncoding[s.encoding]?.count != Int(s.count) { problems.append("rg \(gi) col \(ci) encoding_stats") }
            }
            for e in byEncoding.keys where !m.encodings.contains(e) { problems.append("rg \(gi) col \(ci) encodings lacks \(e)") }
            expectedOffset += m.totalCompressedSize
        }
    }
    return problems
}
