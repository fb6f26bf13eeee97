#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Ingest
import OrderModel
import Rules
import RunMetrics

/// `waybill transact`: unified orders in, accepted orders out, checked against a rules file.
struct TransactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transact",
        abstract: "Check unified orders (NDJSON) against transaction rules; write the accepted ones as NDJSON.",
        discussion: """
            Orders are deduplicated on (source, external order id) keeping the newest (updated_at, version), \
            their status transitions are checked against a table, and the rules of the rules file run on each. \
            Rejected orders go to --rejects; held orders come out ON_HOLD with the rule ids in hold_codes; \
            every hit is in operation.rule_results. With --state DIR the newest version of each order is \
            remembered across runs (written only when the run succeeds). The books and per-rule hits are \
            printed on stderr. Exit 65 when a rule's error_if threshold is crossed (after writing everything). \
            The rules language is described in docs/rules.md.

            Example:
              waybill collect feeds/ --profile Pipelines/profiles/shop-csv.yaml |
                waybill transact --rules Pipelines/rules/transaction.yaml --state state/ \\
                  --rejects rejects.ndjson > accepted.ndjson
            """
    )

    @Argument(help: "Unified NDJSON input, - for stdin.")
    var input: String = "-"

    @Option(help: "The rules file (YAML).")
    var rules: String

    @Option(help: "Folder of the state kept across runs (created when missing).")
    var state: String?

    @Option(help: "Write rejected orders (NDJSON) to this file.")
    var rejects: String?

    @Option(help: "Exit 65 (after writing everything, without updating the state) when rejected/in exceeds this fraction.")
    var maxRejectRate: Double?

    @Option(help: "Orders per internal batch.")
    var batchSize: Int = 4096

    @Flag(help: "Print nothing on stderr unless something is wrong.")
    var quiet = false

    @OptionGroup var reporting: ReportingOptions

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        do throws(WaybillError) {
            try reporting.measure(stage: "transact", inputs: [input], quiet: quiet) { (stats: inout StageRun) throws(WaybillError) in
                try transact(&stats)
            }
        } catch {
            if case .brokenPipe = error { throw ExitCode(0) }
            FileHandleErr.write("waybill transact: \(error.description)\n")
            throw ExitCode(error.exitCode)
        }
    }

    private func transact(_ stats: inout StageRun) throws(WaybillError) {
        if batchSize < 1 { throw WaybillError.usage("--batch-size must be positive") }
        if let r = maxRejectRate, !(0...1).contains(r) { throw WaybillError.usage("--max-reject-rate must be between 0 and 1") }
        let ruleSet = try RuleSet.load(path: rules)
        let store = try state.map { (dir: String) throws(WaybillError) -> StateStore in try StateStore(directory: dir) }
        let reader = try UnifiedNDJSONReader(path: input, stage: "transact")
        let writer = try RejectWriter(path: rejects)
        let transactor = try Transactor(ruleSet: ruleSet, state: store)
        transactor.inputName = input == "-" ? "stdin" : input
        let output = EncodingWriter(threads: 0)
        let meter = reporting.progressMeter(stage: "transact", inputCount: 1, quiet: quiet)
        defer { meter?.finish() }
        meter?.beginInput(input, size: ProgressDisplay.fileSize(input))
        var batch = OrderBatch()
        var accepted = OrderBatch()
        while try reader.next(into: &batch, maxOrders: batchSize) {
            meter?.update(records: reader.recordsIn, inputBytes: reader.bytesConsumed)
            let unreadable = reader.takeRejects()
            for r in unreadable { try writer.write(r) }
            transactor.noteUnreadable(unreadable.count)
            try transactor.process(batch, into: &accepted, rejects: writer, positions: reader.positions())
            try output.submit(accepted)
            batch.removeAll()
            accepted.removeAll()
        }
        try output.finish()
        try writer.close()
        meter?.endInput()
        meter?.finish()
        let summary = transactor.finish()
        stats.books = summary.books
        stats.rejectsByCode = writer.byCode
        stats.ruleHits = summary.rules.map { (rule: $0.id, severity: $0.severity.description, hits: $0.hits) }
        if !quiet || !summary.thresholdErrors.isEmpty {
            for line in summary.report() { FileHandleErr.write(line + "\n") }
        }
        if !summary.books.balances {
            throw WaybillError.data("the books do not balance: " + summary.books.summary(stage: "transact"))
        }
        if !summary.thresholdErrors.isEmpty {
            throw WaybillError.data("\(summary.thresholdErrors.count) rule threshold(s) crossed; the state was not updated")
        }
        if let limit = maxRejectRate, summary.books.recordsIn > 0 {
            let rate = Double(summary.books.rejected) / Double(summary.books.recordsIn)
            if rate > limit {
                throw WaybillError.data("reject rate \(summary.books.rejected)/\(summary.books.recordsIn) = \(rate) "
                    + "exceeds --max-reject-rate \(limit); the state was not updated")
            }
        }
        try transactor.commitState()
    }
}
