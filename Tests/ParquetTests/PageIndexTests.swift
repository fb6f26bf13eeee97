import Testing

@testable import Parquet

@Suite struct PageIndexTests {
    @Test(arguments: [ParquetCompression.uncompressed, .zstd])
    func offsetAndColumnIndexMatchThePages(codec: ParquetCompression) throws {
        let schema = try ParquetSchema(fields: [
            .leaf(name: "id", physical: .int64, logical: nil, repetition: .required),
            .leaf(name: "s", physical: .byteArray, logical: .string, repetition: .optional),
            .list("l", element: .leaf(name: "e", physical: .int32, logical: nil, repetition: .required)),
        ])
        var p = WriterProperties()
        p.compression = codec
        p.pageIndex = true
        p.dataPageRowLimit = 10
        p.rowGroupRowLimit = 45
        let rows = 100
        // Rows 20..<30 of "s" are all null: that page must be flagged as a null page.
        let def = (0..<rows).map { UInt8($0 >= 20 && $0 < 30 ? 0 : 1) }
        let strings = (0..<rows).filter { def[$0] == 1 }.map { "v\($0)" }
        var ldef: [UInt8] = [], lrep: [UInt8] = [], lvals: [Int32] = []
        for i in 0..<rows {
            for k in 0..<(i % 3) {
                ldef.append(2); lrep.append(k == 0 ? 0 : 1); lvals.append(Int32(i))
            }
            if i % 3 == 0 { ldef.append(0); lrep.append(0) }
        }
        let (bytes, _) = try writeInMemory(schema, p) { w in
            try w.writeInt64(column: 0, values: (0..<Int64(rows)).map { $0 })
            try w.writeStrings(column: 1, values: strings, defLevels: def)
            try w.writeInt32(column: 2, values: lvals, defLevels: ldef, repLevels: lrep)
        }
        let r = try ParquetFileReader(bytes: bytes)
        #expect(r.metadata.rowGroups.map(\.numRows) == [45, 45, 10])
        for g in 0..<3 {
            for c in 0..<3 {
                let pages = try r.readColumn(rowGroup: g, column: c).pages.filter { $0.type == .dataPage }
                let oi = try #require(try r.offsetIndex(rowGroup: g, column: c))
                #expect(oi.map(\.offset) == pages.map(\.offset))
                #expect(oi.map { Int($0.compressedPageSize) } == pages.map { $0.headerSize + $0.compressedSize })
                #expect(oi.map(\.firstRowIndex) == Array(stride(from: Int64(0), to: r.metadata.rowGroups[g].numRows, by: 10)))
                let ci = try #require(try r.columnIndex(rowGroup: g, column: c))
                #expect(ci.nullPages.count == pages.count)
                for (i, page) in pages.enumerated() where !ci.nullPages[i] {
                    #expect(ci.minValues[i] == page.statistics?.minValue && ci.maxValues[i] == page.statistics?.maxValue)
                }
            }
        }
        let nulls = try #require(try r.columnIndex(rowGroup: 0, column: 1))
        #expect(nulls.nullPages == [false, false, true, false, false])
        #expect(nulls.minValues[2] == [] && nulls.nullCounts?[2] == 10)
        #expect(try r.columnIndex(rowGroup: 0, column: 0)?.minValues.first == Int64(0).plainBytes)
        // Index structures sit between the last chunk and the footer: every row group reads as before.
        #expect(try checkChunkInvariants(r) == [])
        #expect(try readAll(r, 1).strings == strings)
    }

    @Test func noPageIndexByDefault() throws {
        let schema = try ParquetSchema(fields: [.leaf(name: "a", physical: .int32, logical: nil, repetition: .required)])
        let (bytes, _) = try writeInMemory(schema) { w in try w.writeInt32(column: 0, values: [1, 2, 3]) }
        let r = try ParquetFileReader(bytes: bytes)
        #expect(try r.offsetIndex(rowGroup: 0, column: 0) == nil && r.columnIndex(rowGroup: 0, column: 0) == nil)
    }
}

/// Page statistics of dictionary-encoded string pages are folded from the distinct entries a
/// page uses; they must be exactly the extremes of the page's values, page after page, and
/// across the fall back to PLAIN when the dictionary grows past its limit.
@Suite struct DictionaryPageStatisticsTests {
    @Test(arguments: [1 << 20, 600])
    func pageExtremesAreThoseOfItsValues(dictionaryLimit: Int) throws {
        let schema = try ParquetSchema(fields: [.leaf(name: "s", physical: .byteArray, logical: .string, repetition: .required)])
        var p = WriterProperties()
        p.dataPageRowLimit = 50
        p.dictionaryPageByteLimit = dictionaryLimit
        var rng = LCG(7)
        // A pool whose values recur across pages, with new ones appearing late (so the limited
        // dictionary falls back part way through).
        let values = (0..<1000).map { i -> String in
            let k = i < 500 ? rng.below(12) : rng.below(60)
            return String(repeating: "ab", count: k % 5) + "v\(k)"
        }
        let (bytes, _) = try writeInMemory(schema, p) { w in try w.writeStrings(column: 0, values: values) }
        let r = try ParquetFileReader(bytes: bytes)
        let data = try r.readColumn(rowGroup: 0, column: 0)
        let pages = data.pages.filter { $0.type == .dataPage }
        #expect(pages.count == 20)
        #expect(pages.first?.encoding == .rleDictionary)
        if dictionaryLimit < 1000 { #expect(pages.last?.encoding == .plain) }
        for (k, page) in pages.enumerated() {
            let slice = values[(k * 50)..<((k + 1) * 50)].map { Array($0.utf8) }
            let lo = slice.min { $0.lexicographicallyPrecedes($1) }, hi = slice.max { $0.lexicographicallyPrecedes($1) }
            #expect(page.statistics?.minValue == lo && page.statistics?.maxValue == hi, "page \(k)")
        }
    }
}
