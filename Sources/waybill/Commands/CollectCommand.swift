#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import Ingest
import Pipeline
import OrderModel
import RunMetrics

/// `waybill collect`: feeds in, unified orders (NDJSON) out.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Read order feeds with a profile and write unified orders as NDJSON on stdout.",
        discussion: """
            Inputs are files, folders (read recursively in sorted order), glob patterns, archives
            (.tar, .tar.gz, .tgz, .zip, .gz, .zst, .bz2, .xz; detected by content) or - for stdin
            (the default when no input is named). Bad records go to --rejects; the books
            (in = out + rejected + merged) are printed on stderr at the end.

            Example:
              waybill collect feeds/2026-11-26/ --profile Pipelines/profiles/shop-csv.yaml \\
                --rejects rejects.ndjson > orders.ndjson
            """
    )

    @Argument(help: "Feed files, folders, glob patterns or - (stdin).")
    var inputs: [String] = []

    @Option(help: "The feed profile (YAML) that maps the feed to the unified model.")
    var profile: String

    @Option(help: "Write rejected records (NDJSON) to this file.")
    var rejects: String?

    @Option(help: "Exit 65 (after writing everything) when rejected/in exceeds this fraction.")
    var maxRejectRate: Double?

    @Option(help: "Lineage batch id (default: derived from the source and the inputs).")
    var batchId: String?

    @Option(help: "Threads: 1 reads, maps and writes in turn; N of 2 or more (the default 2) encode the NDJSON on N threads of their own and map a large plain CSV or NDJSON file in chunks on N threads (same output, in order).")
    var threads: Int = 2

    @Option(help: "Orders per internal batch.")
    var batchSize: Int = 4096

    @Flag(help: "Print nothing on stderr unless something is wrong.")
    var quiet = false

    @OptionGroup var reporting: ReportingOptions

    @OptionGroup var limits: LimitOptions

    @Flag(help: "Read and map everything, write rejects and the books, but no orders (checks a feed against a profile).")
    var check = false

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        do throws(WaybillError) {
            try reporting.measure(stage: "collect", inputs: inputs, quiet: quiet) { (stats: inout StageRun) throws(WaybillError) in
                try collect(&stats)
            }
        } catch {
            if case .brokenPipe = error { throw ExitCode(0) }
            FileHandleErr.write("waybill collect: \(error.description)\n")
            throw ExitCode(error.exitCode)
        }
    }

    private func collect(_ stats: inout StageRun) throws(WaybillError) {
        if let r = maxRejectRate, !(0...1).contains(r) { throw WaybillError.usage("--max-reject-rate must be between 0 and 1") }
        if batchSize < 1 { throw WaybillError.usage("--batch-size must be positive") }
        var profile = try ProfileLoader.load(path: self.profile)
        profile.limits = try limits.applied(to: profile.limits)
        let inputs = try InputResolver.resolve(self.inputs)
        let writer = try RejectWriter(path: rejects)
        if threads < 1 { throw WaybillError.usage("--threads must be at least 1") }
        let output = EncodingWriter(threads: check || threads < 2 ? 0 : threads)
        let id = batchId ?? InputResolver.batchID(source: profile.source, inputs: inputs)
        let lines = BusinessLineCounter()
        let log = reporting.logger(stage: "collect", quiet: quiet)
        log.debug("collecting", metadata: ["inputs": "\(inputs.count)", "profile": "\(self.profile)", "batch_id": "\(id)"])
        let meter = reporting.progressMeter(stage: "collect", inputCount: inputs.count, quiet: quiet)
        defer { meter?.finish() }
        let collector = FeedCollector(profile: profile, rejects: writer, batchID: id, batchSize: batchSize) {
            (batch: inout OrderBatch) throws(WaybillError) in
            lines.count(batch)
            if check { return }
            try output.submit(batch)
        }
        collector.meter = meter
        collector.parseThreads = threads
        defer {
            stats.books = collector.books
            stats.bySource = [profile.source: collector.books]
            stats.rejectsByCode = writer.byCode
            stats.byBusinessLine = lines.counts
        }
        do {
            try collector.collect(inputs)
        } catch {
            try? output.finish()
            throw error
        }
        try output.finish()
        try writer.close()
        meter?.finish()
        let books = collector.books
        for w in collector.warnings { log.warning("\(w)") }
        if !quiet {
            var line = books.summary(stage: "collect")
            if !writer.byCode.isEmpty {
                line += " rejects:" + writer.byCode.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            }
            FileHandleErr.write(line + "\n")
        }
        if !books.balances {
            throw WaybillError.data("the books do not balance: " + books.summary(stage: "collect"))
        }
        try LimitOptions.check(collector.breaches)
        if let limit = maxRejectRate, books.recordsIn > 0 {
            let rate = Double(books.rejected) / Double(books.recordsIn)
            if rate > limit {
                throw WaybillError.data(
                    "reject rate \(books.rejected)/\(books.recordsIn) = \(rate) exceeds --max-reject-rate \(limit)")
            }
        }
    }
}

/// One-line messages to stderr.
enum FileHandleErr {
    static func write(_ s: String) {
        var s = s
        s.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
