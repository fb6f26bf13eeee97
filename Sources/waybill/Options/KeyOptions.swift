import ArgumentParser
import Datasets
import OrderModel

/// `--key-file PATH` for the verbs that encrypt or decrypt PII columns (docs/encryption.md).
///
/// Keys come from a key file or from `WAYBILL_KEY` / `WAYBILL_KEY_ID`, never from a
/// command-line value (it would sit in shell history and `ps`) or a pipeline file.
struct KeyOptions: ParsableArguments {
    @Option(name: .customLong("key-file"),
        help: "Key file ('<key-id> <base64 key>' lines, mode 0600); else $WAYBILL_KEY / $WAYBILL_KEY_ID.")
    var keyFile: String?

    /// The keyring of `--key-file`, else of the environment; nil when neither is given.
    func keyring() throws(WaybillError) -> Keyring? {
        if let keyFile { return try Keyring.load(file: keyFile) }
        return try Keyring.fromEnvironment()
    }

    /// As `keyring()`, but a missing key is a usage error.
    func requiredKeyring(_ what: String) throws(WaybillError) -> Keyring {
        guard let k = try keyring() else {
            throw .usage("\(what) needs a key: --key-file PATH or $\(Keyring.environmentKey)")
        }
        return k
    }
}
