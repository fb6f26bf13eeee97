import Foundation
import OrderModel
import Testing

@testable import RunMetrics

@Suite struct ProgressTests {
    /// Collects what the meter asks to draw.
    final class Drawn: @unchecked Sendable {
        var events: [(ProgressMeter.Snapshot, ProgressMeter.Event)] = []
    }

    @Test func perInputCountsAndTotals() {
        let drawn = Drawn()
        let meter = ProgressMeter(stage: "collect", inputCount: 2, interval: 3600) { drawn.events.append(($0, $1)) }
        meter.beginInput("a.csv", size: 1000)
        meter.update(records: 10, inputBytes: 400)
        meter.update(records: 25, inputBytes: 1000)
        meter.endInput()
        meter.beginInput("b.csv", size: nil)
        meter.add(records: 5, bytes: 300)
        meter.add(records: 5, bytes: 200)
        meter.endInput()
        meter.finish()
        meter.finish()  // a second finish draws nothing
        // A long interval: no periodic redraw, only the two input lines and the final one.
        #expect(drawn.events.map { $0.1 } == [.inputDone, .inputDone, .finished])
        let (a, b, total) = (drawn.events[0].0, drawn.events[1].0, drawn.events[2].0)
        #expect(a.input == "a.csv" && a.inputRecords == 25 && a.inputBytes == 1000 && a.inputSize == 1000)
        #expect(b.input == "b.csv" && b.inputIndex == 2 && b.inputRecords == 10 && b.inputBytes == 500)
        #expect(total.records == 35 && total.bytes == 1500)
    }

    @Test func redrawsAreThrottled() {
        let drawn = Drawn()
        let meter = ProgressMeter(stage: "write", interval: 0) { drawn.events.append(($0, $1)) }
        meter.beginInput("-", size: nil)
        for i in 1...5 { meter.add(records: i, bytes: 0) }
        #expect(drawn.events.count == 5)
        let slow = Drawn()
        let throttled = ProgressMeter(stage: "write", interval: 3600) { slow.events.append(($0, $1)) }
        throttled.beginInput("-", size: nil)
        for i in 1...1000 { throttled.add(records: i, bytes: 0) }
        #expect(slow.events.isEmpty)
    }

    @Test func lineShowsRateAndETAWhenTheSizeIsKnown() {
        var s = ProgressMeter.Snapshot(stage: "collect")
        s.input = "feeds/a.csv.gz"
        s.inputIndex = 1
        s.inputCount = 3
        s.inputRecords = 1_204_000
        s.inputBytes = 48 << 20
        s.inputSize = 120 << 20
        s.inputElapsed = 2
        let line = ProgressDisplay.line(s, event: .tick)
        #expect(line == "collect [1/3] feeds/a.csv.gz: 1,204,000 records, 48.0 MiB of 120.0 MiB, 24.0 MiB/s, ETA 0:03")
        s.inputSize = nil
        s.input = "-"
        s.inputCount = 1
        #expect(ProgressDisplay.line(s, event: .tick) == "collect stdin: 1,204,000 records, 48.0 MiB, 24.0 MiB/s")
        #expect(ProgressDisplay.line(s, event: .inputDone) == "collect stdin: 1,204,000 records, 48.0 MiB, 24.0 MiB/s, 0:02")
        s.records = 2_000_000
        s.bytes = 100 << 20
        s.elapsed = 3725
        #expect(ProgressDisplay.line(s, event: .finished) == "collect: done: 2,000,000 records, 100.0 MiB in 1:02:05 (27.5 KiB/s)")
    }

    @Test func progressIsOffWhenQuietOrNotATerminal() {
        #expect(!ProgressDisplay.enabled(flag: true, quiet: true))
        #expect(ProgressDisplay.enabled(flag: true, quiet: false))
        #expect(!ProgressDisplay.enabled(flag: false, quiet: false))
        // Test runners' stderr is a pipe or a file; /dev/null is not a terminal either.
        let fd = open("/dev/null", O_WRONLY)
        defer { close(fd) }
        #expect(!ProgressDisplay.enabled(flag: nil, quiet: false, fd: fd))
        #expect(ProgressDisplay.meter(stage: "x", enabled: false) == nil)
    }

    @Test func units() {
        #expect(ProgressDisplay.bytes(512) == "512 B")
        #expect(ProgressDisplay.bytes(1536) == "1.5 KiB")
        #expect(ProgressDisplay.grouped(0) == "0")
        #expect(ProgressDisplay.grouped(999) == "999")
        #expect(ProgressDisplay.grouped(1000) == "1,000")
        #expect(ProgressDisplay.clock(59.6) == "1:00")
    }
}
