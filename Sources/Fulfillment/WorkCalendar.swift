import OrderModel

/// A working-day calendar of a warehouse or carrier (F11): the working weekdays, holidays, and
/// make-up working days (CN 调休: weekend days that are worked). Days are counted as days since
/// 1970-01-01 in the node's own time zone.
public struct WorkCalendar: Sendable {
    public let id: String
    /// Working weekdays, indexed Monday = 0 ... Sunday = 6.
    public let weekdays: [Bool]
    public let holidays: Set<Int64>
    public let makeUpDays: Set<Int64>

    public init(id: String, weekdays: [Bool], holidays: Set<Int64> = [], makeUpDays: Set<Int64> = []) {
        precondition(weekdays.count == 7)
        self.id = id
        self.weekdays = weekdays
        self.holidays = holidays
        self.makeUpDays = makeUpDays
    }

    /// Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday).
    @inlinable static func weekday(_ day: Int64) -> Int {
        Int(((day % 7) + 7 + 3) % 7)
    }

    /// A make-up day is worked even on a weekend; a holiday is not worked even on a weekday.
    public func isWorking(_ day: Int64) -> Bool {
        if !makeUpDays.isEmpty && makeUpDays.contains(day) { return true }
        if !holidays.isEmpty && holidays.contains(day) { return false }
        return weekdays[Self.weekday(day)]
    }

    /// `day` itself when it is a working day, else the next one. Bounded: a calendar with no
    /// working day at all is refused at load, so this always ends.
    public func onOrAfter(_ day: Int64) -> Int64 {
        var d = day
        while !isWorking(d) { d += 1 }
        return d
    }

    /// The working day `n` working days after `day` (n = 0: `day` moved onto a working day).
    public func adding(_ n: Int, to day: Int64) -> Int64 {
        var d = onOrAfter(day)
        var left = n
        while left > 0 {
            d += 1
            if isWorking(d) { left -= 1 }
        }
        return d
    }

    /// Every day working: TPC-H's generated dates ignore weekends and holidays.
    public static let everyDay = WorkCalendar(id: "every_day", weekdays: Array(repeating: true, count: 7))
}
