/// Calendar arithmetic on the proleptic Gregorian calendar, without Foundation, for the hot
/// paths that turn feed dates into `date` and `timestamp` values and back to text.
///
/// The day-count formulas are Howard Hinnant's public-domain `days_from_civil` /
/// `civil_from_days` algorithms.
public enum CivilTime {
    public static let microsPerSecond: Int64 = 1_000_000
    public static let microsPerDay: Int64 = 86_400_000_000

    /// Days since 1970-01-01 of a calendar date.
    @inlinable
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The calendar date of a day count.
    @inlinable
    public static func civil(days z0: Int64) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }

    /// Whether a year/month/day names a real date.
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard month >= 1 && month <= 12 && day >= 1 else { return false }
        return day <= daysInMonth(year: year, month: month)
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The UTC offset (seconds east) of local wall-clock time `local` (seconds since 1970, the
    /// local clock read as if it were UTC) in a zone whose offset at a UTC instant (seconds) is
    /// `offsetAt`. Around a transition: a repeated time takes its first occurrence (the earlier
    /// instant, as java.time and Python's `fold=0` do) and a time in a gap is read with the
    /// offset before it, so it moves forward by the gap. Assumes transitions are more than a
    /// day apart, as every zone's are.
    ///
    /// Two guesses that "settle" (offset at local, then at local minus it) are not enough: in a
    /// zone east of UTC they take the second occurrence of a repeated time.
    public static func offset(ofLocal local: Int64, _ offsetAt: (Int64) -> Int64) -> Int64 {
        let before = offsetAt(local - 86_400), after = offsetAt(local + 86_400)
        if before == after { return before }
        let larger = max(before, after), smaller = min(before, after)
        if offsetAt(local - larger) == larger { return larger }  // the earlier instant when both fit
        if offsetAt(local - smaller) == smaller { return smaller }
        return before  // in the gap
    }

    /// Floor division of microseconds to days (correct for instants before 1970).
    @inlinable
    public static func day(ofMicros t: Int64) -> Int64 {
        t >= 0 ? t / microsPerDay : -((-t - 1) / microsPerDay) - 1
    }

    /// Appends `YYYY-MM-DD`.
    public static func formatDate(days: Int64, into out: inout [UInt8]) {
        let (y, m, d) = civil(days: days)
        pad(y, 4, &out)
        out.append(UInt8(ascii: "-"))
        pad(m, 2, &out)
        out.append(UInt8(ascii: "-"))
        pad(d, 2, &out)
    }

    /// Appends RFC 3339 UTC: `YYYY-MM-DDTHH:MM:SSZ`, with `.ffffff` when there are microseconds.
    public static func formatTimestamp(micros t: Int64, into out: inout [UInt8]) {
        let day = day(ofMicros: t)
        var rest = t - day * microsPerDay
        formatDate(days: day, into: &out)
        out.append(UInt8(ascii: "T"))
        let micros = Int(rest % microsPerSecond)
        rest /= microsPerSecond
        pad(Int(rest / 3600), 2, &out)
        out.append(UInt8(ascii: ":"))
        pad(Int(rest / 60 % 60), 2, &out)
        out.append(UInt8(ascii: ":"))
        pad(Int(rest % 60), 2, &out)
        if micros != 0 {
            out.append(UInt8(ascii: "."))
            pad(micros, 6, &out)
        }
        out.append(UInt8(ascii: "Z"))
    }

    public static func dateString(days: Int64) -> String {
        var o: [UInt8] = []
        formatDate(days: days, into: &o)
        return String(decoding: o, as: UTF8.self)
    }

    public static func timestampString(micros: Int64) -> String {
        var o: [UInt8] = []
        formatTimestamp(micros: micros, into: &o)
        return String(decoding: o, as: UTF8.self)
    }

    @inline(__always)
    static func pad(_ v: Int, _ width: Int, _ out: inout [UInt8]) {
        var v = v
        if v < 0 {
            out.append(UInt8(ascii: "-"))
            v = -v
        }
        var div = 1
        for _ in 1..<width { div *= 10 }
        while div > 1 && v >= div * 10 { div *= 10 }  // wider than `width`
        while div > 0 {
            out.append(UInt8(v / div % 10) + 0x30)
            div /= 10
        }
    }
}
