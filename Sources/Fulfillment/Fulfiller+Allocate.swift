import OrderModel

/// F1-F3: the shippable lines, a warehouse for each, and the split into child orders.
extension Fulfiller {
    /// Plans order `row` into `children` / `childReasons` / `orderReasons` / `orderHold`.
    func planOrder(_ v: BatchView, _ batch: OrderBatch, _ row: Int) {
        orderReasons.clear()
        children.removeAll(keepingCapacity: true)
        orderHold = nil
        v.fill(&dest, row: row)
        destZone = plan.zone(of: dest)
        // Coverage depends only on the destination: matched once per order, not per line and
        // service (RegionPattern.bestMatch per warehouse per line was most of F1's cost).
        warehouseMatch.removeAll(keepingCapacity: true)
        for wh in plan.warehouses { warehouseMatch.append(RegionPattern.bestIndex(wh.coverage, dest)) }
        for i in serviceCovers.indices { serviceCovers[i] = 0 }
        collectLines(v, batch, row)
        if facts.isEmpty {
            orderReasons.begin("plan")
            orderReasons.text("nothing to ship: no line requires shipping")
            orderReasons.end()
            return
        }
        guard allocate(v, row) else { return }
        split()
        allocateMoney(v, row)
        resolveRequestedLevel(v, row)
        for c in children.indices { planShipment(v, batch, row, child: c) }
    }

    private func collectLines(_ v: BatchView, _ batch: OrderBatch, _ row: Int) {
        facts.removeAll(keepingCapacity: true)
        let s = plan.settings
        let defaultTemp = defaultTempClass
        for l in batch.lineRange(row) where v.lineInt(F.lRequiresShipping, l) != 0 {
            var f = LineFacts(line: l)
            f.qty = v.lineInt(F.lQuantity, l) ?? ExactDecimal.scale
            f.tempClass = v.lineBytes(F.lTempClass, l) ?? defaultTemp
            f.seller = v.lineBytes(F.lSeller, l)
            f.sku = v.lineBytes(F.lSku, l) ?? v.lineBytes(F.lProductId, l)
            f.shipMode = v.lineBytes(F.lShipMode, l) ?? (v.isNull(F.shipMode, row) ? nil : v.bytes(F.shipMode, row))
            let unitG = v.lineInt(F.lUnitWeightG, l)
            if let u = unitG { f.weightG = Self.times(u, f.qty) }
            if let a = v.lineInt(F.lLength, l), let b = v.lineInt(F.lWidth, l), let c = v.lineInt(F.lHeight, l) {
                f.volumeCm3 = Self.times(a * b * c, f.qty)
                f.bulky = max(a, b, c) > s.bulkySideCm
            }
            if let u = unitG, u > s.bulkyWeightG { f.bulky = true }
            f.value = Self.lineValue(v, l, qty: f.qty) ?? 0  // in range: `badLine` checked the order
            facts.append(f)
        }
        factsValue = 0
        factsQty = 0
        factsHaveNegative = false
        for i in facts.indices {
            factsValue += facts[i].value
            factsQty += facts[i].qty
            factsHaveNegative = factsHaveNegative || facts[i].value < 0
        }
    }

    /// Line `l`'s goods value: its extended price, else unit price x quantity (0 without
    /// either); nil when the product does not fit 64 bits.
    static func lineValue(_ v: BatchView, _ l: Int, qty: Int64) -> Int64? {
        if let e = v.lineInt(F.lExtendedPrice, l) { return e }
        guard let p = v.lineInt(F.lUnitPrice, l) else { return 0 }
        let (m, overflow) = p.multipliedReportingOverflow(by: qty)
        return overflow ? nil : m / ExactDecimal.scale
    }

    /// `units` x a quantity in 1/10,000, rounded up (a part unit still weighs).
    static func times(_ units: Int64, _ qty: Int64) -> Int64 {
        let p = units.multipliedReportingOverflow(by: qty)
        if p.overflow { return Int64.max / 4 }
        return (p.partialValue + ExactDecimal.scale - 1) / ExactDecimal.scale
    }

    /// F1 + F2 for every line; false (with `orderHold` set) when a line has no warehouse.
    private func allocate(_ v: BatchView, _ row: Int) -> Bool {
        let channel = v.isNull(F.salesChannel, row) ? nil : v.bytes(F.salesChannel, row)
        taken.removeAll(keepingCapacity: true)
        whyWarehouse.removeAll(keepingCapacity: true)
        var candidates = candidateScratch
        defer { candidateScratch = candidates }
        let warehouses = plan.warehouses
        for i in facts.indices {
            let f = facts[i]
            candidates.removeAll(keepingCapacity: true)
            var best = -1
            var matched: (warehouse: Int, index: Int)? = nil
            for w in warehouses.indices {
                guard let (spec, p) = warehouseMatch[w] else { continue }
                let wh = warehouses[w]
                guard wh.serves(channel: channel) && wh.holds(tempClass: f.tempClass) && (!f.bulky || wh.bulky) else {
                    continue
                }
                if spec > best {
                    best = spec
                    candidates.removeAll(keepingCapacity: true)
                    matched = (w, p)
                }
                if spec == best { candidates.append(w) }
            }
            if candidates.isEmpty {
                hold(.noWarehouse, .noWarehouse) { r in
                    r.text("line "); r.int(i + 1); r.text(" (")
                    r.bytes(f.tempClass)
                    if f.bulky { r.text(", bulky") }
                    r.text("): no warehouse covers ")
                    r.bytes(dest.country.isEmpty ? Array("an unknown country".utf8) : dest.country)
                    if !dest.province.isEmpty { r.text("/"); r.bytes(dest.province) }
                    if !dest.city.isEmpty { r.text("/"); r.bytes(dest.city) }
                    if channel != nil { r.text(" for this sales channel") }
                }
                rollbackStock()
                return false
            }
            guard let chosen = choose(candidates, f) else {
                hold(.insufficientStock, .insufficientStock) { r in
                    r.text("line "); r.int(i + 1); r.text(": no candidate warehouse (")
                    r.text(candidates.map { plan.warehouses[$0].id }.joined(separator: ", "))
                    r.text(") has stock for quantity "); r.money(f.qty)
                }
                rollbackStock()
                return false
            }
            facts[i].warehouse = chosen.index
            hit(.regionMatch)
            hit(plan.settings.strategy == .highestStock && chosen.stock != nil ? .stockChoice : .priorityChoice)
            if !whyWarehouse.contains(where: { $0.warehouse == chosen.index }) {
                whyWarehouse.append((chosen.index, candidates.count, matched, chosen.stock))
            }
        }
        return true
    }

    /// F2: the warehouse for a line among candidates (table order), by strategy and stock.
    private func choose(_ candidates: [Int], _ f: LineFacts) -> (index: Int, stock: Int64?)? {
        guard stock != nil else { return (candidates[0], nil) }
        let sku = f.sku
        var best: (Int, Int64)? = nil
        var tracked = false
        for w in candidates {
            guard let sku, let have = stockLevel(w, sku) else { continue }
            tracked = true
            guard have >= f.qty else { continue }
            if plan.settings.strategy == .priority { best = (w, have); break }
            if have > (best?.1 ?? -1) { best = (w, have) }  // ties keep the earlier (lower) one
        }
        if !tracked { return (candidates[0], nil) }  // SKU not in the stock table: not checked
        guard let (w, have) = best else { return nil }
        fillKey(w, sku!)
        stock![stockKey]! -= f.qty
        taken.append((stockKey, f.qty))
        return (w, have)
    }

    private func fillKey(_ w: Int, _ sku: UnsafeRawBufferPointer) {
        stockKey.removeAll(keepingCapacity: true)
        stockKey.append(UInt8(truncatingIfNeeded: w))
        stockKey.append(contentsOf: sku)
    }

    private func stockLevel(_ w: Int, _ sku: UnsafeRawBufferPointer) -> Int64? {
        fillKey(w, sku)
        return stock?[stockKey]
    }

    private func rollbackStock() {
        for t in taken { stock![t.key]! += t.qty }
        taken.removeAll(keepingCapacity: true)
    }

    /// F1/F2 for the child's warehouse, as its first reason.
    func warehouseReason(child c: Int) {
        let w = children[c].warehouse
        guard let why = whyWarehouse.first(where: { $0.warehouse == w }) else { return }
        var r = takeReasons(c)
        defer { childReasons[c] = r }
        r.begin("warehouse")
        r.text(plan.warehouses[w].id); r.text(": "); r.int(why.candidates)
        r.text(why.candidates == 1 ? " candidate" : " candidates")
        r.text(" at the most specific region ")
        if let p = why.pattern { r.text(plan.warehouses[p.warehouse].coverage[p.index].text) } else { r.text("*") }
        if let s = why.stock {
            r.text(plan.settings.strategy == .highestStock ? "; highest stock " : "; first in priority order with stock ")
            r.money(s)
        } else {
            r.text("; first in priority order")
        }
        r.end()
    }

    func hold(_ code: Hold, _ rule: PlanRule, _ why: (inout PlanReasons) -> Void) {
        orderHold = code
        hit(rule)
        orderReasons.begin("hold")
        orderReasons.bytes(code.bytes); orderReasons.text(": ")
        why(&orderReasons)
        orderReasons.end()
    }

    /// F3: sort the lines by group key (warehouse id, then the configured dimensions) and
    /// cut them into children; child k is `parent-k` in that order, so ids are stable.
    private func split() {
        let ids = warehouseBytes
        let dims = plan.settings.splitBy
        let bySeller = splitSeller, byTemp = splitTemp, byBulky = splitBulky, byMode = splitMode, byLine = splitLine
        func cmp(_ a: LineFacts, _ b: LineFacts) -> Int {
            if a.warehouse != b.warehouse {
                return ids[a.warehouse].lexicographicallyPrecedes(ids[b.warehouse]) ? -1 : 1
            }
            if bySeller, let c = Self.compare(a.seller, b.seller), c != 0 { return c }
            if byTemp, !a.tempClass.elementsEqual(b.tempClass) {
                return a.tempClass.lexicographicallyPrecedes(b.tempClass) ? -1 : 1
            }
            if byBulky, a.bulky != b.bulky { return a.bulky ? 1 : -1 }
            if byMode, let c = Self.compare(a.shipMode, b.shipMode), c != 0 { return c }
            if byLine, a.line != b.line { return a.line < b.line ? -1 : 1 }
            return 0
        }
        // Stable: lines of one group keep their order in the order. An order has a handful of
        // lines, often already in group order: an insertion sort in place (stable, no
        // allocation); a long order takes the general sort by (key, position).
        if facts.count > 32 {
            facts = facts.enumerated().sorted { x, y in
                let c = cmp(x.element, y.element)
                return c != 0 ? c < 0 : x.offset < y.offset
            }.map(\.element)
        } else if facts.count > 1 {
            for i in 1..<facts.count where cmp(facts[i - 1], facts[i]) > 0 {
                let moving = facts[i]
                var j = i
                while j > 0 && cmp(facts[j - 1], moving) > 0 {
                    facts[j] = facts[j - 1]
                    j -= 1
                }
                facts[j] = moving
            }
        }
        var start = 0
        for i in 1...facts.count where i == facts.count || cmp(facts[i - 1], facts[i]) != 0 {
            var c = ChildPlan()
            c.start = start
            c.end = i
            c.warehouse = facts[start].warehouse
            // The child's ship mode, when its lines agree on one.
            let mode = facts[start].shipMode
            if facts[start..<i].allSatisfy({ Self.compare($0.shipMode, mode) == 0 }) { c.shipMode = mode }
            children.append(c)
            start = i
        }
        if children.count > 1 { hit(.split) }
        orderReasons.begin("split")
        orderReasons.int(children.count)
        orderReasons.text(children.count == 1 ? " child order" : " child orders")
        orderReasons.text(" by warehouse")
        for d in dims { orderReasons.text(", "); orderReasons.text(d) }
        orderReasons.end()
    }

    /// nil < any value; then bytewise.
    static func compare(_ a: UnsafeRawBufferPointer?, _ b: UnsafeRawBufferPointer?) -> Int? {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case let (x?, y?):
            if x.elementsEqual(y) { return 0 }
            return x.lexicographicallyPrecedes(y) ? -1 : 1
        }
    }
}
