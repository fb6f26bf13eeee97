import Parquet

/// The interop matrix: every type x codec x nullability x dictionary mode, plus edge-case files.
enum Matrix {
    static let codecs: [ParquetCompression] = [.uncompressed, .snappy, .gzip, .zstd]

    static func props(_ codec: ParquetCompression) -> WriterProperties {
        var p = WriterProperties()
        p.compression = codec
        p.applicationVersion = "0.1.0"
        p.applicationBuild = "matrix"
        return p
    }

    static func files() -> [MatrixFile] {
        var out: [MatrixFile] = []
        let typesRequired = typeColumns(rows: 30_000, optional: false)
        let typesOptional = typeColumns(rows: 30_000, optional: true)
        let orderColumns = orders(rows: 100_000)
        for codec in codecs {
            for optional in [false, true] {
                for mode in ["dictionary", "fallback", "plain"] {
                    var p = props(codec)
                    p.dictionaryEnabled = mode != "plain"
                    // 4 KiB makes every dictionary column overflow mid-chunk (2,000 distinct values).
                    if mode == "fallback" {
                        p.dictionaryPageByteLimit = 4096
                        // Keep the dictionary however distinct the first page is, so the fallback happens mid-chunk.
                        p.dictionaryDistinctRatioLimit = 1.0
                    }
                    let name = "types_\(codec.name.lowercased())_\(optional ? "optional" : "required")_\(mode).parquet"
                    out.append(
                        MatrixFile(
                            name: name, columns: optional ? typesOptional : typesRequired, properties: p,
                            dataset: "types_\(optional ? "optional" : "required")"))
                }
            }
        }
        out.append(MatrixFile(name: "edge_strings.parquet", columns: edgeStrings(), properties: props(.zstd)))
        out.append(MatrixFile(name: "extremes.parquet", columns: extremes(), properties: props(.snappy)))
        var nested = props(.zstd)
        nested.rowGroupRowLimit = 200
        nested.dataPageRowLimit = 64
        out.append(MatrixFile(name: "nested.parquet", columns: nestedColumns(rows: 700), properties: nested, batchRows: 97))
        var legacy = props(.snappy)
        legacy.legacyPlainDictionaryEncoding = true
        legacy.pageChecksums = true
        out.append(
            MatrixFile(name: "legacy_plain_dictionary_crc.parquet", columns: typesOptional, properties: legacy, dataset: "types_optional"))
        var indexed = props(.zstd)
        indexed.pageIndex = true
        indexed.dataPageRowLimit = 1000
        out.append(MatrixFile(name: "page_index.parquet", columns: typesOptional, properties: indexed, dataset: "types_optional"))
        out.append(MatrixFile(name: "one_row.parquet", columns: typeColumns(rows: 1, optional: true), properties: props(.zstd)))
        for n in [19_999, 20_000, 20_001] {
            out.append(MatrixFile(name: "rows_\(n).parquet", columns: idColumns(rows: n), properties: props(.zstd)))
        }
        for n in [999, 1000, 1001, 2500] {
            var p = props(.snappy)
            p.rowGroupRowLimit = 1000
            out.append(MatrixFile(name: "rowgroups_\(n).parquet", columns: idColumns(rows: n), properties: p, batchRows: 333))
        }
        for codec in codecs {
            var p = props(codec)
            p.columnDictionary = ["order_id": false, "created_at": false]
            out.append(
                MatrixFile(
                    name: "orders_\(codec.name.lowercased()).parquet", columns: orderColumns, properties: p, batchRows: 65_536,
                    dataset: "orders"))
        }
        return out
    }

    /// Nulls at a fixed ~9% pattern when optional.
    static func nullable<T>(_ n: Int, _ optional: Bool, _ f: (Int) -> T) -> [T?] {
        (0..<n).map { i in optional && (i &* 31) % 11 == 0 ? nil : f(i) }
    }

    static func typeColumns(rows n: Int, optional o: Bool) -> [MatrixColumn] {
        let k = 2000
        return [
            .flat("b", .boolean, nil, optional: o, kind: "bool", .bool(nullable(n, o) { $0 % 3 == 0 })),
            .flat("d", .int32, .date, optional: o, kind: "date", .int32(nullable(n, o) { Int32(18_000 + ($0 &* 7) % k) })),
            .flat("i8", .int32, .integer(bitWidth: 8, signed: true), optional: o, kind: "int",
                  .int32(nullable(n, o) { Int32($0 % 256) - 128 })),
            .flat("i32", .int32, nil, optional: o, kind: "int", .int32(nullable(n, o) { Int32(($0 &* 7919) % k) - 1000 })),
            .flat("i64", .int64, nil, optional: o, kind: "int",
                  .int64(nullable(n, o) { i in i == 1 ? Int64.min : i == 2 ? Int64.max : Int64((i &* 104_729) % k) * -1_000_003 })),
            .flat("ts", .int64, .timestampMicros(adjustedToUTC: true), optional: o, kind: "timestamp_us",
                  .int64(nullable(n, o) { 1_700_000_000_000_000 + Int64($0 % k) * 1_000_003 })),
            .flat("amount", .int64, .decimal(precision: 18, scale: 4), optional: o, kind: "decimal4",
                  .int64(nullable(n, o) { Int64(($0 &* 613) % k) * 12_345 - 9_999_999 })),
            .flat("x", .double, nil, optional: o, kind: "double", .double(nullable(n, o) { Double(($0 &* 37) % k) / 8 - 100 })),
            .flat("s", .byteArray, .string, optional: o, kind: "string",
                  .string(nullable(n, o) { i in i % 97 == 0 ? "" : "value-\((i &* 389) % k)-é日" })),
        ]
    }

    static func edgeStrings() -> [MatrixColumn] {
        let n = 300
        let long = String(repeating: "x", count: 63) + "é" + String(repeating: "y", count: 40)
        let top = String(repeating: "\u{10FFFF}", count: 20)
        return [
            .flat("empty", .byteArray, .string, optional: false, kind: "string", .string((0..<n).map { $0 % 3 == 0 ? "a" : "" })),
            .flat("utf8", .byteArray, .string, optional: true, kind: "string",
                  .string((0..<n).map { i in i % 5 == 0 ? nil : ["é", "日本語", "🚀 rocket", "Ünïcödé", "\u{0}nul", "tab\tq\"x"][i % 6] })),
            .flat("long", .byteArray, .string, optional: false, kind: "string", .string((0..<n).map { long + "\($0 % 17)" })),
            .flat("long_top", .byteArray, .string, optional: false, kind: "string",
                  .string((0..<n).map { $0 % 2 == 0 ? top : "z" + String(repeating: "€", count: 30) })),
            .flat("one_entry", .byteArray, .string, optional: false, kind: "string", .string(Array(repeating: "same", count: n))),
            .flat("one_entry_i64", .int64, nil, optional: true, kind: "int", .int64((0..<n).map { $0 % 4 == 0 ? nil : 42 })),
            .flat("all_null", .byteArray, .string, optional: true, kind: "string", .string(Array(repeating: nil, count: n))),
            .flat("all_null_i64", .int64, nil, optional: true, kind: "int", .int64(Array(repeating: nil, count: n))),
            .flat("all_null_b", .boolean, nil, optional: true, kind: "bool", .bool(Array(repeating: nil, count: n))),
        ]
    }

    static func extremes() -> [MatrixColumn] {
        let ints: [Int64] = [Int64.min, Int64.max, 0, -1, 1, Int64.min + 1, Int64.max - 1]
        let decs: [Int64] = [-999_999_999_999_999_999, 999_999_999_999_999_999, -1, -10_000, -12_345_678, 0, 5]
        let i32: [Int32] = [Int32.min, Int32.max, 0, -1, 1, -7, 7]
        let dbl: [Double] = [-0.0, 0.0, 1e308, -1e308, Double.leastNonzeroMagnitude, -2.5, 3.25]
        return [
            .flat("i64", .int64, nil, optional: false, kind: "int", .int64(ints)),
            .flat("amount", .int64, .decimal(precision: 18, scale: 4), optional: false, kind: "decimal4", .int64(decs)),
            .flat("i32", .int32, nil, optional: false, kind: "int", .int32(i32)),
            .flat("x", .double, nil, optional: false, kind: "double", .double(dbl)),
        ]
    }

    static func nestedColumns(rows n: Int) -> [MatrixColumn] {
        let tags: [[String?]?] = (0..<n).map { i in
            switch i % 5 {
            case 0: nil
            case 1: []
            case 2: ["t\(i % 7)"]
            case 3: ["a", nil, "é\(i % 3)"]
            default: (0..<(i % 11)).map { "x\($0)" }
            }
        }
        let ext: [[(String, String?)]?] = (0..<n).map { i in
            switch i % 4 {
            case 0: nil
            case 1: []
            case 2: [("channel", "web"), ("note", i % 8 == 2 ? nil : "n\(i)")]
            default: [("k\(i % 5)", "")]
            }
        }
        return [
            .flat("id", .int64, nil, optional: false, kind: "int", .int64((0..<n).map { Int64($0) })),
            .list("tags", tags),
            .map("ext", ext),
        ]
    }

    static func idColumns(rows n: Int) -> [MatrixColumn] {
        [
            .flat("id", .int64, nil, optional: false, kind: "int", .int64((0..<n).map { Int64($0) })),
            .flat("s", .byteArray, .string, optional: true, kind: "string", .string((0..<n).map { $0 % 10 == 0 ? nil : "s\($0 % 300)" })),
        ]
    }

    /// Order-like data for size comparisons: unique ids and timestamps, low-cardinality strings, amounts.
    static func orders(rows n: Int) -> [MatrixColumn] {
        let statuses = ["pending", "paid", "shipped", "delivered", "cancelled", "refunded"]
        let countries = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA", "AU", "ES", "IT", "NL"]
        var seed: UInt64 = 7
        func rnd() -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(seed >> 33)
        }
        var amounts: [Int64?] = []
        var status: [String?] = []
        var country: [String?] = []
        var email: [String?] = []
        var qty: [Int32?] = []
        for i in 0..<n {
            amounts.append(Int64(rnd() % 5_000_000) * 100)
            status.append(statuses[min(rnd() % 8, statuses.count - 1)])
            country.append(countries[rnd() % countries.count])
            email.append(i % 13 == 0 ? nil : "customer\(rnd() % 50_000)@example.com")
            qty.append(Int32(1 + rnd() % 5))
        }
        let ids: [Int64?] = (0..<n).map { 10_000_000 + Int64($0) }
        var created: [Int64?] = []
        for i in 0..<n { created.append(1_700_000_000_000_000 + Int64(i) * 15_000_000 + Int64(i % 7) * 1_000) }
        return [
            .flat("order_id", .int64, nil, optional: false, kind: "int", .int64(ids)),
            .flat("created_at", .int64, .timestampMicros(adjustedToUTC: true), optional: false, kind: "timestamp_us", .int64(created)),
            .flat("status", .byteArray, .string, optional: false, kind: "string", .string(status)),
            .flat("country", .byteArray, .string, optional: false, kind: "string", .string(country)),
            .flat("email", .byteArray, .string, optional: true, kind: "string", .string(email)),
            .flat("amount", .int64, .decimal(precision: 18, scale: 4), optional: false, kind: "decimal4", .int64(amounts)),
            .flat("qty", .int32, .integer(bitWidth: 16, signed: true), optional: false, kind: "int", .int32(qty)),
        ]
    }
}
