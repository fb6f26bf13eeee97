import ArgumentParser
import Foundation
import OrderModel
import RunMetrics

/// `--metrics FILE` and `--report FILE`, which every processing verb takes (design.md section 2).
struct ReportingOptions: ParsableArguments {
    @Option(help: "Write Prometheus text-format metrics here at the end of the run (atomically; for node_exporter's textfile collector).")
    var metrics: String?

    @Option(help: "Write a JSON run summary here at the end of the run.")
    var report: String?

    /// Runs a stage's body, timing it and filling a `StageRun`, then writes the metrics and the
    /// report whatever the outcome (a failed run is reported too, with its exit code).
    func measure(
        stage: String, inputs: [String], _ body: (inout StageRun) throws(WaybillError) -> Void
    ) throws(WaybillError) {
        var stats = StageRun(stage: stage)
        stats.startedAt = RunClock.now()
        stats.inputs = inputs.isEmpty ? ["-"] : inputs
        do {
            try body(&stats)
        } catch {
            stats.exitCode = error.exitCode
            stats.durationSeconds = RunClock.now() - stats.startedAt
            try? write(stats)
            throw error
        }
        stats.succeeded = true
        stats.durationSeconds = RunClock.now() - stats.startedAt
        try write(stats)
    }

    /// Writes both outputs if asked for. A failure to write them is reported but does not
    /// change the outcome of a run that already failed; it fails a run that succeeded (exit 73/74).
    func write(_ run: StageRun) throws(WaybillError) {
        if let metrics { try PrometheusTextfile.write(run, to: metrics) }
        if let report { try RunReport.write(run, to: report) }
    }
}

/// Wall-clock helpers for run timing.
enum RunClock {
    static func now() -> Double { Date().timeIntervalSince1970 }
}
