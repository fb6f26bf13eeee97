#if canImport(Glibc)
import Glibc
#endif
import Testing

@testable import Parquet

@Suite struct WriterOptionTests {
    @Test func legacyPlainDictionaryAndChecksums() throws {
        let schema = try ParquetSchema(fields: [.leaf(name: "s", physical: .byteArray, logical: .string, repetition: .optional)])
        var p = WriterProperties()
        p.legacyPlainDictionaryEncoding = true
        p.pageChecksums = true
        p.compression = .snappy
        let values = (0..<500).map { "k\($0 % 7)" }
        let (bytes, _) = try writeInMemory(schema, p) { w in
            try w.writeStrings(column: 0, values: values, defLevels: Array(repeating: 1, count: 500))
        }
        let r = try ParquetFileReader(bytes: bytes)
        let d = try r.readColumn(rowGroup: 0, column: 0)
        #expect(d.strings == values)
        #expect(d.pages.map(\.encoding) == [.plainDictionary, .plainDictionary])
        // A flipped body byte must now be caught by the page CRC.
        var bad = bytes
        let body = Int(d.pages[1].offset) + d.pages[1].headerSize
        bad[body] ^= 0x55
        #expect(throws: ParquetError.self) { _ = try ParquetFileReader(bytes: bad).readColumn(rowGroup: 0, column: 0) }
    }

    @Test func oneEntryDictionaryHasBitWidthZero() throws {
        let schema = try ParquetSchema(fields: [.leaf(name: "a", physical: .int64, logical: nil, repetition: .required)])
        var p = WriterProperties()
        p.compression = .uncompressed
        let (bytes, _) = try writeInMemory(schema, p) { w in try w.writeInt64(column: 0, values: Array(repeating: 9, count: 100)) }
        let r = try ParquetFileReader(bytes: bytes)
        let d = try r.readColumn(rowGroup: 0, column: 0)
        #expect(d.values == .int64(Array(repeating: 9, count: 100)))
        let page = d.pages[1]
        let body = Int(page.offset) + page.headerSize
        // bit width 0, then an RLE run of 100 (header 200 = C8 01) with a zero-byte value.
        #expect(Array(bytes[body..<(body + page.compressedSize)]) == [0x00, 0xC8, 0x01])
    }

    @Test func fileOutputWithFsync() throws {
        let schema = try ParquetSchema(fields: [.leaf(name: "a", physical: .double, logical: nil, repetition: .optional)])
        let path = "/tmp/waybill-parquet-test-\(UInt32.random(in: 0...UInt32.max)).parquet"
        defer { _ = path.withCString { unlink($0) } }
        let w = try ParquetFileWriter(path: path, schema: schema)
        try w.writeDoubles(column: 0, values: [1.5, -0.0, .nan], defLevels: [1, 0, 1, 1])
        let s = try w.close(fsync: true)
        let r = try ParquetFileReader(path: path)
        #expect(Int64(r.bytes.count) == s.fileBytes)
        guard case .double(let v) = try r.readColumn(rowGroup: 0, column: 0).values else { return }
        #expect(v.count == 3 && v[0] == 1.5 && v[2].isNaN)
        let st = try r.chunkMetadata(rowGroup: 0, column: 0).statistics!
        // NaN is left out of min/max; a zero min is written as -0.0.
        #expect(st.minValue == (-0.0).plainBytes && st.maxValue == (1.5).plainBytes && st.nullCount == 1)
        #expect(s.columns[0].nullCount == 1 && s.columns[0].numValues == 4)
    }
}

@Suite struct DefaultLimitTests {
    /// The default row-group limit (1,048,576 rows) cuts exactly, also across batches.
    @Test(arguments: [1_048_575, 1_048_576, 1_048_577])
    func defaultRowGroupBoundary(rows: Int) throws {
        let schema = try ParquetSchema(fields: [.leaf(name: "a", physical: .int32, logical: nil, repetition: .required)])
        var p = WriterProperties()
        p.compression = .uncompressed
        p.dictionaryEnabled = false
        let values = [Int32](repeating: 7, count: 100_000)
        let (bytes, summary) = try writeInMemory(schema, p) { w in
            var left = rows
            while left > 0 {
                let n = min(left, values.count)
                try values.withUnsafeBufferPointer { try w.writeInt32(column: 0, values: UnsafeBufferPointer(rebasing: $0[0..<n])) }
                left -= n
            }
        }
        #expect(summary.rows == Int64(rows))
        let r = try ParquetFileReader(bytes: bytes)
        #expect(r.metadata.rowGroups.map(\.numRows) == (rows > 1_048_576 ? [1_048_576, Int64(rows - 1_048_576)] : [Int64(rows)]))
        // 20,000-row pages: 52 full pages + one partial in the first row group.
        let pages = try r.readColumn(rowGroup: 0, column: 0).pages
        #expect(pages.count == (min(rows, 1_048_576) + 19_999) / 20_000)
    }
}

@Suite struct DictionaryRatioTests {
    @Test func nearUniqueColumnsDropTheDictionary() throws {
        let schema = try ParquetSchema(fields: [
            .leaf(name: "id", physical: .int64, logical: nil, repetition: .required),
            .leaf(name: "email", physical: .byteArray, logical: .string, repetition: .optional),
            .leaf(name: "status", physical: .byteArray, logical: .string, repetition: .required),
        ])
        let n = 5000
        let ids = (0..<Int64(n)).map { $0 * 3 }
        let emails = (0..<n).map { "user\($0)@example.com" }
        let status = (0..<n).map { ["paid", "shipped"][$0 % 2] }
        let (bytes, _) = try writeInMemory(schema) { w in
            try w.writeInt64(column: 0, values: ids)
            try w.writeStrings(column: 1, values: emails, defLevels: Array(repeating: 1, count: n))
            try w.writeStrings(column: 2, values: status)
        }
        let r = try ParquetFileReader(bytes: bytes)
        for c in 0..<2 {
            let m = try r.chunkMetadata(rowGroup: 0, column: c)
            #expect(m.dictionaryPageOffset == nil && !m.encodings.contains(ParquetEncoding.rleDictionary.rawValue))
        }
        #expect(try r.chunkMetadata(rowGroup: 0, column: 2).dictionaryPageOffset != nil)
        #expect(try r.readColumn(rowGroup: 0, column: 0).values == .int64(ids))
        #expect(try r.readColumn(rowGroup: 0, column: 1).strings == emails)
    }

    /// `chunksWrittenWhole` only lets a column give its dictionary up sooner when that is
    /// certain: the files are byte for byte those written without it, for flat and list
    /// columns that are distinct, cyclic (`i % N` around the ratio limit) or low-cardinality.
    @Test(arguments: [1, 3, 700, 1100, 1199, 1500, 2999, 6000])
    func wholeChunkPromiseChangesNoByte(period: Int) throws {
        let schema = try ParquetSchema(fields: [
            .leaf(name: "id", physical: .int64, logical: nil, repetition: .required),
            .leaf(name: "s", physical: .byteArray, logical: .string, repetition: .optional),
            .list("tags", element: .leaf(name: "element", physical: .byteArray, logical: .string, repetition: .optional)),
        ])
        let n = 6000
        let ids = (0..<n).map { Int64($0 % period) }
        let s = (0..<n).map { "value-\($0 % period)" }
        // Lists of 0-3 elements, so entries and rows differ.
        var tags: [String] = []
        var defs: [UInt8] = []
        var reps: [UInt8] = []
        for row in 0..<n {
            let count = row % 4
            if count == 0 {
                defs.append(1)
                reps.append(0)
            }
            for k in 0..<count {
                tags.append("tag-\((row * 3 + k) % period)")
                defs.append(3)
                reps.append(k == 0 ? 0 : 1)
            }
        }
        func write(_ whole: Bool) throws -> [UInt8] {
            var props = WriterProperties()
            props.chunksWrittenWhole = whole
            return try writeInMemory(schema, props) { w in
                try w.writeInt64(column: 0, values: ids)
                try w.writeStrings(column: 1, values: s, defLevels: Array(repeating: 1, count: n))
                try w.writeStrings(column: 2, values: tags, defLevels: defs, repLevels: reps)
            }.bytes
        }
        #expect(try write(true) == write(false))
    }

    /// A dictionary of only the empty string (an arena of no bytes), kept, and one rewritten
    /// PLAIN from such a dictionary when its column turns out too distinct.
    @Test func emptyStringDictionaries() throws {
        let schema = try ParquetSchema(fields: [
            .leaf(name: "blank", physical: .byteArray, logical: .string, repetition: .required),
            .leaf(name: "mixed", physical: .byteArray, logical: .string, repetition: .required),
        ])
        let n = 3000
        let blank = Array(repeating: "", count: n)
        let mixed = (0..<n).map { $0 % 2 == 0 ? "" : "v\($0)" }
        let (bytes, _) = try writeInMemory(schema) { w in
            try w.writeStrings(column: 0, values: blank)
            try w.writeStrings(column: 1, values: mixed)
        }
        let r = try ParquetFileReader(bytes: bytes)
        #expect(try r.chunkMetadata(rowGroup: 0, column: 0).dictionaryPageOffset != nil)
        #expect(try r.chunkMetadata(rowGroup: 0, column: 1).dictionaryPageOffset == nil)
        #expect(try r.readColumn(rowGroup: 0, column: 0).strings == blank)
        #expect(try r.readColumn(rowGroup: 0, column: 1).strings == mixed)
    }
}

/// `textCompressionLevel` applies to PLAIN string pages of text (values averaging
/// `textMinAverageBytes` or more) only: pages of short ids keep the writer's level, however large.
@Suite struct TextCompressionLevelTests {
    @Test func onlyLongValuesCountAsText() {
        var props = WriterProperties()
        props.textCompressionLevel = 9
        // 10 values of 20 bytes each, with their 4-byte lengths: text.
        #expect(props.textLevel(plainBytes: 240, values: 10) == 9)
        #expect(props.textLevel(plainBytes: 239, values: 10) == nil)
        #expect(props.textLevel(plainBytes: 0, values: 0) == nil)
        // A large page of short values is not text.
        #expect(props.textLevel(plainBytes: 1 << 20, values: (1 << 20) / 8) == nil)
        props.textCompressionLevel = nil
        #expect(props.textLevel(plainBytes: 240, values: 10) == nil)
    }

    @Test func shortValuesKeepTheWritersLevel() throws {
        let schema = try ParquetSchema(fields: [
            .leaf(name: "note", physical: .byteArray, logical: .string, repetition: .required),
            .leaf(name: "id", physical: .byteArray, logical: .string, repetition: .required),
        ])
        var rng = LCG(7)
        let words = ["furiously", "pending", "deposits", "sleep", "quickly", "among", "the", "bold", "accounts"]
        let n = 4000
        let notes = (0..<n).map { _ in (0..<6).map { _ in words[rng.below(words.count)] }.joined(separator: " ") }
        let ids = (0..<n).map { "o\($0 * 7919 % 100_003)" }
        func sizes(_ textLevel: Int32?) throws -> (note: Int64, id: Int64) {
            var props = WriterProperties()
            props.compressionLevel = 1
            props.textCompressionLevel = textLevel
            props.dictionaryEnabled = false
            let bytes = try writeInMemory(schema, props) { w in
                try w.writeStrings(column: 0, values: notes)
                try w.writeStrings(column: 1, values: ids)
            }.bytes
            let r = try ParquetFileReader(bytes: bytes)
            return (try r.chunkMetadata(rowGroup: 0, column: 0).totalCompressedSize,
                try r.chunkMetadata(rowGroup: 0, column: 1).totalCompressedSize)
        }
        let plain = try sizes(nil)
        let text = try sizes(19)
        #expect(text.note < plain.note)
        #expect(text.id == plain.id)
    }
}
