import OrderModel

/// One business line of a `waybill run`: how it ended and what it read and landed. Lines
/// fail alone, so the report and the metrics say which one failed and why.
public struct LineRun: Sendable, Equatable {
    public var name: String
    /// The source (profile) of its feeds.
    public var source: String
    public var succeeded: Bool
    public var exitCode: Int32
    /// The one-line reason of a failure, empty on success.
    public var error: String
    /// What collect read from the line's feeds.
    public var books: Books
    /// Orders and lines that landed in the datasets (0 when the line failed).
    public var ordersLanded: Int
    public var linesLanded: Int
    /// Rejects over every stage of the line.
    public var rejected: Int
    public var durationSeconds: Double
    /// Under `waybill run --shard`: collected orders left to the other shards.
    public var otherShards: Int

    public init(name: String, source: String, succeeded: Bool, exitCode: Int32, error: String, books: Books,
                ordersLanded: Int, linesLanded: Int, rejected: Int, durationSeconds: Double, otherShards: Int = 0) {
        self.otherShards = otherShards
        self.name = name
        self.source = source
        self.succeeded = succeeded
        self.exitCode = exitCode
        self.error = error
        self.books = books
        self.ordersLanded = ordersLanded
        self.linesLanded = linesLanded
        self.rejected = rejected
        self.durationSeconds = durationSeconds
    }
}
