import OrderModel
import Testing
@testable import Ingest

@Suite struct TimeFormatTests {
    /// `%Y-%m-%d` takes a straight-line path for 10-byte texts; `%Y-%m-%d%f` (an absent
    /// fraction adds nothing) walks the tokens. Both must give the same answer for every text,
    /// valid or not, including month ends and leap days.
    @Test func isoDateFastPathMatchesTheGeneralParser() {
        let fast = TimeFormat("%Y-%m-%d")!
        let general = TimeFormat("%Y-%m-%d%f")!
        var texts = [
            "2024-02-29", "2023-02-29", "2000-02-29", "1900-02-29", "2023-04-31", "2023-04-30", "2023-12-31",
            "0000-01-01", "9999-12-31", "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32", "20x4-01-01",
            "2024/01/01", "2024-1-011", " 2024-01-1", "2024-01-1 ", "1992-01-0:", "1992-0/-01", "1998-08-02",
        ]
        for m in 0...13 {
            for d in [0, 1, 28, 29, 30, 31, 32] {
                texts.append("2023-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)")
                texts.append("2024-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)")
            }
        }
        for t in texts {
            var s = t
            let (a, b) = s.withUTF8 { u in
                let raw = UnsafeRawBufferPointer(u)
                return (fast.parse(raw), general.parse(raw))
            }
            #expect(a?.days == b?.days && (a == nil) == (b == nil), "\(t)")
            #expect(a?.secondOfDay ?? 0 == 0 && a?.micros ?? 0 == 0 && a?.offsetSeconds == nil, "\(t)")
        }
        var leap = "2024-02-29"
        let days = leap.withUTF8 { fast.parse(UnsafeRawBufferPointer($0))?.days }
        #expect(days == CivilTime.days(year: 2024, month: 2, day: 29))
    }
}
