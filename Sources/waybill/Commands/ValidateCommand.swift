import ArgumentParser
import Foundation
import OrderModel
import Pipeline

/// `waybill validate FILE`: checks a pipeline file and everything it names, without running it.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a pipeline file (and the profiles, rules and folders it names) without running it.",
        discussion: """
            Prints every problem as FILE:LINE:COLUMN: message and exits 78 when there is one; 0 when the
            pipeline would start. Feeds are not opened; a line whose inputs match nothing yet is a warning.
            The pipeline file format is described in docs/pipelines.md.

            Example:
              waybill validate Pipelines/nightly.yaml --set output.folder=/data/warehouse
            """
    )

    @Argument(help: "The pipeline file (YAML).")
    var file: String

    @Option(name: .customLong("set"), help: "Override a setting: KEY.PATH=VALUE (repeatable), e.g. lines.shop.max_reject_rate=0.1.")
    var overrides: [String] = []

    func run() throws {
        let v: PipelineValidator.Validated
        do throws(WaybillError) {
            v = try PipelineCLI.validate(file: file, overrides: overrides)
        } catch {
            FileHandleErr.write("waybill validate: \(error.description)\n")
            throw ExitCode(error.exitCode)
        }
        for w in v.warnings { FileHandleErr.write("waybill validate: warning: \(w)\n") }
        if !v.problems.isEmpty {
            for p in v.problems { FileHandleErr.write("\(p)\n") }
            FileHandleErr.write("waybill validate: \(file): \(v.problems.count) problem(s)\n")
            throw ExitCode(78)
        }
        let s = v.spec
        print("\(file): ok (\(s.lines.count) business line(s): \(s.lines.map(\.name).joined(separator: ", ")); "
            + "stages \(s.stages.joined(separator: " -> ")))")
    }
}

/// What `validate` and `run` share: loading with the overrides and the environment, and the
/// stages this binary can build.
enum PipelineCLI {
    /// The stages built into this binary: one factory for the process, so that `run` reuses
    /// what validating the pipeline loaded (the fulfillment plan).
    static let factory = StageFactory.standard

    static func validate(file: String, overrides: [String], shard: Shard? = nil) throws(WaybillError) -> PipelineValidator.Validated {
        var parsed: [Override] = []
        for o in overrides { parsed.append(try Override(parsing: o)) }
        var loaded = try PipelineLoader.load(path: file, overrides: parsed)
        loaded.spec.shard = shard
        return PipelineValidator.validate(loaded, factory: factory)
    }
}
