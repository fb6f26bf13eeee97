import OrderModel
import Rules

/// A stage that runs inside `waybill run` between collect and write: batches in, batches out,
/// rejects to its own writer (each stage has its own thread and reject file). Transact and
/// fulfill are both this shape, so adding a stage to the chain is a small adapter class.
public protocol BatchStage: AnyObject {
    /// The verb the stage stands for (`transact`, `fulfill`): its metrics' `stage` label.
    var name: String { get }
    /// Appends what comes out of `input` to `output` (empty on entry) and writes rejects.
    func process(_ input: OrderBatch, into output: inout OrderBatch, rejects: RejectWriter) throws(WaybillError)
    /// Input orders per `process(_:rows:into:rejects:)` call for a stage that writes several
    /// orders per input order (fulfill: the parent and its children), so that the runner can
    /// pass its output on in batches of about the line's batch size; nil (the default): the
    /// stage takes whole batches.
    var rowsPerCall: Int? { get }
    /// Like `process(_:into:rejects:)` over the orders `rows` of `input` only; called in
    /// ascending, adjacent ranges covering the batch. Only asked of stages with `rowsPerCall`.
    func process(_ input: OrderBatch, rows: Range<Int>, into output: inout OrderBatch,
                 rejects: RejectWriter) throws(WaybillError)
    /// After the last batch: the books and hits, and the thresholds crossed (which fail the line).
    func finish() -> StageReport
    /// After the line's data is committed: make lasting changes (transact's state).
    func commit() throws(WaybillError)
}

extension BatchStage {
    public var rowsPerCall: Int? { nil }

    public func process(_ input: OrderBatch, rows: Range<Int>, into output: inout OrderBatch,
                        rejects: RejectWriter) throws(WaybillError) {
        precondition(rows == 0..<input.count, "\(name) takes whole batches")
        try process(input, into: &output, rejects: rejects)
    }
}

/// What a batch stage did over one line's run.
public struct StageReport: Sendable {
    public var books = Books()
    public var ruleHits: [(rule: String, severity: String, hits: Int)] = []
    /// Lines for stderr (summary, per-rule hits, warnings).
    public var summary: [String] = []
    /// Messages of thresholds crossed: the line fails with exit 65.
    public var errors: [String] = []

    public init() {}
}

/// Builds the stages a pipeline names. Fulfillment lives in its own module; the command line
/// passes a maker for it when the binary has one, and a pipeline that asks for fulfillment in
/// a binary without it is told so before anything runs.
public struct StageFactory: Sendable {
    public typealias Maker = @Sendable (_ rulesPath: String) throws(WaybillError) -> any BatchStage

    /// Loads the fulfillment rules and makes the stage, or nil when this binary has no fulfillment.
    public var fulfillment: Maker?

    public init(fulfillment: Maker? = nil) {
        self.fulfillment = fulfillment
    }

    static let noFulfillment = "the fulfillment stage is not built into this waybill binary yet; remove the "
        + "'fulfillment' section or use a build that includes `waybill fulfill`"
}

/// Transact as a batch stage: the same `Transactor` as `waybill transact`, so the same orders,
/// rejects and books.
public final class TransactStage: BatchStage {
    public let name = "transact"
    let transactor: Transactor

    public init(ruleSet: RuleSet, state: StateStore?, inputName: String) throws(WaybillError) {
        transactor = try Transactor(ruleSet: ruleSet, state: state)
        // Rejects name the line and the order's position in the line's stream, as `transact`
        // names stdin and the record number; the raw order carries its source file and line.
        transactor.inputName = inputName
    }

    public func process(_ input: OrderBatch, into output: inout OrderBatch, rejects: RejectWriter) throws(WaybillError) {
        try transactor.process(input, into: &output, rejects: rejects)
    }

    public func finish() -> StageReport {
        let s = transactor.finish()
        var r = StageReport()
        r.books = s.books
        r.ruleHits = s.rules.map { (rule: $0.id, severity: $0.severity.description, hits: $0.hits) }
        r.summary = s.report()
        r.errors = s.thresholdErrors
        return r
    }

    public func commit() throws(WaybillError) {
        try transactor.commitState()
    }
}
