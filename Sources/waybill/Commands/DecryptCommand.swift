import ArgumentParser
import Datasets
import OrderModel

/// `waybill decrypt --dataset DIR --out DIR2 --key-file F`: the datasets in clear, for a key holder.
struct DecryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Write a copy of a dataset folder with its encrypted PII columns in clear.",
        discussion: """
            Every committed file of DIR (orders, order_lines and the compaction history) is
            rewritten under DIR2 with the same partition folders and file names, the PII
            columns decrypted back to strings. DIR2 must not hold datasets yet. A key id the key
            file lacks exits 78; a value that does not authenticate (wrong key, altered file)
            exits 65; in both cases DIR2 gets nothing. See docs/encryption.md.

            Example:
              waybill decrypt --dataset warehouse/ --out /secure/warehouse-clear --key-file ~/.waybill/keys
            """
    )

    @Option(name: .customLong("dataset"), help: "The encrypted output folder of `waybill write`.")
    var directory: String

    @Option(help: "The new folder for the decrypted datasets.")
    var out: String

    @OptionGroup var keys: KeyOptions

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        do {
            var o = RecryptOptions(source: directory, destination: out, keyring: try keys.requiredKeyring("decrypt"), encryption: nil)
            o.applicationVersion = WaybillVersion.string
            o.dieAfterRenames = testDieAfterRenames()
            let r = try DatasetRecrypter.run(o)
            if !quiet {
                writeStderr("waybill decrypt: \(r.files) file(s), \(r.rows) rows of \(r.datasets.joined(separator: ", ")) written in clear to \(out)\n")
            }
        } catch let e as WaybillError {
            throw lifecycleFailure("decrypt", e)
        }
    }
}
