import Testing

@testable import Parquet

@Suite struct CorruptFileTests {
    static func sample(_ codec: ParquetCompression) throws -> [UInt8] {
        let schema = try ParquetSchema(fields: [
            .leaf(name: "id", physical: .int64, logical: nil, repetition: .required),
            .leaf(name: "s", physical: .byteArray, logical: .string, repetition: .optional),
            .list("l", element: .leaf(name: "e", physical: .int32, logical: nil, repetition: .required)),
        ])
        var p = WriterProperties()
        p.compression = codec
        p.dataPageRowLimit = 4
        p.pageIndex = true
        return try writeInMemory(schema, p, kv: [("k", "v")]) { w in
            try w.writeInt64(column: 0, values: (0..<10).map { Int64($0) })
            try w.writeStrings(column: 1, values: ["a", "bb", "a", "ccc", "a"], defLevels: [1, 0, 1, 1, 0, 0, 1, 1, 0, 0])
            try w.writeInt32(
                column: 2, values: [1, 2, 3, 4, 5], defLevels: [2, 2, 0, 1, 2, 2, 0, 0, 2, 0, 0, 0],
                repLevels: [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        }.bytes
    }

    /// Decodes everything; returns normally or throws, never crashes.
    static func readEverything(_ bytes: [UInt8]) throws {
        let r = try ParquetFileReader(bytes: bytes)
        for g in 0..<r.metadata.rowGroups.count {
            for c in 0..<r.schema.columns.count {
                _ = try r.readColumn(rowGroup: g, column: c)
                _ = try r.offsetIndex(rowGroup: g, column: c)
                _ = try r.columnIndex(rowGroup: g, column: c)
            }
        }
        _ = try ParquetInspector.describe(r, pages: true)
    }

    @Test(arguments: ParquetCompression.allCases)
    func everyTruncationFails(codec: ParquetCompression) throws {
        let bytes = try Self.sample(codec)
        try Self.readEverything(bytes)
        for cut in 0..<bytes.count {
            #expect(throws: ParquetError.self, "truncated to \(cut) bytes") { try Self.readEverything(Array(bytes[0..<cut])) }
        }
    }

    /// Flipping any byte of the data pages or footer gives a clean error or a successful read, never a crash.
    @Test(arguments: ParquetCompression.allCases)
    func byteFlipsNeverCrash(codec: ParquetCompression) throws {
        let bytes = try Self.sample(codec)
        var failures = 0
        for i in 4..<(bytes.count - 4) {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var b = bytes
                b[i] ^= mask
                do { try Self.readEverything(b) } catch is ParquetError { failures += 1 }
            }
        }
        #expect(failures > 0)
    }

    /// Cutting bytes out of the middle keeps a valid-looking tail and footer whose offsets now point wrong.
    @Test func splicedFilesFailCleanly() throws {
        let bytes = try Self.sample(.zstd)
        var failures = 0
        for start in stride(from: 4, to: bytes.count - 20, by: 3) {
            for len in [1, 7, 40] where start + len < bytes.count - 8 {
                var b = bytes
                b.removeSubrange(start..<(start + len))
                do { try Self.readEverything(b) } catch is ParquetError { failures += 1 }
            }
        }
        #expect(failures > 0)
    }

    @Test func errorsNameTheProblem() throws {
        let bytes = try Self.sample(.uncompressed)
        var b = bytes
        b[b.count - 1] = 0
        #expect(throws: ParquetError.self) { try ParquetFileReader(bytes: b) }
        do {
            _ = try ParquetFileReader(bytes: b, source: "x.parquet")
        } catch let e as ParquetError {
            #expect(e.description.contains("x.parquet") && e.description.contains("magic"))
        }
        // A footer length larger than the file.
        var c = bytes
        c[c.count - 5] = 0x7F
        do {
            _ = try ParquetFileReader(bytes: c)
            Issue.record("expected an error")
        } catch let e as ParquetError {
            #expect(e.kind == .corrupt && e.description.contains("footer length"))
        }
    }
}
