import FeedSampler
import Foundation
import Testing

/// The committed feeds in SampleData/ are what the generator makes today from the arguments
/// recorded in SampleData/README.md and regenerate.sh; a change to the stream must come with
/// a regenerated SampleData/.
@Suite struct SampleDataTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SampleData/feeds")

    static let csvKinds: [BadKind] = [
        .unbalancedQuote, .wrongFieldCount, .badMoney, .badDate, .missingOrderID, .missingCreatedAt, .invalidUTF8,
    ]
    static let ndjsonKinds: [BadKind] = [
        .truncatedJSON, .trailingGarbage, .badMoney, .badDate, .missingOrderID, .missingCreatedAt, .invalidUTF8,
    ]

    static let feeds: [(String, SampleConfig)] = [
        ("tpch-flat.csv", SampleConfig(orders: 200, shape: .tpchFlatCSV)),
        ("tpch-flat-bad.csv", SampleConfig(orders: 200, shape: .tpchFlatCSV, badShare: 0.05, badKinds: csvKinds)),
        ("tpch-nested.ndjson", SampleConfig(orders: 150, shape: .tpchNestedNDJSON)),
        ("tpch-nested-bad.ndjson", SampleConfig(orders: 150, shape: .tpchNestedNDJSON, badShare: 0.05, badKinds: ndjsonKinds)),
        ("shop.csv", SampleConfig(orders: 300, shape: .shopCSV)),
        ("shop-bad.csv", SampleConfig(orders: 300, shape: .shopCSV, badShare: 0.05, badKinds: csvKinds, byteOrderMark: true)),
        ("jd-waybill.ndjson", SampleConfig(orders: 200, shape: .jdWaybillNDJSON)),
        ("jd-waybill-bad.ndjson", SampleConfig(orders: 200, shape: .jdWaybillNDJSON, badShare: 0.05, badKinds: ndjsonKinds)),
    ]

    @Test(arguments: feeds.map(\.0))
    func committedFeedIsReproducible(name: String) throws {
        let config = SampleDataTests.feeds.first { $0.0 == name }!.1
        let url = SampleDataTests.root.appendingPathComponent(name)
        guard let committed = try? Data(contentsOf: url) else {
            Issue.record("missing \(url.path)")
            return
        }
        let (bytes, truth) = try FeedSampler.generate(config)
        #expect(Data(bytes) == committed, "\(name) differs from the generator; run SampleData/regenerate.sh")
        let truthURL = url.deletingPathExtension().appendingPathExtension("truth.json")
        let committedTruth = try String(contentsOf: truthURL, encoding: .utf8)
        #expect(committedTruth == truth.json())
    }
}
