import ArgumentParser
import Datasets
import Lifecycle
import OrderModel

/// `waybill restore --from COLD --dataset DIR [--partition P ...]`.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Bring partitions back from a cold location into the hot datasets.",
        discussion: """
            Each cold file is copied back, checked against the cold manifest (CRC-32, rows,
            content hash), committed into DIR through the journal, and only then deleted from
            COLD. Without --partition every partition in COLD comes back.

            Example:
              waybill restore --from /archive/warehouse-cold --dataset warehouse/ --partition order_date=2024-01-05
            """
    )

    @Option(name: .customLong("from"), help: "The cold location.")
    var cold: String

    @Option(name: .customLong("dataset"), help: "The output folder of `waybill write`.")
    var directory: String

    @Option(name: .customLong("partition"), help: "A partition folder to restore (repeatable), e.g. order_date=2024-01-05.")
    var partitions: [String] = []

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        do {
            var o = RestoreOptions(cold: cold, directory: directory)
            o.partitions = partitions
            o.dieAfterRenames = testDieAfterRenames()
            let moves = try Restorer.run(o)
            if !quiet { reportMoves("restore", "brought back from \(cold)", moves) }
        } catch let e as WaybillError {
            throw lifecycleFailure("restore", e)
        }
    }
}
