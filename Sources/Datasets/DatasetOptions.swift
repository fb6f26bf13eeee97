#if canImport(Glibc)
import Glibc
#endif
import OrderModel
import Parquet

/// The datasets `waybill write` lands.
public enum DatasetKind: String, Sendable, CaseIterable {
    case orders
    case orderLines = "order_lines"
    /// One row per child order (shipment) of a fulfillment plan (docs/fulfillment.md).
    case fulfillment

    public var name: String { rawValue }

    /// The datasets a list names (`write --datasets`, a pipeline's `output.datasets`): each
    /// known, none twice (a dataset named twice would get every row twice), at least one.
    /// The problem otherwise, to follow the option's name.
    public static func parseList(_ names: [String]) -> Result<[DatasetKind], ListProblem> {
        var kinds: [DatasetKind] = []
        for name in names {
            guard let k = DatasetKind(rawValue: name) else {
                return .failure(ListProblem(text: "unknown dataset '\(name)' (orders, order_lines, fulfillment)"))
            }
            if kinds.contains(k) { return .failure(ListProblem(text: "dataset '\(name)' appears twice")) }
            kinds.append(k)
        }
        if kinds.isEmpty { return .failure(ListProblem(text: "name at least one dataset (orders, order_lines, fulfillment)")) }
        return .success(kinds)
    }

    public struct ListProblem: Error {
        public let text: String
    }

    /// The model fields of the dataset's rows.
    public var fields: [FieldDef] {
        switch self {
        case .orders: return OrderSchema.orderFields
        case .orderLines: return OrderSchema.lineFields
        case .fulfillment: return FulfillmentRows.fields
        }
    }

    /// Indexes (into `fields`) of the columns written to data files: every field but those a
    /// partition key copies into the folder name.
    public func dataColumns(keys: [PartitionKey]) -> [Int] {
        let dropped = Set(keys.filter(\.dropsColumn).map { OrderSchema.orderFields[$0.field].name })
        return fields.indices.filter { !dropped.contains(fields[$0].name) }
    }
}

/// Parquet page compression of the data files (its name goes into the file name).
public enum DatasetCompression: String, Sendable, CaseIterable {
    case zstd, snappy, gzip, none
}

/// What to do with data already in the dataset folders.
public enum WriteMode: String, Sendable, CaseIterable {
    /// Refuse (exit 73) when a dataset folder already holds data.
    case error
    /// Replace the files of every partition this run writes; leave the others.
    case overwritePartitions = "overwrite-partitions"
    /// Add files next to the existing ones.
    case append
}

/// Where a test or the CLI's test hook makes a run die, to check that the commit protocol
/// leaves the dataset as it was (or as the completed commit left it).
public enum FailPoint: Sendable, Equatable {
    /// After every file is staged, before anything under the dataset folders changes.
    case beforeCommit
    /// After the commit journal is written and `n` staged files have been renamed into place.
    case afterRenames(Int)
}

/// Options of a dataset write. Defaults follow parquet.md sections 7 and 8.
public struct DatasetWriteOptions: Sendable {
    /// The folder holding one sub-folder per dataset (`orders/`, `order_lines/`).
    public var outputDirectory: String
    public var partitionKeys: [PartitionKey] = []
    public var compression: DatasetCompression = .zstd
    public var mode: WriteMode = .error
    /// Names the files of this run (`part-<batch>-c000.zstd.parquet`); a rerun with the same
    /// id replaces exactly the files it wrote before. Letters, digits, `-`, `_`, `.`.
    public var batchId: String
    /// Hard cap on data files open at once (each partition has up to two: orders and lines).
    public var maxOpenFiles = 64
    /// Partitions one write may create (Hive stops at 1,000 dynamic partitions by default):
    /// partitioning by a key of too many values (an order id, a date of garbled years) would
    /// otherwise land a folder and a small file per value, tens of thousands of them, before
    /// anyone noticed. Past it the write fails and nothing is committed.
    public var maxPartitions = 10_000
    /// Cap on the bytes of rows waiting for their row group, across all partitions.
    public var memoryBudget = 128 << 20
    /// A partition's rows go to a row group once this many orders wait.
    public var rowGroupRows = 1_048_576
    /// The most `rowGroupRows` may be: Waybill's reader decodes a row group whole and refuses
    /// bigger ones (`ParquetReadLimits`), so no writer makes them.
    public static let maxRowGroupRows = Int(ParquetReadLimits.standard.maxRowGroupRows)
    /// ...or once they take this many bytes (capped at a quarter of the budget).
    public var rowGroupBytes = 128 << 20
    /// A data file is closed and the partition continues in the next (`-c001`) past this size.
    public var maxFileBytes = 512 << 20
    /// Which datasets to land.
    public var datasets: [DatasetKind] = [.orders, .orderLines]
    /// Written into `created_by`.
    public var applicationVersion = "0.0.0"
    /// Threads that encode row groups: with 2 or more, the row groups cut while the input still
    /// arrives are encoded on a thread of their own (beside routing and parsing), and the
    /// partitions still waiting when the input ends on this many threads; 1 encodes everything
    /// on the routing thread.
    public var encodeThreads = 2
    /// Route batches into partitions on a thread of the writer's own, overlapping with the
    /// caller's work on the next batch (false: on the caller's thread).
    public var routingThread = true
    /// Encrypts the PII columns (docs/encryption.md); nil writes them in clear.
    public var encryption: ColumnEncryption? = nil
    /// Test hook: die at this point (see `FailPoint`).
    public var failPoint: FailPoint? = nil
    /// Bytes of rows spilled before the spill file may compress its segments (`SpillFile`);
    /// tests set 0 to compress from the first segment.
    var spillCompressAfter = 512 << 20

    public init(outputDirectory: String, batchId: String) {
        self.outputDirectory = outputDirectory
        self.batchId = batchId
    }

    /// What one open data file costs in memory beyond the rows waiting for it: the Parquet
    /// writer keeps each column's page buffers and dictionary between row groups. Measured
    /// at about 1.3 MiB for an orders or order_lines file (release build, ~95 and ~31
    /// columns); charged against the budget so that many open files cannot break it.
    static let openFileBytes = 1536 << 10

    /// zstd level of the datasets' pages. zstd picks its tables by level and input size, and
    /// for pages of a few to a few hundred KiB (numbers, dictionary indices, short ids) level 2
    /// compresses as well as 3 or better, at less cost: on the TPC-H feeds the datasets are
    /// 0.2-0.7% smaller than at level 3 and zstd spends about a quarter less time (docs/datasets.md).
    static let zstdLevel: Int32 = 2

    /// zstd level of PLAIN text pages (strings averaging 20 bytes or more:
    /// `ParquetDefaults.textMinAverageBytes`); level 2 would make TPC-H's comments 7% larger.
    /// Level 5 makes them 3% smaller than 3 (1% of the datasets) at 2.4 times the compression
    /// time: about 6% of a scale-1 `run`'s CPU, so the datasets stay at 3 (docs/datasets.md).
    static let zstdTextLevel: Int32 = 3

    /// Open files actually allowed: `maxOpenFiles`, but never more than half the budget's
    /// worth of `openFileBytes`.
    var effectiveMaxOpenFiles: Int { max(2, min(maxOpenFiles, memoryBudget / 2 / Self.openFileBytes)) }

    /// The part of the budget left for rows waiting for their row group.
    var rowBudget: Int { max(memoryBudget / 4, memoryBudget - effectiveMaxOpenFiles * Self.openFileBytes) }

    /// The row-group byte threshold actually used: never more than a quarter of the row
    /// budget, so decoding and encoding one partition's row group cannot double the memory.
    var effectiveRowGroupBytes: Int { max(1 << 16, min(rowGroupBytes, rowBudget / 4)) }

    /// Checks the options, with a usage error (exit 64) naming the option.
    func validate() throws(WaybillError) {
        guard Self.isValidBatchId(batchId) else {
            throw .usage("--batch-id '\(batchId)': use 1-64 letters, digits, '-', '_' or '.', not starting with '.' or '_'")
        }
        guard maxOpenFiles >= 2 else { throw .usage("--max-open-files must be at least 2") }
        guard maxPartitions >= 1 else { throw .usage("--max-partitions must be at least 1") }
        guard memoryBudget >= 1 << 20 else { throw .usage("--memory-budget must be at least 1MiB") }
        guard rowGroupRows >= 1 else { throw .usage("--row-group-rows must be at least 1") }
        // Below this the writer would quietly use 64KiB anyway (`effectiveRowGroupBytes`).
        guard rowGroupBytes >= 1 << 16 else { throw .usage("--row-group-size must be at least 64KiB") }
        guard rowGroupRows <= Self.maxRowGroupRows else { throw .usage("--row-group-rows must be at most \(Self.maxRowGroupRows)") }
        guard !datasets.isEmpty else { throw .usage("no dataset to write") }
        guard Set(datasets).count == datasets.count else { throw .usage("a dataset is named twice") }
        try encryption?.validate(partitionKeys: partitionKeys)
        for key in partitionKeys where key.name.hasPrefix("_") || key.name.hasPrefix(".") {
            throw .usage("--partition-by: key '\(key.name)' starts with '_' or '.', which readers skip")
        }
    }

    public static func isValidBatchId(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= 64, let first = id.utf8.first, first != UInt8(ascii: "."),
            first != UInt8(ascii: "_")
        else { return false }
        return id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
                || c == 0x2E
        }
    }

    /// A fresh batch id from the clock and the process id: `20261126T235959Z-12345`.
    public static func generatedBatchId() -> String {
        var ts: timespec = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var out: [UInt8] = []
        CivilTime.formatTimestamp(micros: Int64(ts.tv_sec) * CivilTime.microsPerSecond, into: &out)
        let stamp = out.filter { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: ":") }
        return String(decoding: stamp, as: UTF8.self) + "-\(getpid())"
    }
}
