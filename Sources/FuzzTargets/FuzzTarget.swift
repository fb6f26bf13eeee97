/// The hostile-input entry points that are fuzzed (docs/fuzzing.md). Each one takes the bytes of
/// one input file and returns once the input has ended in records, rejects or a clear error:
/// any crash, hang or runaway allocation inside is a bug in the code under test.
///
/// The same functions serve the fuzz executable (`waybill-fuzz`, built with libFuzzer) and the
/// corpus replay tests (`FuzzTargetsTests`), so a committed crash input stays a regression test
/// in the normal `swift test`.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A CSV feed through the shop profile (quoted text, local times, line items per row).
    case csvShop = "csv-shop"
    /// A CSV feed through the TPC-H flat profile (one row per line item, grouped by order).
    case csvTPCH = "csv-tpch"
    /// An NDJSON feed through the TPC-H nested profile.
    case ndjsonTPCH = "ndjson-tpch"
    /// An NDJSON feed through the JD waybill profile (deep nesting, maps).
    case ndjsonJD = "ndjson-jd"
    /// Any archive or compressed file, read through libarchive and then both a CSV and an NDJSON profile.
    case archive
    /// Unified NDJSON as `transact` and `write` read it on stdin.
    case unified
    /// A `.parquet` file through the Parquet reader and the dataset row decoder.
    case parquet

    /// Runs one input. Errors the code reports are the expected outcome for bad input and are
    /// returned (for tests that want to look at them); they are never fatal.
    @discardableResult
    public func run(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
        switch self {
        case .csvShop: return FeedFuzz.collect(bytes, profile: .shopCSV)
        case .csvTPCH: return FeedFuzz.collect(bytes, profile: .tpchFlat)
        case .ndjsonTPCH: return FeedFuzz.collect(bytes, profile: .tpchNested)
        case .ndjsonJD: return FeedFuzz.collect(bytes, profile: .jdWaybill)
        case .archive:
            let csv = FeedFuzz.collect(bytes, profile: .tpchFlat)
            let json = FeedFuzz.collect(bytes, profile: .jdWaybill)
            return csv.merged(with: json)
        case .unified: return UnifiedFuzz.read(bytes)
        case .parquet: return ParquetFuzz.read(bytes)
        }
    }

    /// Convenience for tests and the replay tool.
    @discardableResult
    public func run(_ bytes: [UInt8]) -> FuzzOutcome {
        bytes.withUnsafeBytes { run($0) }
    }
}

/// What one input came to: records accepted, rejects, and the error that ended it (if any).
public struct FuzzOutcome: Sendable, Equatable {
    public var records = 0
    public var rejects = 0
    /// The message of the error that stopped reading (a `WaybillError` or `ParquetError`).
    public var error: String?

    public init(records: Int = 0, rejects: Int = 0, error: String? = nil) {
        self.records = records
        self.rejects = rejects
        self.error = error
    }

    func merged(with other: FuzzOutcome) -> FuzzOutcome {
        FuzzOutcome(records: records + other.records, rejects: rejects + other.rejects, error: error ?? other.error)
    }
}
