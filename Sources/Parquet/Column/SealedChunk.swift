/// A finished column chunk waiting for its row group to be written: the dictionary page (if any) and the
/// data pages, each already header + compressed body, plus what ColumnMetaData needs.
struct SealedChunk {
    var dictionaryPage: [UInt8] = []
    var dictionaryUncompressed = 0
    var dataPages: [UInt8] = []
    var dataUncompressed = 0
    var numValues: Int64 = 0
    var rows: Int64 = 0
    var statistics: Statistics
    var encodings: [Int32]
    var encodingStats: [PageEncodingStats]
    /// Data pages for the page index (empty unless `WriterProperties.pageIndex`).
    var pageIndex: [PageIndexEntry] = []

    var compressedSize: Int { dictionaryPage.count + dataPages.count }
    var uncompressedSize: Int { dictionaryUncompressed + dataUncompressed }
}
