import ArgumentParser
import OrderModel

#if canImport(Glibc)
import Glibc
#endif

@main
struct Waybill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "waybill",
        abstract: "Batch pipeline and data-collection toolkit for order data.",
        discussion: """
            Stages compose in a shell; each reads and writes the unified order model as NDJSON:

              waybill collect feeds/ --profile Pipelines/profiles/tpch-flat-csv.yaml \\
                | waybill write --out warehouse/ --partition-by order_month

            Exit codes: 0 ok, 64 usage, 65 data error past a threshold, 66 input not found,
            73 cannot create output, 74 I/O error, 75 the run succeeded but --push failed,
            78 bad configuration.
            """,
        version: WaybillVersion.string,
        subcommands: [
            CollectCommand.self, TransactCommand.self, WriteCommand.self, InspectCommand.self, SampleCommand.self,
            SchemaCommand.self, RunCommand.self, ValidateCommand.self, FulfillCommand.self, CompactCommand.self,
            TierCommand.self, RestoreCommand.self, AdoptCommand.self, DecryptCommand.self, RekeyCommand.self,
        ]
    )

    /// Runs a verb and maps its outcome to a sysexits code with a one-line message on stderr.
    ///
    /// SIGPIPE is ignored so that a closed stdout (`waybill ... | head`) surfaces as EPIPE,
    /// which the writers turn into `WaybillError.brokenPipe` and this turns into exit 0.
    static func main() {
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
            if PushOutcome.failedAfterSuccess { Glibc.exit(PushOutcome.exitCode) }
        } catch let error as WaybillError {
            if case .brokenPipe = error { Glibc.exit(0) }
            writeStderr("waybill: \(error)\n")
            Glibc.exit(error.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}

/// Writes a message to stderr unbuffered (logs and books never go to stdout).
func writeStderr(_ message: String) {
    var m = message
    m.withUTF8 { buf in
        var off = 0
        while off < buf.count {
            let n = write(2, buf.baseAddress! + off, buf.count - off)
            if n <= 0 { break }
            off += n
        }
    }
}

/// The version printed by `--version` and written into every Parquet file's `created_by`.
enum WaybillVersion {
    static let string = "0.1.0"
}
