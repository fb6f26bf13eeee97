/// How much one file may make the reader materialise. The reader decodes a whole column chunk at a
/// time, and run-length encoding lets a few bytes claim millions of values (one RLE run of a level
/// or dictionary index), so the counts a file declares, not its size, decide the memory a read takes.
/// A file over a limit fails with `ParquetError.Kind.unsupported` naming the limit, before the
/// memory is spent.
///
/// The defaults are 16 times what Waybill writes (`DatasetOptions.rowGroupRows` is 1,048,576 rows
/// and may not exceed `maxRowGroupRows`), so every Waybill dataset and ordinary files from other
/// writers read. The fuzz harness opens its inputs with much smaller ones, so that reaching the
/// limits is cheap and everything else that grows with a file's claims shows up as an error.
public struct ParquetReadLimits: Sendable, Equatable {
    /// Rows one row group may declare.
    public var maxRowGroupRows: Int64
    /// Level entries (values, nulls and empty lists) one column chunk may declare.
    public var maxChunkEntries: Int64
    /// Bytes of byte-array values one column chunk may expand to (dictionary indices copy the
    /// dictionary entry they point at).
    public var maxChunkValueBytes: Int

    public init(maxRowGroupRows: Int64, maxChunkEntries: Int64, maxChunkValueBytes: Int) {
        self.maxRowGroupRows = maxRowGroupRows
        self.maxChunkEntries = maxChunkEntries
        self.maxChunkValueBytes = maxChunkValueBytes
    }

    public static let standard = ParquetReadLimits(
        maxRowGroupRows: 1 << 24, maxChunkEntries: 1 << 27, maxChunkValueBytes: Int(UInt32.max))
}
