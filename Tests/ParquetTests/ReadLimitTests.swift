import Testing

@testable import Parquet

/// The reader refuses what a file declares beyond its limits before decoding it: a few bytes of
/// run-length encoding can claim millions of rows, so the claims, not the file size, are bounded.
@Suite struct ReadLimitTests {
    /// 5,000 rows: an all-null optional column (one RLE run of definition levels: a few bytes for
    /// every row) and a dictionary-encoded string column whose 5,000 values are 40 bytes each.
    static func sample() throws -> [UInt8] {
        let schema = try ParquetSchema(fields: [
            .leaf(name: "n", physical: .int64, logical: nil, repetition: .optional),
            .leaf(name: "s", physical: .byteArray, logical: .string, repetition: .required),
        ])
        let rows = 5000
        let long = String(repeating: "x", count: 39)
        return try writeInMemory(schema) { w in
            try w.writeInt64(column: 0, values: [], defLevels: [UInt8](repeating: 0, count: rows))
            try w.writeStrings(column: 1, values: (0..<rows).map { long + String($0 % 3) })
        }.bytes
    }

    static func message(_ limits: ParquetReadLimits, column: Int) throws -> String? {
        let r = try ParquetFileReader(bytes: try sample(), limits: limits)
        do {
            _ = try r.readColumn(rowGroup: 0, column: column)
            return nil
        } catch let e as ParquetError {
            #expect(e.kind == .unsupported)
            return e.message
        }
    }

    @Test func standardLimitsReadEverything() throws {
        let bytes = try Self.sample()
        #expect(bytes.count < 2000)  // the claims are far bigger than the file
        #expect(try Self.message(.standard, column: 0) == nil)
        #expect(try Self.message(.standard, column: 1) == nil)
    }

    @Test func rowGroupRowsOverTheLimitAreRefused() throws {
        let limits = ParquetReadLimits(maxRowGroupRows: 4999, maxChunkEntries: 1 << 20, maxChunkValueBytes: 1 << 20)
        let m = try #require(try Self.message(limits, column: 0))
        #expect(m.contains("row group 0 declares 5000 rows") && m.contains("(4999)"))
        let r = try ParquetFileReader(bytes: try Self.sample(), limits: limits)
        #expect(throws: ParquetError.self) { try r.rowCount(rowGroup: 0) }
        // The footer still reads: inspecting a file does not decode its rows.
        #expect(r.metadata.numRows == 5000)
    }

    @Test func chunkEntriesOverTheLimitAreRefused() throws {
        let limits = ParquetReadLimits(maxRowGroupRows: 1 << 20, maxChunkEntries: 4999, maxChunkValueBytes: 1 << 20)
        let m = try #require(try Self.message(limits, column: 0))
        #expect(m.contains("column 'n'") && m.contains("declares 5000 entries"))
    }

    @Test func dictionaryExpansionOverTheByteLimitIsRefused() throws {
        // 5,000 x 40 bytes = 200,000 bytes of values from a dictionary of three.
        let limits = ParquetReadLimits(maxRowGroupRows: 1 << 20, maxChunkEntries: 1 << 20, maxChunkValueBytes: 199_999)
        let m = try #require(try Self.message(limits, column: 1))
        #expect(m.contains("column 's'") && m.contains("more than 199999 bytes"))
        let enough = ParquetReadLimits(maxRowGroupRows: 1 << 20, maxChunkEntries: 1 << 20, maxChunkValueBytes: 200_000)
        #expect(try Self.message(enough, column: 1) == nil)
    }
}
