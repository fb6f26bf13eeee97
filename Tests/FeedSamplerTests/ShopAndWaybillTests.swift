import FeedSampler
import Foundation
import Testing

/// The shop export and the waybill feed: layout, arithmetic and status updates.
@Suite struct ShopAndWaybillTests {
    @Test func shopLayoutAndTotals() throws {
        let (bytes, truth) = try FeedSampler.generate(SampleConfig(orders: 600, seed: 6, shape: .shopCSV, updateShare: 0.2))
        // CRLF after every record: no bare LF outside quoted fields
        let rows = TestCSV.parse(bytes)
        #expect(rows[0].fields.count == 39)
        #expect(bytes.starts(with: Array("Name,Id,".utf8)))
        let crlf = zip(bytes, bytes.dropFirst()).filter { $0 == 0x0D && $1 == 0x0A }.count
        #expect(crlf == rows.count)
        var lastUpdated: [String: String] = [:]
        var totals: [String: Int64] = [:]
        var sawMultiline = false, sawQuote = false, sawForeign = false, sawCN = false, sawCOD = false
        var name = ""
        for r in rows.dropFirst() {
            let f = r.fields.map(\.text)
            #expect(f.count == 39)
            if f[1].isEmpty {  // continuation row: Name repeated, other order fields blank
                #expect(f[0] == name)
                #expect(f[1..<15].allSatisfy(\.isEmpty) && f[24...].allSatisfy(\.isEmpty))
                #expect(!f[15].isEmpty && !f[16].isEmpty)
                continue
            }
            name = f[0]
            let (sub, ship, tax, total) = (cents(f[6])!, cents(f[7])!, cents(f[8])!, cents(f[9])!)
            #expect(total == sub + ship + tax)
            #expect(f[13].range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$"#, options: .regularExpression) != nil)
            #expect(["pending", "authorized", "paid", "partially_refunded", "refunded", "voided"].contains(f[3]))
            #expect(["unfulfilled", "partial", "fulfilled"].contains(f[4]))
            #expect(["express", "freight", "cold_chain", "bulky", "international"].contains(f[37]))
            if let before = lastUpdated[f[1]] {
                #expect(UTC.parse(f[14]) > UTC.parse(before))  // a later version is newer
                #expect(totals[f[1]] == total)
            } else {
                totals[f[1]] = total
            }
            lastUpdated[f[1]] = f[14]
            sawMultiline = sawMultiline || f[31].contains("\n")
            sawQuote = sawQuote || f[31].contains("\"")
            if f[30] == "CN" {
                sawCN = true
                #expect(f[25].filter(\.isNumber).suffix(11).range(of: #"^1[3-9]\d{9}$"#, options: .regularExpression) != nil)
            } else {
                sawForeign = true
            }
            sawCOD = sawCOD || f[38] == "true"
        }
        #expect(totals.count == truth.goodOrders)
        #expect(totals.values.reduce(0, +) == truth.grandTotalCents)
        #expect(sawMultiline && sawQuote && sawForeign && sawCN && sawCOD)
        #expect(truth.updateVersions > 0)
    }

    @Test func byteOrderMark() throws {
        let bytes = try FeedSampler.generate(SampleConfig(orders: 5, shape: .shopCSV, byteOrderMark: true)).bytes
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF, UInt8(ascii: "N")]))
    }

    @Test func waybillFieldsAndVersions() throws {
        let (bytes, truth) = try FeedSampler.generate(
            SampleConfig(orders: 600, seed: 6, shape: .jdWaybillNDJSON, updateShare: 0.2))
        var version: [String: Int] = [:]
        var updated: [String: String] = [:]
        var freight: Int64 = 0
        let codes: Set<Int> = [100, 200, 300, 400, 500, 600, 800, 900, 910]
        for raw in bytes.split(separator: 0x0A) {
            let line = String(decoding: raw, as: UTF8.self)
            let o = try #require(try JSONSerialization.jsonObject(with: Data(raw)) as? [String: Any])
            #expect(o.count == 51)
            let id = try #require(o["orderId"] as? String)
            let v = try #require(o["version"] as? Int)
            let status = try #require(o["orderStatus"] as? Int)
            #expect(codes.contains(status))
            #expect(["0010001", "0010002", "0030001"].contains(o["salePlat"] as? String ?? ""))
            #expect([1, 2].contains(o["transType"] as? Int ?? 0))
            #expect([1, 2, 6, 7, 8, 9].contains(o["goodsType"] as? Int ?? 0))
            let up = try #require(o["updateTime"] as? String)
            #expect(up.range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"#, options: .regularExpression) != nil)
            if let before = version[id] {
                #expect(v == before + 1)
                #expect(up > updated[id]!)
            } else {
                #expect(v == 1)
                let text = line.range(of: "\"freight\":").map { line[$0.upperBound...].prefix { $0.isNumber || $0 == "." } }!
                freight += cents(String(text))!
            }
            version[id] = v
            updated[id] = up
            if (o["collectionValue"] as? Int) == 1 { #expect((o["collectionMoney"] as! NSNumber).doubleValue > 0) }
            if (o["guaranteeValue"] as? Int) == 1 { #expect((o["guaranteeValueAmount"] as! NSNumber).doubleValue > 0) }
        }
        #expect(version.count == truth.goodOrders)
        #expect(freight == truth.grandTotalCents)
        #expect(version.values.reduce(0) { $0 + $1 - 1 } == truth.updateVersions)
        #expect(truth.codOrders > 0 && truth.insuredOrders > 0)
        #expect(Set(truth.businessLines.keys) == ["express", "freight", "cold_chain", "bulky", "international"])
    }
}

/// `2025-05-11 09:55:16 -0400` as seconds since 1970 UTC (for ordering only).
enum UTC {
    static func parse(_ s: String) -> Int {
        let p = s.split(whereSeparator: { " -:+".contains($0) }).compactMap { Int($0) }
        let days = (p[0] - 1970) * 366 * 86_400 + p[1] * 31 * 86_400 + p[2] * 86_400
        let wall = days + p[3] * 3_600 + p[4] * 60 + p[5]
        let sign = s.dropLast(5).hasSuffix("-") ? -1 : 1
        let off = sign * (p[6] / 100 * 3_600 + p[6] % 100 * 60)
        return wall - off
    }
}
