import OrderModel

/// Writes the planned order: the parent snapshot, then its children `parent-1..n`.
///
/// Most of an output row is a copy of its input order (a child carries its parent's customer,
/// address, dates, channel, ...), and with the TPC-H plan five rows come out per order. So the
/// rows are built in two parts: the fields the planner sets on some row (`plannerColumns`) row
/// by row through the table API, and every other field afterwards, a column at a time, by
/// gathering the input rows recorded in `orderSource` / `lineSource` (`gatherCopies`). Line
/// rows are always plain copies: only their `order_id` is filled per order (`endOrder`).
extension Fulfiller {
    // Kept for the process's life (`PlanBytes.permanent`): read without reference counting.
    nonisolated(unsafe) private static let onHold = PlanBytes.permanent("ON_HOLD")
    nonisolated(unsafe) private static let allocated = PlanBytes.permanent("ALLOCATED")
    nonisolated(unsafe) private static let paid = PlanBytes.permanent("PAID")
    nonisolated(unsafe) private static let created = PlanBytes.permanent("CREATED")

    func write(_ v: BatchView, _ input: OrderBatch, _ row: Int, into out: inout OrderBatch) {
        // The parent: the customer's order as it was, plus how it was split (or why it is held).
        beginCopy(input, row, into: &out, columns: Self.plannerColumns)
        if let code = orderHold {
            out.orders.set(F.status, utf8: Self.onHold)
            out.orders.addElement(F.holdCodes, utf8: code.bytes)
        }
        out.orders.set(F.childCount, int: Int64(orderHold == nil ? children.count : 0))
        orderReasons.write(into: &out.orders, column: F.planReasons)
        let parentId = v.bytes(OrderField.orderId, row)
        if orderHold == nil {
            parentLines(input.lineRange(row), parentId, into: &out)
        } else {
            copyLines(input, input.lineRange(row), into: &out)
        }
        out.endOrder()
        books.ordersOut += 1
        books.linesOut += input.lineRange(row).count
        guard orderHold == nil else { return }

        let status = v.bytes(F.status, row)
        let isCOD = (v.int(F.isCOD, row) ?? 0) != 0
        let advance = status.elementsEqual(Self.paid) || (isCOD && status.elementsEqual(Self.created))
        // Each child read in place, not copied.
        children.withUnsafeBufferPointer { plans in
            for k in 0..<plans.count {
                let ch = plans.baseAddress! + k
                beginCopy(input, row, into: &out, columns: Self.childCopied, child: true)
                out.orders.set(OrderField.orderId, utf8: childId(parentId, k))
                out.orders.set(F.parentOrderId, utf8: parentId)
                if let code = ch.pointee.hold {
                    out.orders.set(F.status, utf8: Self.onHold)
                    out.orders.addElement(F.holdCodes, utf8: code.bytes)
                } else if advance {
                    out.orders.set(F.status, utf8: Self.allocated)
                }
                // Fields in `setOnChildren` are not copied, so leaving one unset makes it null: the
                // parent-only money, child_count, and carrier or any plan value that is nil.
                out.orders.set(F.warehouseCode, utf8: warehouseBytes[ch.pointee.warehouse])
                if let s = ch.pointee.service {
                    out.orders.set(F.carrier, utf8: carrierBytes[s])
                    out.orders.set(F.serviceLevel, utf8: levelBytes[s])
                }
                if let m = ch.pointee.shipMode { out.orders.set(F.shipMode, utf8: m) }
                out.orders.set(F.promisedShipBy, int: ch.pointee.shipBy)
                setOrNull(&out, F.promisedFrom, ch.pointee.promisedFrom)
                setOrNull(&out, F.promisedTo, ch.pointee.promisedTo)
                out.orders.set(F.chargeableWeightG, int: ch.pointee.chargeableG)
                setOrNull(&out, F.freightAmount, ch.pointee.freight)
                out.orders.set(F.totalWeightG, int: ch.pointee.actualG)
                out.orders.set(F.volumeCm3, int: ch.pointee.volumeCm3)
                out.orders.set(F.packageCount, int: 1)
                out.orders.set(F.lineCount, int: Int64(ch.pointee.end - ch.pointee.start))
                out.orders.set(F.subtotal, int: ch.pointee.value)
                setOrNull(&out, F.grandTotal, ch.pointee.grandTotal)
                setOrNull(&out, F.codAmount, ch.pointee.cod)
                setOrNull(&out, F.insuredValue, ch.pointee.insured)
                setOrNull(&out, F.shippedAt, ch.pointee.shipped)
                setOrNull(&out, F.deliveredAt, ch.pointee.delivered)
                setOrNull(&out, F.lateShip, ch.pointee.lateShip.map { $0 ? 1 : 0 })
                setOrNull(&out, F.lateDelivery, ch.pointee.lateDelivery.map { $0 ? 1 : 0 })
                childReasons[k].write(into: &out.orders, column: F.planReasons)
                if childFields == nil {
                    for i in ch.pointee.start..<ch.pointee.end {
                        lineSource.append(Int32(facts[i].line))
                        out.beginLine()
                        out.endLine()
                    }
                }
                out.endOrder()
                books.ordersOut += 1
                books.linesOut += ch.pointee.end - ch.pointee.start
            }
        }
    }

    /// The id of child `k` of `parentId`, `<parent>-<k+1>`, in `idBuffer` (valid until the
    /// next call).
    private func childId(_ parentId: UnsafeRawBufferPointer, _ k: Int) -> UnsafeRawBufferPointer {
        var digits = 1
        var v = k + 1
        while v >= 10 {
            v /= 10
            digits += 1
        }
        let n = parentId.count + 1 + digits
        if n > idBuffer.count {
            idBuffer.deallocate()
            idBuffer = .allocate(byteCount: max(n, 2 * idBuffer.count), alignment: 1)
        }
        let p = idBuffer.baseAddress!
        if let src = parentId.baseAddress { p.copyMemory(from: src, byteCount: parentId.count) }
        p.storeBytes(of: UInt8(ascii: "-"), toByteOffset: parentId.count, as: UInt8.self)
        v = k + 1
        for i in stride(from: n - 1, through: n - digits, by: -1) {
            p.storeBytes(of: UInt8(v % 10) + 0x30, toByteOffset: i, as: UInt8.self)
            v /= 10
        }
        return UnsafeRawBufferPointer(start: p, count: n)
    }

    /// The lines of a split parent: copies that name the child shipping each line in
    /// `child_order_id` (null for a line no child ships, e.g. one that needs no shipping), so
    /// `order_lines/` joins `fulfillment/` without the children's own line copies.
    private func parentLines(_ lines: Range<Int>, _ parentId: UnsafeRawBufferPointer, into out: inout OrderBatch) {
        childOfLine.removeAll(keepingCapacity: true)
        childOfLine.append(contentsOf: repeatElement(-1, count: lines.count))
        for (k, ch) in children.enumerated() {
            for i in ch.start..<ch.end { childOfLine[facts[i].line - lines.lowerBound] = k }
        }
        for l in lines {
            lineSource.append(Int32(l))
            out.beginLine()
            let k = childOfLine[l - lines.lowerBound]
            if k >= 0 { out.lines.set(LineField.childOrderId, utf8: childId(parentId, k)) }
            out.endLine()
        }
    }

    /// An order passed through unchanged: every field and line copied.
    func emit(passThrough input: OrderBatch, row: Int, into output: inout OrderBatch) {
        beginCopy(input, row, into: &output, columns: Self.plannerColumns)
        copyLines(input, input.lineRange(row), into: &output)
        output.endOrder()
        books.ordersOut += 1
        books.linesOut += input.lineRange(row).count
    }

    /// Begins an output order that copies input order `row`: the planner's `columns` now, the
    /// rest in `gatherCopies`.
    private func beginCopy(_ input: OrderBatch, _ row: Int, into out: inout OrderBatch, columns: [Int], child: Bool = false) {
        out.beginOrder()
        out.copyOrderFields(from: input, row: row, columns: columns)
        orderSource.append(Int32(row))
        if childFields != nil { parentSource.append(child ? Int32.max : Int32(row)) }
    }

    /// Adds copies of the input lines `lines` to the order being built: empty rows now (their
    /// `order_id` is filled by `endOrder`), the values in `gatherCopies`, but for
    /// `child_order_id`, copied here (a line of an order planned before keeps it).
    private func copyLines(_ input: OrderBatch, _ lines: Range<Int>, into out: inout OrderBatch) {
        let planned = input.lines.columns[LineField.childOrderId]
        let none = planned.nullCount == planned.count
        for l in lines {
            lineSource.append(Int32(l))
            out.beginLine()
            if !none && !planned.isNull(l) {
                planned.bytes.withUnsafeBytes {
                    out.lines.set(LineField.childOrderId, utf8: UnsafeRawBufferPointer(rebasing: $0[planned.range(l)]))
                }
            }
            out.endLine()
        }
    }

    /// Fills the copied columns of the rows written since `orders` / `lines` (the row counts
    /// before the first of them) from the input rows recorded for them, one column at a time.
    /// The columns were not touched since: with null padding deferred they are at most at
    /// those counts, and each comes out at the table's row count.
    func gatherCopies(_ input: OrderBatch, into out: inout OrderBatch, orders: Int, lines: Int) {
        orderSource.withUnsafeBufferPointer { rows in
            parentSource.withUnsafeBufferPointer { parentRows in
                for (k, c) in Self.copiedOrderColumns.enumerated() {
                    out.orders.columns[c].padNulls(to: orders)
                    let copied = copiedChildColumns?[k] ?? true
                    out.orders.columns[c].appendGathering(from: input.orders.columns[c], rows: copied ? rows : parentRows)
                }
            }
        }
        lineSource.withUnsafeBufferPointer { rows in
            for c in Self.copiedLineColumns {
                out.lines.columns[c].padNulls(to: lines)
                out.lines.columns[c].appendGathering(from: input.lines.columns[c], rows: rows)
            }
        }
        orderSource.removeAll(keepingCapacity: true)
        parentSource.removeAll(keepingCapacity: true)
        lineSource.removeAll(keepingCapacity: true)
    }

    /// Order fields every child sets (or nulls) below, whatever the plan: not copied from the
    /// parent first. (status, service level, ship mode and hold codes are set only in some
    /// cases, so they are copied.)
    private static let setOnChildren: [Int] =
        [OrderField.orderId, F.parentOrderId, F.childCount, F.warehouseCode, F.carrier, F.promisedShipBy,
         F.promisedFrom, F.promisedTo, F.chargeableWeightG, F.freightAmount, F.totalWeightG, F.volumeCm3,
         F.packageCount, F.lineCount, F.subtotal, F.grandTotal, F.codAmount, F.insuredValue, F.shippedAt,
         F.deliveredAt, F.lateShip, F.lateDelivery] + F.parentOnlyMoney

    /// Order fields some output row sets (or leaves null) itself: built row by row. A parent
    /// or a passed-through order copies them from its input row first.
    private static let plannerColumns: [Int] =
        (Set(setOnChildren + [F.status, F.holdCodes, F.serviceLevel, F.shipMode, F.planReasons])).sorted()

    /// What a child copies from its parent row by row: the planner's fields it sets only in
    /// some cases.
    private static let childCopied: [Int] = plannerColumns.filter { !setOnChildren.contains($0) }

    /// Order fields that every output row copies from its input row: gathered.
    static let copiedOrderColumns: [Int] =
        OrderSchema.orderFields.indices.filter { !plannerColumns.contains($0) }

    /// Every line field but `order_id` (filled from the order by `endOrder`) and
    /// `child_order_id` (set line by line).
    private static let copiedLineColumns: [Int] =
        OrderSchema.lineFields.indices.filter { $0 != LineField.orderId && $0 != LineField.childOrderId }

    /// For fields of `setOnChildren` only: not copied, so nil is left unset, which is null.
    private func setOrNull(_ out: inout OrderBatch, _ col: Int, _ value: Int64?) {
        if let value { out.orders.set(col, int: value) }
    }
}
