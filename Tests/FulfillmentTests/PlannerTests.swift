import OrderModel
import Testing
@testable import Fulfillment

/// F1-F8, F12: warehouses, the split, weight and freight, carrier eligibility and downgrade.
@Suite struct PlannerTests {
    nonisolated(unsafe) static let tv: [String: Any] = ["sku": "TV-65-OLED", "quantity": "1", "unit_price": "6999.00",
                                    "extended_price": "6999.00", "unit_weight_g": 35000, "length_cm": 145,
                                    "width_cm": 20, "height_cm": 90]

    @Test func splitAcrossThreeWarehousesIsStable() throws {
        let lines = [smallLine(), smallLine(["sku": "MILK-1L", "temp_class": "chilled"]), Self.tv]
        let order = cnOrder(id: "shop:77", extra: ["is_cod": true, "cod_amount": "7099.00", "grand_total": "7099.00"],
                            lines: lines)
        let (out, summary) = try run(try shippedPlan(), order)
        #expect(out.count == 4)
        let parent = out[0]
        #expect(parent.string("order_id") == "shop:77" && parent.string("status") == "PAID")
        #expect(parent.int("child_count") == 3 && parent.lineNumbers == [1, 2, 3])
        #expect(parent.reasons()["split"] == "3 child orders by warehouse, seller, temp_class, bulky")
        // Children in sorted warehouse-id order: CN-LF-BULKY < CN-SH-COLD < CN-SH-RDC.
        #expect(out[1...].map { $0.string("order_id")! } == ["shop:77-1", "shop:77-2", "shop:77-3"])
        #expect(out[1...].map { $0.string("warehouse_code")! } == ["CN-LF-BULKY", "CN-SH-COLD", "CN-SH-RDC"])
        #expect(out[1...].map(\.lineNumbers) == [[3], [2], [1]])
        // The parent's lines name the child shipping each; the children's own copies do not.
        #expect(parent.lineChildren == ["shop:77-3", "shop:77-2", "shop:77-1"])
        #expect(out[1...].allSatisfy { $0.lineChildren == [nil] })
        #expect(out[1...].allSatisfy { $0.string("parent_order_id") == "shop:77" && $0.string("status") == "ALLOCATED" })
        // The chilled child's share of the COD rules out JD-COLD (no COD): SF economy carries it.
        #expect(out[1...].map { $0.string("carrier")! } == ["DEPPON", "SF", "JD"])
        #expect(out[2].string("service_level") == "economy")
        // COD shared by line value, summing exactly to the parent's.
        #expect(out[1...].map { $0.int("cod_amount")! }.reduce(0, +) == money("7099.00"))
        #expect(out[1].int("cod_amount") == money("6999.00"))
        #expect(summary.books.balances && summary.books.ordersOut == 4)
        #expect(summary.rules.first { $0.id == "F3.split" }?.hits == 1)
        // Planning the same order again gives the same children.
        let (again, _) = try run(try shippedPlan(), order)
        #expect(again.map { $0.string("order_id")! } == out.map { $0.string("order_id")! })
        #expect(again.map { $0.reasons() } == out.map { $0.reasons() })
    }

    /// What `waybill run` asks when the fulfill stage feeds the dataset writer: children carry
    /// the fields the writer reads of them and no lines; parents, plans and books are as ever.
    @Test func childrenForTheWriterCarryOnlyTheFieldsAskedFor() throws {
        let lines = [smallLine(), smallLine(["sku": "MILK-1L", "temp_class": "chilled"]), Self.tv]
        let order = cnOrder(id: "shop:78", lines: lines)
        let (full, fullSummary) = try run(try shippedPlan(), order)
        let kept = ["order_id", "parent_order_id", "warehouse_code", "plan_reasons", "currency"]
        let f = Fulfiller(plan: try shippedPlan())
        f.childFields = Set(kept.map { OrderSchema.orderFieldIndex($0)! })
        var out = OrderBatch()
        try f.process(order.batch, into: &out, rejects: try RejectWriter(path: nil))
        let summary = f.finish()
        #expect(out.count == full.count && out.count == 4)
        let parent = Planned(batch: out, row: 0)
        #expect(parent.lineNumbers == [1, 2, 3] && parent.lineChildren == full[0].lineChildren)
        #expect(parent.string("consignee_city") == "上海市" && parent.int("child_count") == 3)
        for k in 1..<4 {
            let child = Planned(batch: out, row: k)
            for name in kept where name != "plan_reasons" {
                #expect(child.string(name) == full[k].string(name), "\(name) of child \(k)")
            }
            #expect(child.reasons() == full[k].reasons())
            // Set by the planner, so there whatever is asked; copied fields outside the set are null.
            #expect(child.string("carrier") == full[k].string("carrier") && child.int("line_count") == 1)
            #expect(child.string("consignee_city") == nil && full[k].string("consignee_city") == "上海市")
            #expect(child.string("external_order_id") == nil && child.lineNumbers.isEmpty)
        }
        #expect(out.lines.rowCount == 3)
        #expect(summary.books == fullSummary.books)
    }

    @Test func mostSpecificRegionWins() throws {
        // Hangzhou: the city FDC beats the province-level RDC listed after it and the national CDC.
        let (out, _) = try run(try shippedPlan(), cnOrder(province: "浙江省", city: "杭州市", lines: [smallLine()]))
        #expect(out[1].string("warehouse_code") == "CN-HZ-FDC")
        #expect(out[1].reasons()["warehouse"] == "CN-HZ-FDC: 1 candidate at the most specific region CN/浙江省/杭州市; first in priority order")
        // Ningbo: the province RDC.
        let (nb, _) = try run(try shippedPlan(), cnOrder(province: "浙江省", city: "宁波市", lines: [smallLine()]))
        #expect(nb[1].string("warehouse_code") == "CN-SH-RDC")
    }

    @Test func noWarehouseHoldsTheWholeOrder() throws {
        let (out, summary) = try run(try shippedPlan(),
            cnOrder(province: "Tokyo", city: "Tokyo", extra: ["consignee_country": "JP"], lines: [smallLine()]))
        #expect(out.count == 1)
        #expect(out[0].string("status") == "ON_HOLD" && out[0].holds == [HoldCode.noWarehouse])
        #expect(out[0].int("child_count") == 0 && out[0].lineChildren == [nil])
        #expect(out[0].reasons()["hold"]!.hasPrefix("no_warehouse: line 1 (ambient): no warehouse covers JP/Tokyo/Tokyo"))
        #expect(summary.rules.first { $0.id == "F1.no_warehouse" }?.hits == 1)
    }

    @Test func insufficientStockHolds() throws {
        // Guangzhou: CN-FS-BULKY (province) is the most specific bulky node; it holds 25 TVs.
        var tv30 = Self.tv
        tv30["quantity"] = "30"
        let (out, _) = try run(try shippedPlan(), cnOrder(province: "广东省", city: "广州市", lines: [tv30]))
        #expect(out.count == 1 && out[0].holds == [HoldCode.insufficientStock])
        #expect(out[0].reasons()["hold"]!.contains("(CN-FS-BULKY) has stock for quantity 30"))
        // 25 fit, and are reserved: the next order for the same stock is held.
        var tv25 = Self.tv
        tv25["quantity"] = "25"
        var two = cnOrder(id: "shop:1", province: "广东省", city: "广州市", lines: [tv25])
        two.add(cnOrder(id: "shop:2", province: "广东省", city: "广州市", lines: [Self.tv]).fields, lines: [Self.tv])
        let (both, _) = try run(try shippedPlan(), two)
        #expect(both[1].string("warehouse_code") == "CN-FS-BULKY")
        #expect(both[2].holds == [HoldCode.insufficientStock])
    }

    @Test func highestStockStrategyChoosesTheFullerWarehouse() throws {
        let rules = """
            version: 1
            tables: { calendars: t.yaml, warehouses: t.yaml, services: t.yaml, stock: t.yaml }
            strategy: highest_stock
            """
        let tables = """
            calendars: { WEEK: { working_days: [mon, tue, wed, thu, fri] } }
            warehouses:
              - { id: W-A, coverage: [CN], time_zone: Asia/Shanghai }
              - { id: W-B, coverage: [CN], time_zone: Asia/Shanghai }
              - { id: W-C, coverage: [CN/上海市], time_zone: Asia/Shanghai }
            services:
              - { id: S, carrier: C, level: next_day, default_transit: 1, price: [{ first_price: "5" }] }
            stock:
              - { warehouse: W-A, sku: X, qty: 5 }
              - { warehouse: W-B, sku: X, qty: 9 }
              - { warehouse: W-C, sku: Y, qty: 1 }
            """
        let plan = try makePlan(rules: rules, tables: ["t.yaml": tables])
        let (out, _) = try run(plan, cnOrder(province: "北京市", city: "北京市", lines: [smallLine(["sku": "X", "quantity": "2"])]))
        #expect(out[1].string("warehouse_code") == "W-B")
        #expect(out[1].reasons()["warehouse"] == "W-B: 2 candidates at the most specific region CN; highest stock 9")
        // Only the most specific candidates compete: W-C wins Shanghai even with less stock.
        let (sh, _) = try run(plan, cnOrder(lines: [smallLine(["sku": "Y"])]))
        #expect(sh[1].string("warehouse_code") == "W-C")
    }

    @Test func chargeableWeightAndFirstPlusContinuedWeight() throws {
        // JD-STD rule 1 (<= 3 kg): 10.00 for the first 1000 g + 2.00 per started 1000 g.
        let light = cnOrder(extra: ["service_level": "standard"], lines: [smallLine(["unit_weight_g": 2350, "unit_price": "30.00", "extended_price": "30.00"])])
        let (a, _) = try run(try shippedPlan(), light)
        #expect(a[1].int("chargeable_weight_g") == 2400)  // rounded up to 100 g
        #expect(a[1].int("freight_amount") == money("14.00"))
        #expect(a[1].reasons()["freight"] == "JD-STD price rule 1: 10 for the first 1000 g + 2 x 2 per 1000 g = 14")
        // 50 x 40 x 30 cm = 60,000 cm3 -> 10,000 g volumetric: rule 2, 12.00 + 9 x 3.00.
        let boxy = cnOrder(extra: ["service_level": "standard"], lines: [smallLine(["unit_weight_g": 2350, "unit_price": "30.00", "extended_price": "30.00", "length_cm": 50, "width_cm": 40, "height_cm": 30])])
        let (b, _) = try run(try shippedPlan(), boxy)
        #expect(b[1].int("chargeable_weight_g") == 10_000)
        #expect(b[1].int("freight_amount") == money("39.00"))
        #expect(b[1].reasons()["weight"]!.hasPrefix("chargeable 10000 g = volumetric 10000 g (60000 cm3 / 6000) over actual 2350 g"))
        // Goods worth 99.00 or more ship free.
        let rich = cnOrder(extra: ["service_level": "standard"], lines: [smallLine(["unit_price": "120.00", "extended_price": "120.00"])])
        let (c, _) = try run(try shippedPlan(), rich)
        #expect(c[1].int("freight_amount") == 0)
        #expect(c[1].reasons()["freight"] == "free: order goods value 120 >= free_over 99")
    }

    @Test func premiumServiceDowngradedOverTheWeightCap() throws {
        let heavy = cnOrder(lines: [smallLine(["unit_weight_g": 18000])])
        let (out, summary) = try run(try shippedPlan(), heavy)
        #expect(out[1].string("carrier") == "JD" && out[1].string("service_level") == "standard")
        #expect(out[1].reasons()["service"]
            == "JD-STD (JD, standard): downgraded from next_day because JD-211 weight 18000 g over the cap 15000 g")
        #expect(summary.rules.first { $0.id == "F12.downgrade" }?.hits == 1)
        // A marketplace seller cannot have 211 either.
        let (pop, _) = try run(try shippedPlan(), cnOrder(lines: [smallLine(["seller_id": "pop-123"])]))
        #expect(pop[1].reasons()["service"]!.contains("because JD-211 excludes the seller (first-party only)"))
    }

    @Test func codOverTheLimitHoldsTheChild() throws {
        let order = cnOrder(extra: ["is_cod": true, "cod_amount": "25000.00", "grand_total": "25000.00"],
                            lines: [smallLine(["unit_price": "25000.00", "extended_price": "25000.00"])])
        let (out, summary) = try run(try shippedPlan(), order)
        #expect(out.count == 2)
        #expect(out[0].string("status") == "PAID" && out[0].int("child_count") == 1)
        #expect(out[1].string("status") == "ON_HOLD" && out[1].holds == [HoldCode.codOverLimit])
        #expect(out[1].string("carrier") == nil)
        #expect(out[1].reasons()["hold"] == "cod_over_limit: no service from next_day down carries it; "
            + "JD-211 COD amount 25000 outside 0...5000")
        #expect(summary.rules.first { $0.id == "F7.cod_over_limit" }?.hits == 1)
        // Within JD-STD's 20,000 limit it ships, downgraded from 211.
        let ok = cnOrder(extra: ["is_cod": true, "cod_amount": "8000.00"],
                         lines: [smallLine(["unit_price": "8000.00", "extended_price": "8000.00"])])
        let (o2, _) = try run(try shippedPlan(), ok)
        #expect(o2[1].string("status") == "ALLOCATED" && o2[1].int("cod_amount") == money("8000.00"))
        #expect(o2[1].reasons()["service"]!.contains("JD-211 COD amount 8000 outside 0...5000"))
    }

    @Test func passThroughAndRejects() throws {
        var b = cnOrder(id: "shop:1", extra: ["status": "CANCELLED"], lines: [smallLine()])
        b.add(cnOrder(id: "shop:2", lines: [smallLine(["quantity": "0"])]).fields, lines: [smallLine(["quantity": "0"])])
        let f = Fulfiller(plan: try shippedPlan())
        var out = OrderBatch()
        let rejects = try RejectWriter(path: nil)
        try f.process(b.batch, into: &out, rejects: rejects)
        #expect(out.count == 1 && out.orders.columns[OrderField.status].string(0) == "CANCELLED")
        #expect(rejects.byCode == ["fulfill.bad_order": 1])
        let s = f.finish()
        #expect(s.books.recordsIn == 2 && s.books.rowsOut == 1 && s.books.rejected == 1 && s.books.balances)
        // Planned output fed back in passes through unchanged (idempotent re-runs).
        var again = OrderBatch()
        try Fulfiller(plan: try shippedPlan()).process(try run(try shippedPlan(), cnOrder(lines: [smallLine()])).out[0].batch,
                                                       into: &again, rejects: rejects)
        #expect(again.count == 2)
        #expect(Planned(batch: again, row: 0).lineChildren == ["shop:1-1"])  // kept by the pass-through
    }
}

extension OrderBuilder {
    /// The header fields of the first order, to add it again to another builder.
    var fields: [String: Any] {
        var out: [String: Any] = [:]
        for (i, f) in OrderSchema.orderFields.enumerated() where !batch.orders.columns[i].isNull(0) {
            switch f.kind {
            case .string: out[f.name] = batch.orders.columns[i].string(0)!
            case .timestamp: out[f.name] = CivilTime.timestampString(micros: batch.orders.columns[i].int(0))
            case .date: out[f.name] = CivilTime.dateString(days: batch.orders.columns[i].int(0))
            case .decimal: out[f.name] = ExactDecimal.string(batch.orders.columns[i].int(0))
            case .bool: out[f.name] = batch.orders.columns[i].int(0) != 0
            case .int32, .int64: out[f.name] = Int(batch.orders.columns[i].int(0))
            default: break
            }
        }
        return out
    }
}

@Suite struct InsuredTests {
    @Test func insuredValueCappedAtTheParcelsGoods() throws {
        // 2,000.00 insured on 50.00 + 150.00 of goods split into two warehouses (ambient, chilled):
        // shares 500 and 1500, capped at 50 and 150.
        let order = cnOrder(extra: ["insured": true, "insured_value": "2000.00", "service_level": "standard"],
                            lines: [smallLine(), smallLine(["sku": "MILK", "temp_class": "chilled", "unit_price": "150.00",
                                                            "extended_price": "150.00"])])
        let (out, summary) = try run(try shippedPlan(), order)
        #expect(out.count == 3)
        #expect(out[1...].map { $0.int("insured_value")! } == [money("150.00"), money("50.00")])
        #expect(out[1].reasons()["insured"] == "insured value 1500 capped at the parcel's goods value 150")
        #expect(summary.rules.first { $0.id == "F8.insured_capped" }?.hits == 2)
    }
}

/// Orders the planner's arithmetic must survive: a refund line with a negative value, and
/// numbers past its limits (each used to trap on overflow and end the process).
@Suite struct PlannerRangeTests {
    @Test func aNegativeLineValueSharesTheTotalByLineCount() throws {
        // 100.00 of goods and a -99.00 refund line, in two warehouses (ambient, chilled): by value
        // the first child's share would be 100 times the total.
        let order = cnOrder(extra: ["grand_total": "5000.00"],
                            lines: [smallLine(["extended_price": "100.00"]),
                                    smallLine(["sku": "MILK", "temp_class": "chilled", "extended_price": "-99.00"])])
        let (out, _) = try run(try shippedPlan(), order)
        #expect(out.count == 3)
        #expect(out[1...].map { $0.int("grand_total")! } == [money("2500.00"), money("2500.00")])
        #expect(Set(out[1...].map { $0.int("subtotal")! }) == [money("100.00"), money("-99.00")])
    }

    @Test func numbersPastThePlannersLimitsAreRejects() throws {
        let cases: [(OrderBuilder, String)] = [
            (cnOrder(extra: ["total_weight_g": 9_000_000_000_000_000_000], lines: [smallLine()]),
             "total_weight_g 9000000000000000000 is past the planner's limit of 1000000000000 g"),
            (cnOrder(lines: [smallLine(["unit_weight_g": 4_000_000_000_000_000_000]), smallLine()]),
             "the lines weigh more than the planner's limit of 1000000000000 g"),
            (cnOrder(lines: [smallLine(["length_cm": 3_000_000])]),
             "line 1: length_cm 3000000 is past the planner's limit of 1000000 cm"),
            (cnOrder(lines: [smallLine(["extended_price": "90000000000000"]), smallLine(["extended_price": "90000000000000"])]),
             "the lines' values add up past the largest amount a dataset holds"),
        ]
        for (order, reason) in cases {
            let f = Fulfiller(plan: try shippedPlan())
            var out = OrderBatch()
            let rejects = RejectWriter(holding: ())
            try f.process(order.batch, into: &out, rejects: rejects)
            #expect(out.count == 0)
            #expect(rejects.held.map(\.reason) == [reason])
        }
    }
}
