import Testing

@testable import Parquet

/// Randomised writer -> reader round trips: random nullability, list nesting, codecs, page and row-group
/// limits, batch sizes and data (a seeded generator keeps failures reproducible).
@Suite struct RandomRoundTripTests {
    struct Spec {
        var optional: Bool
        var inList: Bool
        var physical: PhysicalType
    }

    /// One row of a column: nil (null value or null list), or the list elements (one element when flat).
    typealias Row = [Int64?]?

    @Test(arguments: 0..<24)
    func randomFile(seed: Int) throws {
        var rng = LCG(UInt64(seed) &* 7919 &+ 17)
        let types: [PhysicalType] = [.boolean, .int32, .int64, .double, .byteArray]
        let specs = (0..<(1 + rng.below(5))).map { _ in
            Spec(optional: rng.below(2) == 0, inList: rng.below(3) == 0, physical: types[rng.below(types.count)])
        }
        let rows = 1 + rng.below(3000)
        var props = WriterProperties()
        props.compression = ParquetCompression.allCases[rng.below(4)]
        props.dataPageRowLimit = 1 + rng.below(700)
        props.rowGroupRowLimit = 1 + rng.below(2000)
        props.dictionaryEnabled = rng.below(3) != 0
        props.dictionaryPageByteLimit = 64 + rng.below(4000)
        props.dataPageByteLimit = 100 + rng.below(20000)
        props.pageIndex = rng.below(2) == 0
        props.pageChecksums = rng.below(2) == 0
        props.legacyPlainDictionaryEncoding = rng.below(4) == 0
        let cardinality = 1 + rng.below(500)
        var data: [[Row]] = []
        for s in specs {
            var col: [Row] = []
            for _ in 0..<rows {
                let n = s.inList ? (rng.below(5) == 0 ? -1 : rng.below(4)) : 1
                if n < 0 || (!s.inList && s.optional && rng.below(4) == 0) { col.append(nil); continue }
                col.append((0..<n).map { _ in s.inList && s.optional && rng.below(5) == 0 ? nil : Int64(rng.below(cardinality)) - 100 })
            }
            data.append(col)
        }
        let fields: [SchemaNode] = specs.enumerated().map { i, s in
            let logical: LogicalType? = s.physical == .byteArray ? .string : nil
            let leaf = SchemaNode.leaf(name: "c\(i)", physical: s.physical, logical: logical, repetition: s.optional ? .optional : .required)
            return s.inList ? .list("c\(i)", repetition: .optional, element: leaf) : leaf
        }
        let schema = try ParquetSchema(fields: fields)
        let batch = 1 + rng.below(1000)
        let (bytes, summary) = try writeInMemory(schema, props) { w in
            for (i, s) in specs.enumerated() {
                let c = schema.columns[i]
                var start = 0
                while start < rows {
                    let end = min(rows, start + batch)
                    var def: [UInt8] = [], rep: [UInt8] = [], vals: [Int64] = []
                    for row in data[i][start..<end] {
                        Self.levels(row, c, s, &def, &rep, &vals)
                    }
                    let d: [UInt8]? = c.maxDefinitionLevel > 0 ? def : nil
                    let r: [UInt8]? = c.maxRepetitionLevel > 0 ? rep : nil
                    switch s.physical {
                    case .boolean: try w.writeBooleans(column: i, values: vals.map { $0 % 2 == 0 }, defLevels: d, repLevels: r)
                    case .int32: try w.writeInt32(column: i, values: vals.map { Int32($0) }, defLevels: d, repLevels: r)
                    case .int64: try w.writeInt64(column: i, values: vals, defLevels: d, repLevels: r)
                    case .double: try w.writeDoubles(column: i, values: vals.map { Double($0) / 4 }, defLevels: d, repLevels: r)
                    default: try w.writeStrings(column: i, values: vals.map { "s\($0)" }, defLevels: d, repLevels: r)
                    }
                    start = end
                }
            }
        }
        #expect(summary.rows == Int64(rows))
        let reader = try ParquetFileReader(bytes: bytes)
        #expect(reader.metadata.rowGroups.count == (rows + props.rowGroupRowLimit - 1) / props.rowGroupRowLimit)
        #expect(try checkChunkInvariants(reader) == [])
        for (i, s) in specs.enumerated() {
            let c = schema.columns[i]
            var def: [UInt8] = [], rep: [UInt8] = [], vals: [Int64] = []
            for row in data[i] { Self.levels(row, c, s, &def, &rep, &vals) }
            let got = try readAll(reader, i)
            #expect(got.defLevels == (c.maxDefinitionLevel > 0 ? def : []), "column \(i) def")
            #expect(got.repLevels == (c.maxRepetitionLevel > 0 ? rep : []), "column \(i) rep")
            switch s.physical {
            case .boolean: #expect(got.values == .boolean(vals.map { $0 % 2 == 0 }))
            case .int32: #expect(got.values == .int32(vals.map { Int32($0) }))
            case .int64: #expect(got.values == .int64(vals))
            case .double: #expect(got.values == .double(vals.map { Double($0) / 4 }))
            default: #expect(got.strings == vals.map { "s\($0)" })
            }
            // Chunk statistics bound every value of their row group.
            for g in 0..<reader.metadata.rowGroups.count where s.physical == .int64 {
                let st = try reader.chunkMetadata(rowGroup: g, column: i).statistics
                let d = try reader.readColumn(rowGroup: g, column: i)
                guard case .int64(let v) = d.values, let lo = v.min(), let hi = v.max() else { continue }
                #expect(st?.minValue == lo.plainBytes && st?.maxValue == hi.plainBytes)
                #expect(st?.nullCount == Int64(d.defLevels.filter { $0 < c.maxDefinitionLevel }.count))
            }
        }
    }

    /// Shreds one row into levels for a flat or an optional-list column.
    static func levels(_ row: Row, _ c: ColumnDescriptor, _ s: Spec, _ def: inout [UInt8], _ rep: inout [UInt8], _ vals: inout [Int64]) {
        let maxDef = UInt8(c.maxDefinitionLevel)
        guard s.inList else {
            if let v = row?.first, let v { vals.append(v); def.append(maxDef) } else { def.append(0) }
            return
        }
        guard let row else { def.append(0); rep.append(0); return }
        if row.isEmpty { def.append(1); rep.append(0); return }
        for (k, e) in row.enumerated() {
            rep.append(k == 0 ? 0 : 1)
            if let e { vals.append(e); def.append(maxDef) } else { def.append(maxDef - 1) }
        }
    }
}
