import ArgumentParser
import OrderModel

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
            73 cannot create output, 74 I/O error, 78 bad configuration.
            """,
        version: WaybillVersion.string,
        subcommands: [SchemaCommand.self, CollectCommand.self, TransactCommand.self]
    )
}

/// The version printed by `--version` and written into every Parquet file's `created_by`.
enum WaybillVersion {
    static let string = "0.1.0"
}
