import ArgumentParser
import Foundation
import Datasets
import Lifecycle
import OrderModel

#if canImport(Glibc)
import Glibc
#endif

/// `waybill compact --dataset DIR`: one current row per order (the read model).
struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Fold the versions landed by many runs into one current row per order.",
        discussion: """
            Highest version wins, then the latest updated_at, then the latest batch id, then the
            later row. Lines follow their order's winning row. Only partitions holding a
            superseded row are rewritten, in one commit; the files they held move to
            DIR/history/orders and DIR/history/order_lines (a dataset of every version, for
            audit). Running it again changes nothing. See docs/lifecycle.md.

            Example:
              waybill compact --dataset warehouse/
            """
    )

    @Option(name: .customLong("dataset"), help: "The output folder of `waybill write` (holding orders/ and order_lines/).")
    var directory: String

    @Option(help: "Names the compacted files (must start with 'compact-'; default: compact-<UTC time>-<pid>).")
    var batchId: String?

    @Option(help: "ZSTD level of the rewritten files (1-22).")
    var compressionLevel: Int32?

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        var o = CompactOptions(directory: directory, batchId: batchId)
        o.compressionLevel = compressionLevel
        o.applicationVersion = WaybillVersion.string
        o.dieAfterRenames = testDieAfterRenames()
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let t0 = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        let r: CompactResult
        do {
            r = try Compactor.run(o)
        } catch {
            throw lifecycleFailure("compact", error)
        }
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let secs = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9 - t0
        if !quiet {
            let rate = secs > 0 ? Int(Double(r.orderRows) / secs) : 0
            writeStderr("waybill compact: \(r.orderRows) order rows, \(r.currentOrders) current orders; "
                + "\(r.partitions.count) partition(s) rewritten (\(r.ordersWritten) orders, \(r.linesWritten) lines), "
                + "\(r.filesToHistory.count) file(s) to history, \(r.filesDeleted.count) deleted; "
                + String(format: "%.2f s, %d rows/s\n", secs, rate))
        }
    }
}

/// Prints a `WaybillError` as one line on stderr and turns it into its sysexits exit code.
func lifecycleFailure(_ verb: String, _ error: WaybillError) -> ExitCode {
    writeStderr("waybill \(verb): \(error)\n")
    return ExitCode(error.exitCode)
}
