import Datasets
import OrderModel

/// Keeps the orders of one shard: those whose `order_id` (its UTF-8 bytes, MurmurHash3 x86_32
/// seed 0) falls in bucket `shard.index` of `shard.count`, the bucket rule of `bucket(N, ...)`
/// partitions. The key is the unified order id, so every row and version of an order goes to
/// the same shard whatever file it came in, and the shard's dedup state sees all of them.
struct ShardFilter {
    let shard: Shard
    /// Orders of other shards dropped so far (the line's `other_shards` figure).
    private(set) var dropped = 0
    /// Orders kept and passed on.
    private(set) var kept = 0

    init(shard: Shard) { self.shard = shard }

    /// The bucket of one order id.
    static func bucket(_ orderId: UnsafeRawBufferPointer, count: Int) -> Int {
        Murmur3.bucket(Murmur3.hash32(orderId), count: count)
    }

    /// The orders of `batch` that belong to this shard. Returns `batch` itself when it keeps
    /// them all (no copy), else a new batch with the kept orders and their lines.
    mutating func filter(_ batch: OrderBatch) -> OrderBatch {
        let col = batch.orders.columns[OrderField.orderId]
        let n = shard.count, me = shard.index
        var keep: [Int] = []
        keep.reserveCapacity(batch.count)
        col.bytes.withUnsafeBufferPointer { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            for row in 0..<batch.count {
                // A null id hashes as empty bytes: still one fixed shard for it.
                let key = col.isNull(row) ? UnsafeRawBufferPointer(rebasing: raw[0..<0]) : UnsafeRawBufferPointer(rebasing: raw[col.range(row)])
                if Self.bucket(key, count: n) == me { keep.append(row) }
            }
        }
        kept += keep.count
        dropped += batch.count - keep.count
        if keep.count == batch.count { return batch }
        var out = OrderBatch()
        for row in keep { out.append(from: batch, row: row) }
        return out
    }
}
