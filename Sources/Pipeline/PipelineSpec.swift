import Datasets

/// A pipeline file, loaded: which business lines to collect from where, the stages to run,
/// and where and how to land the result (docs/pipelines.md describes the YAML).
///
/// Paths to configuration (profiles, rules files) are resolved against the pipeline file's
/// folder, so a pipeline and its profiles travel together; paths to data (inputs, output,
/// state, rejects) are taken as given, relative to the working directory, like the verbs'.
public struct PipelineSpec: Sendable {
    /// Where a setting came from, for messages about it after loading (file, line, column).
    public struct Origin: Sendable, Equatable {
        public var file: String
        public var line: Int
        public var column: Int

        public func problem(_ message: String) -> PipelineProblem {
            PipelineProblem(file: file, line: line, column: column, message: message)
        }
    }

    /// One business line: its feeds, the profile that reads them, its own reject threshold.
    /// A line that fails (missing feed, unreadable, past its threshold) fails alone.
    public struct Line: Sendable {
        public var name: String
        public var profile: String
        public var inputs: [String]
        /// Collect's rejected/in above this fails the line (overrides `thresholds`).
        public var maxRejectRate: Double?
        /// How `--shard` splits the line (`shard_by`; default by order key).
        public var shardBy: ShardBy = .order
        public var origin: Origin
        public var profileOrigin: Origin
        public var inputsOrigin: Origin
    }

    public struct Transaction: Sendable {
        public var rules: String
        public var state: String?
        public var origin: Origin
        public var stateOrigin: Origin?
    }

    public struct Fulfillment: Sendable {
        public var rules: String
        public var origin: Origin
    }

    /// How the pipeline lands its orders. Every line commits its own files (named
    /// `part-<batch>-<line>-c000...`), so a failed line leaves the others' data in place.
    public struct Output: Sendable {
        public enum Mode: String, Sendable, CaseIterable {
            /// Add this run's files; a rerun with the same batch id replaces exactly its own files.
            case append
            /// Refuse to start when a dataset folder already holds data.
            case error
        }

        public var folder: String
        public var datasets: [DatasetKind] = DatasetKind.allCases
        public var partitionBy: [PartitionKey] = []
        public var compression: DatasetCompression = .zstd
        public var mode: Mode = .append
        public var memoryBudget = 128 << 20
        public var maxOpenFiles = 64
        public var maxPartitions = 10_000
        /// Folder of the rejects: `<line>.<stage>.rejects.ndjson` per line and stage.
        public var rejects: String?
        public var origin: Origin
    }

    public enum FailurePolicy: String, Sendable, CaseIterable {
        /// Land the lines that succeeded; the run still exits non-zero.
        case `continue`
        /// Land nothing once a line fails.
        case stop
    }

    /// The pipeline file (as given on the command line).
    public var file: String
    public var name: String
    /// Names this run's data files; default: the pipeline's name and the time.
    public var batchId: String?
    public var lines: [Line] = []
    public var transaction: Transaction?
    public var fulfillment: Fulfillment?
    public var output: Output
    /// The default reject threshold of every line.
    public var maxRejectRate: Double?
    public var onLineFailure: FailurePolicy = .continue
    /// Orders per batch passed between the stages.
    public var batchSize = 4096
    /// The `limits:` section (`InputLimits` keys to their values), applied over every line's
    /// profile; `waybill run --limit K=V` sets `limits.K`.
    public var limits: [String: String] = [:]
    /// This run's share (`waybill run --shard I/N`), nil for a whole run. Set before validating:
    /// the validator opens the shard's own state folder.
    public var shard: Shard?

    /// The transaction state folder this run uses: the shard's own one under `--shard`.
    public var stateFolder: String? { transaction?.state.map { shard?.stateFolder($0) ?? $0 } }

    /// The threshold that applies to `line`.
    public func rejectLimit(_ line: Line) -> Double? { line.maxRejectRate ?? maxRejectRate }

    /// The stage names in order, as the report and the plan show them.
    public var stages: [String] {
        ["collect"] + (transaction == nil ? [] : ["transact"]) + (fulfillment == nil ? [] : ["fulfill"]) + ["write"]
    }
}
