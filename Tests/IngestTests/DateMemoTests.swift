import OrderModel
import Testing
@testable import Ingest

@Suite struct DateMemoTests {
    /// Every day over three centuries goes through the memo twice (a miss that stores, then
    /// a lookup that may hit or find its slot taken by another day): whatever the memo answers
    /// must be the parser's answer, and texts that share a slot must never answer for each other.
    @Test func answersOnlyWhatTheParserSaid() {
        let memo = DateMemo()
        defer { memo.free() }
        let format = TimeFormat("%Y-%m-%d")!
        let first = CivilTime.days(year: 1900, month: 1, day: 1), last = CivilTime.days(year: 2199, month: 12, day: 31)
        var hits = 0
        for pass in 0..<2 {
            for d in first...last {
                let label = CivilTime.dateString(days: d)
                var text = label
                text.withUTF8 { u in
                    let raw = UnsafeRawBufferPointer(u)
                    let (h, t, slot) = DateMemo.key(raw)
                    if let remembered = memo.lookup(h, t, slot) {
                        #expect(remembered == d, "\(label)")
                        hits += 1
                    } else if pass == 0 {
                        let parsed = format.parse(raw)
                        #expect(parsed?.days == d, "\(label)")
                        memo.store(h, t, slot, parsed!.days)
                    }
                }
            }
        }
        #expect(hits > 0)
    }

    /// The key covers all ten bytes: texts that differ only in the last two do not match.
    @Test func keyCoversEveryByte() {
        let memo = DateMemo()
        defer { memo.free() }
        var a = "2024-01-15", b = "2024-01-16"
        let ka = a.withUTF8 { DateMemo.key(UnsafeRawBufferPointer($0)) }
        let kb = b.withUTF8 { DateMemo.key(UnsafeRawBufferPointer($0)) }
        memo.store(ka.0, ka.1, ka.2, 19_737)
        #expect(memo.lookup(ka.0, ka.1, ka.2) == 19_737)
        #expect(memo.lookup(kb.0, kb.1, kb.2) == nil)
        #expect(memo.lookup(kb.0, kb.1, ka.2) == nil)
    }
}
