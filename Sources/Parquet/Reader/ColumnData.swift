/// The decoded content of one column chunk: dense non-null values plus the level streams.
public struct ColumnData: Sendable, Equatable {
    public enum Values: Sendable, Equatable {
        case boolean([Bool])
        case int32([Int32])
        case int64([Int64])
        case double([Double])
        /// FLOAT columns (written by other tools).
        case float([Float])
        /// Value i is `bytes[offsets[i]..<offsets[i+1]]`; also FIXED_LEN_BYTE_ARRAY and INT96 (fixed widths).
        case byteArray(bytes: [UInt8], offsets: [UInt32])

        public var count: Int {
            switch self {
            case .boolean(let v): v.count
            case .int32(let v): v.count
            case .int64(let v): v.count
            case .double(let v): v.count
            case .float(let v): v.count
            case .byteArray(_, let o): max(o.count - 1, 0)
            }
        }
    }

    public var values: Values
    /// One entry per level entry; empty when the column's max definition level is 0.
    public var defLevels: [UInt8]
    /// One entry per level entry; empty when the column's max repetition level is 0.
    public var repLevels: [UInt8]
    /// The chunk's pages in file order.
    public var pages: [PageSummary]

    /// Byte strings as Swift strings (tests and inspection only).
    public var strings: [String]? {
        guard case .byteArray(let bytes, let offsets) = values else { return nil }
        return (0..<max(offsets.count - 1, 0)).map {
            String(decoding: bytes[Int(offsets[$0])..<Int(offsets[$0 + 1])], as: UTF8.self)
        }
    }
}

/// One page as found in a chunk.
public struct PageSummary: Sendable, Equatable {
    public var type: PageType
    public var encoding: ParquetEncoding
    /// Level entries (data pages) or dictionary entries (dictionary pages).
    public var numValues: Int
    public var offset: Int64
    public var headerSize: Int
    public var compressedSize: Int
    public var uncompressedSize: Int
    public var statistics: Statistics?
}
