/// Parquet physical types (`parquet.thrift` Type).
public enum PhysicalType: Int32, Sendable, CaseIterable {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7

    public var name: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .int32: "INT32"
        case .int64: "INT64"
        case .int96: "INT96"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .byteArray: "BYTE_ARRAY"
        case .fixedLenByteArray: "FIXED_LEN_BYTE_ARRAY"
        }
    }
}

/// Field repetition (`parquet.thrift` FieldRepetitionType).
public enum Repetition: Int32, Sendable {
    case required = 0, optional = 1, repeated = 2

    public var name: String {
        switch self {
        case .required: "required"
        case .optional: "optional"
        case .repeated: "repeated"
        }
    }
}

/// Compression codecs this module writes and reads (`parquet.thrift` CompressionCodec).
public enum ParquetCompression: Int32, Sendable, CaseIterable {
    case uncompressed = 0, snappy = 1, gzip = 2, zstd = 6

    public var name: String {
        switch self {
        case .uncompressed: "UNCOMPRESSED"
        case .snappy: "SNAPPY"
        case .gzip: "GZIP"
        case .zstd: "ZSTD"
        }
    }
}

/// Page and level encodings (`parquet.thrift` Encoding); only the ids matter to the writer.
public enum ParquetEncoding: Int32, Sendable {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5
    case deltaLengthByteArray = 6, deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9

    public var name: String {
        switch self {
        case .plain: "PLAIN"
        case .plainDictionary: "PLAIN_DICTIONARY"
        case .rle: "RLE"
        case .bitPacked: "BIT_PACKED"
        case .deltaBinaryPacked: "DELTA_BINARY_PACKED"
        case .deltaLengthByteArray: "DELTA_LENGTH_BYTE_ARRAY"
        case .deltaByteArray: "DELTA_BYTE_ARRAY"
        case .rleDictionary: "RLE_DICTIONARY"
        case .byteStreamSplit: "BYTE_STREAM_SPLIT"
        }
    }

    static func name(of raw: Int32) -> String { ParquetEncoding(rawValue: raw)?.name ?? "encoding(\(raw))" }
}

/// Page types (`parquet.thrift` PageType).
public enum PageType: Int32, Sendable {
    case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3

    public var name: String {
        switch self {
        case .dataPage: "DATA_PAGE"
        case .indexPage: "INDEX_PAGE"
        case .dictionaryPage: "DICTIONARY_PAGE"
        case .dataPageV2: "DATA_PAGE_V2"
        }
    }
}

/// The logical (annotated) types this module writes; each maps to a LogicalType union member and a ConvertedType.
public enum LogicalType: Sendable, Equatable {
    /// UTF-8 text on BYTE_ARRAY (STRING / UTF8).
    case string
    /// Days since 1970-01-01 on INT32 (DATE / DATE).
    case date
    /// Microseconds since the epoch on INT64 (TIMESTAMP(MICROS, isAdjustedToUTC) / TIMESTAMP_MICROS).
    case timestampMicros(adjustedToUTC: Bool)
    /// Unscaled value on INT32/INT64 (DECIMAL(p, s) / DECIMAL + SchemaElement scale/precision).
    case decimal(precision: Int32, scale: Int32)
    /// Integer of a width on INT32/INT64 (INTEGER(bitWidth, isSigned) / INT_8...UINT_64).
    case integer(bitWidth: Int8, signed: Bool)
    /// Group annotations.
    case list
    case map

    public var description: String {
        switch self {
        case .string: "STRING"
        case .date: "DATE"
        case .timestampMicros(let utc): "TIMESTAMP(MICROS,\(utc ? "UTC" : "local"))"
        case .decimal(let p, let s): "DECIMAL(\(p),\(s))"
        case .integer(let w, let s): "INT(\(w),\(s ? "signed" : "unsigned"))"
        case .list: "LIST"
        case .map: "MAP"
        }
    }
}

/// ConvertedType ids (`parquet.thrift` ConvertedType) this module uses.
enum ConvertedType {
    static let utf8: Int32 = 0
    static let map: Int32 = 1
    static let mapKeyValue: Int32 = 2
    static let list: Int32 = 3
    static let decimal: Int32 = 5
    static let date: Int32 = 6
    static let timestampMicros: Int32 = 10
    static let uint8: Int32 = 11
    static let int8: Int32 = 15
}
