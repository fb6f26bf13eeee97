/// `parquet.thrift` PageEncodingStats.
public struct PageEncodingStats: Sendable, Equatable {
    public var pageType: Int32
    public var encoding: Int32
    public var count: Int32
}

/// `parquet.thrift` ColumnMetaData.
public struct ColumnMetaData: Sendable, Equatable {
    public var type: Int32
    public var encodings: [Int32]
    public var pathInSchema: [String]
    public var codec: Int32
    public var numValues: Int64
    public var totalUncompressedSize: Int64
    public var totalCompressedSize: Int64
    public var dataPageOffset: Int64
    public var dictionaryPageOffset: Int64?
    public var statistics: Statistics?
    public var encodingStats: [PageEncodingStats]?

    /// Where the chunk's first page starts.
    public var chunkStart: Int64 { dictionaryPageOffset ?? dataPageOffset }
}

/// `parquet.thrift` ColumnChunk (file_path never written; file_offset deprecated and always 0).
public struct ColumnChunk: Sendable, Equatable {
    public var fileOffset: Int64 = 0
    public var metaData: ColumnMetaData?
    /// Page index location (fields 4-7), present when the writer wrote one.
    public var offsetIndexOffset: Int64?
    public var offsetIndexLength: Int32?
    public var columnIndexOffset: Int64?
    public var columnIndexLength: Int32?
}

/// `parquet.thrift` RowGroup.
public struct RowGroup: Sendable, Equatable {
    public var columns: [ColumnChunk]
    public var totalByteSize: Int64
    public var numRows: Int64
    public var fileOffset: Int64?
    public var totalCompressedSize: Int64?
    public var ordinal: Int16?
}

/// `parquet.thrift` FileMetaData: the footer.
public struct FileMetaData: Sendable, Equatable {
    public var version: Int32 = 1
    public var schema: [SchemaElement]
    public var numRows: Int64
    public var rowGroups: [RowGroup]
    public var keyValueMetadata: [(key: String, value: String?)]?
    public var createdBy: String?
    /// One per leaf; true = TYPE_ORDER, false = some other order this module does not know.
    public var columnOrders: [Bool]?

    public static func == (a: FileMetaData, b: FileMetaData) -> Bool {
        a.version == b.version && a.schema == b.schema && a.numRows == b.numRows && a.rowGroups == b.rowGroups
            && a.createdBy == b.createdBy && a.columnOrders == b.columnOrders
            && (a.keyValueMetadata ?? []).map { "\($0.key)\u{0}\($0.value ?? "")" }
                == (b.keyValueMetadata ?? []).map { "\($0.key)\u{0}\($0.value ?? "")" }
    }
}
