import Foundation
import OrderModel
import Testing
@testable import Ingest

@Suite struct ProfileTests {
    func configError(_ yaml: String) -> WaybillError? {
        do {
            _ = try ProfileLoader.compile(yaml: yaml, path: "p.yaml")
            return nil
        } catch {
            return error
        }
    }

    func line(_ e: WaybillError?) -> Int? {
        if case .config(let f, let l, _, _)? = e, f == "p.yaml" { return l }
        return nil
    }

    @Test func errorsNameFileAndLine() {
        let base = "source: x\nformat: csv\norder:\n  order_id: a\n"
        #expect(line(configError(base + "  nonsense: b\n")) == 5)
        #expect(line(configError(base + "  status: { const: NOPE }\n")) == 5)
        #expect(line(configError(base + "  status: { from: s, colour: red }\n")) == 5)
        #expect(line(configError("source: x\nformat: xml\norder: {}\n")) == 2)
        #expect(line(configError("source: x\nformat: csv\norder:\n  order_id: [a\n")) != nil)  // YAML syntax
        #expect(line(configError("source: x\nformat: csv\norder:\n  created_at: { from: a, format: \"%Q\" }\n")) == 4)
        #expect(line(configError("format: csv\norder: {}\n")) == 1)
        #expect(configError(base)?.exitCode == nil)
        #expect(configError(base + "  nonsense: b\n")?.exitCode == 78)
    }

    /// Australia/Lord_Howe moves its clocks by 30 minutes: on 2010-10-03 local 02:00-02:29 does
    /// not exist and 02:30 is UTC+11, so one local hour holds two offsets. A time in the gap
    /// moves forward; a time after the change is at +11 whichever came first in the feed.
    @Test func halfHourTransitionSplitsTheLocalHour() throws {
        let yaml = """
            source: k
            format: csv
            order:
              order_id: a
              external_order_id: a
              order_type: { const: sale }
              status: { const: CREATED }
              created_at: { from: t, format: "%Y-%m-%d %H:%M", timezone: Australia/Lord_Howe }
            """
        let csv = "a,t\n1,2010-10-03 02:10\n2,2010-10-03 02:45\n3,2010-10-03 01:59\n4,2011-04-03 01:45\n5,2011-04-03 02:15\n"
        let dir = TempDir()
        let r = try Fixture.collect(try Fixture.profile(yaml), [dir.write("k.csv", csv)], dir: dir)
        #expect(r.rejects.isEmpty)
        // 2011-04-03: 02:00 at +11 becomes 01:30 at +10:30, so 01:30-01:59 happens twice (the
        // first time is taken) and 02:15 is at +10:30.
        #expect(r.orders.map { $0["created_at"] as! String } == [
            "2010-10-02T15:40:00Z", "2010-10-02T15:45:00Z", "2010-10-02T15:29:00Z",
            "2011-04-02T14:45:00Z", "2011-04-02T15:45:00Z",
        ])
    }

    @Test func missingProfileFileIsAConfigError() {
        #expect(throws: WaybillError.self) { _ = try ProfileLoader.load(path: "/nonexistent/p.yaml") }
    }

    @Test func shippedProfilesCompile() throws {
        for name in ["tpch-flat-csv.yaml", "tpch-nested-ndjson.yaml", "shop-csv.yaml", "jd-waybill-ndjson.yaml"] {
            let p = try Fixture.shipped(name)
            #expect(!p.orderOps.isEmpty, "\(name)")
        }
    }

    @Test func conditionsScalingTemplatesAndZones() throws {
        let yaml = """
            source: k
            format: csv
            order:
              order_id: "{source}-{a}/{b}"
              external_order_id: a
              order_type: { const: sale }
              status:
                first_of:
                  - { from: fin, map: { voided: CANCELLED } }
                  - { from: ful, map: { fulfilled: SHIPPED } }
                  - { const: PAID, when: { field: fin, in: [paid, authorized] } }
                  - { const: CREATED }
              created_at: { from: t, format: "%m/%d/%Y %H:%M", timezone: America/New_York }
              total_weight_g: { from: kg, multiply: 1000 }
              grand_total: { from: cents, divide: 100 }
              tags: { from: tags, split: "|" }
            """
        let csv = """
            a,b,fin,ful,t,kg,cents,tags
            1,x,voided,fulfilled,01/15/2025 10:00,1.2345,1999,a| b ||c
            2,y,paid,,07/15/2025 10:00,2,5,
            3,z,pending,,03/09/2025 03:30,0.5,100,

            """
        let dir = TempDir()
        let r = try Fixture.collect(try Fixture.profile(yaml), [dir.write("k.csv", csv)], dir: dir)
        #expect(r.rejects.isEmpty)
        #expect(r.orders.map { $0["status"] as! String } == ["CANCELLED", "PAID", "CREATED"])
        #expect(r.orders[0]["order_id"] as? String == "k-1/x")
        // New York: UTC-5 in January, UTC-4 in July; 03:30 on the spring-forward day is after the change.
        #expect(r.orders.map { $0["created_at"] as! String } == ["2025-01-15T15:00:00Z", "2025-07-15T14:00:00Z", "2025-03-09T07:30:00Z"])
        let logistics = r.orders.map { ($0["logistics"] as? [String: Any])?["total_weight_g"] as? Int }
        #expect(logistics == [1235, 2000, 500])
        let totals = r.orders.map { ($0["finance"] as? [String: Any])?["grand_total"] as? String }
        #expect(totals == ["19.99", "0.05", "1"])
        #expect((r.orders[0]["operation"] as? [String: Any])?["tags"] as? [String] == ["a", "b", "c"])
    }

    @Test func shopAndWaybillShapes() throws {
        let shop = """
            Name,Id,Email,Financial Status,Fulfillment Status,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Updated at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem discount,Vendor,Shipping Name,Shipping Phone,Shipping Street,Shipping City,Shipping Province,Shipping Zip,Shipping Country,Notes,Note Attributes,Payment Method,Tags,Risk Level,Source,Business Line,COD\r
            #1001,5001,a@example.com,paid,fulfilled,USD,25.00,5.00,2.00,32.00,"SAVE5, VIP",5.00,Standard,2025-05-11 09:55:16 -0400,2025-05-12 10:00:00 -0400,2,Blue Mug,12.50,15.00,MUG-1,true,true,0.00,Acme,Ann Lee,555-1234,1 Main St,Springfield,IL,62701,US,"Leave at door\r
            ring twice",gift_msg: hi,credit_card,"vip, repeat",low,web,express,false\r
            #1001,,,,,,,,,,,,,,,1,Red Cup,0.00,,CUP-1,true,false,0.00,Acme,,,,,,,,,,,,,,,\r
            #1001,5001,a@example.com,refunded,fulfilled,USD,25.00,5.00,2.00,32.00,,,Standard,2025-05-11 09:55:16 -0400,2025-05-13 10:00:00 -0400,2,Blue Mug,12.50,15.00,MUG-1,true,true,0.00,Acme,Ann Lee,555-1234,1 Main St,Springfield,IL,62701,US,,,credit_card,,low,web,express,false\r

            """
        let dir = TempDir()
        let r = try Fixture.collect(try Fixture.shipped("shop-csv.yaml"), [dir.write("s.csv", shop)], dir: dir)
        #expect(r.rejects.isEmpty)
        #expect(r.orders.count == 2)
        #expect(r.orders.map { $0["status"] as! String } == ["SHIPPED", "RETURNED"])
        #expect(r.orders[0]["source_status"] as? String == "paid/fulfilled")
        #expect((r.orders[0]["lines"] as? [[String: Any]])?.count == 2)
        #expect((r.orders[0]["marketing"] as? [String: Any])?["discount_codes"] as? [String] == ["SAVE5", "VIP"])
        #expect((r.orders[0]["ext"] as? [String: String])?["shopify.Note Attributes"] == "gift_msg: hi")

        let jd = #"{"salePlat":"0010002","customerCode":"C1","orderId":"W1","businessLine":"express","receiveName":"李四","weight":1.5,"goods":"phone","goodsCount":2,"goodsType":7,"transType":1,"collectionValue":1,"collectionMoney":99.5,"orderStatus":500,"createTime":"2025-05-11 09:30:00","updateTime":"2025-05-11 09:31:00","version":3,"extendField1":"x"}"#
        let j = try Fixture.collect(try Fixture.shipped("jd-waybill-ndjson.yaml"), [dir.write("w.ndjson", jd + "\n")], dir: dir)
        #expect(j.rejects.isEmpty)
        let o = j.orders[0]
        #expect(o["status"] as? String == "SHIPPED")
        #expect(o["created_at"] as? String == "2025-05-11T01:30:00Z")
        #expect((o["channel"] as? [String: Any])?["platform"] as? String == "tmall")
        #expect((o["logistics"] as? [String: Any])?["total_weight_g"] as? Int == 1500)
        #expect((o["finance"] as? [String: Any])?["is_cod"] as? Bool == true)
        #expect((o["lines"] as? [[String: Any]])?.first?["temp_class"] as? String == "frozen")
        #expect((o["ext"] as? [String: String])?["jd.extendField1"] == "x")
    }
}
