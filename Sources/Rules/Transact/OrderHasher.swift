import OrderModel

/// Hashes orders for dedup: the key is the first half of SHA-256 over `order_id`
/// (`source:external_order_id`), the content hash covers every order and line field except
/// lineage (batch, file, member, line) and what `transact` itself writes (hold codes, rule
/// results, PII hashes), so the same order read from another file or re-run is a duplicate.
final class OrderHasher {
    private let sha = SHA256()
    private let orderColumns: [Int]

    init() {
        let skip: Set<String> = [
            "batch_id", "source_file", "source_member", "source_line", "hold_codes", "rule_results",
            "consignee_phone_hash", "consignee_email_hash",
        ]
        orderColumns = OrderSchema.orderFields.indices.filter { !skip.contains(OrderSchema.orderFields[$0].name) }
    }

    func key(_ batch: OrderBatch, row: Int) -> Digest128 {
        sha.reset()
        let col = batch.orders.columns[OrderField.orderId]
        if !col.isNull(row) { sha.update(col.bytes[col.range(row)]) }
        return sha.finish128()
    }

    func content(_ batch: OrderBatch, row: Int) -> Digest128 {
        sha.reset()
        // Columns are read through buffer pointers: an array element bound or passed by value
        // is a copy of the struct, retaining its nine arrays (it dominated the profile).
        batch.orders.columns.withUnsafeBufferPointer { cols in
            for c in orderColumns { feed(cols[c], row) }
        }
        batch.lines.columns.withUnsafeBufferPointer { cols in
            for l in batch.lineRange(row) {
                // Line order_id repeats the order's; skip it.
                for c in 1..<cols.count { feed(cols[c], l) }
            }
        }
        return sha.finish128()
    }

    /// A value with a presence byte and lengths, so adjacent fields cannot run together.
    @inline(__always)
    private func feed(_ col: borrowing Column, _ row: Int) {
        if col.isNull(row) {
            sha.update(byte: 0)
            return
        }
        sha.update(byte: 1)
        switch col.kind {
        case .string:
            let r = col.range(row)
            sha.update(int: Int64(r.count))
            sha.update(col.bytes[r])
        case .stringList, .stringMap:
            let elements = col.elements(row)
            sha.update(int: Int64(elements.count))
            for e in elements {
                if col.kind == .stringMap {
                    let k = col.keyRange(e)
                    sha.update(int: Int64(k.count))
                    sha.update(col.keyBytes[k])
                }
                let r = col.elementRange(e)
                sha.update(int: Int64(r.count))
                sha.update(col.bytes[r])
            }
        default:
            sha.update(int: col.int(row))
        }
    }
}
