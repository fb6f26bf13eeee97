import Foundation
import OrderModel
import Testing
@testable import Rules

@Suite struct NormalizeTests {
    func phone(_ s: String) -> (String, PhoneNormalizer.Outcome) {
        var out: [UInt8] = []
        let o = PhoneNormalizer.normalize(ArraySlice(s.utf8), into: &out)
        return (String(decoding: out, as: UTF8.self), o)
    }

    func postal(_ s: String, _ country: String?) -> String {
        var out: [UInt8] = []
        PostalNormalizer.normalize(ArraySlice(s.utf8), country: country.map { ArraySlice($0.utf8) }, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func phones() {
        #expect(phone("+86 138-1234-1234") == ("13812341234", .cnMobile))
        #expect(phone("0086 13812341234") == ("13812341234", .cnMobile))
        #expect(phone("138 1234 1234") == ("13812341234", .cnMobile))
        #expect(phone("+1 (613) 555-0142") == ("+16135550142", .e164))
        #expect(phone("0044 20 7946 0958") == ("+442079460958", .e164))
        #expect(phone("12812341234") == ("12812341234", .unchanged))  // 12x is not a CN mobile
        #expect(phone("+86 10 6552 9988") == ("+86 10 6552 9988", .unchanged))  // a CN landline stays as written
        #expect(phone("call me") == ("call me", .unchanged))
        #expect(phone("") == ("", .unchanged))
    }

    @Test func postalCodes() {
        #expect(postal("k2p2l8", "CA") == "K2P 2L8")
        #expect(postal(" K2P  2L8 ", "CA") == "K2P 2L8")
        #expect(postal("sw1a1aa", "GB") == "SW1A 1AA")
        #expect(postal("1234ab", "NL") == "1234 AB")
        #expect(postal("100 080", "CN") == "100 080")
        #expect(postal("12345-6789", nil) == "12345-6789")
    }

    @Test func regions() throws {
        let t = try RegionTable.load(path: TPCHFeed.repoRoot + "/Pipelines/reference/cn-regions.csv")
        #expect(t.resolve(province: "广东省", city: "深圳市", district: "南山区") == "440305")
        #expect(t.resolve(province: "广东", city: "深圳", district: nil) == "440300")
        #expect(t.resolve(province: "北京市", city: "北京市", district: "海淀区") == "110108")
        #expect(t.resolve(province: "天津", city: nil, district: "和平区") == "120101")
        #expect(t.resolve(province: "辽宁省", city: "沈阳市", district: "和平区") == "210102")
        #expect(t.resolve(province: "广西壮族自治区", city: "南宁市", district: "不存在区") == "450100")
        #expect(t.resolve(province: "火星", city: nil, district: nil) == nil)
        #expect(t.count > 90)
    }

    static let rules = """
        version: 1
        normalize:
          phone: true
          postal_code: true
          countries: \(TPCHFeed.repoRoot)/Pipelines/reference/countries.csv
          regions: \(TPCHFeed.repoRoot)/Pipelines/reference/cn-regions.csv
        pii: {hash: true, salt_env: TEST_SALT_UNSET_VAR, mask_output: true}
        rules:
          - id: T11-phone
            check: consignee_phone is null or matches(consignee_phone, '^(1[3-9][0-9]{9}|\\+[1-9][0-9]{6,14})$')
            severity: warn
            message: "phone {consignee_phone}"
        """

    @Test func normalisedHashedAndMaskedInTheOutput() throws {
        let set = try RuleSet.parse(yaml: Self.rules, file: "n.yaml")
        #expect(throws: WaybillError.self) { try Transactor(ruleSet: set, state: nil) }  // no salt: refused
        let t = try Transactor(ruleSet: set, state: nil, salt: "pepper")
        let batch = TestBatches.batch([
            TestBatches.Order(fields: [
                "order_id": "s:1", "source": "s", "external_order_id": "1", "status": "PAID",
                "consignee_name": "张三", "consignee_phone": "+86 138-1234-1234", "consignee_email": " Li@Example.COM",
                "consignee_country": "中国", "consignee_province": "广东省", "consignee_city": "深圳市",
                "consignee_district": "南山区", "consignee_postal_code": "518000",
            ]),
            TestBatches.Order(fields: [
                "order_id": "s:2", "source": "s", "external_order_id": "2", "status": "PAID",
                "consignee_phone": "555", "consignee_country": "canada", "consignee_postal_code": "k2p2l8",
            ]),
        ])
        var out = OrderBatch()
        try t.process(batch, into: &out, rejects: try RejectWriter(path: nil))
        let c = out.orders.columns
        func col(_ n: String) -> Column { c[OrderSchema.orderFieldIndex(n)!] }
        #expect(col("consignee_phone").string(0) == "138****1234")
        #expect(col("consignee_name").string(0) == "张*")
        #expect(col("consignee_email").string(0) == "l***@example.com")
        #expect(col("consignee_country").string(0) == "CN")
        #expect(col("consignee_region_code").string(0) == "440305")
        #expect(col("consignee_country").string(1) == "CA")
        #expect(col("consignee_postal_code").string(1) == "K2P 2L8")
        // sha256("pepper" + "13812341234") and sha256("pepper" + "li@example.com")
        #expect(col("consignee_phone_hash").string(0) == Self.sha("pepper13812341234"))
        #expect(col("consignee_email_hash").string(0) == Self.sha("pepperli@example.com"))
        // The T11 check saw the normalised phone: only order 2 hits, and its message is masked.
        let summary = t.finish()
        #expect(summary.hits("T11-phone") == 1)
        #expect(col("rule_results").map(1)?.first?.value == "warn: phone ****")
    }

    static func sha(_ s: String) -> String {
        let h = SHA256()
        h.update(Array(s.utf8))
        var out: [UInt8] = []
        h.finish(into: &out)
        return SHA256.hex(out)
    }
}
