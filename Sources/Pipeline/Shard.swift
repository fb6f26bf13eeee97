import OrderModel

/// One share of a pipeline run, `--shard I/N`: the run keeps the orders whose key hashes to
/// `index` (or, for a line with `shard_by: file`, reads the feeds whose position is `index`
/// mod `count`), keeps its transaction state in `<state>/shard-I-of-N`, and names its files
/// with `-s<I>of<N>`, so N shards run side by side and their union is one run over everything.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws(WaybillError) {
        guard count >= 1, count <= 100_000, index >= 0, index < count else {
            throw .usage("--shard \(index)/\(count): need 0 <= I < N (N at most 100000)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N`.
    public init(parsing text: String) throws(WaybillError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw .usage("--shard '\(text)': expected I/N, e.g. 0/4 (the first of four shards)")
        }
        try self.init(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    /// Appended to the batch id, so the files of different shards never share a name.
    public var batchSuffix: String { "-s\(index)of\(count)" }

    /// The shard's own transaction state inside the pipeline's state folder.
    public func stateFolder(_ state: String) -> String { "\(state)/shard-\(index)-of-\(count)" }

    /// The inputs of a `shard_by: file` line this shard reads: position in the sorted list ≡ index mod count.
    public func files<T>(_ sorted: [T]) -> [T] {
        sorted.enumerated().filter { $0.offset % count == index }.map(\.element)
    }
}

/// How a line's orders are split between shards.
public enum ShardBy: String, Sendable, CaseIterable {
    /// Every shard reads every feed and keeps the orders whose `order_id` hashes to it:
    /// right whatever the feed does (an order's rows or versions spread over several files).
    case order
    /// Each shard reads its own files: only for feeds that never spread one order over files.
    case file
}
