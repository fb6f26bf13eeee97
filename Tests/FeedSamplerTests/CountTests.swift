import FeedSampler
import Foundation
import Testing

/// The truth file's counts against an independent reading of the feed.
@Suite struct CountTests {
    @Test(arguments: FeedShape.allCases)
    func ordersAndRecordsMatch(shape: FeedShape) throws {
        let config = SampleConfig(orders: 500, seed: 3, shape: shape, badShare: 0.05)
        let (bytes, truth) = try FeedSampler.generate(config)
        #expect(truth.goodOrders + truth.badRecords == 500)
        #expect(truth.badRecords == 25)
        #expect(truth.records == truth.goodRecords + truth.badRecords)
        #expect(truth.bytes == bytes.count)
        if shape.supportsUpdates { #expect(truth.updateVersions > 0) } else { #expect(truth.updateVersions == 0) }

        let keys = try GoodRecords.keys(bytes, shape: shape)
        #expect(keys.records == truth.records)
        #expect(keys.distinctGood == truth.goodOrders)
        #expect(keys.goodRecords == truth.goodRecords)
    }

    @Test(arguments: [0, 1, 7, 1_000])
    func exactOrderCounts(orders: Int) throws {
        for shape in FeedShape.allCases {
            let truth = try FeedSampler.generate(SampleConfig(orders: orders, shape: shape, badShare: 0.1)).truth
            #expect(truth.goodOrders + truth.badRecords == orders)
            #expect(truth.badRecords == Int((Double(orders) * 0.1).rounded()))
        }
    }

    @Test func invalidSettingsAreRefused() {
        let bad: [SampleConfig] = [
            SampleConfig(orders: -1, shape: .shopCSV),
            SampleConfig(orders: 10, shape: .shopCSV, badShare: 1.5),
            SampleConfig(orders: 10, shape: .shopCSV, updateShare: -0.1),
            SampleConfig(orders: 10, shape: .tpchFlatCSV, updateShare: 0.2),
            SampleConfig(orders: 10, shape: .tpchFlatCSV, badKinds: [.truncatedJSON]),
            SampleConfig(orders: 10, shape: .tpchFlatCSV, badKinds: [.overlongLine]),
            SampleConfig(orders: 10, shape: .jdWaybillNDJSON, badKinds: []),
            SampleConfig(orders: 10, shape: .jdWaybillNDJSON, byteOrderMark: true),
        ]
        for c in bad {
            #expect(throws: SampleConfigError.self) { try c.validate() }
        }
    }
}

/// Reads a feed's good records back: how many records, and the distinct order keys of the
/// records that parse as good ones (bad records are found by the caller's checks).
enum GoodRecords {
    struct Keys {
        var records = 0
        var goodRecords = 0
        var distinctGood = 0
    }

    static func keys(_ bytes: [UInt8], shape: FeedShape) throws -> Keys {
        var k = Keys()
        var seen = Set<String>()
        switch shape {
        case .tpchFlatCSV, .shopCSV:
            let rows = TestCSV.parse(bytes)
            let width = rows[0].fields.count
            k.records = rows.count - 1
            var current = ""
            for row in rows.dropFirst() where isGoodCSV(row, width: width, shape: shape) {
                k.goodRecords += 1
                // tpch: the key is on every row; shop: Id on the first row of an order, Name after.
                let key = shape == .tpchFlatCSV ? row.fields[0].text : row.fields[1].isEmpty ? current : row.fields[1].text
                if shape == .shopCSV && !row.fields[1].isEmpty { current = key }
                seen.insert(key)
            }
        case .tpchNestedNDJSON, .jdWaybillNDJSON:
            let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
            k.records = lines.count
            for line in lines {
                guard let obj = Ndjson.good(Array(line), shape: shape) else { continue }
                k.goodRecords += 1
                seen.insert("\(obj[shape == .jdWaybillNDJSON ? "orderId" : "o_orderkey"]!)")
            }
        }
        k.distinctGood = seen.count
        return k
    }

    /// A CSV row that none of the bad kinds touched.
    static func isGoodCSV(_ row: TestCSV.Row, width: Int, shape: FeedShape) -> Bool {
        if row.badQuoting || row.fields.count != width { return false }
        if row.fields.contains(where: { $0.count > 1 << 20 || !$0.isValidUTF8 }) { return false }
        if shape == .tpchFlatCSV {
            return !row.fields[0].isEmpty && cents(row.fields[3].text) != nil && isRealDate(row.fields[4].text)
        }
        if row.fields[2].isEmpty { return true }  // a continuation row
        return !row.fields[1].isEmpty && cents(row.fields[9].text) != nil && isRealDate(row.fields[13].text)
    }
}

/// NDJSON lines read with Foundation (fine in tests; the hot paths never use it).
enum Ndjson {
    /// The object of a line no bad kind touched, else nil.
    static func good(_ line: [UInt8], shape: FeedShape) -> [String: Any]? {
        guard line.count <= 1 << 24, line.isValidUTF8,
            let obj = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
        else { return nil }
        if shape == .jdWaybillNDJSON {
            guard let id = obj["orderId"] as? String, !id.isEmpty, obj["freight"] is NSNumber,
                let created = obj["createTime"] as? String, isRealDate(created),
                let desc = obj["description"] as? String, desc.utf8.count <= 1 << 20
            else { return nil }
        } else {
            guard obj["o_orderkey"] is NSNumber, obj["o_totalprice"] is NSNumber,
                let date = obj["o_orderdate"] as? String, isRealDate(date),
                let c = obj["o_comment"] as? String, c.utf8.count <= 1 << 20
            else { return nil }
        }
        return obj
    }
}
