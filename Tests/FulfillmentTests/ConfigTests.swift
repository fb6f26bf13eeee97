import OrderModel
import Testing
@testable import Fulfillment

/// Loading: the shipped files are valid; mistakes name file, line and field (exit 78).
@Suite struct ConfigTests {
    @Test func shippedConfigurationsLoad() throws {
        let cn = try shippedPlan()
        #expect(cn.warehouses.count == 13 && cn.services.count == 8)
        #expect(cn.settings.appointmentSlots.count == 3 && cn.settings.defaultServiceLevel == "next_day")
        let tpch = try FulfillmentPlan.load(path: repoRoot + "/Pipelines/rules/tpch-fulfillment.yaml")
        #expect(tpch.services.count == 7 && tpch.settings.splitBy == ["line"])
    }

    private func loadError(_ tables: String, rules: String? = nil) throws -> WaybillError {
        let r = rules ?? "version: 1\ntables: { calendars: t.yaml, warehouses: t.yaml, services: t.yaml }\n"
        do {
            _ = try makePlan(rules: r, tables: ["t.yaml": tables])
        } catch let e as WaybillError {
            return e
        }
        Issue.record("expected a configuration error")
        return .usage("none")
    }

    private let good = """
        calendars: { WEEK: { working_days: [mon, tue, wed, thu, fri] } }
        warehouses:
          - { id: W, coverage: [CN], time_zone: Asia/Shanghai, calendar: WEEK, cutoff: "16:00" }
        services:
          - { id: S, carrier: C, level: standard, default_transit: 1-2, price: [{ first_price: "5" }] }
        """

    @Test func goodTablesLoad() throws {
        let plan = try makePlan(rules: "version: 1\ntables: { calendars: t.yaml, warehouses: t.yaml, services: t.yaml }\n",
                                tables: ["t.yaml": good])
        #expect(plan.warehouses[0].cutoff == 16 * 3600)
    }

    @Test func errorsNameFileLineAndField() throws {
        let bad = good.replacingOccurrences(of: "\"16:00\"", with: "\"25:00\"")
        let e = try loadError(bad)
        #expect(e.exitCode == 78)
        #expect(e.description.contains("t.yaml:3:") && e.description.contains("warehouse W: field 'cutoff' must be a time HH:MM"))

        let cal = try loadError(good.replacingOccurrences(of: "calendar: WEEK", with: "calendar: MOON"))
        #expect(cal.description.contains("t.yaml:3:") && cal.description.contains("unknown calendar 'MOON'"))

        let tz = try loadError(good.replacingOccurrences(of: "Asia/Shanghai", with: "Asia/Atlantis"))
        #expect(tz.description.contains("unknown time zone 'Asia/Atlantis'"))

        let region = try loadError(good.replacingOccurrences(of: "coverage: [CN]", with: "coverage: [CN/a/b/c]"))
        #expect(region.description.contains("'CN/a/b/c' is not a region"))

        let typo = try loadError(good.replacingOccurrences(of: "cutoff:", with: "cut_off:"))
        #expect(typo.description.contains("unknown field 'cut_off'"))

        let days = try loadError(good.replacingOccurrences(of: "1-2", with: "3-1"))
        #expect(days.description.contains("t.yaml:5:") && days.description.contains("transit days must be N or N-M"))

        let split = try loadError(good, rules: "tables: { calendars: t.yaml, warehouses: t.yaml, services: t.yaml }\nsplit_by: [colour]\n")
        #expect(split.description.contains("rules.yaml:2:") && split.description.contains("unknown dimension 'colour'"))

        // Past the planner's bounds (a billing step of 10^17 g overflowed the rounding).
        let step = try loadError(good, rules: "tables: { calendars: t.yaml, warehouses: t.yaml, services: t.yaml }\n"
            + "weight: { volumetric_divisor: 6000, step_g: 100000000000000000 }\n")
        #expect(step.description.contains("rules.yaml:2:") && step.description.contains("field 'step_g' must be an integer from 1 to 1000000000000"))
    }

    @Test func missingFileIsInputNotFound() throws {
        #expect(throws: WaybillError.self) { try FulfillmentPlan.load(path: "/nonexistent/fulfillment.yaml") }
        do { _ = try FulfillmentPlan.load(path: "/nonexistent/fulfillment.yaml") } catch { #expect(error.exitCode == 66) }
    }

    @Test func regionPatterns() throws {
        var d = Destination()
        d.country = Array("CN".utf8); d.province = Array("浙江省".utf8); d.city = Array("杭州市".utf8); d.postal = Array("310012".utf8)
        #expect(RegionPattern("*")!.match(d) == 0)
        #expect(RegionPattern("cn")!.match(d) == 1)
        #expect(RegionPattern("CN/浙江省")!.match(d) == 2)
        #expect(RegionPattern("CN/浙江省/杭州市")!.match(d) == 3)
        #expect(RegionPattern("CN/zip:31")!.match(d) == 6)
        #expect(RegionPattern("CN/zip:32")!.match(d) == nil)
        #expect(RegionPattern("CN/江苏省")!.match(d) == nil)
        #expect(RegionPattern("CN/zip:") == nil && RegionPattern("") == nil)
    }
}
