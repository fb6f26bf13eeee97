import Foundation
import OrderModel
import Testing

@testable import Ingest

/// The NDJSON walk hands plain strings, keys and numbers over as ranges of the input and
/// remembers each member position's slot; escaped text, other number shapes and a changed key
/// order must still give the same answers as simdjson's own path.
@Suite struct JSONValueTests {
    @Test func escapesKeyOrderAndNumberShapes() throws {
        let lines = [
            #"{"id":"a","t":"2025-01-01 08:00:00","items":[{"q":1}],"note":"plain"}"#,
            #"{"i\u0064":"b\"q","t":"2025-01-01 08:00:00","items":[{"q":2.5}],"n\u006fte":"x\ty"}"#,
            #"{"note":"z","items":[{"q":3}],"t":"2025-01-01 08:00:00","id":"c"}"#,
            #"{"id":"d","t":"2025-01-01 08:00:00","items":[{"q":012}]}"#,  // leading zero: json_invalid
            #"{"id":"e","t":"2025-01-01 08:00:00","items":[{"q":1e400}]}"#,  // overflows: json_invalid
            #"{"id":"f","t":"2025-01-01 08:00:00","items":[{"q":1.}]}"#,  // json_invalid
            #"{"id":"g","t":"2025-01-01 08:00:00","items":[{"q":1e2}]}"#,  // valid JSON, not a decimal
            #"{"id":"h","t":"2025-01-01 08:00:00","items":[{"q":4}],"big":123456789012345678901234}"#,  // too big for simdjson: json_invalid
        ]
        let dir = TempDir()
        let text = lines.joined(separator: "\n") + "\n"
        let r = try Fixture.collect(try Fixture.profile(RejectTests.jsonProfile), [dir.write("f.ndjson", text)], dir: dir)
        #expect(r.orders.map { $0["external_order_id"] as! String } == ["a", "b\"q", "c"])
        #expect((r.orders[1]["ext"] as? [String: String])?["j.note"] == "x\ty")
        #expect((r.orders[2]["ext"] as? [String: String])?["j.note"] == "z")
        let q = r.orders.map { (($0["lines"] as! [[String: Any]])[0]["quantity"] as? String) ?? "?" }
        #expect(q == ["1", "2.5", "3"])
        let codes = r.rejects.map { "\($0["code"]!)@\($0["line"]!)" }
        #expect(codes == ["json_invalid@4", "json_invalid@5", "json_invalid@6", "bad_type@7", "json_invalid@8"])
        #expect(r.books.balances)
    }
}
