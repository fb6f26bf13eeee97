import Foundation
import OrderModel
@testable import Rules

/// A test-only reader of the TPC-H flat CSV feed into batches, with the mapping of
/// docs/feed-shapes.md section 1 (the part the rules read). `collect` is the real reader.
enum TPCHFeed {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The scale-0.01 feed, generated with the project's script when it is missing.
    static func flatCSV() throws -> String { try flatCSVText.get() }

    /// Read (and made) once per process: the suites that use it run in parallel, and two of
    /// them generating into the same folder at once read a half-written file.
    private static let flatCSVText = Result<String, any Error> {
        let dir = "/tmp/waybill-transact-feeds01"
        let path = dir + "/orders_flat.csv"
        if !FileManager.default.fileExists(atPath: path) {
            // Made aside and renamed into place, so another process never sees half a feed.
            let staging = dir + ".tmp-\(getpid())"
            let p = Process()
            // The Python environment .ci/install-deps.sh makes (WAYBILL_VENV, as `make test` sets it).
            let env = ProcessInfo.processInfo.environment
            let venv = env["WAYBILL_VENV"] ?? (NSHomeDirectory() + "/.cache/waybill-venv")
            p.executableURL = URL(fileURLWithPath: venv + "/bin/python")
            p.arguments = [repoRoot + "/Benchmarks/make_feeds.py", "0.01", staging]
            try p.run()
            p.waitUntilExit()
            if rename(staging, dir) != 0 { try? FileManager.default.removeItem(atPath: staging) }
        }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    /// Splits one CSV row (RFC 4180 quotes).
    static func fields(_ line: Substring) -> [String] {
        var out: [String] = []
        var cur = ""
        var quoted = false
        var it = line.makeIterator()
        while let c = it.next() {
            if quoted {
                if c == "\"" { quoted = false } else { cur.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                out.append(cur)
                cur = ""
            } else {
                cur.append(c)
            }
        }
        out.append(cur)
        return out
    }

    /// The unmodified feed as one batch, built once per process: a debug build takes about a
    /// minute to build it, and several suites read it.
    static func flatBatch() throws -> OrderBatch { try flatBatchValue.get() }
    private static let flatBatchValue = Result<OrderBatch, any Error> { batch(try flatCSV()) }

    /// Every order of the feed in one batch.
    static func batch(_ csv: String) -> OrderBatch {
        var batch = OrderBatch()
        var rows = csv.split(separator: "\n")
        let header = fields(rows.removeFirst())
        let col = Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0) })
        var current: TestBatches.Order?
        for row in rows {
            let f = fields(row)
            func v(_ name: String) -> String { f[col[name]!] }
            let key = v("o_orderkey")
            if current?.fields["external_order_id"] != key {
                if let o = current { TestBatches.append(o, to: &batch) }
                let status = ["O": "PAID", "F": "DELIVERED", "P": "SHIPPED"][v("o_orderstatus")]!
                current = TestBatches.Order(fields: [
                    "order_id": "tpch:" + key, "source": "tpch", "external_order_id": key, "order_type": "sale",
                    "status": status, "source_status": v("o_orderstatus"),
                    "created_at": v("o_orderdate") + "T00:00:00Z", "order_date": v("o_orderdate"),
                    "grand_total": v("o_totalprice"), "priority": v("o_orderpriority"), "clerk": v("o_clerk"),
                ])
            }
            current!.lines.append([
                "line_no": v("l_linenumber"), "product_id": v("l_partkey"), "quantity": v("l_quantity"),
                "extended_price": v("l_extendedprice"), "discount_rate": v("l_discount"), "tax_rate": v("l_tax"),
                "line_status": v("l_linestatus"), "ship_mode": v("l_shipmode"), "ship_date": v("l_shipdate"),
                "commit_date": v("l_commitdate"), "receipt_date": v("l_receiptdate"),
            ])
        }
        if let o = current { TestBatches.append(o, to: &batch) }
        return batch
    }
}
