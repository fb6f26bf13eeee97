import ArgumentParser
import Datasets
import Ingest
import OrderModel
import RunMetrics

#if canImport(Glibc)
import Glibc
#endif

/// `waybill write --out DIR`: unified orders (NDJSON) in, Hive-partitioned Parquet datasets out.
struct WriteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Land unified orders (NDJSON) as Hive-partitioned Parquet datasets.",
        discussion: """
            Writes <out>/orders/ (one row per order) and <out>/order_lines/ (one row per line),
            partitioned by --partition-by, staged outside the dataset folders and committed by
            rename, with _waybill_manifest.json and _SUCCESS written last. See docs/datasets.md.

            Partition keys: order_date (by day), order_month or month(order_date),
            business_line, source, bucket(N, order_id), or any scalar order field.

            Examples:
              waybill collect feeds/ --profile p.yaml | waybill write --out warehouse/ --partition-by business_line,order_date
              waybill write --out warehouse/ --partition-by 'bucket(64, order_id)' --mode append orders.ndjson
            """
    )

    @Option(help: "Output folder (holds orders/ and order_lines/).")
    var out: String

    @Option(name: .customLong("partition-by"), help: "Comma-separated partition keys.")
    var partitionBy: String = ""

    @Option(help: "Page compression: zstd, snappy, gzip or none.")
    var compression: String = "zstd"

    @Option(help: "error (refuse existing data), overwrite-partitions or append.")
    var mode: String = "error"

    @Option(name: .customLong("batch-id"), help: "Names this run's files; rerunning a batch replaces its files. Default: time and pid.")
    var batchId: String?

    @Option(name: .customLong("max-open-files"), help: "Most data files open at once.")
    var maxOpenFiles: Int = 64

    @Option(name: .customLong("max-partitions"), help: "Most partitions one write may create; past it the write fails and commits nothing.")
    var maxPartitions: Int = 10_000

    @Option(name: .customLong("memory-budget"), help: "Memory for buffered rows and open files (e.g. 256MiB).")
    var memoryBudget: String = "128MiB"

    @Option(name: .customLong("row-group-rows"), help: "Orders per row group (at most; 16777216 at most, what Waybill's reader decodes).")
    var rowGroupRows: Int = 1_048_576

    @Option(name: .customLong("row-group-size"), help: "Buffered bytes per row group (at most; e.g. 128MiB).")
    var rowGroupSize: String = "128MiB"

    @Option(name: .customLong("max-file-size"), help: "Roll to a new file (-c001) past this size.")
    var maxFileSize: String = "512MiB"

    @Option(help: "Datasets to write: orders, order_lines, fulfillment (comma-separated).")
    var datasets: String = "orders,order_lines"

    @Option(help: "Write rejected records to this NDJSON file.")
    var rejects: String?

    @Flag(help: "No summary on stderr.")
    var quiet = false

    @Option(help: "Exit 65 (after committing everything) when rejected/in exceeds this fraction.")
    var maxRejectRate: Double?

    @OptionGroup var reporting: ReportingOptions

    @OptionGroup var keys: KeyOptions

    @OptionGroup var limits: LimitOptions

    @Option(help: "Read raw feeds with this collect profile instead of unified NDJSON (collect and write in one process).")
    var profile: String?

    @Argument(help: "Unified NDJSON files ('-' or none: stdin); with --profile, feed files, folders or archives.")
    var inputs: [String] = []

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        do throws(WaybillError) {
            try reporting.measure(stage: "write", inputs: inputs, quiet: quiet) { (stats: inout StageRun) throws(WaybillError) in
                try land(&stats)
            }
        } catch {
            if case .brokenPipe = error { return }
            throw exitFailure("write", error)
        }
    }

    private func land(_ stats: inout StageRun) throws(WaybillError) {
        if let r = maxRejectRate, !(0...1).contains(r) { throw WaybillError.usage("--max-reject-rate must be between 0 and 1") }
        let options = try makeOptions()
        let rejectWriter = try RejectWriter(path: rejects)
        let writer = try DatasetWriter(options: options, rejects: rejectWriter)
        var books = Books()
        var breaches: [LimitBreach] = []
        var inputWarnings: [String] = []
        // With --profile, folders and globs expand later: the count grows as inputs start.
        let meter = reporting.progressMeter(stage: "write", inputCount: profile == nil ? inputs.count : 0, quiet: quiet)
        defer { meter?.finish() }
        do {
            books = try WriteInput.read(inputs: inputs.isEmpty ? ["-"] : inputs, profile: profile,
                batchId: options.batchId, rejects: rejectWriter, meter: meter, redactRaw: options.encryption != nil,
                limits: limits, breaches: &breaches, warnings: &inputWarnings) {
                (batch: OrderBatch) throws(WaybillError) in try writer.write(batch)
            }
        } catch {
            writer.abort()
            stats.books = books
            throw error
        }
        let result = try writer.commit()
        try rejectWriter.close()
        meter?.finish()
        let log = reporting.logger(stage: "write", quiet: quiet)
        for w in inputWarnings + result.warnings { log.warning("\(w)") }
        // The writer's own rejects (orders it could not place) move orders from out to rejected.
        books.rejected += result.rejected
        books.rowsOut -= result.rejected
        books.ordersOut = result.orders
        books.linesOut = result.lines
        stats.books = books
        stats.rejectsByCode = rejectWriter.byCode
        stats.partitions = result.partitions.map {
            StageRun.PartitionStat(dataset: $0.dataset, partition: $0.path, rows: $0.rows, bytes: $0.bytes, files: $0.files)
        }
        if !quiet { printSummary(result, books) }
        if !books.balances { throw WaybillError.data("write: the books do not balance: \(books.summary(stage: "write"))") }
        try LimitOptions.check(breaches)
        if let limit = maxRejectRate, books.recordsIn > 0, Double(books.rejected) / Double(books.recordsIn) > limit {
            throw WaybillError.data("reject rate \(books.rejected)/\(books.recordsIn) exceeds --max-reject-rate \(limit)")
        }
    }

    private func makeOptions() throws(WaybillError) -> DatasetWriteOptions {
        var o = DatasetWriteOptions(outputDirectory: out, batchId: batchId ?? DatasetWriteOptions.generatedBatchId())
        o.partitionKeys = try PartitionKey.parseList(partitionBy)
        guard let c = DatasetCompression(rawValue: compression) else {
            throw .usage("--compression: expected zstd, snappy, gzip or none (got '\(compression)')")
        }
        o.compression = c
        guard let m = WriteMode(rawValue: mode) else {
            throw .usage("--mode: expected error, overwrite-partitions or append (got '\(mode)')")
        }
        o.mode = m
        o.maxOpenFiles = maxOpenFiles
        o.maxPartitions = maxPartitions
        o.memoryBudget = try ByteSize.parse(memoryBudget, option: "--memory-budget")
        o.rowGroupRows = rowGroupRows
        o.rowGroupBytes = try ByteSize.parse(rowGroupSize, option: "--row-group-size")
        o.maxFileBytes = try ByteSize.parse(maxFileSize, option: "--max-file-size")
        switch DatasetKind.parseList(datasets.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }) {
        case .success(let kinds): o.datasets = kinds
        case .failure(let p): throw .usage("--datasets: \(p.text)")
        }
        o.applicationVersion = WaybillVersion.string
        if let k = try keys.keyring() { o.encryption = ColumnEncryption(key: k.active) }
        if let fp = getenv("WAYBILL_TEST_FAILPOINT").map({ String(cString: $0) }) {
            // Test hook for the crash tests of the commit protocol (docs/datasets.md).
            if fp == "before-commit" { o.failPoint = .beforeCommit }
            if fp.hasPrefix("after-renames:"), let n = Int(fp.dropFirst("after-renames:".count)) {
                o.failPoint = .afterRenames(n)
            }
        }
        return o
    }

    private func printSummary(_ r: DatasetWriteResult, _ books: Books) {
        var s = books.summary(stage: "write") + "\n"
        for d in ["orders", "order_lines", "fulfillment"] {
            let t = r.totals(of: d)
            if t.files == 0 { continue }
            s += "write: \(d): \(t.rows) rows, \(t.bytes) bytes, \(t.files) files, \(t.partitions) partitions\n"
        }
        let shown = r.partitions.prefix(20)
        for p in shown {
            s += "write:   \(p.dataset)/\(p.path.isEmpty ? "." : p.path) rows=\(p.rows) bytes=\(p.bytes) files=\(p.files)\n"
        }
        if r.partitions.count > shown.count { s += "write:   ... \(r.partitions.count - shown.count) more\n" }
        if !r.removedFiles.isEmpty { s += "write: replaced \(r.removedFiles.count) files of earlier runs\n" }
        s += "write: batch \(r.batchId) committed to \(out) (peak buffered \(r.peakBufferedBytes) bytes, "
            + "peak open files \(r.peakOpenFiles), spilled \(r.spillBytes) bytes)\n"
        var bytes = Array(s.utf8)
        bytes.withUnsafeMutableBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}

/// Sizes with binary or decimal units: `256MiB`, `1GiB`, `512M`, `64k`, `1000`.
enum ByteSize {
    static func parse(_ text: String, option: String) throws(WaybillError) -> Int {
        let t = text.trimmingCharacters(in: " ").lowercased()
        let digits = t.prefix { $0.isNumber }
        let unit = t.dropFirst(digits.count)
        guard let n = Int(digits) else { throw .usage("\(option): expected a size like 256MiB (got '\(text)')") }
        let mult: Int
        switch unit {
        case "", "b": mult = 1
        case "k", "kib", "kb": mult = 1 << 10
        case "m", "mib", "mb": mult = 1 << 20
        case "g", "gib", "gb": mult = 1 << 30
        default: throw .usage("\(option): unknown unit '\(unit)' in '\(text)' (use KiB, MiB or GiB)")
        }
        let (v, overflow) = n.multipliedReportingOverflow(by: mult)
        guard !overflow else { throw .usage("\(option): '\(text)' is too large") }
        return v
    }
}

extension String {
    fileprivate func trimmingCharacters(in c: Character) -> String {
        var s = Substring(self)
        while s.first == c { s = s.dropFirst() }
        while s.last == c { s = s.dropLast() }
        return String(s)
    }
}

/// Prints a `WaybillError` as one line on stderr and turns it into its sysexits exit code.
private func exitFailure(_ verb: String, _ error: WaybillError) -> ExitCode {
    var line = Array("waybill \(verb): \(error)\n".utf8)
    line.withUnsafeMutableBytes { _ = write(2, $0.baseAddress, $0.count) }
    return ExitCode(error.exitCode)
}
