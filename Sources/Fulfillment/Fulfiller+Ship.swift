import OrderModel

/// F4-F14 for one child order: weight, carrier and service, freight, ship-by, promise, SLA.
extension Fulfiller {
    static let canonicalLevels = ["same_day", "next_day", "standard", "economy", "scheduled"]
    private static let canonicalLevelBytes = canonicalLevels.map { Array($0.utf8) }
    // Never written after initialisation, so sharing them across threads is safe.
    nonisolated(unsafe) private static let selfSeller = PlanBytes.permanent("self")
    nonisolated(unsafe) private static let normal = PlanBytes.permanent("normal")
    nonisolated(unsafe) private static let bulkyGoods = PlanBytes.permanent("bulky")

    /// F7/F8: the order's total, COD and insured value shared over the children by line value
    /// (the last child takes the remainder, so the children sum exactly to the parent).
    func allocateMoney(_ v: BatchView, _ row: Int) {
        // By value only when every line has a value of its own sign: a negative line (a refund,
        // a discount line) would make a child's share of the total larger than the total.
        let useCount = factsValue <= 0 || factsHaveNegative
        let whole = useCount ? Int64(facts.count) : factsValue
        let total = v.int(F.grandTotal, row)
        let isCOD = (v.int(F.isCOD, row) ?? 0) != 0
        let cod = isCOD ? (v.int(F.codAmount, row) ?? total) : nil
        let insured = v.int(F.insuredValue, row)
        var left = (total, cod, insured)
        for c in children.indices {
            var part: Int64 = 0, value: Int64 = 0
            for i in children[c].start..<children[c].end {
                part += useCount ? 1 : facts[i].value
                value += facts[i].value
            }
            children[c].value = value
            let last = c == children.count - 1
            func share(_ amount: Int64?, _ remaining: inout Int64?) -> Int64? {
                guard let amount, let r = remaining else { return nil }
                let s = last ? r : Self.share(amount, part, whole)
                remaining = r - s
                return s
            }
            children[c].grandTotal = share(total, &left.0)
            children[c].cod = share(cod, &left.1)
            children[c].insured = share(insured, &left.2)
            // F8: a parcel is insured for at most what it holds.
            if let ins = children[c].insured, !useCount, ins > part {
                children[c].insuredCappedFrom = ins
                children[c].insured = part
                hit(.insuredCapped)
            }
        }
        if cod != nil { hit(.codAllocated) }
    }

    /// amount x part / whole, exactly (128-bit intermediate), rounded down.
    static func share(_ amount: Int64, _ part: Int64, _ whole: Int64) -> Int64 {
        let p = amount.multipliedFullWidth(by: part)
        let (q, _) = whole.dividingFullWidth(p)
        return q
    }

    /// The order's requested level (its canonical `service_level`, else the default): once
    /// per order, so that each child walks levels by id.
    func resolveRequestedLevel(_ v: BatchView, _ row: Int) {
        let requested = v.bytes(F.serviceLevel, row)
        requestedLevel = Self.canonicalLevelBytes.firstIndex { $0.elementsEqual(requested) } ?? defaultLevel
    }

    func planShipment(_ v: BatchView, _ batch: OrderBatch, _ row: Int, child c: Int) {
        while childReasons.count <= c { childReasons.append(PlanReasons()) }
        childReasons[c].clear()
        warehouseReason(child: c)
        if let from = children[c].insuredCappedFrom {
            childReasons[c].begin("insured")
            childReasons[c].text("insured value "); childReasons[c].money(from)
            childReasons[c].text(" capped at the parcel's goods value "); childReasons[c].money(children[c].value)
            childReasons[c].end()
        }
        measure(v, row, child: c)
        let wh = plan.warehouses[children[c].warehouse]
        let created = v.int(F.createdAt, row) ?? 0
        let local = wh.clock.local(created)
        let orderDay = CivilTime.day(ofMicros: local)
        let orderSecond = Int((local - orderDay * CivilTime.microsPerDay) / CivilTime.microsPerSecond)
        shipBy(c, wh, orderDay, orderSecond)
        guard let s = chooseService(v, row, child: c, orderDay: orderDay) else {
            feedDates(v, child: c, clock: wh.clock)
            return
        }
        children[c].service = s
        freight(v, row, child: c)
        promise(v, row, child: c, service: plan.services[s], created: created, orderDay: orderDay, orderSecond: orderSecond)
        feedDates(v, child: c, clock: wh.clock)
        sla(v, row, child: c)
    }

    /// F5: actual and volumetric weight, chargeable weight rounded up to the step.
    private func measure(_ v: BatchView, _ row: Int, child c: Int) {
        var weight: Int64 = 0, volume: Int64 = 0, qty: Int64 = 0
        var anyWeight = false, anyVolume = false
        let totalQty = factsQty
        for i in children[c].start..<children[c].end {
            qty += facts[i].qty
            if let w = facts[i].weightG { weight += w; anyWeight = true }
            if let x = facts[i].volumeCm3 { volume += x; anyVolume = true }
        }
        var r = takeReasons(c)
        defer { childReasons[c] = r }
        // Lines without measures: the order's own totals, shared by quantity.
        if !anyWeight, let w = v.int(F.totalWeightG, row) { weight = totalQty > 0 ? Self.share(w, qty, totalQty) : w }
        if !anyVolume, let x = v.int(F.volumeCm3, row) { volume = totalQty > 0 ? Self.share(x, qty, totalQty) : x }
        let s = plan.settings
        let volumetric = (volume * 1000 + s.volumetricDivisor - 1) / s.volumetricDivisor
        let billed = max(weight, volumetric)
        let step = s.weightStepG
        children[c].actualG = weight
        children[c].volumeCm3 = volume
        children[c].chargeableG = (billed + step - 1) / step * step
        r.begin("weight")
        r.text("chargeable "); r.int(children[c].chargeableG); r.text(" g = ")
        if volumetric > weight {
            hit(.volumetric)
            r.text("volumetric "); r.int(volumetric); r.text(" g ("); r.int(volume); r.text(" cm3 / ")
            r.int(s.volumetricDivisor); r.text(") over actual "); r.int(weight); r.text(" g")
        } else {
            r.text("actual "); r.int(weight); r.text(" g (volumetric "); r.int(volumetric); r.text(" g)")
        }
        if step > 1 { r.text(", rounded up to "); r.int(step); r.text(" g") }
        r.end()
    }

    /// F9: the ship day is the order day when ordered before the cut-off on a working day,
    /// else the next working day; then the handling days, over the warehouse calendar.
    private func shipBy(_ c: Int, _ wh: Warehouse, _ orderDay: Int64, _ orderSecond: Int) {
        let cal = wh.calendar
        var day: Int64
        var r = takeReasons(c)
        defer { childReasons[c] = r }
        r.begin("ship_by")
        r.text(wh.id); r.text(" ("); r.text(wh.clock.name); r.text("): ordered ")
        r.date(orderDay); r.text(" "); r.time(orderSecond)
        if !cal.isWorking(orderDay) {
            hit(.nonWorkingDay)
            day = cal.onOrAfter(orderDay)
            r.text(" on a non-working day of "); r.text(cal.id); r.text(", ships ")
        } else if orderSecond < wh.cutoff {
            day = orderDay
            r.text(" before the cut-off "); r.time(wh.cutoff); r.text(", ships ")
        } else {
            hit(.afterCutoff)
            day = cal.adding(1, to: orderDay)
            r.text(" at or after the cut-off "); r.time(wh.cutoff); r.text(", ships ")
        }
        r.date(day)
        if wh.handlingDays > 0 {
            day = cal.adding(wh.handlingDays, to: day)
            r.text(" + "); r.int(wh.handlingDays); r.text(" handling day(s) = "); r.date(day)
        }
        r.text(" by "); r.time(wh.dispatchBy)
        r.end()
        children[c].shipBy = wh.clock.utc(day: day, seconds: wh.dispatchBy)
        shipDay = day
    }

    /// The goods type the child needs carried: bulky, a non-default temperature class, or normal.
    private func goods(_ c: Int) -> UnsafeRawBufferPointer {
        let def = defaultTempClass  // bytes: comparing with the String's UTF-8 view was generic
        var cold: UnsafeRawBufferPointer? = nil
        for i in children[c].start..<children[c].end {
            if facts[i].bulky { return Self.bulkyGoods }
            if cold == nil, !facts[i].tempClass.elementsEqual(def) { cold = facts[i].tempClass }
        }
        return cold ?? Self.normal
    }

    /// F4/F12: the requested level's services in table order, walking down the downgrade
    /// chain when none is eligible; nil (with the child held) when nothing carries it.
    private func chooseService(_ v: BatchView, _ row: Int, child c: Int, orderDay: Int64) -> Int? {
        let requested = requestedLevel
        var level = requested
        let goodsType = goods(c)
        var r = takeReasons(c)
        defer { childReasons[c] = r }
        var firstFailure: (service: Int, why: Ineligible)? = nil
        var codFailure: (service: Int, why: Ineligible)? = nil
        var steps = 0
        // Read once here and handed down: each access to the planner's own arrays from the
        // per-service check was a dynamic exclusivity check and, for the child, a copy.
        let ch = children[c]
        let facts = self.facts
        let wh = plan.warehouses[ch.warehouse]
        while true {
            for s in levelServices[level] {
                if serviceCovers[s] == 0 {
                    serviceCovers[s] = RegionPattern.bestIndex(plan.services[s].coverage, dest) == nil ? 2 : 1
                }
                if let why = Self.ineligible(plan.services[s], covers: serviceCovers[s] == 1,
                                             collects: collects[s][ch.warehouse], ch, facts, wh, destZone,
                                             goods: goodsType, orderDay: orderDay) {
                    if firstFailure == nil { firstFailure = (s, why) }
                    if why.isCOD && codFailure == nil { codFailure = (s, why) }
                    continue
                }
                r.begin("service")
                r.text(plan.services[s].id); r.text(" ("); r.text(plan.services[s].carrier); r.text(", ")
                r.text(levelNames[level]); r.text(")")
                if level == requested {
                    r.text(": first eligible "); r.text(levelNames[level]); r.text(" service for ")
                    r.bytes(goodsType); r.text(" goods")
                } else {
                    hit(.downgrade)
                    r.text(": downgraded from "); r.text(levelNames[requested])
                    if let (fs, why) = firstFailure {
                        r.text(" because "); r.text(plan.services[fs].id); r.text(" "); why.describe(into: &r)
                    }
                }
                r.end()
                return s
            }
            guard let next = levelDowngrade[level], steps < 8 else { break }
            level = next
            steps += 1
        }
        let (code, rule, detail) = codFailure != nil
            ? (Hold.codOverLimit, PlanRule.codOverLimit, codFailure)
            : (Hold.noCarrier, PlanRule.noCarrier, firstFailure)
        children[c].hold = code
        hit(rule)
        r.begin("hold")
        r.bytes(code.bytes); r.text(": no service from "); r.text(levelNames[requested]); r.text(" down carries it")
        if let (fs, why) = detail { r.text("; "); r.text(plan.services[fs].id); r.text(" "); why.describe(into: &r) }
        r.end()
        return nil
    }

    /// The first condition (in the documented order) under which service `s` cannot carry
    /// child `ch`; nil when it can. `covers` and `collects` are the per-order and per-plan
    /// answers for the region and origin checks.
    private static func ineligible(_ s: Service, covers: Bool, collects: Bool, _ ch: ChildPlan, _ facts: [LineFacts],
                                   _ wh: Warehouse, _ destZone: String, goods: UnsafeRawBufferPointer,
                                   orderDay: Int64) -> Ineligible? {
        if !covers { return .region }
        if !collects { return .origin }
        if !s.goods.contains(where: { $0.elementsEqual(goods) }) { return .goods }
        let lines = ch.start..<ch.end
        if !s.shipModes.isEmpty {
            for i in lines {
                guard let m = facts[i].shipMode, s.shipModes.contains(where: { $0.elementsEqual(m) }) else { return .shipMode }
            }
        }
        if !s.sellers.isEmpty {
            for i in lines where !s.sellers.contains(where: { $0.elementsEqual(facts[i].seller ?? Self.selfSeller) }) {
                return .seller
            }
        }
        if !s.blackout.isEmpty && s.blackout.contains(orderDay) { return .blackout }
        if let cap = s.maxWeightG, ch.chargeableG > cap { return .weight(have: ch.chargeableG, cap: cap) }
        if let cap = s.maxVolumeCm3, ch.volumeCm3 > cap { return .volume(have: ch.volumeCm3, cap: cap) }
        guard let rule = s.prices.first(where: { ($0.maxWeightG ?? .max) >= ch.chargeableG }) else { return .noPrice(ch.chargeableG) }
        if rule.price(ch.chargeableG) == nil { return .priceOutOfRange(ch.chargeableG) }
        if !s.hasTransit(from: wh.zone, to: destZone) { return .noTransit }
        if let cap = s.insuredMax, let v = ch.insured, v > cap { return .insured(have: v, cap: cap) }
        if let cod = ch.cod {
            guard let range = s.cod else { return .codNotOffered }
            if !range.contains(cod) { return .codLimit(have: cod, range: range) }
        }
        return nil
    }

}
