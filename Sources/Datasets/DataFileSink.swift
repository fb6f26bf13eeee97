import OrderModel

/// One data file being written: the seam between the partitioning logic (which rows go to
/// which file, when, under what memory budget) and the Parquet encoder.
///
/// One call per row group, so the existential costs nothing per row.
protocol DataFileSink: AnyObject {
    /// Writes the rows of `table` (a table of `DatasetKind.fields`) as one row group.
    func writeRowGroup(_ table: PendingTable) throws(WaybillError)
    /// Bytes written to the file so far.
    var bytesWritten: Int { get }
    /// Writes the footer and closes the file; returns its size and CRC-32. (The committer
    /// makes every staged file durable with one syncfs before the commit.)
    func finish() throws(WaybillError) -> (bytes: Int, crc32: UInt32)
}

/// Opens data files.
protocol DataFileSinkFactory {
    func makeSink(path: String, dataset: DatasetKind, options: DatasetWriteOptions) throws(WaybillError) -> DataFileSink
}

/// A data file written and fsynced in the staging folder, waiting for the commit.
struct StagedFile: Sendable, Equatable {
    var dataset: DatasetKind
    /// Partition folder relative to the dataset root ("" when unpartitioned).
    var directory: String
    var name: String
    var values: [String?]
    var rows: Int
    var bytes: Int
    var crc32: UInt32
    /// Its name in the staging folder, where files lie side by side (`<dataset>-<n>.parquet`),
    /// not in partition folders: on ext4 a `mkdir` costs 60-200 microseconds (the allocator
    /// looks for a block group to spread directories over) and an `rmdir` about 50, so the
    /// staging copies of ~160 partition folders cost more than the commit's renames (TPC-H
    /// scale 0.1: some 25 ms of a 0.75 s run, partly on the routing thread).
    var stagedName: String

    var relativePath: String { directory.isEmpty ? name : directory + "/" + name }
}
