import ArgumentParser
import Datasets
import Foundation
import OrderModel

#if canImport(Glibc)
import Glibc
#endif

/// `waybill adopt --into OUT STAGED...`: commits the datasets of finished runs into OUT.
struct AdoptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adopt",
        abstract: "Move the datasets of finished runs (staging output folders) into an output folder in one commit.",
        discussion: """
            Each STAGED folder is the output folder of a finished `waybill run` or `waybill write`
            (orders/, order_lines/, ... with their manifests and _SUCCESS). Under OUT's dataset lock,
            every staged data file is renamed into OUT's dataset, each manifest is merged (a file of the
            same name replaces the old one; a batch's earlier files it did not write again are removed)
            and _SUCCESS is written last, all as one journaled commit: a crash half way is finished by
            the next writer, and readers never see part of a staged run. Staged folders must be on
            OUT's filesystem. Mismatched partition keys or schema versions are refused (64); a staged
            folder that did not finish is refused (65). This is how the Spark driver commits its tasks'
            shards (docs/spark.md).

            Example:
              waybill adopt --into /data/warehouse /data/warehouse/.spark-job/shard-0/attempt-7/out ...
            """
    )

    @Option(help: "The output folder to commit into (holding orders/, order_lines/, ...).")
    var into: String

    @Argument(help: "Output folders of finished runs to adopt.")
    var staged: [String]

    @Option(help: "Names the commit (a valid batch id; default: adopt-<UTC time>-<pid>).")
    var name: String?

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        let txnName = name ?? "adopt-" + DatasetWriteOptions.generatedBatchId()
        let r: DatasetAdopter.Result
        do {
            r = try DatasetAdopter.adopt(into: into, staged: staged, name: txnName, dieAfterRenames: testDieAfterRenames())
        } catch {
            throw lifecycleFailure("adopt", error)
        }
        if !quiet {
            let parts = r.files.keys.sorted().map { "\($0): \(r.files[$0]!) file(s), \(r.rows[$0]!) rows, \(r.bytes[$0]!) bytes" }
            writeStderr("waybill adopt: \(staged.count) staged folder(s) into \(into)/ (\(parts.joined(separator: "; "))); "
                + "\(r.replaced) earlier file(s) replaced\n")
        }
    }
}
