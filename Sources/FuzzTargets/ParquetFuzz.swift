import Datasets
import OrderModel
import Parquet

/// Opens one input as a `.parquet` file and reads everything a Waybill reader can ask of it:
/// the footer and schema, every column chunk of every row group (pages, levels, dictionaries,
/// codecs), the page indexes, the inspector's description, and the rows as the dataset reader
/// decodes them for each dataset kind.
enum ParquetFuzz {
    /// Far below the standard limits, so an input that declares millions of rows (a few bytes of
    /// run-length encoding do) hits them cheaply; whatever else grows with a file's claims still
    /// shows up against libFuzzer's memory limit.
    static let limits = ParquetReadLimits(maxRowGroupRows: 1 << 16, maxChunkEntries: 1 << 18, maxChunkValueBytes: 16 << 20)

    static func read(_ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
        let file: ParquetFileReader
        do {
            file = try ParquetFileReader(bytes: Array(bytes), source: "fuzz.parquet", limits: limits)
        } catch {
            return FuzzOutcome(error: "\(error)")
        }
        var outcome = FuzzOutcome()
        for g in file.metadata.rowGroups.indices {
            for c in file.schema.columns.indices {
                do {
                    let data = try file.readColumn(rowGroup: g, column: c)
                    outcome.records += data.values.count
                } catch {
                    outcome.error = outcome.error ?? "\(error)"
                }
                do {
                    _ = try file.offsetIndex(rowGroup: g, column: c)
                    _ = try file.columnIndex(rowGroup: g, column: c)
                } catch {
                    outcome.error = outcome.error ?? "\(error)"
                }
            }
        }
        do {
            _ = try ParquetInspector.describe(file, pages: true)
        } catch {
            outcome.error = outcome.error ?? "\(error)"
        }
        for kind in DatasetKind.allCases {
            var table = ColumnTable(fields: kind.fields)
            for g in file.metadata.rowGroups.indices {
                do {
                    let rows = try DatasetReader.decode(
                        file, rowGroup: g, path: "fuzz.parquet", dataset: kind, keys: [], values: [], fields: nil,
                        where: "fuzz.parquet")
                    rows.appendAll(to: &table)
                } catch {
                    outcome.error = outcome.error ?? error.description
                }
            }
            outcome.records += table.rowCount
        }
        return outcome
    }
}
