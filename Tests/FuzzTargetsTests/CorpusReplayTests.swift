import Foundation
import Testing
import FuzzTargets

/// Replays the committed seed corpus and every crash input found by fuzzing through the fuzz
/// entry points (Tests/fuzz/corpus/TARGET, Tests/fuzz/crashes/TARGET). A crash input that
/// crashes again fails the whole test run, which is the point: these are regression tests.
@Suite struct CorpusReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz")

    static func files(_ folder: String, _ target: FuzzTarget) -> [URL] {
        let dir = root.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedCorpusReplays(_ target: FuzzTarget) throws {
        let seeds = Self.files("corpus", target)
        #expect(seeds.count >= 3, "the \(target.rawValue) corpus needs seeds")
        var accepted = 0
        for url in seeds {
            let o = target.run(Array(try Data(contentsOf: url)))
            accepted += o.records
        }
        // The seeds are real inputs: most must read as data, not as errors.
        #expect(accepted > 0, "no seed of \(target.rawValue) produced a record")
    }

    @Test(arguments: FuzzTarget.allCases)
    func crashInputsEndCleanly(_ target: FuzzTarget) throws {
        for url in Self.files("crashes", target) {
            // Returning at all is the test; an error must name what went wrong.
            let o = target.run(Array(try Data(contentsOf: url)))
            if let e = o.error { #expect(!e.isEmpty, "\(url.lastPathComponent): empty error message") }
        }
    }
}
