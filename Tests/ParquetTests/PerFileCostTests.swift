import Testing

@testable import Parquet

/// The shortcuts that make a small file cheaper must not change a byte of it.
@Suite struct PerFileCostTests {
    /// A repeated small page comes from the memo: the same bytes a fresh compressor makes, and
    /// a different page (or level) after it is compressed anew.
    @Test func repeatedSmallPagesCompressToTheSameBytes() throws {
        let memo = try PageCompressor(codec: .zstd, level: 3)
        func fresh(_ page: [UInt8], level: Int32 = 3) throws -> [UInt8] {
            let c = try PageCompressor(codec: .zstd, level: 3)
            let n = try page.withUnsafeBytes { try c.compress($0, level: level) }
            return Array(c.scratch[0..<n])
        }
        func viaMemo(_ page: [UInt8], level: Int32 = 3) throws -> [UInt8] {
            let n = try page.withUnsafeBytes { try memo.compress($0, level: level) }
            return Array(memo.scratch[0..<n])
        }
        let nulls: [UInt8] = [2, 0, 0, 0, 0x2A, 0]  // a page of levels: 21 nulls
        let other: [UInt8] = [2, 0, 0, 0, 0x2C, 0]
        let big = [UInt8]((0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        for page in [nulls, nulls, other, nulls, big, big, nulls] {
            #expect(try viaMemo(page) == fresh(page))
        }
        #expect(try viaMemo(nulls, level: 5) == fresh(nulls, level: 5))
        #expect(try viaMemo(nulls, level: 3) == fresh(nulls, level: 3))
    }

    /// A writer's schema carries its footer elements serialized once; they are the bytes of
    /// the elements written one by one.
    @Test func serializedSchemaElementsAreTheElementsBytes() throws {
        let schema = try ParquetSchema(fields: [
            .leaf(name: "id", physical: .byteArray, logical: .string, repetition: .optional),
            .leaf(name: "amount", physical: .int64, logical: .decimal(precision: 18, scale: 4), repetition: .optional),
            .map("ext", repetition: .optional,
                key: .leaf(name: "key", physical: .byteArray, logical: .string, repetition: .required),
                value: .leaf(name: "value", physical: .byteArray, logical: .string, repetition: .optional)),
        ])
        var w = CompactWriter()
        for e in schema.elements { e.write(to: &w) }
        #expect(schema.serializedElements == w.bytes)
        let meta = FileMetaData(version: 1, schema: schema.elements, numRows: 0, rowGroups: [], keyValueMetadata: nil,
            createdBy: "t", columnOrders: nil)
        #expect(meta.serialized(schemaElements: schema.serializedElements) == meta.serialized())
        #expect(try ParquetSchema(elements: schema.elements).serializedElements == nil)
    }

    @Test func dictionaryTablesStartSizedToTheFirstSlice() {
        #expect(initialSlotCount(forFirst: 0) == 16)
        #expect(initialSlotCount(forFirst: 8) == 16)
        #expect(initialSlotCount(forFirst: 9) == 32)
        #expect(initialSlotCount(forFirst: 300) == 1024)
        #expect(initialSlotCount(forFirst: 100_000) == 1024)
        for n in 0...2000 {
            let s = initialSlotCount(forFirst: n)
            #expect(s & (s - 1) == 0 && s >= 16 && s <= 1024 && (s >= 2 * n || s == 1024))
        }
    }
}
