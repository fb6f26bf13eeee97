import Foundation
import Fulfillment
import OrderModel

/// Fulfill as a batch stage: the same `Fulfiller` as `waybill fulfill`, so the same plans,
/// child orders, rejects and books. It keeps no state across runs, so `commit` has nothing to do.
public final class FulfillStage: BatchStage {
    public let name = "fulfill"
    let fulfiller: Fulfiller

    public init(plan: FulfillmentPlan, inputName: String) {
        fulfiller = Fulfiller(plan: plan)
        fulfiller.inputName = inputName
    }

    public func process(_ input: OrderBatch, into output: inout OrderBatch, rejects: RejectWriter) throws(WaybillError) {
        try fulfiller.process(input, into: &output, rejects: rejects)
    }

    /// Every order comes out as its parent and its children: planned a slice at a time, the
    /// runner passes on batches of about the line's batch size instead of several times it.
    public var rowsPerCall: Int? { 256 }

    public func process(_ input: OrderBatch, rows: Range<Int>, into output: inout OrderBatch,
                        rejects: RejectWriter) throws(WaybillError) {
        try fulfiller.process(input, rows: rows, into: &output, rejects: rejects)
    }

    public func finish() -> StageReport {
        let s = fulfiller.finish()
        var r = StageReport()
        r.books = s.books
        r.ruleHits = s.rules.map { (rule: $0.id, severity: "info", hits: $0.hits) }
        r.summary = s.report()
        return r
    }

    public func commit() throws(WaybillError) {}
}

extension StageFactory {
    /// Every stage this build has: fulfillment plans are loaded (and checked) from their rules
    /// file, once per factory and path (`PlanCache`).
    public static var standard: StageFactory {
        let plans = PlanCache()
        return StageFactory(fulfillment: { (path: String) throws(WaybillError) -> any BatchStage in
            FulfillStage(plan: try plans.plan(path), inputName: "fulfillment")
        })
    }
}

/// The fulfillment plans one factory has loaded, by rules path. Validating a pipeline loads
/// the plan, and each business line of the run makes its own stage: without the cache the
/// rules and tables were parsed and indexed again for every line (the load is some 40M
/// instructions, more than planning a few hundred orders). The run also plans with exactly
/// the plan it validated. A plan is immutable once loaded, so stages share it.
final class PlanCache: @unchecked Sendable {
    private let lock = NSLock()
    private var plans: [String: FulfillmentPlan] = [:]

    func plan(_ path: String) throws(WaybillError) -> FulfillmentPlan {
        lock.lock()
        defer { lock.unlock() }
        if let p = plans[path] { return p }
        let p = try FulfillmentPlan.load(path: path)
        plans[path] = p
        return p
    }
}
