import ArgumentParser
import FeedSampler
import OrderModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `waybill sample`: writes a realistic synthetic order feed, reproducible from a seed.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate a synthetic order feed (seeded, with a chosen share of bad records).",
        discussion: """
            The same arguments always give the same bytes. Each bad record is a one-record order of its own; --truth writes what the feed holds (records, good orders and lines, later versions, bad records by kind, money sums) so collect's books can be checked against it.

            Bad kinds: unbalanced_quote, wrong_field_count (CSV shapes); truncated_json, trailing_garbage (NDJSON shapes); bad_money, bad_date, missing_order_id, missing_created_at, invalid_utf8, overlong_field (a 1.1 MiB field); overlong_line (a 17 MB record; only when named in --bad-kinds).

            Examples:
              waybill sample --orders 1000 --format csv --bad-share 0.05 \\
                --out shop.csv --truth shop.truth.json
              waybill sample --orders 1000000 --shape tpch-nested-ndjson \\
                --seed 7 | gzip -n > orders.ndjson.gz
            """
    )

    @Option(help: "Number of orders, bad ones included.")
    var orders: Int

    @Option(help: "Random seed; the same seed gives the same feed.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("tpch-flat-csv, tpch-nested-ndjson, shop-csv or jd-waybill-ndjson (docs/feed-shapes.md).", valueName: "shape"))
    var shape: String?

    @Option(help: ArgumentHelp("csv (shop-csv) or ndjson (jd-waybill-ndjson), when --shape is not given.", valueName: "format"))
    var format: String?

    @Option(help: "Share of orders written as bad records, 0 to 1.")
    var badShare: Double = 0

    @Option(help: ArgumentHelp("Comma-separated bad kinds to draw from (default: all of the shape but overlong_line).", valueName: "kinds"))
    var badKinds: String?

    @Option(help: "Share of good orders that get later status updates (default 0.1; TPC-H shapes: 0).")
    var updateShare: Double?

    @Flag(help: "Start shop-csv with a UTF-8 byte order mark.")
    var bom = false

    @Option(help: ArgumentHelp("Write the feed here instead of stdout.", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("Write a JSON summary of what the feed holds.", valueName: "file"))
    var truth: String?

    func validate() throws {
        _ = try makeConfig()
    }

    func run() throws {
        let config = try makeConfig()
        do {
            signal(SIGPIPE, SIG_IGN)  // a closed stdout must surface as EPIPE (exit 0), not kill us
            var sink = try out.map { try FileSink.create(path: $0) } ?? FileSink(fd: 1, path: "<stdout>")
            let result = try FeedSampler.generate(config, into: &sink)
            if out != nil { try sink.close() }
            if let path = truth {
                var t = try FileSink.create(path: path)
                var text = result.json()
                try text.withUTF8 { try t.write(UnsafeRawBufferPointer($0)) }
                try t.close()
            }
        } catch let e as WaybillError {
            if case .brokenPipe = e { return }
            StandardError.print("waybill sample: \(e)")
            throw ExitCode(e.exitCode)
        }
    }

    /// Turns the options into a checked configuration; any problem is a usage error (exit 64).
    private func makeConfig() throws -> SampleConfig {
        var chosen: FeedShape
        if let s = shape {
            guard let parsed = FeedShape(rawValue: s) else {
                throw ValidationError(
                    "--shape: unknown shape '\(s)' (expected one of: \(FeedShape.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            chosen = parsed
            if let f = format, FeedShape.defaultShape(format: f).map({ $0.isCSV }) != parsed.isCSV {
                throw ValidationError("--format \(f) does not match --shape \(s)")
            }
        } else if let f = format {
            guard let parsed = FeedShape.defaultShape(format: f) else {
                throw ValidationError("--format: expected csv or ndjson (got '\(f)')")
            }
            chosen = parsed
        } else {
            chosen = .jdWaybillNDJSON
        }
        var kinds: [BadKind]?
        if let list = badKinds {
            kinds = try list.split(separator: ",").map { name in
                let n = String(name.filter { $0 != " " })
                guard let k = BadKind(rawValue: n) else {
                    throw ValidationError(
                        "--bad-kinds: unknown kind '\(n)' (expected: \(BadKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return k
            }
        }
        let config = SampleConfig(
            orders: orders, seed: seed, shape: chosen, badShare: badShare, badKinds: kinds, updateShare: updateShare,
            byteOrderMark: bom)
        do {
            try config.validate()
        } catch {
            throw ValidationError(error.description)
        }
        return config
    }
}

/// One line to stderr, unbuffered.
enum StandardError {
    static func print(_ message: String) {
        var sink = FileSink(fd: 2, path: "<stderr>")
        var line = message + "\n"
        try? line.withUTF8 { try sink.write(UnsafeRawBufferPointer($0)) }
    }
}
