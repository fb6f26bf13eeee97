import Testing
@testable import Datasets

@Suite struct HivePathTests {
    @Test func escapesSparksCharactersWithUppercaseHex() {
        // Spark ExternalCatalogUtils.charToEscape, plus the space.
        let cases: [(String, String)] = [
            ("a/b", "a%2Fb"), ("50%", "50%25"), ("k=v", "k%3Dv"), ("12:30", "12%3A30"), ("a b", "a%20b"),
            ("\"", "%22"), ("#", "%23"), ("'", "%27"), ("*", "%2A"), ("?", "%3F"), ("\\", "%5C"),
            ("{", "%7B"), ("[", "%5B"), ("]", "%5D"), ("^", "%5E"), ("\u{7F}", "%7F"), ("\u{01}", "%01"),
            ("\n", "%0A"), ("\u{1F}", "%1F"),
        ]
        for (value, escaped) in cases {
            #expect(HivePath.escape(value) == escaped, "\(value.debugDescription)")
        }
    }

    @Test func leavesSafeAsciiAndNonAsciiRaw() {
        #expect(HivePath.escape("express-2024_01.x~!@$&()+,;") == "express-2024_01.x~!@$&()+,;")
        #expect(HivePath.escape("<>|") == "<>|")  // Spark escapes these only on Windows
        #expect(HivePath.escape("café 北京") == "café%20北京")
        #expect(HivePath.escape("🚚") == "🚚")
    }

    @Test func nullAndEmptyAreTheDefaultPartition() {
        #expect(HivePath.escape(nil) == "__HIVE_DEFAULT_PARTITION__")
        #expect(HivePath.escape("") == "__HIVE_DEFAULT_PARTITION__")
        #expect(HivePath.unescape("__HIVE_DEFAULT_PARTITION__") == nil)
    }

    @Test func unescapeInvertsEscape() {
        for v in ["a/b%c=d:e f", "é/%", "%%", "x%2", "50%"] {
            #expect(HivePath.unescape(Substring(HivePath.escape(v))) == v)
        }
        #expect(HivePath.unescape("a%2fb") == "a/b")  // lowercase hex from other writers
        #expect(HivePath.unescape("100%") == "100%")  // a lone % stays
    }

    @Test func parsesPartitionDirectories() {
        let p = HivePath.parse(relativeDirectory: "business_line=cold%20chain/order_date=__HIVE_DEFAULT_PARTITION__")
        #expect(p?.count == 2)
        #expect(p?[0].key == "business_line" && p?[0].value == "cold chain")
        #expect(p?[1].key == "order_date" && p?[1].value == nil)
        #expect(HivePath.parse(relativeDirectory: "not-a-partition") == nil)
    }
}
