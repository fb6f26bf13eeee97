import ArgumentParser
import Datasets
import Lifecycle
import OrderModel

#if canImport(Glibc)
import Glibc
#endif

/// `waybill tier --dataset DIR --older-than 90d --to COLD`: old partitions to a cold location.
struct TierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tier",
        abstract: "Move partitions older than a cutoff to a cold location, recompressed.",
        discussion: """
            Partitions whose date key (order_date) or month key (order_month) lies entirely
            before NOW minus --older-than are rewritten into COLD/<dataset>/<partition>/ with
            ZSTD at a high level and big row groups, verified (rows and content hash), listed in
            COLD/_waybill_cold_manifest.json, and only then removed from the hot dataset (one
            rename per partition folder, journaled; DIR/<dataset>/_waybill_tiers.json notes where
            they went). `waybill restore` brings them back. See docs/lifecycle.md.

            Example:
              waybill tier --dataset warehouse/ --older-than 90d --to /archive/warehouse-cold
            """
    )

    @Option(name: .customLong("dataset"), help: "The output folder of `waybill write`.")
    var directory: String

    @Option(help: "Age: a number and d, w, m (30 days) or y (365 days), e.g. 90d.")
    var olderThan: String

    @Option(name: .customLong("to"), help: "The cold location (a folder outside the datasets).")
    var cold: String

    @Option(help: "Today as YYYY-MM-DD (default: the current UTC date).")
    var now: String?

    @Option(help: "ZSTD level of the cold files (1-22).")
    var compressionLevel: Int32 = 19

    @Option(help: "Rows per row group in the cold files (at most 16777216, what Waybill's reader decodes).")
    var rowGroupRows = 4_194_304

    @Option(help: "Pack each partition's cold files into a tar archive: 'tar' (default: none).")
    var pack: String?

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        do {
            guard pack == nil || pack == "tar" else { throw WaybillError.usage("--pack '\(pack!)': only 'tar' is supported") }
            let age = try TierPolicy.parseAge(olderThan)
            let today: Int64
            if let now {
                guard let d = TierPolicy.parseDay(now) else { throw WaybillError.usage("--now '\(now)': use YYYY-MM-DD") }
                today = d
            } else {
                today = Int64(time(nil)) / 86_400
            }
            guard (1...22).contains(compressionLevel) else { throw WaybillError.usage("--compression-level must be 1-22") }
            let readable = DatasetWriteOptions.maxRowGroupRows
            guard rowGroupRows <= readable else { throw WaybillError.usage("--row-group-rows must be at most \(readable)") }
            var o = TierOptions(directory: directory, cold: cold, policy: TierPolicy(cutoffDay: today - age))
            o.compressionLevel = compressionLevel
            o.rowGroupRows = max(1, rowGroupRows)
            o.pack = pack == "tar"
            o.applicationVersion = WaybillVersion.string
            o.dieAfterRenames = testDieAfterRenames()
            let moves = try Tierer.run(o)
            if !quiet { reportMoves("tier", "moved to \(cold)", moves) }
        } catch let e as WaybillError {
            throw lifecycleFailure("tier", e)
        }
    }
}

/// `WAYBILL_TEST_FAILPOINT=after-renames:N` stops a commit as if killed (tests).
func testDieAfterRenames() -> Int? {
    guard let hook = getenv("WAYBILL_TEST_FAILPOINT").map({ String(cString: $0) }), hook.hasPrefix("after-renames:") else {
        return nil
    }
    return Int(hook.dropFirst("after-renames:".count))
}

func reportMoves(_ verb: String, _ what: String, _ moves: [TierMove]) {
    var text = "waybill \(verb): \(moves.count) partition file(s) \(what)\n"
    for m in moves { text += "  \(m.dataset)/\(m.partition): \(m.rows) rows, content \(m.contentHash)\n" }
    writeStderr(text)
}
