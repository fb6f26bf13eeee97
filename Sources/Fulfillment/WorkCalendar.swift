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

    /// Working days precomputed over `DayTable.range`, so the planner's per-child questions
    /// (is this day worked, the next working day, n working days later) are array reads
    /// instead of set lookups in a day-by-day loop (handling days alone walked 30 days a child).
    private let table: DayTable

    public init(id: String, weekdays: [Bool], holidays: Set<Int64> = [], makeUpDays: Set<Int64> = []) {
        precondition(weekdays.count == 7)
        self.id = id
        self.weekdays = weekdays
        self.holidays = holidays
        self.makeUpDays = makeUpDays
        table = DayTable(weekdays: weekdays, holidays: holidays, makeUpDays: makeUpDays)
    }

    /// Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday).
    @inlinable static func weekday(_ day: Int64) -> Int {
        Int(((day % 7) + 7 + 3) % 7)
    }

    /// The rule itself (outside the table's range): a make-up day is worked even on a
    /// weekend; a holiday is not worked even on a weekday.
    static func rule(_ day: Int64, _ weekdays: [Bool], _ holidays: Set<Int64>, _ makeUpDays: Set<Int64>) -> Bool {
        if !makeUpDays.isEmpty && makeUpDays.contains(day) { return true }
        if !holidays.isEmpty && holidays.contains(day) { return false }
        return weekdays[weekday(day)]
    }

    public func isWorking(_ day: Int64) -> Bool {
        if let i = DayTable.index(day) { return table.rank[i + 1] != table.rank[i] }
        return Self.rule(day, weekdays, holidays, makeUpDays)
    }

    /// `day` itself when it is a working day, else the next one. Bounded: a calendar with no
    /// working day at all is refused at load, so this always ends.
    public func onOrAfter(_ day: Int64) -> Int64 {
        if let i = DayTable.index(day) {
            let k = Int(table.rank[i])
            if k < table.workDays.count { return DayTable.first + Int64(table.workDays[k]) }
        }
        var d = day
        while !isWorking(d) { d += 1 }
        return d
    }

    /// The working day `n` working days after `day` (n = 0: `day` moved onto a working day).
    public func adding(_ n: Int, to day: Int64) -> Int64 {
        var d = onOrAfter(day)
        if n >= 0, let i = DayTable.index(d) {
            let k = Int(table.rank[i]) + n  // d is worked: workDays[rank[i]] == d
            if k < table.workDays.count { return DayTable.first + Int64(table.workDays[k]) }
        }
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

/// A calendar's working days from 1950 to 2149 (days since 1970): `rank[i]` counts the
/// working days before day `first + i`, `workDays` lists the working days in order. Built once
/// when the calendar loads; a class so that copying a calendar into every warehouse and
/// service shares it.
///
/// The build marks the holidays and make-up days into a day array first and then walks the
/// days with a running weekday, so each of the 73k days costs an array read instead of two set
/// lookups: asking `WorkCalendar.rule` per day (two hashes a day) was a quarter of a small
/// `waybill fulfill` run's instructions, spent before the first order was read.
final class DayTable: Sendable {
    static let first: Int64 = -7_305  // 1950-01-01
    static let count = 73_049  // through 2149-12-31
    let rank: [Int32]
    let workDays: [Int32]

    init(weekdays: [Bool], holidays: Set<Int64>, makeUpDays: Set<Int64>) {
        // 0: the weekday decides; 1: a holiday (not worked); 2: a make-up day (worked, even if
        // it is also listed as a holiday, as `WorkCalendar.rule` says).
        var special = [UInt8](repeating: 0, count: Self.count)
        for d in holidays { if let i = Self.index(d) { special[i] = 1 } }
        for d in makeUpDays { if let i = Self.index(d) { special[i] = 2 } }
        var rank = [Int32](repeating: 0, count: Self.count + 1)
        var work = [Int32](repeating: 0, count: Self.count)
        var worked = 0
        rank.withUnsafeMutableBufferPointer { rank in
            work.withUnsafeMutableBufferPointer { work in
                special.withUnsafeBufferPointer { special in
                    var weekday = WorkCalendar.weekday(Self.first)
                    for i in 0..<Self.count {
                        rank[i] = Int32(worked)
                        let s = special[i]
                        if s == 2 || (s == 0 && weekdays[weekday]) {
                            work[worked] = Int32(i)
                            worked += 1
                        }
                        weekday = weekday == 6 ? 0 : weekday + 1
                    }
                    rank[Self.count] = Int32(worked)
                }
            }
        }
        work.removeLast(Self.count - worked)
        self.rank = rank
        workDays = work
    }

    /// The table index of `day`, or nil outside the table.
    @inline(__always) static func index(_ day: Int64) -> Int? {
        let i = day - Self.first
        return i >= 0 && i < Int64(Self.count) ? Int(i) : nil
    }
}
