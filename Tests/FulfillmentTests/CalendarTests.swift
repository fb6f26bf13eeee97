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

    /// The precomputed day table says what the rule says on every day it covers: weekends, a
    /// holiday, a make-up day, a day listed as both (the make-up day wins), and the first and
    /// last days of the table; days outside it (listed or not) follow the rule directly.
    @Test func dayTableAgreesWithTheRuleOnEveryDay() {
        let first = DayTable.first, last = DayTable.first + Int64(DayTable.count) - 1
        let holidays: Set<Int64> = [first, 0, 1, 100, 20_000, last, last + 3, first - 2]
        let makeUp: Set<Int64> = [1, 2, 3, 19_999, last - 1, first - 1]
        let weekdays = [true, true, false, true, true, false, false]
        let cal = WorkCalendar(id: "t", weekdays: weekdays, holidays: holidays, makeUpDays: makeUp)
        var mismatches: [Int64] = []
        for d in (first - 10)...(last + 10) where cal.isWorking(d) != WorkCalendar.rule(d, weekdays, holidays, makeUp) {
            mismatches.append(d)
        }
        #expect(mismatches.isEmpty)
        #expect(cal.isWorking(1) && !cal.isWorking(0))
        #expect(cal.adding(0, to: 0) == 1)
        // Walking n working days over the table matches counting them one by one.
        var base: Int64 = 19_990
        while !WorkCalendar.rule(base, weekdays, holidays, makeUp) { base += 1 }
        #expect(cal.onOrAfter(19_990) == base)
        var d = base
        for n in 1...30 {
            repeat { d += 1 } while !WorkCalendar.rule(d, weekdays, holidays, makeUp)
            #expect(cal.adding(n, to: base) == d)
        }
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

    /// Local times around a change, east of UTC as well as west: a repeated time is its first
    /// occurrence, a time in the gap moves forward (the two-guess method took the second
    /// occurrence east of UTC).
    @Test func localTimesAroundATransition() throws {
        let berlin = try #require(ZoneClock("Europe/Berlin"))
        // 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice.
        #expect(berlin.utc(day: day("2026-10-25"), seconds: 2 * 3600 + 1800) == ts("2026-10-25T00:30:00Z"))
        #expect(berlin.utc(day: day("2026-03-29"), seconds: 2 * 3600 + 1800) == ts("2026-03-29T01:30:00Z"))  // gap
        let newYork = try #require(ZoneClock("America/New_York"))
        #expect(newYork.utc(day: day("2026-11-01"), seconds: 3600 + 1800) == ts("2026-11-01T05:30:00Z"))
        let lordHowe = try #require(ZoneClock("Australia/Lord_Howe"))
        // 2011-04-03: 02:00 at +11 becomes 01:30 at +10:30.
        #expect(lordHowe.utc(day: day("2011-04-03"), seconds: 3600 + 2700) == ts("2011-04-02T14:45:00Z"))
        #expect(lordHowe.utc(day: day("2011-04-03"), seconds: 2 * 3600 + 900) == ts("2011-04-02T15:45:00Z"))
    }
}
