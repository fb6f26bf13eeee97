import OrderModel
import Testing
@testable import Fulfillment

@Suite struct CalendarTests {
    @Test func holidayFollowedByMakeUpDay() throws {
        let plan = try shippedPlan()
        let cn = plan.warehouses.first { $0.id == "CN-LF-BULKY" }!.calendar
        #expect(cn.id == "CN-2026")
        // Fri 13 Feb works; Sat 14 Feb is a make-up working day; 15-23 Feb is Spring Festival.
        #expect(cn.isWorking(day("2026-02-13")))
        #expect(cn.isWorking(day("2026-02-14")))
        #expect(!cn.isWorking(day("2026-02-15")) && !cn.isWorking(day("2026-02-23")))
        #expect(cn.adding(1, to: day("2026-02-13")) == day("2026-02-14"))
        #expect(cn.adding(2, to: day("2026-02-13")) == day("2026-02-24"))
        // National Day: Wed 30 Sep -> Thu 8 Oct; Sat 10 Oct is worked, Sun 11 Oct is not.
        #expect(cn.adding(1, to: day("2026-09-30")) == day("2026-10-08"))
        #expect(cn.adding(3, to: day("2026-09-30")) == day("2026-10-10"))
        #expect(cn.adding(4, to: day("2026-09-30")) == day("2026-10-12"))
        #expect(cn.onOrAfter(day("2026-10-01")) == day("2026-10-08"))
    }

    @Test func weekdaysAndGermanHolidays() throws {
        let plan = try shippedPlan()
        let de = plan.warehouses.first { $0.id == "DE-BER" }!.calendar
        #expect(WorkCalendar.weekday(day("2026-11-27")) == 4)  // a Friday
        #expect(!de.isWorking(day("2026-04-03")) && !de.isWorking(day("2026-04-06")))  // Good Friday, Easter Monday
        #expect(de.adding(1, to: day("2026-04-02")) == day("2026-04-07"))
    }

    @Test func zoneOffsetsFollowDaylightSaving() throws {
        let berlin = try #require(ZoneClock("Europe/Berlin"))
        #expect(berlin.offset(atUTC: ts("2026-01-07T12:00:00Z")) == 3600)
        #expect(berlin.offset(atUTC: ts("2026-07-01T12:00:00Z")) == 7200)
        // The switch to summer time is at 01:00 UTC on the last Sunday of March.
        #expect(berlin.offset(atUTC: ts("2026-03-29T00:59:59Z")) == 3600)
        #expect(berlin.offset(atUTC: ts("2026-03-29T01:00:00Z")) == 7200)
        #expect(berlin.utc(day: day("2026-07-02"), seconds: 20 * 3600) == ts("2026-07-02T18:00:00Z"))
        let shanghai = try #require(ZoneClock("Asia/Shanghai"))
        #expect(shanghai.utc(day: day("2026-03-03"), seconds: 0) == ts("2026-03-02T16:00:00Z"))
        #expect(ZoneClock("+05:30")?.offset(atUTC: 0) == 19_800)
        #expect(ZoneClock("Mars/Olympus") == nil)
    }
}
