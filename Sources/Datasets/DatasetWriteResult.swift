/// Rows and bytes written to one partition of one dataset by a run (for the summary line and
/// the per-partition metrics).
public struct PartitionStats: Sendable, Equatable {
    public var dataset: String
    /// The partition folder relative to the dataset root (`order_date=2024-01-05`), "" when
    /// the dataset is not partitioned.
    public var path: String
    /// Unescaped values in key order (nil = null or empty, the default partition).
    public var values: [String?]
    public var rows: Int
    public var bytes: Int
    public var files: Int
}

/// What a committed run did.
public struct DatasetWriteResult: Sendable {
    public var batchId: String
    /// Orders taken (the books' out: planned children included), and lines landed in
    /// `order_lines/`.
    public var orders: Int
    public var lines: Int
    /// Planned child orders among `orders`: they land in `fulfillment/` only (when it is one of
    /// the datasets), not in `orders/` or `order_lines/`.
    public var children: Int = 0
    /// Orders landed in `orders/`: `orders` less the planned children.
    public var customerOrders: Int { orders - children }
    /// Orders rejected by the writer (e.g. a partition value too long for a folder name).
    public var rejected: Int
    /// Data files committed by this run, as paths relative to the output folder.
    public var files: [String]
    /// Files this run removed (overwritten partitions, the previous run of the same batch).
    public var removedFiles: [String]
    public var partitions: [PartitionStats]
    /// Bytes of data files written.
    public var bytes: Int
    /// Most bytes held in row buffers at once, and the most data files open at once.
    public var peakBufferedBytes: Int
    public var peakOpenFiles: Int
    /// Bytes of rows that went through the spill file (0 unless memory ran out with many
    /// small partitions).
    public var spillBytes: Int = 0
    /// What the commit found worth telling the user (e.g. files of an older model version
    /// beside this run's).
    public var warnings: [String] = []

    /// Per dataset: (rows, bytes, files, partitions).
    public func totals(of dataset: String) -> (rows: Int, bytes: Int, files: Int, partitions: Int) {
        let p = partitions.filter { $0.dataset == dataset }
        return (p.reduce(0) { $0 + $1.rows }, p.reduce(0) { $0 + $1.bytes }, p.reduce(0) { $0 + $1.files }, p.count)
    }
}
