import FeedSampler
import Foundation
import Testing

/// Every bad kind is planted as asked, and each bad record shows exactly its own fault.
@Suite struct BadKindTests {
    @Test(arguments: FeedShape.allCases)
    func defaultMixShowsEveryKind(shape: FeedShape) throws {
        let truth = try FeedSampler.generate(SampleConfig(orders: 300, seed: 5, shape: shape, badShare: 0.1)).truth
        #expect(Set(truth.badByKind.keys) == Set(shape.defaultBadKinds))
        #expect(truth.badByKind.values.reduce(0, +) == 30)
        #expect(truth.badByKind[.overlongLine] == nil)
    }

    static let cases: [(FeedShape, BadKind)] = FeedShape.allCases.flatMap { s in
        s.defaultBadKinds.map { (s, $0) }
    }

    /// A feed with one kind only: the independent check finds exactly the planted records.
    @Test(arguments: cases)
    func eachKindIsDetectable(shape: FeedShape, kind: BadKind) throws {
        let config = SampleConfig(orders: 60, seed: 11, shape: shape, badShare: 0.1, badKinds: [kind])
        let (bytes, truth) = try FeedSampler.generate(config)
        #expect(truth.badByKind[kind] == 6)
        let found = try shape.isCSV ? csvFaults(bytes, shape: shape, kind: kind) : ndjsonFaults(bytes, shape: shape, kind: kind)
        #expect(found == 6, "\(shape.rawValue) \(kind.rawValue)")
        // The good records are all still there and intact.
        let keys = try GoodRecords.keys(bytes, shape: shape)
        #expect(keys.distinctGood == truth.goodOrders)
        #expect(keys.records == truth.records)
    }

    /// The truth's positions name the bad records: record number, line and byte offset agree
    /// with an independent reading, and the record there is not a good one.
    @Test(arguments: FeedShape.allCases)
    func positionsPointAtTheBadRecords(shape: FeedShape) throws {
        let config = SampleConfig(
            orders: 400, seed: 21, shape: shape, badShare: 0.1, badKinds: shape.defaultBadKinds.filter { $0 != .overlongField },
            byteOrderMark: shape == .shopCSV)
        let (bytes, truth) = try FeedSampler.generate(config)
        #expect(truth.badRecordPositions.count == 40)
        #expect(truth.badRecordPositions.map(\.record) == truth.badRecordPositions.map(\.record).sorted())
        var linesBefore = 0
        var scanned = 0
        for p in truth.badRecordPositions {
            for i in scanned..<p.byteOffset where bytes[i] == 0x0A { linesBefore += 1 }
            scanned = p.byteOffset
            #expect(p.line == linesBefore + 1)
            #expect(p.byteOffset == 0 || bytes[p.byteOffset - 1] == 0x0A)
        }
        if shape.isCSV {
            let rows = TestCSV.parse(bytes)
            for p in truth.badRecordPositions {
                #expect(rows[p.record].offset == p.byteOffset)
                #expect(!GoodRecords.isGoodCSV(rows[p.record], width: rows[0].fields.count, shape: shape))
            }
        } else {
            var starts = [0]
            for (i, b) in bytes.enumerated() where b == 0x0A && i + 1 < bytes.count { starts.append(i + 1) }
            for p in truth.badRecordPositions {
                #expect(starts[p.record - 1] == p.byteOffset)
                let end = bytes[p.byteOffset...].firstIndex(of: 0x0A)!
                #expect(Ndjson.good(Array(bytes[p.byteOffset..<end]), shape: shape) == nil)
            }
        }
    }

    /// Opt-in 17 MB records: over 16 MiB, every field under 1 MiB.
    @Test(arguments: [FeedShape.shopCSV, .tpchNestedNDJSON, .jdWaybillNDJSON])
    func overlongLine(shape: FeedShape) throws {
        let config = SampleConfig(orders: 4, seed: 2, shape: shape, badShare: 0.25, badKinds: [.overlongLine])
        let (bytes, truth) = try FeedSampler.generate(config)
        #expect(truth.badByKind[.overlongLine] == 1)
        if shape.isCSV {
            let rows = TestCSV.parse(bytes)
            let long = rows.filter { $0.length > 1 << 24 }
            #expect(long.count == 1)
            #expect(long.allSatisfy { $0.fields.count == rows[0].fields.count && $0.fields.allSatisfy { $0.count < 1 << 20 } })
        } else {
            let lines = bytes.split(separator: 0x0A).map { Array($0) }
            let long = lines.filter { $0.count > 1 << 24 }
            #expect(long.count == 1)
            let obj = try JSONSerialization.jsonObject(with: Data(long[0]))
            #expect(maxStringLength(obj) < 1 << 20)
        }
    }

    private func maxStringLength(_ v: Any) -> Int {
        if let s = v as? String { return s.utf8.count }
        if let a = v as? [Any] { return a.map(maxStringLength).max() ?? 0 }
        if let d = v as? [String: Any] { return d.values.map(maxStringLength).max() ?? 0 }
        return 0
    }

    /// Counts the records of a CSV feed showing `kind`'s fault.
    private func csvFaults(_ bytes: [UInt8], shape: FeedShape, kind: BadKind) throws -> Int {
        let rows = Array(TestCSV.parse(bytes).dropFirst())
        let tpch = shape == .tpchFlatCSV
        let width = tpch ? 24 : 39
        let (id, total, created) = tpch ? (0, 3, 4) : (1, 9, 13)
        // shop: only first rows (they carry Email) have order fields
        let firstRows = rows.filter { tpch || ($0.fields.count > 2 && !$0.fields[2].isEmpty) }
        switch kind {
        case .unbalancedQuote: return rows.filter(\.badQuoting).count
        case .wrongFieldCount: return rows.filter { $0.fields.count != width }.count
        case .badMoney: return firstRows.filter { cents($0.fields[total].text) == nil }.count
        case .badDate: return firstRows.filter { !$0.fields[created].isEmpty && !isRealDate($0.fields[created].text) }.count
        case .missingOrderID: return firstRows.filter { $0.fields[id].isEmpty }.count
        case .missingCreatedAt: return firstRows.filter { $0.fields[created].isEmpty }.count
        case .invalidUTF8: return rows.filter { $0.fields.contains { !$0.isValidUTF8 } }.count
        case .overlongField: return rows.filter { $0.fields.contains { $0.count > 1 << 20 } && $0.length < 1 << 24 }.count
        default: Issue.record("no CSV check for \(kind)"); return -1
        }
    }

    /// Counts the lines of an NDJSON feed showing `kind`'s fault.
    private func ndjsonFaults(_ bytes: [UInt8], shape: FeedShape, kind: BadKind) throws -> Int {
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { Array($0) }
        let jd = shape == .jdWaybillNDJSON
        let (id, money, created, text) = jd
            ? ("orderId", "freight", "createTime", "description") : ("o_orderkey", "o_totalprice", "o_orderdate", "o_comment")
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
        func missing(_ k: String) -> Int {
            objects.filter { o in o[k] == nil || o[k] is NSNull || (o[k] as? String) == "" }.count
        }
        switch kind {
        case .truncatedJSON:
            // cut short: not JSON, and no closing brace at the end
            return lines.filter { (try? JSONSerialization.jsonObject(with: Data($0))) == nil && $0.last != UInt8(ascii: "}") }.count
        case .trailingGarbage:
            // a whole object, then more bytes
            return lines.filter { l in
                (try? JSONSerialization.jsonObject(with: Data(l))) == nil
                    && l.indices.contains { i in l[i] == UInt8(ascii: "}") && i < l.count - 1
                        && (try? JSONSerialization.jsonObject(with: Data(l[...i]))) != nil }
            }.count
        case .badMoney: return objects.filter { $0[money] is String }.count
        case .badDate: return objects.filter { ($0[created] as? String).map { !$0.isEmpty && !isRealDate($0) } ?? false }.count
        case .missingOrderID: return missing(id)
        case .missingCreatedAt: return missing(created)
        case .invalidUTF8: return lines.filter { !$0.isValidUTF8 }.count
        case .overlongField: return objects.filter { (($0[text] as? String)?.utf8.count ?? 0) > 1 << 20 }.count
        default: Issue.record("no NDJSON check for \(kind)"); return -1
        }
    }
}
