#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Ingest
import OrderModel

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

    @Option(help: "Worker threads (accepted for compatibility; collect reads with one thread).")
    var threads: Int?

    @Option(help: "Orders per internal batch.")
    var batchSize: Int = 4096

    @Flag(help: "Print nothing on stderr unless something is wrong.")
    var quiet = false

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        do {
            try collect()
        } catch {
            if case .brokenPipe = error { throw ExitCode(0) }
            FileHandleErr.write("waybill collect: \(error.description)\n")
            throw ExitCode(error.exitCode)
        }
    }

    private func collect() throws(WaybillError) {
        if let r = maxRejectRate, !(0...1).contains(r) { throw WaybillError.usage("--max-reject-rate must be between 0 and 1") }
        if batchSize < 1 { throw WaybillError.usage("--batch-size must be positive") }
        let profile = try ProfileLoader.load(path: self.profile)
        let inputs = try InputResolver.resolve(self.inputs)
        let writer = try RejectWriter(path: rejects)
        let output = StdoutWriter()
        let encoder = UnifiedNDJSONEncoder()
        let id = batchId ?? InputResolver.batchID(source: profile.source, inputs: inputs)
        let collector = FeedCollector(profile: profile, rejects: writer, batchID: id, batchSize: batchSize) {
            (batch: inout OrderBatch) throws(WaybillError) in
            encoder.encode(batch, into: &output.buffer)
            if output.buffer.count >= 1 << 20 { try output.flush() }
        }
        try collector.collect(inputs)
        try output.flush()
        try writer.close()
        let books = collector.books
        if !quiet {
            for w in collector.warnings { FileHandleErr.write("waybill collect: warning: \(w)\n") }
            var line = books.summary(stage: "collect")
            if !writer.byCode.isEmpty {
                line += " rejects:" + writer.byCode.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            }
            FileHandleErr.write(line + "\n")
        }
        if !books.balances {
            throw WaybillError.data("the books do not balance: " + books.summary(stage: "collect"))
        }
        if let limit = maxRejectRate, books.recordsIn > 0 {
            let rate = Double(books.rejected) / Double(books.recordsIn)
            if rate > limit {
                throw WaybillError.data(
                    "reject rate \(books.rejected)/\(books.recordsIn) = \(rate) exceeds --max-reject-rate \(limit)")
            }
        }
    }
}

/// Buffered writes to fd 1 in large chunks.
final class StdoutWriter {
    var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(2 << 20) }

    func flush() throws(WaybillError) {
        guard !buffer.isEmpty else { return }
        try FD.writeAll(1, buffer, path: "stdout")
        buffer.removeAll(keepingCapacity: true)
    }
}

/// One-line messages to stderr.
enum FileHandleErr {
    static func write(_ s: String) {
        var s = s
        s.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
