import ArgumentParser
import Foundation
import OrderModel
import Pipeline
import RunMetrics

#if canImport(Glibc)
import Glibc
#endif

/// `waybill run PIPELINE.yaml`: the whole pipeline in one process, one exit code.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline file: collect -> transact -> fulfill -> write in one process.",
        discussion: """
            Each business line of the pipeline runs as collect -> stages -> write on its own threads,
            passing batches (no NDJSON in between), and commits its own files when it succeeds. A line
            whose feed is missing, unreadable or past its reject threshold fails alone: the other lines
            land (unless on_line_failure is stop) and the run exits with the failed line's code
            (66 feed missing or unreadable, 65 past a threshold, 73/74 output). 78: the pipeline file
            (or a file it names) is wrong; nothing ran. See docs/pipelines.md.

            Examples:
              waybill run Pipelines/nightly.yaml --metrics out/nightly/metrics.prom --report out/nightly/report.json
              waybill run Pipelines/bench/tpch-flat.yaml --set output.folder=/tmp/w --dry-run
            """
    )

    @Argument(help: "The pipeline file (YAML).")
    var file: String

    @Option(name: .customLong("set"), help: "Override a setting: KEY.PATH=VALUE (repeatable), e.g. output.folder=/data/w.")
    var overrides: [String] = []

    @Option(help: "Shortcut for --set output.folder=DIR.")
    var out: String?

    @Flag(name: .customLong("dry-run"), help: "Print the plan (inputs found per line with sizes, stages, outputs); read no feed, write nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp(
        "Run one share of the pipeline, I/N (0 <= I < N): the orders whose order_id hashes to I (or, for a line with "
            + "shard_by: file, its I-th of every N inputs), with state in <state>/shard-I-of-N and files named "
            + "part-<batch>-s<I>of<N>-<line>-... See docs/spark.md.", valueName: "I/N"))
    var shard: String?

    @Flag(help: "Print nothing on stderr unless something is wrong.")
    var quiet = false

    @Option(help: ArgumentHelp(
        "Use N CPUs: the process (every stage and the encoders) is pinned to N of the CPUs it may use. "
            + "Default: all of them.", valueName: "N"))
    var threads: Int?

    @OptionGroup var reporting: ReportingOptions

    @OptionGroup var limits: LimitOptions

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        do throws(WaybillError) {
            let cpus = try threads.map { (n: Int) throws(WaybillError) in try CPUSet.limit(to: n) } ?? CPUSet.allowedCount()
            let shardSpec: Shard? = try shard.map { (s: String) throws(WaybillError) in try Shard(parsing: s) }
            let v = try PipelineCLI.validate(file: file, overrides: overrides + limits.pipelineOverrides + (out.map { ["output.folder=\($0)"] } ?? []),
                shard: shardSpec)
            guard v.problems.isEmpty else {
                // One problem is the error line itself; several are listed before it.
                if v.problems.count > 1 { for p in v.problems { FileHandleErr.write("\(p)\n") } }
                throw PipelineProblem.error(v.problems)
            }
            if dryRun {
                print(PipelinePlan(validated: v).text(), terminator: "")
                return
            }
            let runner = try PipelineRunner(validated: v, factory: PipelineCLI.factory, applicationVersion: WaybillVersion.string)
            runner.encodeThreads = cpus
            if !quiet { runner.log = { FileHandleErr.write("waybill \($0)\n") } }
            let reporting = self.reporting, quiet = self.quiet
            runner.progress = { line, inputs in reporting.progressMeter(stage: "run \(line)", inputCount: inputs, quiet: quiet) }
            let inputs = v.spec.lines.flatMap(\.inputs)
            try reporting.measure(stage: "run", inputs: inputs, quiet: quiet) { (stats: inout StageRun) throws(WaybillError) in
                let outcome = runner.run()
                outcome.fill(&stats)
                if let error = outcome.error { throw error }
            }
        } catch {
            FileHandleErr.write("waybill run: \(error.description)\n")
            throw ExitCode(error.exitCode)
        }
    }
}
