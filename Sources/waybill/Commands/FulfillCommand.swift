#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Fulfillment
import Ingest
import OrderModel
import RunMetrics

/// `waybill fulfill`: accepted orders in, orders with their fulfillment plan out.
struct FulfillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fulfill",
        abstract: "Plan where, how and by when each accepted order ships; write parent snapshots and child orders as NDJSON.",
        discussion: """
            Each order gets a warehouse per line (most specific region, then priority or stock), is split \
            into child orders <order_id>-1..n by warehouse, seller and temperature class, and each child \
            gets a chargeable weight, a carrier and service level (downgraded with a reason when a premium \
            one does not apply), freight, a ship-by time from the warehouse cut-off and calendar, and a \
            promised delivery window over the carrier calendar. The parent is written first, unchanged but \
            for child_count, plan_reasons and each line's child_order_id (the snapshot), then its children \
            with parent_order_id set. `waybill write` lands the children in the fulfillment dataset only. \
            Every decision is explained in operation.plan_reasons. Orders no warehouse or carrier can take \
            come out ON_HOLD with the code in hold_codes. SLA breaches (late ship, late delivery) are \
            flagged when shipped/delivered times are known and counted per warehouse and carrier on stderr. \
            The rules and tables are described in docs/fulfillment.md.

            Example:
              waybill transact --rules Pipelines/rules/transaction.yaml accepted.ndjson |
                waybill fulfill --rules Pipelines/rules/fulfillment.yaml > planned.ndjson
            """
    )

    @Argument(help: "Unified NDJSON input (accepted orders), - for stdin.")
    var input: String = "-"

    @Option(help: "The fulfillment rules file (YAML).")
    var rules: String

    @Option(help: "Write rejected orders (NDJSON) to this file.")
    var rejects: String?

    @Option(help: "Orders per internal batch.")
    var batchSize: Int = 4096

    @Flag(help: "Print nothing on stderr unless something is wrong.")
    var quiet = false

    @OptionGroup var reporting: ReportingOptions

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        do throws(WaybillError) {
            try reporting.measure(stage: "fulfill", inputs: [input], quiet: quiet) { (stats: inout StageRun) throws(WaybillError) in
                try fulfill(&stats)
            }
        } catch {
            if case .brokenPipe = error { throw ExitCode(0) }
            FileHandleErr.write("waybill fulfill: \(error.description)\n")
            throw ExitCode(error.exitCode)
        }
    }

    private func fulfill(_ stats: inout StageRun) throws(WaybillError) {
        if batchSize < 1 { throw WaybillError.usage("--batch-size must be positive") }
        let plan = try FulfillmentPlan.load(path: rules)
        let reader = try UnifiedNDJSONReader(path: input, stage: "fulfill")
        let writer = try RejectWriter(path: rejects)
        let fulfiller = Fulfiller(plan: plan)
        fulfiller.inputName = input == "-" ? "stdin" : input
        let output = EncodingWriter(threads: 0)
        let meter = reporting.progressMeter(stage: "fulfill", inputCount: 1, quiet: quiet)
        defer { meter?.finish() }
        meter?.beginInput(input, size: ProgressDisplay.fileSize(input))
        var batch = OrderBatch()
        var planned = OrderBatch()
        while try reader.next(into: &batch, maxOrders: batchSize) {
            meter?.update(records: reader.recordsIn, inputBytes: reader.bytesConsumed)
            let bad = reader.takeRejects()
            for r in bad { try writer.write(r) }
            fulfiller.noteUnreadable(bad.count)
            // A slice of the batch at a time: every order comes out as its parent and its
            // children, so planning a whole batch before writing held several batches' worth.
            let positions = reader.positions()
            var start = 0
            while start < batch.count {
                let end = min(batch.count, start + 256)
                try fulfiller.process(batch, rows: start..<end, into: &planned, rejects: writer, positions: positions)
                start = end
                if planned.count >= batchSize || start == batch.count {
                    try output.submit(planned)
                    planned.removeAll()
                }
            }
            batch.removeAll()
        }
        try output.finish()
        try writer.close()
        meter?.endInput()
        meter?.finish()
        let summary = fulfiller.finish()
        let books = summary.books
        stats.books = books
        stats.rejectsByCode = writer.byCode
        stats.ruleHits = summary.rules.map { (rule: $0.id, severity: "info", hits: $0.hits) }
        if !quiet {
            for line in summary.report() { FileHandleErr.write(line + "\n") }
        }
        if !books.balances {
            throw WaybillError.data("the books do not balance: " + books.summary(stage: "fulfill"))
        }
    }
}
