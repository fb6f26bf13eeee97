import OrderModel
import Testing
@testable import Fulfillment

/// F9: cut-off, calendar and time zone (hand-worked against the shipped tables).
@Suite struct ShipByTests {
    private func child(_ b: OrderBuilder) throws -> Planned {
        let (out, _) = try run(try shippedPlan(), b)
        return try #require(out.first { $0.string("parent_order_id") != nil })
    }

    @Test func cutOffExactlyAtTheBoundaryShipsNextDay() throws {
        // CN-SH-COLD: cut-off 15:00 Asia/Shanghai = 07:00Z.
        let chilled = smallLine(["temp_class": "chilled"])
        let before = try child(cnOrder(created: "2026-03-03T06:59:59Z", lines: [chilled]))
        #expect(before.string("warehouse_code") == "CN-SH-COLD")
        #expect(before.int("promised_ship_by") == ts("2026-03-03T15:59:59Z"))
        #expect(before.reasons()["ship_by"]!.contains("before the cut-off 15:00"))
        let at = try child(cnOrder(created: "2026-03-03T07:00:00Z", lines: [chilled]))
        #expect(at.int("promised_ship_by") == ts("2026-03-04T15:59:59Z"))
        #expect(at.reasons()["ship_by"]!.contains("at or after the cut-off 15:00, ships 2026-03-04"))
    }

    @Test func localDayIsTheWarehouseDayNotTheUTCDay() throws {
        // 23:30Z on 2 March is 07:30 on 3 March in Shanghai.
        let c = try child(cnOrder(created: "2026-03-02T23:30:00Z", lines: [smallLine()]))
        #expect(c.string("warehouse_code") == "CN-SH-RDC")
        #expect(c.int("promised_ship_by") == ts("2026-03-03T15:59:59Z"))
        #expect(c.reasons()["ship_by"]!.contains("ordered 2026-03-03 07:30"))
    }

    @Test func germanCutOffInSummerAndWinterTime() throws {
        func de(_ created: String) -> OrderBuilder {
            cnOrder(created: created, province: "Berlin", city: "Berlin",
                    extra: ["consignee_country": "DE", "consignee_postal_code": "10115", "currency": "EUR"],
                    lines: [smallLine()])
        }
        // 12:30Z is 14:30 CEST: after DE-BER's 14:00 cut-off; ships Thu 2 July by 20:00 CEST.
        let summer = try child(de("2026-07-01T12:30:00Z"))
        #expect(summer.string("warehouse_code") == "DE-BER")
        #expect(summer.int("promised_ship_by") == ts("2026-07-02T18:00:00Z"))
        // DHL-EXPRESS: one day over Mon-Sat, 08:00-12:00.
        #expect(summer.string("carrier") == "DHL" && summer.string("service_level") == "next_day")
        #expect(summer.int("promised_delivery_from") == ts("2026-07-03T06:00:00Z"))
        #expect(summer.int("promised_delivery_to") == ts("2026-07-03T10:00:00Z"))
        // 12:30Z is 13:30 CET in January: before the cut-off, ships the same day by 20:00 CET.
        let winter = try child(de("2026-01-07T12:30:00Z"))
        #expect(winter.int("promised_ship_by") == ts("2026-01-07T19:00:00Z"))
        #expect(winter.int("promised_delivery_to") == ts("2026-01-08T11:00:00Z"))
    }

    @Test func bulkyOrderOverTheSpringFestival() throws {
        // CN-LF-BULKY (CN-2026, cut-off 14:00, 1 handling day). Ordered Fri 13 Feb 10:00: ships
        // that day + 1 working day = Sat 14 Feb (a make-up day). DEPPON-BULKY north -> east is
        // the default 4-7 days over CN-2026: 24, 25, 26, 27 Feb ... 28 Feb (make-up), 2, 3 Mar.
        let tv: [String: Any] = ["sku": "TV-65-OLED", "quantity": "1", "unit_price": "6999.00",
                                 "extended_price": "6999.00", "unit_weight_g": 35000, "length_cm": 145,
                                 "width_cm": 20, "height_cm": 90]
        let c = try child(cnOrder(created: "2026-02-13T02:00:00Z", lines: [tv]))
        #expect(c.string("warehouse_code") == "CN-LF-BULKY")
        #expect(c.int("promised_ship_by") == ts("2026-02-14T15:59:59Z"))
        #expect(c.string("carrier") == "DEPPON" && c.string("service_level") == "standard")
        #expect(c.int("promised_delivery_from") == ts("2026-02-27T01:00:00Z"))
        #expect(c.int("promised_delivery_to") == ts("2026-03-03T10:00:00Z"))
        // 145 x 20 x 90 = 261,000 cm3 / 6000 = 43,500 g volumetric over 35,000 g actual.
        #expect(c.int("chargeable_weight_g") == 43_500)
        // 80.00 for the first 30 kg + 2 started 10 kg steps x 15.00.
        #expect(c.int("freight_amount") == money("110.00"))
        #expect(c.reasons()["service"]!.contains("downgraded from next_day because JD-211 does not carry these goods"))
    }
}
