import FeedSampler
import Foundation
import Testing

/// The TPC-H shapes keep TPC-H's rules, checked on the text of the generated feed.
@Suite struct TPCHRulesTests {
    static let current = "1995-06-17"

    struct Line {
        var partkey: Int
        var quantity: Int
        var extended: Int64
        var discount: Int64
        var tax: Int64
        var ship: String
        var commit: String
        var receipt: String
        var status: String
        var flag: String
    }

    /// trunc(trunc(eprice x (100 - disc%)/100) x (100 + tax%)/100), in cents.
    static func charge(_ l: Line) -> Int64 { l.extended * (100 - l.discount) / 100 * (100 + l.tax) / 100 }

    static func check(total: Int64, status: String, date: String, lines: [Line]) {
        #expect((1...7).contains(lines.count))
        #expect(lines.map(charge).reduce(0, +) == total)
        #expect(date >= "1992-01-01" && date <= "1998-12-31")
        let statuses = Set(lines.map(\.status))
        #expect(status == (statuses == ["F"] ? "F" : statuses == ["O"] ? "O" : "P"))
        for l in lines {
            #expect((1...50).contains(l.quantity))
            #expect((0...10).contains(l.discount) && (0...8).contains(l.tax))
            let retail = Int64(90_000 + (l.partkey / 10) % 20_001 + 100 * (l.partkey % 1_000))
            #expect(l.extended == Int64(l.quantity) * retail)
            #expect(l.ship > date && l.commit > date && l.receipt > l.ship)
            #expect(l.status == (l.ship <= current ? "F" : "O"))
            #expect(l.flag == (l.receipt <= current ? l.flag : "N") && (l.receipt > current || l.flag != "N"))
        }
    }

    @Test func flatCSV() throws {
        let (bytes, truth) = try FeedSampler.generate(SampleConfig(orders: 800, seed: 4, shape: .tpchFlatCSV))
        let rows = TestCSV.parse(bytes).dropFirst()
        var byOrder: [String: [TestCSV.Row]] = [:]
        var order: [String] = []
        for r in rows {
            #expect(r.fields.count == 24)
            let k = r.fields[0].text
            if byOrder[k] == nil { order.append(k) }
            byOrder[k, default: []].append(r)
        }
        #expect(order.count == 800)
        var sum: Int64 = 0
        for k in order {
            let rs = byOrder[k]!
            let f = rs[0].fields.map(\.text)
            #expect(rs.map { $0.fields[11].text } == (1...rs.count).map(String.init))  // line numbers in order
            let lines = rs.map { r in
                let x = r.fields.map(\.text)
                return Line(
                    partkey: Int(x[9])!, quantity: Int(x[12])!, extended: cents(x[13])!, discount: cents(x[14])!,
                    tax: cents(x[15])!, ship: x[18], commit: x[19], receipt: x[20], status: x[17], flag: x[16])
            }
            let total = cents(f[3])!
            sum += total
            TPCHRulesTests.check(total: total, status: f[2], date: f[4], lines: lines)
        }
        #expect(sum == truth.grandTotalCents)
    }

    @Test func nestedNDJSON() throws {
        let (bytes, truth) = try FeedSampler.generate(SampleConfig(orders: 800, seed: 4, shape: .tpchNestedNDJSON))
        let lines = bytes.split(separator: 0x0A)
        #expect(lines.count == 800)
        var sum: Int64 = 0
        for raw in lines {
            let text = String(decoding: raw, as: UTF8.self)
            let o = try #require(try JSONSerialization.jsonObject(with: Data(raw)) as? [String: Any])
            // money is read from the text (two decimals), never through a double
            let totalText = try #require(numberText(text, key: "o_totalprice"))
            let total = try #require(cents(totalText))
            sum += total
            let items = try #require(o["items"] as? [[String: Any]])
            let ls = items.map { i in
                Line(
                    partkey: i["partkey"] as! Int, quantity: i["quantity"] as! Int,
                    extended: Int64(((i["extendedprice"] as! NSNumber).doubleValue * 100).rounded()),
                    discount: Int64(((i["discount"] as! NSNumber).doubleValue * 100).rounded()),
                    tax: Int64(((i["tax"] as! NSNumber).doubleValue * 100).rounded()),
                    ship: i["shipdate"] as! String, commit: i["commitdate"] as! String,
                    receipt: i["receiptdate"] as! String, status: i["linestatus"] as! String, flag: i["returnflag"] as! String)
            }
            TPCHRulesTests.check(total: total, status: o["o_orderstatus"] as! String, date: o["o_orderdate"] as! String, lines: ls)
        }
        #expect(sum == truth.grandTotalCents)
    }

    /// The flat and nested feeds of one seed hold the same orders.
    @Test func shapesAgree() throws {
        let flat = try FeedSampler.generate(SampleConfig(orders: 300, seed: 8, shape: .tpchFlatCSV)).truth
        let nested = try FeedSampler.generate(SampleConfig(orders: 300, seed: 8, shape: .tpchNestedNDJSON)).truth
        #expect(flat.grandTotalCents == nested.grandTotalCents)
        #expect(flat.goodLines == nested.goodLines)
        #expect(flat.records == nested.goodLines && nested.records == 300)
    }

    private func numberText(_ line: String, key: String) -> String? {
        guard let r = line.range(of: "\"\(key)\":") else { return nil }
        return String(line[r.upperBound...].prefix { $0.isNumber || $0 == "." })
    }
}
