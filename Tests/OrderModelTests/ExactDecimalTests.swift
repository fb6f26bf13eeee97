import Testing
@testable import OrderModel

@Suite struct ExactDecimalTests {
    @Test(arguments: [
        ("0", 0), ("1", 10_000), ("-1", -10_000), ("172799.49", 1_727_994_900), ("0.04", 400),
        ("+2.5", 25_000), ("  7.125 ", 71_250), (".5", 5_000), ("5.", 50_000), ("1.23450000", 12_345),
        ("99999999999999.9999", 999_999_999_999_999_999), ("-99999999999999.9999", -999_999_999_999_999_999),
        ("99999999999999.99990", 999_999_999_999_999_999),
    ] as [(String, Int64)])
    func parses(text: String, value: Int64) throws {
        #expect(try ExactDecimal.parse(text).get() == value)
    }

    @Test(arguments: [
        ("", ExactDecimal.ParseError.empty), ("   ", .empty), ("abc", .notANumber), ("1.2.3", .notANumber),
        ("1e5", .notANumber), ("-", .notANumber), (".", .notANumber), ("1.23456", .tooManyFractionDigits),
        ("922337203685477.5808", .outOfRange), ("99999999999999999999", .outOfRange), ("100000000000000", .outOfRange), ("-100000000000000.0000", .outOfRange), ("1,5", .notANumber),
    ])
    func rejects(text: String, error: ExactDecimal.ParseError) {
        #expect(throws: error) { try ExactDecimal.parse(text).get() }
    }

    @Test(arguments: [
        (Int64(0), "0"), (10_000, "1"), (-10_000, "-1"), (1_727_994_900, "172799.49"), (400, "0.04"),
        (1, "0.0001"), (-5, "-0.0005"), (Int64.max, "922337203685477.5807"), (Int64.min, "-922337203685477.5808"),
    ])
    func formats(value: Int64, text: String) {
        #expect(ExactDecimal.string(value) == text)
    }

    /// The unchecked short path must give exactly what the general parser gives, for every
    /// text: random texts over the bytes that matter, with 14/15-digit edges among them.
    @Test func shortPathAgreesWithTheGeneralParser() {
        let alphabet = Array("0123456789.-+ e9".utf8)
        var rng = SystemRandomNumberGenerator()
        var texts: [[UInt8]] = [
            Array("99999999999999.9999".utf8), Array("999999999999999.9999".utf8), Array("-99999999999999".utf8),
            Array("12.".utf8), Array("-0".utf8), Array("0.00001".utf8), Array("00012.5000".utf8), Array("1.23450".utf8),
        ]
        for _ in 0..<20_000 {
            let n = Int.random(in: 0...22, using: &rng)
            texts.append((0..<n).map { _ in alphabet.randomElement(using: &rng)! })
        }
        for t in texts {
            t.withUnsafeBytes { b in
                #expect(ExactDecimal.parse(b) == ExactDecimal.parseChecked(b), "\(String(decoding: t, as: UTF8.self))")
            }
        }
    }

    @Test func formatThenParseIsIdentity() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let v = Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &rng)
            #expect(try ExactDecimal.parse(ExactDecimal.string(v)).get() == v)
        }
    }
}

@Suite struct CivilTimeTests {
    @Test func knownDays() {
        #expect(CivilTime.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilTime.days(year: 2000, month: 3, day: 1) == 11_017)
        #expect(CivilTime.days(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilTime.days(year: 1582, month: 10, day: 15) == -141_427)
    }

    @Test func roundTripsEveryDayOverFourCenturies() {
        var d = CivilTime.days(year: 1800, month: 1, day: 1)
        let end = CivilTime.days(year: 2200, month: 12, day: 31)
        var expected = (year: 1800, month: 1, day: 1)
        while d <= end {
            let c = CivilTime.civil(days: d)
            #expect(c == expected)
            #expect(CivilTime.days(year: c.year, month: c.month, day: c.day) == d)
            expected.day += 1
            if expected.day > CivilTime.daysInMonth(year: expected.year, month: expected.month) {
                expected.day = 1
                expected.month += 1
                if expected.month > 12 {
                    expected.month = 1
                    expected.year += 1
                }
            }
            d += 1
        }
    }

    @Test func formatsTimestamps() {
        #expect(CivilTime.timestampString(micros: 0) == "1970-01-01T00:00:00Z")
        #expect(CivilTime.timestampString(micros: -1) == "1969-12-31T23:59:59.999999Z")
        #expect(CivilTime.timestampString(micros: 1_764_150_000_123_456) == "2025-11-26T09:40:00.123456Z")
        #expect(CivilTime.dateString(days: 9497) == "1996-01-02")
        #expect(!CivilTime.isValid(year: 2025, month: 2, day: 29))
        #expect(CivilTime.isValid(year: 2024, month: 2, day: 29))
    }
}
