import OrderModel
import Testing
@testable import Fulfillment

/// F10, F13, F14: the 211 promise, transit windows, appointments and SLA flags.
@Suite struct PromiseTests {
    @Test func twoOneOnePromiseAtItsBoundaries() throws {
        // Shanghai, JD-211 (east -> east). 10:59 local -> the same day by 23:00 (15:00Z).
        let (a, _) = try run(try shippedPlan(), cnOrder(created: "2026-03-03T02:59:00Z", lines: [smallLine()]))
        #expect(a[1].string("service_level") == "next_day")
        #expect(a[1].int("promised_delivery_to") == ts("2026-03-03T15:00:00Z"))
        #expect(a[1].int("promised_delivery_from") == ts("2026-03-03T02:59:00Z"))
        #expect(a[1].reasons()["promise"]!.hasPrefix("JD-211 tier: ordered before 11:00 on 2026-03-03 -> delivered by 2026-03-03 23:00"))
        // 11:00 sharp -> the next day by 15:00 (07:00Z).
        let (b, _) = try run(try shippedPlan(), cnOrder(created: "2026-03-03T03:00:00Z", lines: [smallLine()]))
        #expect(b[1].int("promised_delivery_to") == ts("2026-03-04T07:00:00Z"))
        // 23:30 local is past the last tier: it counts as the next morning's order.
        let (c, _) = try run(try shippedPlan(), cnOrder(created: "2026-03-03T15:30:00Z", lines: [smallLine()]))
        #expect(c[1].int("promised_delivery_to") == ts("2026-03-04T15:00:00Z"))
        // Across zones there is no 211 lane: Xiamen (east) ships from the Guangzhou RDC (south).
        let (d, _) = try run(try shippedPlan(), cnOrder(province: "福建省", city: "厦门市", lines: [smallLine()]))
        #expect(d[1].string("warehouse_code") == "CN-GZ-RDC")
        #expect(d[1].string("service_level") == "standard")
        #expect(d[1].reasons()["service"]!.contains("JD-211 no transit time to the destination zone"))
    }

    @Test func peakDaysAreBlackedOut() throws {
        let (out, _) = try run(try shippedPlan(), cnOrder(created: "2026-11-11T02:00:00Z", lines: [smallLine()]))
        #expect(out[1].reasons()["service"]!.contains("JD-211 blacked out on the order day"))
    }

    @Test func transitWindowOverTheCarrierCalendar() throws {
        // JD-STD east -> east, 1-2 days over CN-2026-7D, 09:00-21:00. Shipping 15 Feb, the
        // 16-18 Feb closure pushes delivery to 19-20 Feb.
        let order = cnOrder(created: "2026-02-15T02:00:00Z", extra: ["service_level": "standard"], lines: [smallLine()])
        let (out, _) = try run(try shippedPlan(), order)
        #expect(out[1].int("promised_ship_by") == ts("2026-02-15T15:59:59Z"))
        #expect(out[1].int("promised_delivery_from") == ts("2026-02-19T01:00:00Z"))
        #expect(out[1].int("promised_delivery_to") == ts("2026-02-20T13:00:00Z"))
    }

    @Test func bookedSlotsKeptOrIgnored() throws {
        func order(_ from: String, _ to: String) -> OrderBuilder {
            cnOrder(created: "2026-03-03T02:00:00Z",
                    extra: ["service_level": "standard", "promised_delivery_from": from, "promised_delivery_to": to],
                    lines: [smallLine()])
        }
        // 5 March 09:00-15:00 local: a slot of the table, within 7 days, after the earliest delivery.
        let (kept, s1) = try run(try shippedPlan(), order("2026-03-05T01:00:00Z", "2026-03-05T07:00:00Z"))
        #expect(kept[1].int("promised_delivery_from") == ts("2026-03-05T01:00:00Z"))
        #expect(kept[1].int("promised_delivery_to") == ts("2026-03-05T07:00:00Z"))
        #expect(kept[1].reasons()["appointment"] == "slot 2026-03-05 09:00-15:00 kept: overrides the computed promise")
        #expect(s1.rules.first { $0.id == "F14.appointment_kept" }?.hits == 1)
        // Twelve days ahead: ignored, the computed promise stands (4-5 March).
        let (far, _) = try run(try shippedPlan(), order("2026-03-15T01:00:00Z", "2026-03-15T07:00:00Z"))
        #expect(far[1].int("promised_delivery_to") == ts("2026-03-05T13:00:00Z"))
        #expect(far[1].reasons()["appointment"] == "slot 2026-03-15 09:00-15:00 ignored: more than 7 days ahead")
        // Not a slot of the table.
        let (odd, _) = try run(try shippedPlan(), order("2026-03-05T02:00:00Z", "2026-03-05T07:00:00Z"))
        #expect(odd[1].reasons()["appointment"]!.hasSuffix("ignored: not a slot of the table"))
        // Before the earliest delivery (3 March is the ship day).
        let (early, _) = try run(try shippedPlan(), order("2026-03-03T07:00:00Z", "2026-03-03T11:00:00Z"))
        #expect(early[1].reasons()["appointment"]!.contains("ignored: before the earliest delivery"))
    }

    @Test func slaBreachesAreFlaggedAndCounted() throws {
        // Ship-by 3 March 23:59:59 local; JD-211 promises 3 March 23:00 local.
        let late = cnOrder(created: "2026-03-03T02:00:00Z",
                           extra: ["shipped_at": "2026-03-03T16:30:00Z", "delivered_at": "2026-03-04T02:00:00Z"],
                           lines: [smallLine()])
        let (out, summary) = try run(try shippedPlan(), late)
        #expect(out[1].int("late_ship") == 1 && out[1].int("late_delivery") == 1)
        let onTime = cnOrder(created: "2026-03-03T02:00:00Z",
                             extra: ["shipped_at": "2026-03-03T10:00:00Z", "delivered_at": "2026-03-03T14:59:59Z"],
                             lines: [smallLine()])
        let (ok, _) = try run(try shippedPlan(), onTime)
        #expect(ok[1].int("late_ship") == 0 && ok[1].int("late_delivery") == 0)
        #expect(summary.slaByWarehouse["CN-SH-RDC"] == {
            var c = SLACount(); c.shipments = 1; c.shipKnown = 1; c.lateShip = 1; c.deliveryKnown = 1; c.lateDelivery = 1
            return c
        }())
        #expect(summary.slaByCarrier["JD"]?.lateDeliveryShare == 1)
        // Without shipped/delivered times there is nothing to flag.
        let (none, _) = try run(try shippedPlan(), cnOrder(lines: [smallLine()]))
        #expect(none[1].int("late_ship") == nil && none[1].int("late_delivery") == nil)
    }

    @Test func feedDatesReplaceThePromise() throws {
        let plan = try FulfillmentPlan.load(path: repoRoot + "/Pipelines/rules/tpch-fulfillment.yaml")
        var b = OrderBuilder()
        b.add(["order_id": "tpch:1", "source": "tpch", "external_order_id": "1", "order_type": "sale", "status": "DELIVERED",
               "created_at": "1996-01-02T00:00:00Z", "order_date": "1996-01-02", "currency": "USD"],
              lines: [["quantity": "17", "ship_mode": "TRUCK", "ship_date": "1996-03-13", "commit_date": "1996-02-12",
                       "receipt_date": "1996-03-22"],
                      ["quantity": "8", "ship_mode": "REG AIR", "ship_date": "1996-01-29", "commit_date": "1996-03-05",
                       "receipt_date": "1996-01-31"]])
        let (out, summary) = try run(plan, b)
        #expect(out.count == 3)
        #expect(out[1].string("carrier") == "ROADHAUL" && out[2].string("carrier") == "AIRLINK")
        #expect(out[1].int("late_delivery") == 1 && out[2].int("late_delivery") == 0)
        #expect(out[1].int("promised_delivery_to") == ts("1996-02-12T23:59:59Z") + 999_999)
        #expect(out[1].int("delivered_at") == ts("1996-03-22T00:00:00Z"))
        #expect(out[1].string("status") == "DELIVERED")
        #expect(summary.slaByCarrier["ROADHAUL"]?.lateDelivery == 1)
    }
}
