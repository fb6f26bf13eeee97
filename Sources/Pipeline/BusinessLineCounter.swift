import Datasets
import OrderModel

/// Counts orders per business line for the metrics, keyed by the raw bytes of the column (no
/// String per order; business lines are few, so the small key array per order is cheap).
public final class BusinessLineCounter {
    /// Whether planned child orders (fulfillment's shipments) are left out: what `run` counts
    /// at its writer, where children are not customer orders and land in `fulfillment/` only,
    /// so the counts add up to the orders in `orders/`. `collect` counts every order it emits,
    /// as its books do.
    private let skipsChildren: Bool

    public init(skippingPlannedChildren: Bool = false) {
        skipsChildren = skippingPlannedChildren
    }

    private var byBytes: [[UInt8]: Int] = [:]
    private var nulls = 0
    private var children: [Bool] = []

    public func count(_ batch: OrderBatch) {
        let col = batch.orders.columns[OrderField.businessLine]
        let hasChildren = skipsChildren && FulfillmentRows.markChildren(batch.orders, into: &children)
        col.bytes.withUnsafeBufferPointer { bytes in
            for row in 0..<batch.count {
                if hasChildren && children[row] { continue }
                if col.isNull(row) {
                    nulls += 1
                    continue
                }
                let r = col.range(row)
                let key = UnsafeBufferPointer(rebasing: bytes[r])
                byBytes[Array(key), default: 0] += 1
            }
        }
    }

    /// Orders per business line; orders without one are counted under "".
    public var counts: [String: Int] {
        var out: [String: Int] = [:]
        for (k, v) in byBytes { out[String(decoding: k, as: UTF8.self)] = v }
        if nulls > 0 { out["", default: 0] += nulls }
        return out
    }
}
