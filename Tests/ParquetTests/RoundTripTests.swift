import Testing

@testable import Parquet

@Suite struct RoundTripTests {
    enum DictMode: String, CaseIterable { case dictionary, fallback, plain }

    static func props(_ codec: ParquetCompression, _ mode: DictMode) -> WriterProperties {
        var p = WriterProperties()
        p.compression = codec
        p.dictionaryEnabled = mode != .plain
        if mode == .fallback { p.dictionaryPageByteLimit = 600 }
        p.dataPageRowLimit = 300
        return p
    }

    static let cases: [(ParquetCompression, Bool, DictMode)] = ParquetCompression.allCases.flatMap { c in
        [false, true].flatMap { opt in DictMode.allCases.map { (c, opt, $0) } }
    }

    /// Every physical type, each codec, required/optional, dictionary/fallback/plain.
    @Test(arguments: cases)
    func allTypes(codec: ParquetCompression, optional: Bool, mode: DictMode) throws {
        let rep: Repetition = optional ? .optional : .required
        let schema = try ParquetSchema(fields: [
            .leaf(name: "b", physical: .boolean, logical: nil, repetition: rep),
            .leaf(name: "i32", physical: .int32, logical: .date, repetition: rep),
            .leaf(name: "i64", physical: .int64, logical: .decimal(precision: 18, scale: 4), repetition: rep),
            .leaf(name: "d", physical: .double, logical: nil, repetition: rep),
            .leaf(name: "s", physical: .byteArray, logical: .string, repetition: rep),
        ])
        let n = 1000
        var rng = LCG(42)
        var def: [UInt8] = []
        for i in 0..<n { def.append(optional && (i % 7 == 3 || rng.below(5) == 0) ? 0 : 1) }
        let present = def.filter { $0 == 1 }.count
        let bools = (0..<present).map { $0 % 3 == 0 }
        // Medium cardinality: enough distinct values to overflow the small fallback limit mid-chunk.
        let ints = (0..<present).map { Int32(($0 * 7919) % 400) - 200 }
        var longs: [Int64] = (0..<present).map { i in Int64((i * 31) % 300) * -12345 }
        longs[0] = Int64.min
        longs[1] = Int64.max
        let doubles = (0..<present).map { Double(($0 * 13) % 250) / 4 - 10 }
        let strings = (0..<present).map { i -> String in i % 50 == 0 ? "" : "v\((i * 17) % 350)-é€" }
        let levels: [UInt8]? = optional ? def : nil
        let (bytes, summary) = try writeInMemory(schema, Self.props(codec, mode)) { w in
            // Two batches per column to cross batch boundaries inside pages.
            let cut = present / 3
            try w.writeBooleans(column: 0, values: bools, defLevels: levels)
            try w.writeInt32(column: 1, values: ints, defLevels: levels)
            try w.writeInt64(column: 2, values: Array(longs[..<cut]), defLevels: optional ? Self.prefixLevels(def, cut) : nil)
            try w.writeInt64(column: 2, values: Array(longs[cut...]), defLevels: optional ? Self.suffixLevels(def, cut) : nil)
            try w.writeDoubles(column: 3, values: doubles, defLevels: levels)
            try w.writeStrings(column: 4, values: strings, defLevels: levels)
        }
        #expect(summary.rows == Int64(n))
        let r = try ParquetFileReader(bytes: bytes)
        #expect(r.metadata.numRows == Int64(n))
        #expect(try checkChunkInvariants(r) == [])
        #expect(try readAll(r, 0).values == .boolean(bools))
        #expect(try readAll(r, 1).values == .int32(ints))
        #expect(try readAll(r, 2).values == .int64(longs))
        #expect(try readAll(r, 3).values == .double(doubles))
        #expect(try readAll(r, 4).strings == strings)
        if optional { #expect(try readAll(r, 4).defLevels == def) }
        let m = try r.chunkMetadata(rowGroup: 0, column: 1)
        #expect(m.codec == codec.rawValue)
        #expect(m.statistics?.nullCount == Int64(n - present))
        #expect(m.statistics?.minValue == Int32(-200).plainBytes && m.statistics?.min == Int32(-200).plainBytes)
        let strStats = try r.chunkMetadata(rowGroup: 0, column: 4).statistics
        #expect(strStats?.min == nil && strStats?.max == nil)
        let emptyBytes: [UInt8] = []
        #expect(strStats?.minValue == emptyBytes)
        #expect(strStats?.maxValue == Array("v99-é€".utf8))
        let longStats = try r.chunkMetadata(rowGroup: 0, column: 2).statistics
        #expect(longStats?.minValue == Int64.min.plainBytes && longStats?.maxValue == Int64.max.plainBytes)
        let pages = try r.readColumn(rowGroup: 0, column: 4).pages
        switch mode {
        case .plain:
            #expect(pages.allSatisfy { $0.encoding == ParquetEncoding.plain })
        case .dictionary:
            #expect(pages.first?.type == .dictionaryPage)
            #expect(pages.dropFirst().allSatisfy { $0.encoding == ParquetEncoding.rleDictionary })
        case .fallback:
            #expect(pages.first?.type == .dictionaryPage)
            #expect(pages.contains { $0.encoding == ParquetEncoding.rleDictionary } && pages.contains { $0.type == .dataPage && $0.encoding == ParquetEncoding.plain })
            let cm = try r.chunkMetadata(rowGroup: 0, column: 4)
            #expect(cm.encodings.contains(ParquetEncoding.plain.rawValue) && cm.encodings.contains(ParquetEncoding.rleDictionary.rawValue))
            #expect(cm.encodingStats?.contains { $0.pageType == 0 && $0.encoding == 0 } == true)
        }
    }

    static func prefixLevels(_ def: [UInt8], _ presentCount: Int) -> [UInt8] {
        var seen = 0
        var i = 0
        while i < def.count && (seen < presentCount || def[i] == 0) {
            if def[i] == 1 { if seen == presentCount { break }; seen += 1 }
            i += 1
        }
        return Array(def[..<i])
    }

    static func suffixLevels(_ def: [UInt8], _ presentCount: Int) -> [UInt8] {
        Array(def[prefixLevels(def, presentCount).count...])
    }

    @Test func listAndMapColumns() throws {
        let schema = try ParquetSchema(fields: [
            .leaf(name: "id", physical: .int64, logical: nil, repetition: .required),
            .list("tags", element: .leaf(name: "x", physical: .byteArray, logical: .string, repetition: .optional)),
            .map("ext", key: .leaf(name: "k", physical: .byteArray, logical: .string, repetition: .required),
                 value: .leaf(name: "v", physical: .byteArray, logical: .string, repetition: .optional)),
        ])
        #expect(schema.columns.map(\.dottedPath) == ["id", "tags.list.element", "ext.key_value.key", "ext.key_value.value"])
        #expect(schema.columns[1].maxDefinitionLevel == 3 && schema.columns[1].maxRepetitionLevel == 1)
        // Rows: tags null | [] | ["a"] | ["b", null, "c"];  ext {} | null | {"k1": "v"} | {"k2": null, "k3": ""}
        let tagDef: [UInt8] = [0, 1, 3, 3, 2, 3], tagRep: [UInt8] = [0, 0, 0, 0, 1, 1]
        let keyDef: [UInt8] = [1, 0, 2, 2, 2], keyRep: [UInt8] = [0, 0, 0, 0, 1]
        let valDef: [UInt8] = [1, 0, 3, 2, 3]
        var p = WriterProperties()
        p.dataPageRowLimit = 1
        let (bytes, _) = try writeInMemory(schema, p) { w in
            try w.writeInt64(column: 0, values: [1, 2, 3, 4])
            try w.writeStrings(column: 1, values: ["a", "b", "c"], defLevels: tagDef, repLevels: tagRep)
            try w.writeStrings(column: 2, values: ["k1", "k2", "k3"], defLevels: keyDef, repLevels: keyRep)
            try w.writeStrings(column: 3, values: ["v", ""], defLevels: valDef, repLevels: keyRep)
        }
        let r = try ParquetFileReader(bytes: bytes)
        #expect(try checkChunkInvariants(r) == [])
        let tags = try r.readColumn(rowGroup: 0, column: 1)
        #expect(tags.strings == ["a", "b", "c"] && tags.defLevels == tagDef && tags.repLevels == tagRep)
        // One row per page: pages break only at repetition level 0.
        #expect(tags.pages.filter { $0.type == .dataPage }.map(\.numValues) == [1, 1, 1, 3])
        let vals = try r.readColumn(rowGroup: 0, column: 3)
        #expect(vals.strings == ["v", ""] && vals.defLevels == valDef)
        let ext = r.metadata.schema.first { $0.name == "ext" }
        #expect(ext?.convertedType == 1 && ext?.logicalType == .map)
        let list = r.metadata.schema.first { $0.name == "tags" }
        #expect(list?.convertedType == 3 && list?.logicalType == .list)
    }

    @Test func oneRowAndAllNulls() throws {
        let schema = try ParquetSchema(fields: [
            .leaf(name: "a", physical: .int64, logical: nil, repetition: .optional),
            .leaf(name: "s", physical: .byteArray, logical: .string, repetition: .optional),
        ])
        let (bytes, summary) = try writeInMemory(schema) { w in
            try w.writeInt64(column: 0, values: [], defLevels: [0])
            try w.writeStrings(column: 1, values: [], defLevels: [0])
        }
        #expect(summary.rows == 1)
        let r = try ParquetFileReader(bytes: bytes)
        let m = try r.chunkMetadata(rowGroup: 0, column: 1)
        #expect(m.statistics?.nullCount == 1 && m.statistics?.minValue == nil)
        #expect(try r.readColumn(rowGroup: 0, column: 0).defLevels == [0])
    }

    @Test func emptyFile() throws {
        let schema = try ParquetSchema(fields: [.leaf(name: "a", physical: .int64, logical: nil, repetition: .required)])
        let (bytes, summary) = try writeInMemory(schema) { _ in }
        #expect(summary.rows == 0 && summary.rowGroups == 0)
        let r = try ParquetFileReader(bytes: bytes)
        #expect(r.metadata.rowGroups.isEmpty)
    }

    @Test(arguments: [99, 100, 101])
    func pageBoundaries(rows: Int) throws {
        let schema = try ParquetSchema(fields: [.leaf(name: "a", physical: .int64, logical: nil, repetition: .required)])
        var p = WriterProperties()
        p.dataPageRowLimit = 100
        let (bytes, _) = try writeInMemory(schema, p) { w in try w.writeInt64(column: 0, values: (0..<Int64(rows)).map { $0 }) }
        let r = try ParquetFileReader(bytes: bytes)
        let pages = try r.readColumn(rowGroup: 0, column: 0).pages.filter { $0.type == .dataPage }
        #expect(pages.map(\.numValues) == (rows <= 100 ? [rows] : [100, rows - 100]))
        #expect(pages.first?.statistics?.maxValue == Int64(min(rows, 100) - 1).plainBytes)
    }

    @Test(arguments: [99, 100, 101, 250])
    func rowGroupBoundaries(rows: Int) throws {
        let schema = try ParquetSchema(fields: [
            .leaf(name: "a", physical: .int64, logical: nil, repetition: .required),
            .leaf(name: "s", physical: .byteArray, logical: .string, repetition: .optional),
        ])
        var p = WriterProperties()
        p.rowGroupRowLimit = 100
        let values = (0..<Int64(rows)).map { $0 }
        let def = (0..<rows).map { UInt8($0 % 2) }
        let strings = (0..<rows).filter { $0 % 2 == 1 }.map { "s\($0)" }
        let (bytes, summary) = try writeInMemory(schema, p) { w in
            // Column 0 in one batch (split by the writer), column 1 in batches of 37.
            try w.writeInt64(column: 0, values: values)
            var i = 0
            while i < rows {
                let j = min(rows, i + 37)
                let slice = Array(def[i..<j])
                let vals = (i..<j).filter { $0 % 2 == 1 }.map { "s\($0)" }
                try w.writeStrings(column: 1, values: vals, defLevels: slice)
                i = j
            }
        }
        #expect(summary.rowGroups == (rows + 99) / 100)
        let r = try ParquetFileReader(bytes: bytes)
        #expect(r.metadata.rowGroups.map(\.numRows) == stride(from: 0, to: rows, by: 100).map { Int64(min(100, rows - $0)) })
        #expect(try checkChunkInvariants(r) == [])
        #expect(try readAll(r, 0).values == .int64(values))
        #expect(try readAll(r, 1).strings == strings)
    }

    @Test func byteLimitCutsRowGroupsAtAlignedPoints() throws {
        let schema = try ParquetSchema(fields: [.leaf(name: "a", physical: .int64, logical: nil, repetition: .required)])
        var p = WriterProperties()
        p.rowGroupByteLimit = 4000
        p.compression = .uncompressed
        p.dictionaryEnabled = false
        let (bytes, summary) = try writeInMemory(schema, p) { w in
            for b in 0..<10 { try w.writeInt64(column: 0, values: (0..<Int64(300)).map { $0 + Int64(b) * 300 }) }
            #expect(w.bufferedBytes < 4000)
        }
        #expect(summary.rowGroups >= 2)
        let r = try ParquetFileReader(bytes: bytes)
        #expect(try readAll(r, 0).values == .int64((0..<Int64(3000)).map { $0 }))
    }

    @Test func earlyFlushAndMismatchedRows() throws {
        let schema = try ParquetSchema(fields: [
            .leaf(name: "a", physical: .int64, logical: nil, repetition: .required),
            .leaf(name: "b", physical: .int32, logical: nil, repetition: .required),
        ])
        let (bytes, _) = try writeInMemory(schema) { w in
            try w.writeInt64(column: 0, values: [1, 2])
            #expect(throws: ParquetError.self) { try w.endRowGroup() }
            try w.writeInt32(column: 1, values: [1, 2])
            try w.endRowGroup()
            try w.writeInt64(column: 0, values: [3])
            try w.writeInt32(column: 1, values: [3])
            #expect(throws: ParquetError.self) { try w.writeInt32(column: 0, values: [3]) }
            #expect(throws: ParquetError.self) { try w.writeInt64(column: 0, values: [3], defLevels: [1, 1]) }
        }
        let r = try ParquetFileReader(bytes: bytes)
        #expect(r.metadata.rowGroups.map(\.numRows) == [2, 1])
    }

    @Test func truncatedStringStatistics() throws {
        let schema = try ParquetSchema(fields: [.leaf(name: "s", physical: .byteArray, logical: .string, repetition: .required)])
        let long = String(repeating: "a", count: 63) + "éz" + String(repeating: "x", count: 10)
        let top = String(repeating: "z", count: 70)
        let (bytes, _) = try writeInMemory(schema) { w in try w.writeStrings(column: 0, values: [long, top, "b"]) }
        let s = try ParquetFileReader(bytes: bytes).chunkMetadata(rowGroup: 0, column: 0).statistics!
        // min is exact ("a...") but long: cut at the UTF-8 boundary before "é" (63 bytes).
        #expect(s.minValue == Array(String(repeating: "a", count: 63).utf8) && s.isMinValueExact == false)
        #expect(s.maxValue == Array((String(repeating: "z", count: 63) + "{").utf8) && s.isMaxValueExact == false)
    }

    @Test func maxTruncationIncrementsCodePoints() {
        #expect(StatsTruncation.truncateMax(Array("ab€c".utf8), limit: 5, utf8: true) == Array("ab\u{20AD}".utf8))
        #expect(StatsTruncation.truncateMax(Array("ab€c".utf8), limit: 4, utf8: true) == Array("ac".utf8))
        #expect(StatsTruncation.truncateMax(Array("a\u{10FFFF}\u{10FFFF}".utf8), limit: 8, utf8: true) == Array("b".utf8))
        #expect(StatsTruncation.truncateMax([0xFF, 0xFF, 0xFF], limit: 2, utf8: false) == nil)
        #expect(StatsTruncation.truncateMax([0x01, 0xFF, 0xFF], limit: 2, utf8: false) == [0x02])
    }

    @Test func keyValueMetadataAndCreatedBy() throws {
        let schema = try ParquetSchema(fields: [.leaf(name: "a", physical: .int32, logical: nil, repetition: .required)])
        var p = WriterProperties()
        p.applicationVersion = "1.2.3"
        p.applicationBuild = "abc123"
        let (bytes, _) = try writeInMemory(schema, p, kv: [("waybill.schema_version", "3")]) { w in
            try w.writeInt32(column: 0, values: [1])
        }
        let r = try ParquetFileReader(bytes: bytes)
        #expect(r.metadata.createdBy == "waybill version 1.2.3 (build abc123)")
        #expect(r.metadata.keyValueMetadata?.first?.key == "waybill.schema_version")
        #expect(r.metadata.columnOrders == [true])
        let text = try ParquetInspector.describe(r, pages: true)
        #expect(text.contains("waybill.schema_version = 3") && text.contains("required INT32 a") && text.contains("DATA_PAGE"))
    }

    @Test func schemaValidation() {
        #expect(throws: ParquetError.self) {
            try ParquetSchema(fields: [.leaf(name: "a", physical: .int32, logical: .string, repetition: .required)])
        }
        #expect(throws: ParquetError.self) {
            try ParquetSchema(fields: [.leaf(name: "a", physical: .int64, logical: .decimal(precision: 19, scale: 2), repetition: .required)])
        }
        #expect(throws: ParquetError.self) { try ParquetSchema(fields: []) }
    }
}
