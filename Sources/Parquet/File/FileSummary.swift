/// What `ParquetFileWriter.close` reports: totals and per-column statistics of the written file.
public struct FileSummary: Sendable {
    public var rows: Int64
    public var rowGroups: Int
    /// Size of the whole file in bytes (magic, pages, footer).
    public var fileBytes: Int64
    public var columns: [ColumnSummary]
    /// The footer as written (schema, row groups, chunk metadata).
    public var metadata: FileMetaData
}

/// Per-column totals over every row group of a file.
public struct ColumnSummary: Sendable {
    public var path: [String]
    public var physical: PhysicalType
    /// Level entries (values, nulls and empty lists).
    public var numValues: Int64
    public var nullCount: Int64
    public var compressedBytes: Int64
    public var uncompressedBytes: Int64
    /// PLAIN-encoded (unscaled, little-endian) bounds over the whole file; nil when every value is null.
    /// Byte strings are truncated like the chunk statistics.
    public var minValue: [UInt8]?
    public var maxValue: [UInt8]?
}
