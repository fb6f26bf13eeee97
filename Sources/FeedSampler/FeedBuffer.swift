import OrderModel

/// The byte buffer every feed writer appends to. It is flushed to the sink only between
/// records, so a writer can still cut or extend the record it is writing (the bad-record
/// kinds `truncated_json` and `wrong_field_count` do that).
struct FeedBuffer {
    /// Flush once this much is buffered (the writes are then about 1 MiB each).
    static let flushThreshold = 1 << 20

    var bytes: [UInt8]
    /// Bytes handed to the sink so far.
    private(set) var flushed = 0

    init(capacity: Int = FeedBuffer.flushThreshold + 256 * 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Total bytes produced (flushed and pending).
    var total: Int { flushed + bytes.count }

    /// Called between records: hands the buffer to the sink once it holds 1 MiB.
    @inline(__always)
    mutating func boundary<S: FeedSink>(_ sink: inout S) throws {
        if bytes.count >= FeedBuffer.flushThreshold { try flush(&sink) }
    }

    mutating func flush<S: FeedSink>(_ sink: inout S) throws {
        if bytes.isEmpty { return }
        try bytes.withUnsafeBytes { try sink.write($0) }
        flushed += bytes.count
        bytes.removeAll(keepingCapacity: true)
    }

    // MARK: plain appends

    @inline(__always) mutating func byte(_ b: UInt8) { bytes.append(b) }

    @inline(__always) mutating func raw(_ s: [UInt8]) { bytes.append(contentsOf: s) }

    @inline(__always) mutating func ascii(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Decimal digits of a non-negative integer.
    @inline(__always) mutating func int(_ v: Int) { appendDigits(UInt64(v), into: &bytes) }

    /// `v` zero-padded to `width` digits (v < 10^width).
    @inline(__always) mutating func padded(_ v: Int, _ width: Int) {
        var div = 1
        for _ in 1..<width { div &*= 10 }
        var v = v
        while div > 0 {
            bytes.append(UInt8(truncatingIfNeeded: v / div) &+ 0x30)
            v %= div
            div /= 10
        }
    }

    /// Money from integer cents with exactly two decimals: `1234` -> `12.34`.
    @inline(__always) mutating func money(_ cents: Int64) {
        var c = cents
        if c < 0 {
            bytes.append(UInt8(ascii: "-"))
            c = -c
        }
        appendDigits(UInt64(c / 100), into: &bytes)
        bytes.append(UInt8(ascii: "."))
        padded(Int(c % 100), 2)
    }

    /// Money with up to two decimals, as a JSON number: `1230` -> `12.3`, `1200` -> `12`.
    @inline(__always) mutating func moneyShort(_ cents: Int64) {
        let c = cents < 0 ? -cents : cents
        if cents < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(UInt64(c / 100), into: &bytes)
        let frac = Int(c % 100)
        if frac == 0 { return }
        bytes.append(UInt8(ascii: "."))
        if frac % 10 == 0 {
            bytes.append(UInt8(frac / 10) &+ 0x30)
        } else {
            padded(frac, 2)
        }
    }

    /// A rate given in whole percent as a two-decimal fraction: `4` -> `0.04`, `10` -> `0.10`.
    @inline(__always) mutating func percentRate(_ pct: Int) {
        bytes.append(UInt8(ascii: "0"))
        bytes.append(UInt8(ascii: "."))
        padded(pct, 2)
    }

    /// `YYYY-MM-DD` of a day count since 1970-01-01.
    @inline(__always) mutating func date(days: Int64) {
        let (y, m, d) = CivilTime.civil(days: days)
        padded(y, 4)
        bytes.append(UInt8(ascii: "-"))
        padded(m, 2)
        bytes.append(UInt8(ascii: "-"))
        padded(d, 2)
    }

    /// `YYYY-MM-DD HH:MM:SS` of a wall-clock second count since 1970-01-01 00:00 (in whatever
    /// zone the caller already applied).
    @inline(__always) mutating func dateTime(seconds: Int64) {
        let day = seconds >= 0 ? seconds / 86_400 : -((-seconds - 1) / 86_400) - 1
        let rest = Int(seconds - day * 86_400)
        date(days: day)
        bytes.append(UInt8(ascii: " "))
        padded(rest / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        padded(rest / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        padded(rest % 60, 2)
    }

    /// A UTC offset in minutes as `+0800` / `-0400`.
    @inline(__always) mutating func offset(minutes: Int) {
        bytes.append(minutes < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let m = minutes < 0 ? -minutes : minutes
        padded(m / 60, 2)
        padded(m % 60, 2)
    }

    /// `count` bytes of plain filler text (letters and spaces only, so it never needs CSV quoting
    /// or JSON escaping); used for the over-long bad records.
    mutating func filler(_ count: Int) {
        let phrase = FeedBuffer.fillerPhrase
        var left = count
        while left > 0 {
            let n = min(left, phrase.count)
            bytes.append(contentsOf: phrase[0..<n])
            left -= n
        }
    }

    static let fillerPhrase: [UInt8] = Array(
        "furiously regular deposits sleep quickly above the blithely even packages ".utf8)
}
