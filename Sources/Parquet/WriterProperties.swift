/// Every writer default lives here, so tuning and documentation have one place to look.
public enum ParquetDefaults {
    /// Data pages are cut once their uncompressed body reaches this size (arrow-rs, pyarrow: 1 MiB).
    public static let dataPageByteLimit = 1 << 20
    /// ...or once they hold this many rows (arrow-rs `DEFAULT_DATA_PAGE_ROW_COUNT_LIMIT`).
    public static let dataPageRowLimit = 20_000
    /// A row group is closed once it holds this many rows (arrow-rs `DEFAULT_MAX_ROW_GROUP_SIZE`).
    public static let rowGroupRowLimit = 1_048_576
    /// ...or once the buffered (compressed pages + open pages) bytes reach this size (parquet-java block size).
    public static let rowGroupByteLimit = 128 << 20
    /// The dictionary falls back to PLAIN once its PLAIN-encoded size reaches this (arrow-rs, pyarrow: 1 MiB).
    public static let dictionaryPageByteLimit = 1 << 20
    /// A chunk's first dictionary page with more distinct values than this share of its values is rewritten
    /// PLAIN and the dictionary dropped for the chunk: near-unique columns only pay for a dictionary.
    public static let dictionaryDistinctRatioLimit = 0.7
    /// The same limit for BYTE_ARRAY columns. zstd already folds repeated strings in a PLAIN page into
    /// back-references, so a dictionary only pays for its indices when values repeat often (measured on
    /// TPC-H: line order ids, 4 repeats each, are 40% smaller PLAIN; supplier ids, 8 repeats, 25% smaller
    /// as a dictionary). Fixed-width values keep the higher limit: an index is much narrower than the value.
    public static let byteArrayDictionaryDistinctRatioLimit = 0.2
    /// ...judged only on pages with at least this many values (small samples say little).
    public static let dictionaryRatioMinValues = 1000
    /// PLAIN string pages whose values average at least this many bytes count as text
    /// (`WriterProperties.textCompressionLevel`): TPC-H's comments average 27 and 49 bytes, its
    /// ids, keys and clerk names 1-15.
    public static let textMinAverageBytes = 20
    /// String statistics are truncated to this many bytes (arrow-rs `DEFAULT_STATISTICS_TRUNCATE_LENGTH`).
    public static let statisticsTruncateLength = 64
    /// zstd level 3: polars' default, a good ratio at snappy-like speed.
    public static let zstdLevel: Int32 = 3
    /// zlib's default trade-off.
    public static let gzipLevel: Int32 = 6
    /// Levels and values are appended to the open page in slices of at most this many rows,
    /// so the page byte limit is checked often enough without per-row bookkeeping.
    public static let appendSliceRows = 1024
    /// The file is written through a user-space buffer of this size (one write(2) per buffer).
    public static let outputBufferBytes = 1 << 20
    /// Application name used in `created_by`.
    public static let applicationName = "waybill"
}

/// How a file is written. All defaults come from `ParquetDefaults`.
public struct WriterProperties: Sendable {
    public var compression: ParquetCompression = .zstd
    /// Codec level (zstd 1...22, gzip 1...9); nil means the codec's default from `ParquetDefaults`.
    public var compressionLevel: Int32? = nil
    /// Codec level for PLAIN BYTE_ARRAY data pages of text (values of `ParquetDefaults.textMinAverageBytes`
    /// or more on average); nil means `compressionLevel`. Free text is where a higher zstd level
    /// pays: on TPC-H, level 7 instead of 3 makes comment pages 10-13% smaller while numbers and
    /// dictionary indices gain under 1%.
    /// Short values (ids, keys) in small pages gain nothing: there level 5 made TPC-H's id pages
    /// 1-5% larger than level 3, at about three times the compression time.
    public var textCompressionLevel: Int32? = nil
    public var dataPageByteLimit = ParquetDefaults.dataPageByteLimit
    public var dataPageRowLimit = ParquetDefaults.dataPageRowLimit
    public var rowGroupRowLimit = ParquetDefaults.rowGroupRowLimit
    public var rowGroupByteLimit = ParquetDefaults.rowGroupByteLimit
    /// Dictionary encoding for every column unless overridden in `columnDictionary`.
    public var dictionaryEnabled = true
    /// Per-column override of `dictionaryEnabled`, keyed by the dotted leaf path (e.g. `ext.key_value.key`).
    public var columnDictionary: [String: Bool] = [:]
    public var dictionaryPageByteLimit = ParquetDefaults.dictionaryPageByteLimit
    /// See `ParquetDefaults.dictionaryDistinctRatioLimit`; 1.0 or more keeps dictionaries whatever their ratio.
    public var dictionaryDistinctRatioLimit = ParquetDefaults.dictionaryDistinctRatioLimit
    /// The limit for BYTE_ARRAY columns (`ParquetDefaults.byteArrayDictionaryDistinctRatioLimit`); a
    /// `dictionaryDistinctRatioLimit` of 1.0 or more keeps every dictionary whatever this says.
    public var byteArrayDictionaryDistinctRatioLimit = ParquetDefaults.byteArrayDictionaryDistinctRatioLimit
    /// Write PLAIN_DICTIONARY (2) instead of RLE_DICTIONARY (8) for dictionary data pages and PLAIN_DICTIONARY
    /// on the dictionary page, for old readers (Impala 3.x) that cannot read RLE_DICTIONARY.
    public var legacyPlainDictionaryEncoding = false
    public var statisticsTruncateLength = ParquetDefaults.statisticsTruncateLength
    /// Write min/max/null_count into each data page header as well as the chunk.
    public var pageStatistics = true
    /// Write a CRC-32 of each page's on-disk body into the page header.
    public var pageChecksums = false
    /// The caller writes each column of a row group in one call (as the dataset writer does):
    /// a promise that lets a column give its dictionary up as soon as the values left in the
    /// call can no longer bring the chunk's first page under the distinct-ratio limit (see
    /// `abandonsDictionaryEarly`). Broken, it only makes a chunk PLAIN that might have kept its
    /// dictionary; the file stays valid.
    public var chunksWrittenWhole = false
    /// Write the page index (ColumnIndex + OffsetIndex after the row groups). Off by default: only Spark,
    /// Trino and arrow-rs use it, and it pays off mainly on sorted columns.
    public var pageIndex = false
    /// The application version and build that go into `created_by` ("waybill version X (build Y)").
    public var applicationVersion = "0.0.0"
    public var applicationBuild = "unknown"

    public init() {}

    /// The `created_by` string in the spec's `<app> version <semver> (build <hash>)` form.
    public var createdBy: String {
        "\(ParquetDefaults.applicationName) version \(applicationVersion) (build \(applicationBuild))"
    }

    /// The level of a PLAIN BYTE_ARRAY page of `values` values in `plainBytes` bytes (each value
    /// with its 4-byte length): `textCompressionLevel` for text, nil (the writer's level) otherwise.
    func textLevel(plainBytes: Int, values: Int) -> Int32? {
        guard let textCompressionLevel, values > 0 else { return nil }
        let text = plainBytes - 4 * values >= ParquetDefaults.textMinAverageBytes * values
        return text ? textCompressionLevel : nil
    }

    var effectiveLevel: Int32 {
        if let compressionLevel { return compressionLevel }
        switch compression {
        case .gzip: return ParquetDefaults.gzipLevel
        default: return ParquetDefaults.zstdLevel
        }
    }

    /// Whether a column's open first page already has so many distinct values that
    /// `abandonsDictionary` is certain to rewrite it PLAIN when it ends: the distinct count only
    /// grows, so once it passes the limit for the most values the page can end with, the final
    /// ratio cannot get back under it. That bound is `dataPageRowLimit` for a flat column (a
    /// page holds at most that many rows), and the values so far plus `valuesLeft` (the rest of
    /// the chunk, when the caller writes chunks whole) for any column. Giving the dictionary up
    /// then saves hashing the rest of the page (ids, free text) and changes no byte of the
    /// output. (A guess from the first values, e.g. "90% distinct so far", was tried and
    /// misjudged cyclic data such as `i % 5000`.)
    func abandonsDictionaryEarly(distinct: Int, values: Int, flat: Bool, valuesLeft: Int?, byteArray: Bool = false) -> Bool {
        guard values >= ParquetDefaults.dictionaryRatioMinValues, dictionaryDistinctRatioLimit < 1 else { return false }
        var bound = flat ? dataPageRowLimit : Int.max
        if let valuesLeft { bound = min(bound, values + valuesLeft) }
        guard bound < Int.max else { return false }
        return Double(distinct) > distinctRatioLimit(byteArray: byteArray) * Double(bound)
    }

    private func distinctRatioLimit(byteArray: Bool) -> Double {
        byteArray ? min(dictionaryDistinctRatioLimit, byteArrayDictionaryDistinctRatioLimit) : dictionaryDistinctRatioLimit
    }

    /// Whether a chunk's first dictionary page is too distinct to be worth a dictionary.
    func abandonsDictionary(distinct: Int, values: Int, byteArray: Bool = false) -> Bool {
        guard values >= ParquetDefaults.dictionaryRatioMinValues, dictionaryDistinctRatioLimit < 1 else { return false }
        return Double(distinct) > distinctRatioLimit(byteArray: byteArray) * Double(values)
    }

    func dictionaryEnabled(forPath dotted: String) -> Bool {
        columnDictionary[dotted] ?? dictionaryEnabled
    }
}
