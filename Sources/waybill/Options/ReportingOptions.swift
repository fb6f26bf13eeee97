import ArgumentParser
import Foundation
import Logging
import OrderModel
import RunMetrics

/// The options every processing verb takes (design.md section 2): where the run reports
/// (`--metrics`, `--report`, `--push`), whether it shows progress, and how much it logs.
/// New common flags belong here, so every verb that includes the group gets them.
struct ReportingOptions: ParsableArguments {
    @Option(help: "Write Prometheus text-format metrics here at the end of the run (atomically; for node_exporter's textfile collector).")
    var metrics: String?

    @Option(help: "Write a JSON run summary here at the end of the run.")
    var report: String?

    @Option(help: ArgumentHelp(
        "Push the metrics to this Prometheus Pushgateway (e.g. http://127.0.0.1:9091) at the end of the run.",
        discussion: "A successful run replaces its group (PUT); a failed run adds to it (POST) without the last-success metric, so that value survives. A push that fails is reported on stderr and makes a run that otherwise succeeded exit 75."))
    var push: String?

    @Option(name: .customLong("push-job"), help: "The job grouping label of the push (default: waybill_<stage>).")
    var pushJob: String?

    @Option(name: .customLong("push-instance"), help: "The instance grouping label of the push (default: the host name).")
    var pushInstance: String?

    @Option(name: .customLong("push-timeout"), help: "Seconds the push may take in all.")
    var pushTimeout: Double = 5

    @Flag(inversion: .prefixedNo, help: "Show progress on stderr (default: only when stderr is a terminal; --quiet turns it off).")
    var progress: Bool?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .warning

    /// Runs a stage's body, timing it and filling a `StageRun`, then writes the metrics and the
    /// report and pushes them whatever the outcome (a failed run is reported too, with its exit code).
    /// `quiet` is the verb's `--quiet`: the info lines about where the outputs went are dropped.
    func measure(
        stage: String, inputs: [String], quiet: Bool = false, _ body: (inout StageRun) throws(WaybillError) -> Void
    ) throws(WaybillError) {
        if let target = pushTarget(stage: stage) {
            // A malformed URL is a usage error before any work, not a failed push after it.
            do { _ = try target.groupURL() } catch { throw WaybillError.usage(error.message) }
            if !(pushTimeout > 0 && pushTimeout <= 300) {
                throw WaybillError.usage("--push-timeout must be between 0 and 300 seconds (got \(pushTimeout))")
            }
        }
        var stats = StageRun(stage: stage)
        stats.startedAt = RunClock.now()
        stats.inputs = inputs.isEmpty ? ["-"] : inputs
        do {
            try body(&stats)
        } catch {
            stats.exitCode = error.exitCode
            stats.durationSeconds = RunClock.now() - stats.startedAt
            stats.peakMemoryBytes = StageRun.currentPeakMemoryBytes()
            try? write(stats, quiet: quiet)
            pushIfAsked(stats, quiet: quiet)
            throw error
        }
        stats.succeeded = true
        stats.durationSeconds = RunClock.now() - stats.startedAt
        stats.peakMemoryBytes = StageRun.currentPeakMemoryBytes()
        var writeFailure: WaybillError?
        do { try write(stats, quiet: quiet) } catch { writeFailure = error }
        pushIfAsked(stats, quiet: quiet)
        if let writeFailure { throw writeFailure }
    }

    /// Writes both outputs if asked for. A failure to write them is reported but does not
    /// change the outcome of a run that already failed; it fails a run that succeeded (exit 73/74).
    func write(_ run: StageRun, quiet: Bool = false) throws(WaybillError) {
        let log = logger(stage: run.stage, quiet: quiet)
        if let metrics {
            try PrometheusTextfile.write(run, to: metrics)
            log.info("metrics written", metadata: ["file": "\(metrics)"])
        }
        if let report {
            try RunReport.write(run, to: report)
            log.info("report written", metadata: ["file": "\(report)"])
        }
    }

    /// Pushes `run` when `--push` was given. A failed push never fails the data: it prints
    /// `push failed: ...` and, when the run itself succeeded, makes the process exit 75
    /// (EX_TEMPFAIL) rather than a data or I/O code (see `PushOutcome`).
    func pushIfAsked(_ run: StageRun, quiet: Bool = false) {
        guard let target = pushTarget(stage: run.stage) else { return }
        let log = logger(stage: run.stage, quiet: quiet)
        do {
            try target.push(run)
            log.info("metrics pushed", metadata: [
                "url": "\(target.url)", "job": "\(target.job)", "instance": "\(target.instance)",
                "method": "\(Pushgateway.method(for: run))",
            ])
        } catch {
            writeStderr("waybill \(run.stage): push failed: \(error.message)\n")
            if run.succeeded { PushOutcome.failedAfterSuccess = true }
        }
    }

    /// The Pushgateway this run pushes to, or nil without `--push`.
    func pushTarget(stage: String) -> Pushgateway? {
        guard let push else { return nil }
        return Pushgateway(
            url: push, job: pushJob ?? Pushgateway.defaultJob(stage: stage),
            instance: pushInstance ?? Pushgateway.hostName(), timeout: pushTimeout)
    }

    /// A progress meter drawing on stderr, or nil when progress is off (`quiet` is the verb's
    /// own `--quiet`). Bump it once per batch; call `finish()` at the end of the run.
    func progressMeter(stage: String, inputCount: Int = 0, quiet: Bool) -> ProgressMeter? {
        ProgressDisplay.meter(
            stage: stage, inputCount: inputCount, enabled: ProgressDisplay.enabled(flag: progress, quiet: quiet))
    }

    /// The stage's logger (stderr, compact lines) at `--log-level`; the verb's `--quiet` keeps
    /// only errors.
    func logger(stage: String, quiet: Bool = false) -> Logger {
        WaybillLogging.logger(stage: stage, level: quiet ? max(logLevel, .error) : logLevel)
    }
}

/// Wall-clock helpers for run timing.
enum RunClock {
    static func now() -> Double { Date().timeIntervalSince1970 }
}

/// Whether a run that succeeded could not push its metrics. `Waybill.main` turns it into exit
/// 75 (EX_TEMPFAIL: the data landed, the report did not reach the Pushgateway; retrying later
/// is safe). Set on the main thread at the very end of a run, read once after it.
enum PushOutcome {
    nonisolated(unsafe) static var failedAfterSuccess = false
    static let exitCode: Int32 = 75
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
