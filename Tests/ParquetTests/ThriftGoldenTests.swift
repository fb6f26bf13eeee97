import Testing

@testable import Parquet

@Suite struct ThriftGoldenTests {
    @Test func dataPageHeaderV1() {
        var h = PageHeader(type: 0, uncompressedPageSize: 100, compressedPageSize: 80)
        h.dataPageHeader = DataPageHeader(numValues: 10, encoding: 0)
        var w = CompactWriter()
        h.write(to: &w)
        #expect(w.bytes == [0x15, 0x00, 0x15, 0xC8, 0x01, 0x15, 0xA0, 0x01, 0x2C, 0x15, 0x14, 0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00])
    }

    @Test func timestampLogicalTypeAfterField6() {
        var w = CompactWriter()
        w.i32(6, 10)
        w.beginStruct(10)
        SchemaElement.writeLogical(.timestampMicros(adjustedToUTC: true), to: &w)
        w.endStruct()
        #expect(w.bytes == [0x65, 0x14, 0x4C, 0x8C, 0x11, 0x1C, 0x2C, 0x00, 0x00, 0x00, 0x00])
    }

    @Test func decimalUnion() {
        var w = CompactWriter()
        SchemaElement.writeLogical(.decimal(precision: 18, scale: 2), to: &w)
        w.endStruct()
        #expect(w.bytes == [0x5C, 0x15, 0x04, 0x15, 0x24, 0x00, 0x00])
    }

    @Test func keyValueElement() {
        var w = CompactWriter()
        KeyValueWriting.write("a", "b", to: &w)
        #expect(w.bytes == [0x18, 0x01, 0x61, 0x18, 0x01, 0x62, 0x00])
    }

    @Test func columnOrdersAfterCreatedBy() {
        var root = SchemaElement(name: "s")
        root.numChildren = 2
        var a = SchemaElement(name: "a")
        a.type = 1
        let meta = FileMetaData(
            schema: [root, a, a], numRows: 0, rowGroups: [], keyValueMetadata: nil, createdBy: "x",
            columnOrders: [true, true])
        let bytes = meta.serialized()
        // created_by follows field 4 (delta 2); the column_orders bytes are the spec's worked example.
        #expect(Array(bytes.suffix(12)) == [0x28, 0x01, 0x78, 0x19, 0x2C, 0x1C, 0x00, 0x00, 0x1C, 0x00, 0x00, 0x00])
    }

    @Test func integerBitWidthIsOneRawByte() {
        var w = CompactWriter()
        SchemaElement.writeLogical(.integer(bitWidth: 16, signed: true), to: &w)
        // A0-delta struct 10, i8 field 1 = raw 0x10, bool true field 2, stops.
        #expect(w.bytes == [0xAC, 0x13, 0x10, 0x11, 0x00])
    }

    static let zigzagCases: [(Int64, [UInt8])] = [
        (0, [0x00]), (-1, [0x01]), (1, [0x02]), (-64, [0x7F]), (64, [0x80, 0x01]),
        (Int64(Int32.max), [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]), (Int64(Int32.min), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        (Int64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
    ]

    @Test(arguments: zigzagCases)
    func zigzagVarint(value: Int64, expected: [UInt8]) throws {
        var w = CompactWriter()
        w.zigzagVarint(value)
        #expect(w.bytes == expected)
        var r = CompactReader(bytes: w.bytes, start: 0, end: w.bytes.count, context: "test")
        #expect(try r.zigzag() == value)
        #expect(r.remaining == 0)
    }

    @Test func longFormFieldHeader() throws {
        var w = CompactWriter()
        w.i32(1, 7)
        w.i32(20, 9)  // delta 19 > 15: type byte then zigzag i16 id
        w.i64(18, -2)  // going backwards also needs the long form
        w.endStruct()
        #expect(w.bytes == [0x15, 0x0E, 0x05, 0x28, 0x12, 0x06, 0x24, 0x03, 0x00])
        var r = CompactReader(bytes: w.bytes, start: 0, end: w.bytes.count, context: "test")
        try r.beginStruct()
        var seen: [(Int16, Int64)] = []
        while let (id, t) = try r.fieldHeader() {
            seen.append((id, t == 5 ? Int64(try r.i32()) : try r.i64()))
        }
        #expect(seen.map { $0.0 } == [1, 20, 18])
        #expect(seen.map { $0.1 } == [7, 9, -2])
    }

    @Test func readerSkipsUnknownFieldsOfEveryType() throws {
        var w = CompactWriter()
        w.i32(1, 0)
        w.i32(2, 5)
        w.i32(3, 4)
        // Unknown fields 4..: bool, i8, i16, i64, double, binary, list<i32>, list<bool>, nested struct, map.
        w.bool(4, true)
        w.fieldHeader(30, .i8); w.bytes.append(0x7F)
        w.i16(31, -3)
        w.i64(32, 1 << 40)
        w.fieldHeader(33, .double); w.bytes.append(contentsOf: [0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
        w.binary(34, [1, 2, 3])
        w.listHeader(35, .i32, count: 20)
        for i in 0..<20 { w.i32Element(Int32(i)) }
        w.listHeader(36, .boolTrue, count: 2); w.bytes.append(contentsOf: [1, 2])
        w.beginStruct(37); w.i32(1, 1); w.beginStruct(2); w.bool(1, false); w.endStruct(); w.endStruct()
        w.fieldHeader(38, .map); w.bytes.append(contentsOf: [0x02, 0x85, 0x01, 0x61, 0x04, 0x01, 0x62, 0x06])
        w.endStruct()
        var r = CompactReader(bytes: w.bytes, start: 0, end: w.bytes.count, context: "test")
        let h = try PageHeader.read(from: &r)
        #expect(h.type == 0 && h.uncompressedPageSize == 5 && h.compressedPageSize == 4)
        #expect(r.remaining == 0)
    }

    @Test func footerRoundTrip() throws {
        let schema = try ParquetSchema(fields: [
            .leaf(name: "ts", physical: .int64, logical: .timestampMicros(adjustedToUTC: true), repetition: .required),
            .leaf(name: "amt", physical: .int64, logical: .decimal(precision: 18, scale: 4), repetition: .optional),
            .leaf(name: "q", physical: .int32, logical: .integer(bitWidth: 8, signed: true), repetition: .optional),
            .map("ext", key: .leaf(name: "k", physical: .byteArray, logical: .string, repetition: .required),
                 value: .leaf(name: "v", physical: .byteArray, logical: .string, repetition: .optional)),
        ])
        let meta = FileMetaData(
            schema: schema.elements, numRows: 0, rowGroups: [], keyValueMetadata: [("k", "v")], createdBy: "waybill",
            columnOrders: [true, true, true, true, true])
        let bytes = meta.serialized()
        var r = CompactReader(bytes: bytes, start: 0, end: bytes.count, context: "test")
        let back = try FileMetaData.read(from: &r)
        #expect(back == meta)
        let s2 = try ParquetSchema(elements: back.schema)
        #expect(s2.columns == schema.columns)
        #expect(schema.columns[3].path == ["ext", "key_value", "key"])
        #expect(schema.columns[4].maxDefinitionLevel == 3 && schema.columns[4].maxRepetitionLevel == 1)
    }
}
