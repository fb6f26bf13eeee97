import CXXHash
import OrderModel
import Testing
@testable import Rules

/// The content hash is stored in `--state` files: its layout must not move when the model
/// grows, or every order of an earlier state would look changed (a conflict) on the next run.
@Suite struct OrderHasherTests {
    /// One order with a few fields set, its line naming a planned child.
    private func order(child: String?) -> OrderBatch {
        var b = OrderBatch()
        b.beginOrder()
        b.orders.set(OrderField.orderId, string: "shop:1")
        b.orders.set(OrderField.version, int: 3)
        b.orders.set(OrderField.batchId, string: "lineage is not content")
        b.beginLine()
        b.lines.set(LineField.lineNo, int: 1)
        b.lines.set(LineField.quantity, int: 20_000)
        if let child { b.lines.set(LineField.childOrderId, string: child) }
        b.endLine()
        b.endOrder()
        return b
    }

    @Test func contentHashFollowsTheDocumentedLayout() {
        // Per field in model order: a presence byte, then 8 little-endian bytes for a number or
        // an 8-byte length and the bytes for text. Lineage, transact's own output and the
        // line's order_id and child_order_id are left out.
        func le(_ v: Int64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        let skip: Set<String> = ["batch_id", "source_file", "source_member", "source_line", "hold_codes", "rule_results",
                                 "consignee_phone_hash", "consignee_email_hash"]
        var bytes: [UInt8] = []
        for (i, f) in OrderSchema.orderFields.enumerated() where !skip.contains(f.name) {
            switch i {
            case OrderField.orderId: bytes += [1] + le(6) + Array("shop:1".utf8)
            case OrderField.version: bytes += [1] + le(3)
            case OrderField.lineCount: bytes += [1] + le(1)  // set by endOrder
            default: bytes += [0]
            }
        }
        for i in OrderSchema.lineFields.indices where i != LineField.orderId && i != LineField.childOrderId {
            switch i {
            case LineField.lineNo: bytes += [1] + le(1)
            case LineField.quantity: bytes += [1] + le(20_000)
            default: bytes += [0]
            }
        }
        // Format 2 (docs/rules.md section 4): XXH3-128 of the bytes, high half first.
        let x = bytes.withUnsafeBytes { XXH3_128bits($0.baseAddress, $0.count) }
        let expected = Digest128(hi: x.high64, lo: x.low64)
        let hasher = OrderHasher()
        #expect(hasher.contents(order(child: nil)) == [expected])
        // Format 1's form of the same content: the first half of SHA-256 of the same bytes.
        let sha = SHA256()
        sha.update(bytes)
        #expect(hasher.legacyContent(order(child: nil), row: 0) == sha.finish128())
        // The plan's child_order_id (model version 4) does not change the content.
        #expect(OrderHasher().contents(order(child: "shop:1-1")) == [expected])
    }

    @Test func linesAreHashedWithTheirOrderInEveryBatchPosition() {
        // Several orders in one batch: each hash covers its own order's bytes and lines only, the
        // same as the order alone in a batch of its own.
        // Orders of 0, 1 and 2 lines, a null-everywhere column beside dense and sparse ones.
        let b = TestBatches.batch((0..<3).map { i in
            TestBatches.Order(fields: ["order_id": "shop:\(i)"].merging(i == 1 ? ["version": "7"] : [:]) { $1 },
                lines: (0..<i).map { ["line_no": "\($0 + 1)"] })
        })
        let all = OrderHasher().contents(b)
        for i in 0..<3 {
            var one = OrderBatch()
            one.append(from: b, row: i)
            #expect(OrderHasher().contents(one) == [all[i]])
        }
        #expect(Set(all).count == 3)
    }
}
