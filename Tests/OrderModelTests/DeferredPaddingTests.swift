import Testing
@testable import OrderModel

/// A table that defers null padding must end up exactly like one that pads every row.
@Suite struct DeferredPaddingTests {
    static let fields = ColumnTableTests.fields

    /// Builds the same rows, with every building call that touches padding, into `t`.
    static func build(_ t: inout ColumnTable) {
        // Row 0: only the id.
        t.beginRow()
        t.set(0, string: "a")
        t.endRow()
        // Row 1: a number, a list and a map.
        t.beginRow()
        t.set(0, string: "b")
        t.set(1, int: 5)
        t.addElement(2, "x")
        t.addElement(3, "v", key: "k")
        t.endRow()
        // Rows 2-4: nothing but the id, so the other columns fall behind.
        for id in ["c", "d", "e"] {
            t.beginRow()
            t.set(0, string: id)
            t.endRow()
        }
        // A cancelled row that had touched lagging columns.
        t.beginRow()
        t.set(1, int: 9)
        t.addElement(2, "dropped")
        t.cancelRow()
        // Row 5: set twice, null over a value, a list closed empty, a map nulled after entries.
        t.beginRow()
        t.set(0, string: "f1")
        t.set(0, string: "f")
        t.set(1, int: 1)
        t.setNull(1)
        t.touch(2)
        t.addElement(3, "gone", key: "g")
        t.setNull(3)
        t.endRow()
        // Drop the last row, then add one more.
        t.truncate(toCount: 5)
        t.beginRow()
        t.set(1, int: 7)
        t.endRow()
    }

    static func expectSame(_ a: ColumnTable, _ b: ColumnTable) {
        #expect(a.rowCount == b.rowCount)
        for c in a.columns.indices {
            let x = a.columns[c], y = b.columns[c]
            #expect(x.count == a.rowCount, "column \(c)")
            #expect(x.count == y.count, "column \(c)")
            #expect(x.ints == y.ints, "column \(c)")
            #expect(x.valid == y.valid, "column \(c)")
            #expect(x.bytes == y.bytes, "column \(c)")
            #expect(x.offsets == y.offsets, "column \(c)")
            #expect(x.rowOffsets == y.rowOffsets, "column \(c)")
            #expect(x.keyBytes == y.keyBytes, "column \(c)")
            #expect(x.keyOffsets == y.keyOffsets, "column \(c)")
            #expect(x.nullCount == y.nullCount, "column \(c)")
        }
    }

    @Test func deferredTableEqualsPaddedTable() {
        var padded = ColumnTable(fields: Self.fields)
        Self.build(&padded)
        var deferred = ColumnTable(fields: Self.fields)
        deferred.defersNullPadding = true
        Self.build(&deferred)
        #expect(deferred.columns[0].count < deferred.rowCount)  // really deferred (the last row sets no id)
        deferred.padNulls()
        Self.expectSame(padded, deferred)
        // Turning deferral off pads too, and more rows after it pad as usual.
        var again = ColumnTable(fields: Self.fields)
        again.defersNullPadding = true
        Self.build(&again)
        again.defersNullPadding = false
        Self.expectSame(padded, again)
    }

    @Test func deferredBatchEqualsPaddedBatch() {
        func fill(_ b: inout OrderBatch) {
            for o in 0..<3 {
                b.beginOrder()
                b.orders.set(OrderField.orderId, string: "s:\(o)")
                for l in 0..<o {
                    b.beginLine()
                    b.lines.set(LineField.lineNo, int: Int64(l + 1))
                    b.endLine()
                }
                b.endOrder()
            }
            // An order cancelled with its lines.
            b.beginOrder()
            b.orders.set(OrderField.orderId, string: "s:x")
            b.beginLine()
            b.lines.set(LineField.lineNo, int: 1)
            b.endLine()
            b.cancelOrder()
        }
        var padded = OrderBatch()
        fill(&padded)
        var deferred = OrderBatch()
        deferred.defersNullPadding = true
        fill(&deferred)
        deferred.padNulls()
        Self.expectSame(padded.orders, deferred.orders)
        Self.expectSame(padded.lines, deferred.lines)
        #expect(padded.lineParent == deferred.lineParent)
        #expect(padded.lineStart == deferred.lineStart)
        #expect(deferred.lines.columns[LineField.orderId].string(2) == "s:2")
    }
}
