import OrderModel

/// F6, F10, F13, F14 for one child order: freight, the promised window, the feed's own dates
/// and the SLA flags.
extension Fulfiller {
    /// F6: the first price rule whose weight bound holds; free over the service's threshold
    /// on the order's goods value.
    func freight(_ v: BatchView, _ row: Int, child c: Int) {
        let s = plan.services[children[c].service!]
        let w = children[c].chargeableG
        var r = takeReasons(c)
        defer { childReasons[c] = r }
        r.begin("freight")
        let orderValue = factsValue
        if let free = s.freeOver, orderValue >= free {
            hit(.freeOver)
            children[c].freight = 0
            r.text("free: order goods value "); r.money(orderValue); r.text(" >= free_over "); r.money(free)
        } else if let (i, rule) = s.prices.enumerated().first(where: { ($0.element.maxWeightG ?? .max) >= w }),
                  let price = rule.price(w)  // eligibility checked it is in range
        {
            children[c].freight = price
            r.text(s.id); r.text(" price rule "); r.int(i + 1); r.text(": "); r.money(rule.firstPrice)
            r.text(" for the first "); r.int(rule.firstWeightG); r.text(" g")
            if w > rule.firstWeightG && rule.stepG > 0 {
                r.text(" + "); r.int((w - rule.firstWeightG + rule.stepG - 1) / rule.stepG); r.text(" x ")
                r.money(rule.stepPrice); r.text(" per "); r.int(rule.stepG); r.text(" g")
            }
            r.text(" = "); r.money(price)
        }
        r.end()
    }

    /// F10/F14: the promised delivery window, over the carrier's calendar, in the warehouse's
    /// zone. Time-of-order tiers (211) when the service has them, else transit days; a booked
    /// slot that fits the slot table replaces it.
    func promise(_ v: BatchView, _ row: Int, child c: Int, service s: Service, created: Int64, orderDay: Int64,
                 orderSecond: Int) {
        let wh = plan.warehouses[children[c].warehouse]
        let cal = s.calendar
        var r = takeReasons(c)
        r.begin("promise")
        if !s.promiseTiers.isEmpty {
            hit(.promiseTier)
            var day = orderDay, second = orderSecond
            if !cal.isWorking(day) {
                day = cal.onOrAfter(day)
                second = 0
            }
            var tier = s.promiseTiers.first { second < $0.orderBefore }
            if tier == nil {
                day = cal.adding(1, to: day)
                tier = s.promiseTiers[0]
            }
            let t = tier!
            let deliver = cal.adding(t.days, to: day)
            children[c].promisedFrom = created
            children[c].promisedTo = wh.clock.utc(day: deliver, seconds: t.deliverBy)
            r.text(s.id); r.text(" tier: ordered before "); r.time(t.orderBefore); r.text(" on "); r.date(day)
            r.text(" -> delivered by "); r.date(deliver); r.text(" "); r.time(t.deliverBy)
            r.text(" ("); r.text(cal.id); r.text(")")
        } else if let (days, rule) = s.transitDays(from: wh.zone, to: destZone) {
            hit(.transit)
            let first = cal.adding(days.lowerBound, to: shipDay)
            let last = cal.adding(days.upperBound, to: shipDay)
            children[c].promisedFrom = wh.clock.utc(day: first, seconds: s.windowStart)
            children[c].promisedTo = wh.clock.utc(day: last, seconds: s.windowEnd) - (s.windowEnd == 86_400 ? 1 : 0)
            r.text(s.id); r.text(" transit "); r.text(wh.zone); r.text(" -> "); r.text(destZone); r.text(": ")
            r.int(days.lowerBound)
            if days.upperBound != days.lowerBound { r.text("-"); r.int(days.upperBound) }
            r.text(rule == nil ? " working day(s) (default)" : " working day(s)")
            r.text(" over "); r.text(cal.id); r.text(" from "); r.date(shipDay); r.text(" = ")
            r.date(first)
            if last != first { r.text(".."); r.date(last) }
        }
        r.end()
        childReasons[c] = r
        appointment(v, row, child: c, clock: wh.clock, orderDay: orderDay)
    }

    /// F14: a slot the order carries (promised_delivery_from/to set by the source) is kept
    /// when it is one of the slot table's, within `max_days` of the order, and not before the
    /// earliest possible delivery; otherwise the computed promise stands, with the reason.
    private func appointment(_ v: BatchView, _ row: Int, child c: Int, clock: ZoneClock, orderDay: Int64) {
        let slots = plan.settings.appointmentSlots
        guard !slots.isEmpty, let from = v.int(F.promisedFrom, row), let to = v.int(F.promisedTo, row) else { return }
        let lf = clock.local(from), lt = clock.local(to)
        let day = CivilTime.day(ofMicros: lf)
        let a = Int((lf - day * CivilTime.microsPerDay) / CivilTime.microsPerSecond)
        let b = Int((lt - day * CivilTime.microsPerDay) / CivilTime.microsPerSecond)
        var r = takeReasons(c)
        defer { childReasons[c] = r }
        r.begin("appointment")
        r.text("slot "); r.date(day); r.text(" "); r.time(a); r.text("-"); r.time(min(b, 86_400))
        if !slots.contains(where: { $0.start == a && $0.end == b }) {
            r.text(" ignored: not a slot of the table")
        } else if day - orderDay > Int64(plan.settings.appointmentMaxDays) || day < orderDay {
            r.text(" ignored: more than "); r.int(plan.settings.appointmentMaxDays); r.text(" days ahead")
        } else if let earliest = children[c].promisedFrom, to < earliest {
            r.text(" ignored: before the earliest delivery "); r.timestamp(earliest)
        } else {
            hit(.appointmentKept)
            children[c].promisedFrom = from
            children[c].promisedTo = to
            r.text(" kept: overrides the computed promise")
            r.end()
            return
        }
        hit(.appointmentIgnored)
        r.end()
    }

    /// The dates the feed carries on its lines (TPC-H commit, ship and receipt dates), the
    /// latest of the child's lines: the committed date replaces the computed promise; a
    /// date-only ship or receipt is taken at the start of its day in the warehouse's zone,
    /// and a committed date runs to the end of its day.
    func feedDates(_ v: BatchView, child c: Int, clock: ZoneClock) {
        let s = plan.settings
        let facts = self.facts, lines = children[c].start..<children[c].end  // read once, not per line
        func latest(_ col: Int?) -> Int64? {
            guard let col else { return nil }
            var out: Int64? = nil
            for i in lines {
                if let d = v.lineInt(col, facts[i].line) { out = max(out ?? .min, d) }
            }
            return out
        }
        if let d = latest(s.feedPromisedDelivery) {
            hit(.feedPromise)
            children[c].promisedFrom = clock.utc(day: d, seconds: 0)
            children[c].promisedTo = clock.utc(day: d + 1, seconds: 0) - 1
            var r = takeReasons(c)
            r.begin("promise_feed")
            r.text("from the feed, replacing the computed promise: line "); r.text(OrderSchema.lineFields[s.feedPromisedDelivery!].name); r.text(" ")
            r.date(d)
            r.end()
            childReasons[c] = r
        }
        if let d = latest(s.feedShipped) { children[c].shipped = clock.utc(day: d, seconds: 0) }
        if let d = latest(s.feedDelivered) { children[c].delivered = clock.utc(day: d, seconds: 0) }
    }

    /// F13: late ship and late delivery against the plan, when the times are known.
    func sla(_ v: BatchView, _ row: Int, child c: Int) {
        if children[c].shipped == nil { children[c].shipped = v.int(F.shippedAt, row) }
        if children[c].delivered == nil { children[c].delivered = v.int(F.deliveredAt, row) }
        let ch = children[c]
        if let s = ch.shipped {
            children[c].lateShip = s > ch.shipBy
            if s > ch.shipBy { hit(.lateShip) }
        }
        if let d = ch.delivered, let to = ch.promisedTo {
            children[c].lateDelivery = d > to
            if d > to { hit(.lateDelivery) }
        }
        let c2 = children[c]
        guard let service = c2.service else { return }
        count(&slaByWarehouse[c2.warehouse], c2)
        count(&slaByCarrier[serviceCarrier[service]], c2)
    }

    private func count(_ s: inout SLACount, _ ch: ChildPlan) {
        s.shipments += 1
        if let l = ch.lateShip { s.shipKnown += 1; if l { s.lateShip += 1 } }
        if let l = ch.lateDelivery { s.deliveryKnown += 1; if l { s.lateDelivery += 1 } }
    }
}
