import Testing
@testable import OrderModel

@Suite struct ColumnTableTests {
    static let fields = [
        FieldDef("id", .string, .header, required: true, "id"),
        FieldDef("n", .int64, .header, "n"),
        FieldDef("tags", .stringList, .operation, "tags"),
        FieldDef("ext", .stringMap, .ext, "ext"),
    ]

    @Test func unsetFieldsAreNullAndTouchedListsAreEmpty() {
        var t = ColumnTable(fields: Self.fields)
        t.beginRow()
        t.set(0, string: "a")
        t.touch(2)
        t.endRow()
        #expect(t.rowCount == 1)
        #expect(t.columns[0].string(0) == "a")
        #expect(t.columns[1].isNull(0))
        #expect(t.columns[2].list(0) == [])
        #expect(t.columns[3].isNull(0))
        #expect(t.columns[1].nullCount == 1)
    }

    @Test func settingTwiceKeepsTheLaterValue() {
        var t = ColumnTable(fields: Self.fields)
        t.beginRow()
        t.set(0, string: "first")
        t.set(0, string: "second")
        t.set(1, int: 1)
        t.setNull(1)
        t.endRow()
        #expect(t.columns[0].string(0) == "second")
        #expect(t.columns[1].isNull(0))
        #expect(t.columns[0].bytes.count == 6)
    }

    /// `isSet` and "set twice" are told from the column lengths alone: check them row after
    /// row, with and without deferred padding (where columns lag behind the table).
    @Test(arguments: [false, true])
    func isSetFollowsTheRowBeingBuilt(deferring: Bool) {
        var t = ColumnTable(fields: Self.fields)
        t.defersNullPadding = deferring
        t.beginRow()
        t.set(1, int: 1)
        #expect(t.isSet(1) && !t.isSet(0) && !t.isSet(2))
        t.endRow()
        t.beginRow()
        #expect(!t.isSet(1))  // set in the previous row only
        t.setNull(1)
        #expect(t.isSet(1))
        t.set(1, int: 2)  // a value over an explicit null
        t.addElement(2, "x")
        t.setNull(2)  // null over elements
        t.addElement(2, "y")  // elements over a null
        #expect(t.isSet(2))
        t.endRow()
        t.beginRow()
        t.set(0, string: "z")
        t.cancelRow()
        t.beginRow()
        #expect(!t.isSet(0))
        t.set(0, string: "w")
        t.endRow()
        t.padNulls()
        #expect(t.rowCount == 3)
        #expect(t.columns[1].ints == [1, 2, 0] && t.columns[1].valid == [true, true, false])
        #expect(t.columns[2].list(1) == ["y"] && t.columns[2].isNull(0) && t.columns[2].isNull(2))
        #expect(t.columns[0].string(2) == "w" && t.columns[0].isNull(0) && t.columns[0].isNull(1))
        for c in t.columns.indices { #expect(t.columns[c].count == 3) }
    }

    @Test func cancelRowRestoresTheTable() {
        var t = ColumnTable(fields: Self.fields)
        t.beginRow()
        t.set(0, string: "keep")
        t.addElement(2, "x")
        t.addElement(3, "v", key: "k")
        t.endRow()
        t.beginRow()
        t.set(0, string: "drop me")
        t.set(1, int: 7)
        t.addElement(2, "y")
        t.addElement(3, "v2", key: "k2")
        t.cancelRow()
        #expect(t.rowCount == 1)
        for c in t.columns { #expect(c.count == 1) }
        #expect(t.columns[0].bytes.elementsEqual("keep".utf8))
        #expect(t.columns[2].bytes.elementsEqual("x".utf8))
        #expect(t.columns[3].keyBytes.elementsEqual("k".utf8))
        // The table keeps working after a cancel.
        t.beginRow()
        t.set(0, string: "next")
        t.addElement(3, "v3", key: "k3")
        t.endRow()
        #expect(t.columns[0].string(1) == "next")
        #expect(t.columns[3].map(1)?.map(\.key) == ["k3"])
        #expect(t.columns[2].list(1) == nil)
    }

    @Test func mapsKeepInsertionOrder() {
        var t = ColumnTable(fields: Self.fields)
        t.beginRow()
        t.addElement(3, "1", key: "b")
        t.addElement(3, "2", key: "a")
        t.endRow()
        let m = t.columns[3].map(0)!
        #expect(m.map(\.key) == ["b", "a"])
        #expect(m.map(\.value) == ["1", "2"])
    }
}

@Suite struct OrderBatchTests {
    @Test func catalogueIndexesMatchNames() {
        #expect(OrderSchema.orderFields[OrderField.orderId].name == "order_id")
        #expect(OrderSchema.orderFields[OrderField.source].name == "source")
        #expect(OrderSchema.orderFields[OrderField.externalOrderId].name == "external_order_id")
        #expect(OrderSchema.orderFields[OrderField.orderType].name == "order_type")
        #expect(OrderSchema.orderFields[OrderField.businessLine].name == "business_line")
        #expect(OrderSchema.orderFields[OrderField.status].name == "status")
        #expect(OrderSchema.orderFields[OrderField.sourceStatus].name == "source_status")
        #expect(OrderSchema.orderFields[OrderField.createdAt].name == "created_at")
        #expect(OrderSchema.orderFields[OrderField.updatedAt].name == "updated_at")
        #expect(OrderSchema.orderFields[OrderField.orderDate].name == "order_date")
        #expect(OrderSchema.orderFields[OrderField.version].name == "version")
        #expect(OrderSchema.lineFields[LineField.orderId].name == "order_id")
        #expect(OrderSchema.lineFields[LineField.lineNo].name == "line_no")
        #expect(OrderSchema.lineFields[LineField.quantity].name == "quantity")
        #expect(Set(OrderSchema.orderFields.map(\.name)).count == OrderSchema.orderFields.count)
        #expect(Set(OrderSchema.lineFields.map(\.name)).count == OrderSchema.lineFields.count)
    }

    @Test func linesGetTheirOrderIdAndCount() {
        var b = OrderBatch()
        b.beginOrder()
        for i in 1...3 {
            b.beginLine()
            b.lines.set(LineField.lineNo, int: Int64(i))
            b.endLine()
        }
        b.orders.set(OrderField.orderId, string: "s:1")  // set after the lines on purpose
        b.endOrder()
        b.beginOrder()
        b.orders.set(OrderField.orderId, string: "s:2")
        b.endOrder()
        #expect(b.count == 2)
        #expect(b.lineRange(0) == 0..<3)
        #expect(b.lineRange(1) == 3..<3)
        #expect((0..<3).map { b.lines.columns[LineField.orderId].string($0) } == ["s:1", "s:1", "s:1"])
        #expect(b.orders.columns[OrderField.lineCount].int(0) == 3)
        #expect(b.orders.columns[OrderField.lineCount].int(1) == 0)
        #expect(b.lineParent == [0, 0, 0])
    }

    @Test func cancelOrderDropsItsLines() {
        var b = OrderBatch()
        b.beginOrder()
        b.orders.set(OrderField.orderId, string: "s:1")
        b.beginLine(); b.endLine()
        b.endOrder()
        b.beginOrder()
        b.orders.set(OrderField.orderId, string: "s:2")
        b.beginLine(); b.endLine()
        b.beginLine()
        b.lines.set(LineField.lineNo, int: 2)
        b.cancelOrder()
        #expect(b.count == 1)
        #expect(b.lines.rowCount == 1)
        for c in b.lines.columns { #expect(c.count == 1) }
        for c in b.orders.columns { #expect(c.count == 1) }
    }

    @Test func appendCopiesAnOrderWithItsLines() {
        var a = OrderBatch()
        a.beginOrder()
        a.orders.set(OrderField.orderId, string: "s:9")
        a.orders.addElement(OrderField.ext, "v", key: "s.k")
        a.beginLine()
        a.lines.set(LineField.quantity, int: 20_000)
        a.endLine()
        a.endOrder()
        var b = OrderBatch()
        b.append(from: a, row: 0)
        let enc = UnifiedNDJSONEncoder()
        var x: [UInt8] = []
        var y: [UInt8] = []
        enc.encode(a, into: &x)
        enc.encode(b, into: &y)
        #expect(x == y)
    }
}
