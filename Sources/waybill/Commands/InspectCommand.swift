import ArgumentParser
import Datasets
import OrderModel
import Parquet

#if canImport(Glibc)
import Glibc
#endif

/// `waybill inspect PATH`: a Parquet file's schema, row groups and statistics, or a dataset
/// folder's partitions, files, rows and bytes checked against its manifest.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a Parquet file, or check a dataset folder against its manifest.",
        discussion: """
            For a file: schema, row groups, column chunks and statistics.
            For a dataset folder (or an output folder holding several): partitions, files, rows
            and bytes, and every file missing, extra or changed (size, crc32, row count)
            compared with _waybill_manifest.json. Exits 65 when they differ.

            Examples:
              waybill inspect warehouse/orders/order_month=2024-01/part-b1-c000.zstd.parquet
              waybill inspect warehouse/ --json
            """
    )

    @Argument(help: "A Parquet file or a dataset folder.")
    var path: String

    @Flag(help: "Machine-readable JSON output (datasets).")
    var json = false

    @Flag(help: "List every page of every column chunk (files).")
    var pages = false

    func run() throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw exitFailure("inspect", .inputNotFound(path: path, reason: String(cString: strerror(errno))))
        }
        if (st.st_mode & S_IFMT) != S_IFDIR {
            do {
                print(try ParquetInspector.describe(path: path, pages: pages), terminator: "")
            } catch {
                // Every message of the Parquet reader names the file (and row group and column).
                throw exitFailure("inspect", .data("\(error)"))
            }
            return
        }
        let results: [DatasetInspection]
        do {
            results = try DatasetInspector.inspect(path: path)
        } catch {
            throw exitFailure("inspect", error)
        }
        print(json ? DatasetInspector.renderJSON(results) : DatasetInspector.render(results), terminator: "")
        if results.contains(where: { !$0.isConsistent }) {
            let n = results.reduce(0) { $0 + $1.problems.count }
            throw exitFailure("inspect", .data("\(n) difference(s) between the dataset and its manifest"))
        }
    }
}

/// Prints a `WaybillError` as one line on stderr (`waybill <verb>: message`) and turns it
/// into its sysexits exit code.
private func exitFailure(_ verb: String, _ error: WaybillError) -> ExitCode {
    var line = Array("waybill \(verb): \(error)\n".utf8)
    line.withUnsafeMutableBytes { _ = write(2, $0.baseAddress, $0.count) }
    return ExitCode(error.exitCode)
}
