import Foundation
import OrderModel
import Testing

@testable import Ingest

/// A line reaches Swift by one of two paths in the simdjson shim: the DOM parser (nearly every
/// line) or the on-demand walk (lines the DOM parser rejects, lines over 1 MiB, nesting deeper
/// than the DOM parser's 1024 levels). Both must hand over the same values, and the DOM path
/// finds string and number text from stage 1's token positions, so whitespace between tokens
/// and escapes are what could tell them apart.
@Suite struct JSONParsePathTests {
    static func profile(_ limits: String) throws -> Profile {
        try Fixture.profile("""
            source: j
            format: ndjson
            limits: { \(limits) }
            lines: { from: items, key: items }
            order:
              order_id: "{source}:{id}"
              external_order_id: id
              order_type: { const: sale }
              status: { const: PAID }
              created_at: { from: t, format: "%Y-%m-%d" }
            line:
              quantity: q
            """)
    }

    /// The order's ext map and line quantities, the parts a tape difference would show in.
    func digest(_ r: Collected) -> [String] {
        r.orders.map { o in
            let ext = (o["ext"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            let q = (o["lines"] as? [[String: Any]] ?? []).map { ($0["quantity"] as? String) ?? "?" }
            return "\(o["external_order_id"] ?? "?")|\(ext.joined(separator: ","))|\(q.joined(separator: ","))"
        }
    }

    @Test func whitespaceAndEscapesGiveTheSameValuesAsCompactText() throws {
        let compact = #"{"id":"a","t":"2025-01-02","items":[{"q":1.50},{"q":-2}],"e":"","n":"x\"y","k\u00e9":"\\","z":[1,"2",{"w":null}],"b":true}"#
        let spaced = " {\t\"id\" : \"a\" ,\"t\":\"2025-01-02\" , \"items\" : [ { \"q\" : 1.50 } ,{\"q\":-2\t}\t] , \"e\" : \"\" ,"
            + " \"n\" :\"x\\\"y\" , \"k\\u00e9\":  \"\\\\\"  , \"z\" : [ 1 , \"2\" , { \"w\" : null } ] , \"b\" : true } \r"
        let dir = TempDir()
        let p = try Self.profile("max_line_bytes: 4096")
        let a = try Fixture.collect(p, [dir.write("a.ndjson", compact + "\n")], dir: dir)
        let b = try Fixture.collect(p, [dir.write("b.ndjson", spaced + "\n")], dir: dir)
        #expect(a.rejects.isEmpty && b.rejects.isEmpty)
        let ext = a.orders.first?["ext"] as? [String: String] ?? [:]
        #expect(ext == ["j.e": "", "j.n": "x\"y", "j.k\u{e9}": "\\", "j.z": #"[1,"2",{"w":null}]"#, "j.b": "true"])
        #expect(digest(a) == digest(b))
    }

    /// Over 1 MiB the line skips the DOM parser; over 1024 levels the DOM parser refuses it and
    /// the on-demand walk, with the profile's higher limit, takes it. Same values either way.
    @Test func linesTheDOMParserDoesNotTakeGiveTheSameValues() throws {
        let head = #"{"id":"a","t":"2025-01-02","items":[{"q":3}],"n":"x\ty","#
        let short = head + #""pad":"p"}"#
        let long = head + #""pad":"\#(String(repeating: "p", count: 1 << 21))"}"#
        let deepValue = String(repeating: "[", count: 1100) + String(repeating: "]", count: 1100)
        let deep = head + #""pad":"p","d":\#(deepValue)}"#
        let dir = TempDir()
        let p = try Self.profile("max_line_bytes: 4194304, max_field_bytes: 4194304, max_json_depth: 1200")
        let r = try Fixture.collect(p, [dir.write("f.ndjson", [short, long, deep].joined(separator: "\n") + "\n")], dir: dir)
        #expect(r.rejects.isEmpty)
        let d = digest(r)
        #expect(d.count == 3)
        #expect(d.first == "a|j.n=x\ty,j.pad=p|3")
        #expect(d.dropFirst().first == "a|j.n=x\ty,j.pad=\(String(repeating: "p", count: 1 << 21))|3")
        #expect(d.last == "a|j.d=\(deepValue),j.n=x\ty,j.pad=p|3")
    }

    /// Broken lines get their reason from the on-demand walk, as before the DOM path: the
    /// messages below are simdjson's on-demand error texts.
    @Test func brokenLinesKeepTheirReasons() throws {
        let lines = [
            #"{"id":"a","t":"2025-01-02","items":[{"q":1}]} x"#,
            #"{"id":"b","t":"2025-01-02","items":[{"q":1}],}"#,
            #"{"id":"c","t":"2025-01-02","items":[{"q":tru}]}"#,
            #"{"id":"d","t":"2025-01-02","items":[{"q":"\x"}]}"#,
            "7",
        ]
        let dir = TempDir()
        let r = try Fixture.collect(try Self.profile("max_line_bytes: 4096"), [dir.write("f.ndjson", lines.joined(separator: "\n") + "\n")], dir: dir)
        #expect(r.orders.isEmpty)
        let reasons = r.rejects.map { ($0["reason"] as? String) ?? "" }
        // simdjson's on-demand messages, as the shim gave them before it had the DOM path.
        let structure = "The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."
        let expected = [
            "JSON document ended early in the middle of an object or array.", structure,
            "The JSON element does not have the requested type.", "Problem while parsing a string", structure,
        ]
        #expect(reasons == expected.map { "not valid JSON: \($0)" })
    }
}
