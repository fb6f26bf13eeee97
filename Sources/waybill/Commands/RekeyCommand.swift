import ArgumentParser
import Datasets
import OrderModel

/// `waybill rekey --dataset DIR --key-file OLD --new-key-file NEW`: key rotation.
struct RekeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rekey",
        abstract: "Re-encrypt a dataset folder's PII columns to a new key, in one commit.",
        discussion: """
            Every committed file (orders, order_lines and the compaction history) is decrypted
            with the keys of --key-file and encrypted with the first key of --new-key-file into
            a new file; one journaled commit publishes them, swaps the manifests and deletes the
            old files, so readers see a partition wholly under the old key or wholly under the
            new one. Files still in clear get encrypted. Errors as for decrypt (78: key id not
            in the key file, 65: a value does not authenticate); nothing changes then.
            See docs/encryption.md.

            Example:
              waybill rekey --dataset warehouse/ --key-file keys-2026q3 --new-key-file keys-2026q4
            """
    )

    @Option(name: .customLong("dataset"), help: "The output folder of `waybill write`.")
    var directory: String

    @OptionGroup var keys: KeyOptions

    @Option(name: .customLong("new-key-file"), help: "Key file of the new key (its first key encrypts).")
    var newKeyFile: String

    @Flag(help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        do {
            let new = try Keyring.load(file: newKeyFile)
            var o = RecryptOptions(source: directory, keyring: try keys.requiredKeyring("rekey"),
                encryption: ColumnEncryption(key: new.active))
            o.applicationVersion = WaybillVersion.string
            o.dieAfterRenames = testDieAfterRenames()
            let r = try DatasetRecrypter.run(o)
            if !quiet {
                writeStderr("waybill rekey: \(r.files) file(s), \(r.rows) rows of \(r.datasets.joined(separator: ", ")) "
                    + "re-encrypted to key '\(new.active.id)'\n")
            }
        } catch let e as WaybillError {
            throw lifecycleFailure("rekey", e)
        }
    }
}
