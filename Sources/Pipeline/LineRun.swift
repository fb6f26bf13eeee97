import Datasets
import Ingest
import OrderModel

/// What one business line did in a run: the books of each stage, the rejects by reason,
/// what it landed, and how it ended.
public struct LineOutcome: Sendable {
    public var name: String
    public var source = ""
    /// The feed files found for the line (with sizes).
    public var inputs: [InputSpec] = []
    public var collect = Books()
    /// Books and hits of each batch stage, in chain order (transact, fulfill).
    public var stages: [(name: String, report: StageReport)] = []
    public var write = Books()
    /// Rejects by reason code, per stage name.
    public var rejectsByStage: [String: [String: Int]] = [:]
    /// Orders out per `business_line` value.
    public var businessLines: [String: Int] = [:]
    /// What the commit landed (nil when the line failed before it).
    public var landed: DatasetWriteResult?
    public var warnings: [String] = []
    public var error: WaybillError?
    public var seconds: [String: Double] = [:]
    /// Under `--shard I/N` by order key: collected orders that belong to other shards (dropped
    /// before transact), so `collect.ordersOut = shardKept + otherShards`.
    public var otherShards = 0
    /// Orders this shard kept (nil when the line was not sharded by order key).
    public var shardKept: Int?

    public init(name: String) {
        self.name = name
    }

    public var succeeded: Bool { error == nil }

    /// Every record's end: rejects over all stages.
    public var rejected: Int { collect.rejected + stages.reduce(0) { $0 + $1.report.books.rejected } + write.rejected }
}
