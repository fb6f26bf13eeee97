import Foundation
import OrderModel
import Prometheus

/// Writes a run's metrics in the Prometheus text exposition format, atomically, for
/// node_exporter's textfile collector (or a Pushgateway).
///
/// Rendering goes through swift-prometheus's registry, so names, labels and escaping follow
/// the format exactly. The file is written to a temporary name that does not end in `.prom`
/// (the collector ignores it), fsynced and renamed over the target, so a scrape never sees
/// half a file. The metric names are the same from every stage and from `run`
/// (docs/metrics.md lists them).
public enum PrometheusTextfile {
    /// Series per partition are written only up to this many partitions per dataset; beyond it
    /// the per-dataset totals remain (the JSON report always has every partition).
    public static let maxPartitionSeries = 1000

    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        // The full name is given as metricName; swift-prometheus joins non-empty parts only.
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    public static func render(_ run: StageRun, previousLastSuccess: Double? = nil) -> [UInt8] {
        render(run, previous: previousLastSuccess.map { [run.stage: $0] } ?? [:])
    }

    /// Renders `run` and its stages (a pipeline's), one metric family per name; `previous`
    /// holds the last-success timestamps to carry over, by stage.
    static func render(_ run: StageRun, previous: [String: Double]) -> [UInt8] {
        let r = PrometheusCollectorRegistry()
        for s in [run] + run.stages { register(s, previousLastSuccess: previous[s.stage], into: r) }
        registerLines(run, into: r)
        var out: [UInt8] = []
        r.emit(into: &out)
        return ordered(out)
    }

    /// Adds one stage's series to `r`.
    static func register(_ run: StageRun, previousLastSuccess: Double?, into r: PrometheusCollectorRegistry) {
        let stage = ("stage", run.stage)
        func counter(_ name: String, _ help: String, _ labels: [(String, String)], _ v: Int) {
            r.makeCounter(descriptor: descriptor(name, help), labels: labels).increment(by: Int64(v))
        }
        func gauge(_ name: String, _ help: String, _ labels: [(String, String)], _ v: Double) {
            r.makeGauge(descriptor: descriptor(name, help), labels: labels).set(v)
        }
        let b = run.books
        counter("waybill_records_in_total", "Input records read by the stage.", [stage], b.recordsIn)
        counter("waybill_records_out_total", "Input records that ended in an output order.", [stage], b.rowsOut)
        counter("waybill_orders_out_total", "Orders emitted.", [stage], b.ordersOut)
        counter("waybill_lines_out_total", "Order lines emitted.", [stage], b.linesOut)
        counter("waybill_records_rejected_total", "Records rejected (all reasons).", [stage], b.rejected)
        counter("waybill_records_merged_total", "Records merged into another version.", [stage], b.merged)
        counter("waybill_bytes_read_total", "Bytes read from inputs.", [stage], b.bytesRead)
        counter("waybill_files_total", "Input files read.", [stage], b.files)
        counter("waybill_archive_members_total", "Archive members read.", [stage], b.archiveMembers)
        for (code, n) in run.rejectsByCode.sorted(by: { $0.key < $1.key }) {
            counter("waybill_rejects_total", "Rejects by reason code.", [stage, ("reason", code)], n)
        }
        for (source, sb) in run.bySource.sorted(by: { $0.key < $1.key }) {
            let l = [stage, ("source", source)]
            counter("waybill_source_records_in_total", "Input records per source.", l, sb.recordsIn)
            counter("waybill_source_orders_out_total", "Orders emitted per source.", l, sb.ordersOut)
            counter("waybill_source_records_rejected_total", "Rejects per source.", l, sb.rejected)
        }
        for hit in run.ruleHits {
            counter("waybill_rule_hits_total", "Orders a rule fired on.",
                    [stage, ("rule", hit.rule), ("severity", hit.severity)], hit.hits)
        }
        for (line, n) in run.byBusinessLine.sorted(by: { $0.key < $1.key }) {
            counter("waybill_business_line_orders_out_total", "Orders emitted per business line.",
                    [stage, ("business_line", line)], n)
        }
        var perDataset: [String: (rows: Int, bytes: Int, files: Int, partitions: Int)] = [:]
        for p in run.partitions {
            var d = perDataset[p.dataset] ?? (0, 0, 0, 0)
            d.rows += p.rows
            d.bytes += p.bytes
            d.files += p.files
            d.partitions += 1
            perDataset[p.dataset] = d
        }
        for (name, d) in perDataset.sorted(by: { $0.key < $1.key }) {
            let l = [stage, ("dataset", name)]
            counter("waybill_dataset_rows_written_total", "Rows written per dataset.", l, d.rows)
            counter("waybill_dataset_bytes_written_total", "Bytes written per dataset.", l, d.bytes)
            counter("waybill_dataset_files_written_total", "Files written per dataset.", l, d.files)
            gauge("waybill_dataset_partitions_touched", "Partitions written per dataset.", l, Double(d.partitions))
            if d.partitions <= maxPartitionSeries {
                for p in run.partitions where p.dataset == name {
                    let pl = l + [("partition", p.partition)]
                    counter("waybill_partition_rows_written_total", "Rows written per partition.", pl, p.rows)
                    counter("waybill_partition_bytes_written_total", "Bytes written per partition.", pl, p.bytes)
                }
            }
        }
        gauge("waybill_run_duration_seconds", "Wall time of the run.", [stage], run.durationSeconds)
        gauge("waybill_run_start_timestamp_seconds", "Unix time the run started.", [stage], run.startedAt)
        for p in run.phases {
            gauge("waybill_phase_duration_seconds", "Wall time of each phase of a multi-stage run.",
                  [stage, ("phase", p.phase)], p.seconds)
        }
        if run.peakMemoryBytes > 0 {
            gauge("waybill_peak_memory_bytes", "Peak resident memory of the process.", [stage], Double(run.peakMemoryBytes))
        }
        gauge("waybill_run_success", "1 if the run succeeded, else 0.", [stage], run.succeeded ? 1 : 0)
        gauge("waybill_run_exit_code", "Exit code of the run.", [stage], Double(run.exitCode))
        if let last = run.succeeded ? run.startedAt + run.durationSeconds : previousLastSuccess {
            gauge("waybill_last_success_timestamp_seconds", "Unix time the stage last ended successfully.", [stage], last)
        }
    }

    /// The registry emits families and series in hash order, which differs from run to run.
    /// This puts the same text in a stable order (families by name, series sorted within each),
    /// so two files diff cleanly and the series of a family stay together.
    static func ordered(_ text: [UInt8]) -> [UInt8] {
        var families: [String: (header: [Substring], samples: [Substring])] = [:]
        var current = ""
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
            if line.hasPrefix("# ") {
                let parts = line.split(separator: " ", maxSplits: 3)
                if parts.count >= 3 { current = String(parts[2]) }
                families[current, default: ([], [])].header.append(line)
            } else {
                families[current, default: ([], [])].samples.append(line)
            }
        }
        var out = ""
        for name in families.keys.sorted() {
            let f = families[name]!
            for line in f.header { out += line + "\n" }
            for line in f.samples.sorted() { out += line + "\n" }
        }
        return Array(out.utf8)
    }

    /// The business lines of a pipeline run (`line` is the pipeline's name for the line).
    static func registerLines(_ run: StageRun, into r: PrometheusCollectorRegistry) {
        for line in run.lines {
            let l = [("stage", run.stage), ("line", line.name)]
            r.makeGauge(descriptor: descriptor("waybill_line_success", "1 if the business line landed, else 0."), labels: l)
                .set(Double(line.succeeded ? 1 : 0))
            r.makeGauge(descriptor: descriptor("waybill_line_exit_code", "Exit code of the business line."), labels: l)
                .set(Double(line.exitCode))
            r.makeCounter(descriptor: descriptor("waybill_line_records_in_total", "Input records read for the business line."), labels: l)
                .increment(by: Int64(line.books.recordsIn))
            r.makeCounter(descriptor: descriptor("waybill_line_records_rejected_total", "Rejects of the business line, all stages."), labels: l)
                .increment(by: Int64(line.rejected))
            r.makeCounter(descriptor: descriptor("waybill_line_orders_landed_total", "Orders of the business line landed in the datasets."), labels: l)
                .increment(by: Int64(line.ordersLanded))
            r.makeGauge(descriptor: descriptor("waybill_line_duration_seconds", "Wall time of the business line."), labels: l)
                .set(line.durationSeconds)
        }
    }

    /// Writes `run` to `path` atomically. On a failed run the last-success timestamp of the
    /// previous file (if any) is carried over, so alerts on "no success for N hours" stay right.
    public static func write(_ run: StageRun, to path: String) throws(WaybillError) {
        var previous: [String: Double] = [:]
        for s in [run] + run.stages where !s.succeeded { previous[s.stage] = lastSuccess(inFileAt: path, stage: s.stage) }
        try AtomicFile.write(render(run, previous: previous), to: path)
    }

    /// The `waybill_last_success_timestamp_seconds` value for `stage` in an existing file.
    static func lastSuccess(inFileAt path: String, stage: String) -> Double? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let prefix = "waybill_last_success_timestamp_seconds{stage=\"\(stage)\"} "
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            return Double(line.dropFirst(prefix.count))
        }
        return nil
    }
}
