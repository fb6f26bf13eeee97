import Foundation
import OrderModel

/// The JSON run summary (`--report FILE`): inputs, books, per-source and per-business-line
/// counts, rejects by reason, per-dataset and per-partition rows and bytes, duration, outcome.
public enum RunReport {
    public static func json(_ run: StageRun) -> [UInt8] {
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? JSONSerialization.data(withJSONObject: document(run), options: options)) ?? Data()
        return Array(data) + [0x0A]
    }

    /// The report as a JSON object; a pipeline run nests its stages and lists its lines.
    static func document(_ run: StageRun) -> [String: Any] {
        func books(_ b: Books) -> [String: Any] {
            [
                "records_in": b.recordsIn, "records_out": b.rowsOut, "orders_out": b.ordersOut,
                "lines_out": b.linesOut, "rejected": b.rejected, "merged": b.merged, "bytes_read": b.bytesRead,
                "files": b.files, "archive_members": b.archiveMembers, "balanced": b.balances,
            ]
        }
        var doc: [String: Any] = [
            "stage": run.stage,
            "schema_version": OrderSchema.version,
            "succeeded": run.succeeded,
            "exit_code": Int(run.exitCode),
            "started_at": CivilTime.timestampString(micros: Int64(run.startedAt * 1e6)),
            "duration_seconds": run.durationSeconds,
            "inputs": run.inputs,
            "books": books(run.books),
            "by_source": run.bySource.mapValues(books),
            "by_business_line": run.byBusinessLine,
            "rejects_by_reason": run.rejectsByCode,
            "rule_hits": run.ruleHits.map { ["rule": $0.rule, "severity": $0.severity, "hits": $0.hits] },
            "peak_memory_bytes": run.peakMemoryBytes,
            "throughput": ["records_per_second": run.recordsPerSecond, "bytes_per_second": run.bytesPerSecond],
            "phases": run.phases.map { ["phase": $0.phase, "duration_seconds": $0.seconds] },
            "datasets": datasets(run),
            "partitions": run.partitions.map {
                ["dataset": $0.dataset, "partition": $0.partition, "rows": $0.rows, "bytes": $0.bytes, "files": $0.files]
            },
        ]
        if !run.stages.isEmpty { doc["stages"] = run.stages.map(document) }
        if !run.lines.isEmpty {
            doc["lines"] = run.lines.map {
                [
                    "line": $0.name, "source": $0.source, "succeeded": $0.succeeded, "exit_code": Int($0.exitCode),
                    "error": $0.error, "books": books($0.books), "orders_landed": $0.ordersLanded,
                    "lines_landed": $0.linesLanded, "rejected": $0.rejected, "duration_seconds": $0.durationSeconds,
                    "other_shards": $0.otherShards,
                ] as [String: Any]
            }
        }
        return doc
    }

    /// Rows, bytes, files and partitions per dataset (the sums of its partitions).
    static func datasets(_ run: StageRun) -> [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        for p in run.partitions {
            var d = out[p.dataset] ?? ["rows": 0, "bytes": 0, "files": 0, "partitions": 0]
            d["rows"]! += p.rows
            d["bytes"]! += p.bytes
            d["files"]! += p.files
            d["partitions"]! += 1
            out[p.dataset] = d
        }
        return out
    }

    public static func write(_ run: StageRun, to path: String) throws(WaybillError) {
        try AtomicFile.write(json(run), to: path)
    }
}
