import FeedSampler
import Foundation
import Testing

/// Reads the CSV shapes with Python's csv module in strict mode, a parser nobody here wrote.
/// Skipped, with the reason printed, when the project's Python environment is not installed.
@Suite struct PythonCSVTests {
    static let python = "/root/.cache/waybill-venv/bin/python"

    static let script = """
        import csv, io, json, sys
        data = open(sys.argv[1], "rb").read()
        text = data.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
        print(json.dumps({"rows": len(rows) - 1, "widths": sorted({len(r) for r in rows})}))
        """

    @Test(arguments: [FeedShape.tpchFlatCSV, .shopCSV])
    func strictPythonReadsCleanFeeds(shape: FeedShape) throws {
        guard FileManager.default.isExecutableFile(atPath: PythonCSVTests.python) else {
            print("skipped: \(PythonCSVTests.python) not found (the waybill Python environment is not installed)")
            return
        }
        let config = SampleConfig(orders: 700, seed: 13, shape: shape, byteOrderMark: shape == .shopCSV)
        let (bytes, truth) = try FeedSampler.generate(config)
        let path = NSTemporaryDirectory() + "feedsampler-\(shape.rawValue)-\(getpid()).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let p = Process()
        p.executableURL = URL(fileURLWithPath: PythonCSVTests.python)
        p.arguments = ["-c", PythonCSVTests.script, path]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(result["rows"] as? Int == truth.records)
        #expect(result["widths"] as? [Int] == [shape == .shopCSV ? 39 : 24])
    }
}
