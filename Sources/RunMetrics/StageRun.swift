#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OrderModel

/// What one run of a stage did, in the shape both metrics outputs are made from.
public struct StageRun: Sendable {
    /// Rows and bytes landed in one partition of one dataset.
    public struct PartitionStat: Sendable, Equatable {
        public var dataset: String
        /// The Hive path of the partition (`order_month=2024-01`), empty when unpartitioned.
        public var partition: String
        public var rows: Int
        public var bytes: Int
        public var files: Int

        public init(dataset: String, partition: String, rows: Int, bytes: Int, files: Int) {
            self.dataset = dataset
            self.partition = partition
            self.rows = rows
            self.bytes = bytes
            self.files = files
        }
    }

    public var stage: String
    public var books = Books()
    /// Books per source (a feed's profile name), when the stage knows them.
    public var bySource: [String: Books] = [:]
    /// Orders out per business line.
    public var byBusinessLine: [String: Int] = [:]
    /// Rejects by reason code.
    public var rejectsByCode: [String: Int] = [:]
    public var partitions: [PartitionStat] = []
    /// Hits per rule (id, severity), for stages that run rules.
    public var ruleHits: [(rule: String, severity: String, hits: Int)] = []
    public var inputs: [String] = []
    /// Unix time (seconds) the run started, and how long it took.
    public var startedAt: Double = 0
    public var durationSeconds: Double = 0
    /// Whether the run ended with exit 0. Only a successful run moves the last-success timestamp.
    public var succeeded = false
    public var exitCode: Int32 = 0
    /// Wall time of each phase of a run that has several (`run`: collect, transact, write, ...),
    /// in the order they started; empty for a single stage.
    public var phases: [(phase: String, seconds: Double)] = []
    /// The process's peak resident memory in bytes (`ReportingOptions.measure` fills it in).
    public var peakMemoryBytes = 0

    /// Records and input bytes per second of wall time (0 when nothing was timed).
    public var recordsPerSecond: Double { durationSeconds > 0 ? Double(books.recordsIn) / durationSeconds : 0 }
    public var bytesPerSecond: Double { durationSeconds > 0 ? Double(books.bytesRead) / durationSeconds : 0 }

    /// Peak resident memory of this process so far (getrusage's ru_maxrss, in KiB on Linux).
    public static func currentPeakMemoryBytes() -> Int {
        var usage = rusage()
        #if os(Linux)
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss) * 1024
        #else
        guard getrusage(RUSAGE_SELF, &usage) == 0 else { return 0 }
        return Int(usage.ru_maxrss)  // bytes on Darwin
        #endif
    }
    /// For `run`: each stage of the pipeline over all its lines (rendered with their own
    /// `stage` label next to the run's own series).
    public var stages: [StageRun] = []
    /// For `run`: each business line of the pipeline.
    public var lines: [LineRun] = []

    public init(stage: String) {
        self.stage = stage
    }
}
