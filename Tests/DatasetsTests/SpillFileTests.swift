import Foundation
import OrderModel
import Testing
@testable import Datasets

/// The spill file gives back every segment as it was appended, whether it stored it as it is
/// or compressed, and compresses only past its threshold and only what compression pays for.
@Suite struct SpillFileTests {
    /// Text that repeats, as the plan's reasons do: compresses many times over.
    private func repetitive(_ n: Int, seed: Int) -> [UInt8] {
        var out: [UInt8] = []
        var k = seed
        while out.count < n {
            out += Array("ships 1992-01-\(10 + k % 20) + 30 handling day(s) by 23:59; service RAIL-FREIGHT; ".utf8)
            k += 1
        }
        return Array(out.prefix(n))
    }

    /// Bytes that do not compress (a fixed generator, so a failure repeats).
    private func noise(_ n: Int, seed: UInt64) -> [UInt8] {
        var x = seed | 1
        return (0..<n).map { _ in
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
            return UInt8(truncatingIfNeeded: x)
        }
    }

    private func withSpill(compressAfter: Int, _ body: (SpillFile) throws -> Void) throws {
        let dir = tempDirectory()
        defer { FileOps.removeTree(dir) }
        try body(try SpillFile(path: dir + "/rows.spill", compressAfter: compressAfter))
    }

    @Test func segmentsComeBackAsTheyWentIn() throws {
        try withSpill(compressAfter: 0) { spill in
            let values = [repetitive(64 << 10, seed: 1), repetitive(3 << 20, seed: 3), repetitive(100, seed: 2),
                          [], noise(64 << 10, seed: 7), noise(5000, seed: 9)]
            var segments: [SpillFile.Segment] = []
            for v in values { segments.append(try spill.append { $0.append(contentsOf: v) }) }
            // Compressed: the large repetitive ones. As they are: noise (it would not shrink),
            // and what is under the minimum.
            #expect(segments.map(\.compressed) == [true, true, false, false, false, false])
            #expect(segments[0].length * 10 < segments[0].rawLength)
            #expect(segments.map(\.rawLength) == values.map(\.count))
            #expect(spill.size == segments.reduce(0) { $0 + $1.length })
            #expect(spill.rawSize == values.reduce(0) { $0 + $1.count })
            // Read back in another order, before and after the pending bytes are written.
            var buffer: [UInt8] = [1, 2, 3]
            for i in [4, 0, 3, 1, 5, 2] {
                try spill.read(segments[i], into: &buffer)
                #expect(buffer == values[i], "segment \(i)")
            }
            try spill.sync()
            for i in values.indices.reversed() {
                try spill.readWritten(segments[i], into: &buffer)
                #expect(buffer == values[i], "segment \(i)")
            }
        }
    }

    @Test func nothingIsCompressedBeforeTheThreshold() throws {
        try withSpill(compressAfter: 256 << 10) { spill in
            var compressed: [Bool] = []
            for k in 0..<8 { compressed.append(try spill.append { $0.append(contentsOf: repetitive(64 << 10, seed: k)) }.compressed) }
            // 64 KiB each: the fifth segment is the first past 256 KiB.
            #expect(compressed == [false, false, false, false, true, true, true, true])
        }
    }

    /// Segments that shrink less than `worthIt` times stop being compressed; one in
    /// `probeEvery` still is, and data that compresses again turns it back on.
    @Test func compressionFollowsWhatItSaves() throws {
        try withSpill(compressAfter: 0) { spill in
            let half = noise(32 << 10, seed: 3)
            // Half noise, half repetitive text: shrinks about 2 times.
            var tries = 0
            for k in 0..<(2 * CompressionRatio.probeEvery) {
                let seg = try spill.append { $0.append(contentsOf: half + repetitive(32 << 10, seed: k)) }
                if seg.compressed { tries += 1 }
            }
            // The first is tried (nothing measured yet), then a probe every `probeEvery`.
            #expect(tries >= 2 && tries <= 4, "\(tries)")
            var later: [Bool] = []
            for k in 0..<(4 * CompressionRatio.probeEvery) {
                later.append(try spill.append { $0.append(contentsOf: repetitive(64 << 10, seed: k)) }.compressed)
            }
            // The next probe sees the new ratio, and from then on every segment is compressed.
            #expect(later.suffix(2 * CompressionRatio.probeEvery).allSatisfy { $0 })
        }
    }

    /// The writer lands the same files whether its spill file compresses or not.
    @Test func compressedSpillLandsTheSameFiles() throws {
        func run(compressAfter: Int) throws -> (files: [String: String], spilled: Int) {
            let out = tempDirectory()
            defer { FileOps.removeTree(out) }
            var o = DatasetWriteOptions(outputDirectory: out, batchId: "b1")
            // Few partitions, so that the spill's segments are past its minimum.
            o.partitionKeys = try PartitionKey.parseList("bucket(16, order_id)")
            o.memoryBudget = 2 << 20
            o.rowGroupBytes = 2 << 20
            o.spillCompressAfter = compressAfter
            let w = try DatasetWriter(options: o, rejects: nil, factory: RecordingFactory())
            for chunk in 0..<3 {
                try w.write(Orders.batch((0..<2500).map {
                    (id: "s:\(chunk)-\($0)", day: Int64(19_000 + $0 % 30), line: Optional("x"), lines: 2)
                }))
            }
            let r = try w.commit()
            return (try landedFiles(out), r.spillBytes)
        }
        let plain = try run(compressAfter: Int.max)
        let compressed = try run(compressAfter: 0)
        #expect(plain.spilled > 0 && compressed.spilled > 0)
        #expect(compressed.spilled < plain.spilled, "\(compressed.spilled) vs \(plain.spilled)")
        #expect(plain.files.keys.sorted() == compressed.files.keys.sorted())
        for (name, text) in plain.files { #expect(compressed.files[name] == text, "\(name)") }
    }
}
