import OrderModel

/// Writes the planned order: the parent snapshot, then its children `parent-1..n`.
extension Fulfiller {
    private static let onHold = Array("ON_HOLD".utf8)
    private static let allocated = Array("ALLOCATED".utf8)
    private static let paid = Array("PAID".utf8)
    private static let created = Array("CREATED".utf8)

    func write(_ v: BatchView, _ input: OrderBatch, _ row: Int, into out: inout OrderBatch) {
        // The parent: the customer's order as it was, plus how it was split (or why it is held).
        out.beginOrder()
        out.copyOrderFields(from: input, row: row)
        if let code = orderHold {
            Self.onHold.withUnsafeBytes { out.orders.set(F.status, utf8: $0) }
            out.orders.addElement(F.holdCodes, code)
        }
        out.orders.set(F.childCount, int: Int64(orderHold == nil ? children.count : 0))
        orderReasons.write(into: &out.orders, column: F.planReasons)
        out.copyLines(from: input, row: row)
        out.endOrder()
        books.ordersOut += 1
        books.linesOut += input.lineRange(row).count
        guard orderHold == nil else { return }

        let parentId = v.bytes(OrderField.orderId, row)
        let status = v.bytes(F.status, row)
        let isCOD = (v.int(F.isCOD, row) ?? 0) != 0
        let advance = status.elementsEqual(Self.paid) || (isCOD && status.elementsEqual(Self.created))
        for (k, ch) in children.enumerated() {
            out.beginOrder()
            out.copyOrderFields(from: input, row: row, skipping: Self.setOnChildren)
            idScratch.removeAll(keepingCapacity: true)
            idScratch.append(contentsOf: parentId)
            idScratch.append(UInt8(ascii: "-"))
            appendDigits(UInt64(k + 1), into: &idScratch)
            idScratch.withUnsafeBytes { out.orders.set(OrderField.orderId, utf8: $0) }
            parentId.withUnsafeBytes { out.orders.set(F.parentOrderId, utf8: $0) }
            if let code = ch.hold {
                Self.onHold.withUnsafeBytes { out.orders.set(F.status, utf8: $0) }
                out.orders.addElement(F.holdCodes, code)
            } else if advance {
                Self.allocated.withUnsafeBytes { out.orders.set(F.status, utf8: $0) }
            }
            // Fields in `setOnChildren` are not copied, so leaving one unset makes it null: the
            // parent-only money, child_count, and carrier or any plan value that is nil.
            plan.warehouses[ch.warehouse].idBytes.withUnsafeBytes { out.orders.set(F.warehouseCode, utf8: $0) }
            if let s = ch.service {
                carrierBytes[s].withUnsafeBytes { out.orders.set(F.carrier, utf8: $0) }
                levelBytes[s].withUnsafeBytes { out.orders.set(F.serviceLevel, utf8: $0) }
            }
            if let m = ch.shipMode { m.withUnsafeBytes { out.orders.set(F.shipMode, utf8: $0) } }
            out.orders.set(F.promisedShipBy, int: ch.shipBy)
            setOrNull(&out, F.promisedFrom, ch.promisedFrom)
            setOrNull(&out, F.promisedTo, ch.promisedTo)
            out.orders.set(F.chargeableWeightG, int: ch.chargeableG)
            setOrNull(&out, F.freightAmount, ch.freight)
            out.orders.set(F.totalWeightG, int: ch.actualG)
            out.orders.set(F.volumeCm3, int: ch.volumeCm3)
            out.orders.set(F.packageCount, int: 1)
            out.orders.set(F.lineCount, int: Int64(ch.end - ch.start))
            out.orders.set(F.subtotal, int: ch.value)
            setOrNull(&out, F.grandTotal, ch.grandTotal)
            setOrNull(&out, F.codAmount, ch.cod)
            setOrNull(&out, F.insuredValue, ch.insured)
            setOrNull(&out, F.shippedAt, ch.shipped)
            setOrNull(&out, F.deliveredAt, ch.delivered)
            setOrNull(&out, F.lateShip, ch.lateShip.map { $0 ? 1 : 0 })
            setOrNull(&out, F.lateDelivery, ch.lateDelivery.map { $0 ? 1 : 0 })
            childReasons[k].write(into: &out.orders, column: F.planReasons)
            for i in ch.start..<ch.end { out.copyLine(from: input, line: facts[i].line) }
            out.endOrder()
            books.ordersOut += 1
            books.linesOut += ch.end - ch.start
        }
    }

    /// Order fields every child sets (or nulls) below, whatever the plan: not copied from the
    /// parent first. (status, service level, ship mode and hold codes are set only in some
    /// cases, so they are copied.)
    private static let setOnChildren: [Bool] = {
        var skip = [Bool](repeating: false, count: OrderSchema.orderFields.count)
        for c in [OrderField.orderId, F.parentOrderId, F.childCount, F.warehouseCode, F.carrier, F.promisedShipBy,
                  F.promisedFrom, F.promisedTo, F.chargeableWeightG, F.freightAmount, F.totalWeightG, F.volumeCm3,
                  F.packageCount, F.lineCount, F.subtotal, F.grandTotal, F.codAmount, F.insuredValue, F.shippedAt,
                  F.deliveredAt, F.lateShip, F.lateDelivery] + F.parentOnlyMoney {
            skip[c] = true
        }
        return skip
    }()

    /// For fields of `setOnChildren` only: not copied, so nil is left unset, which is null.
    private func setOrNull(_ out: inout OrderBatch, _ col: Int, _ value: Int64?) {
        if let value { out.orders.set(col, int: value) }
    }
}
