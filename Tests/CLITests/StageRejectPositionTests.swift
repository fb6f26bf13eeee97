import Foundation
import Testing

/// The rejects of the stages that read unified NDJSON (`transact`, `fulfill`) name where the
/// order was read: its line and byte offset in the input, as the reader's own rejects do, also
/// when an unreadable line came before it in the same batch.
@Suite struct StageRejectPositionTests {
    /// Line 1 a good order, line 2 not JSON, line 3 `bad` (the good order changed by `change`).
    private func input(_ change: (inout [String: Any]) -> Void) throws -> (Data, offset: Int) {
        let shop = CLI.packageRoot.appendingPathComponent("SampleData/feeds/shop.csv").path
        let profile = CLI.packageRoot.appendingPathComponent("Pipelines/profiles/shop-csv.yaml").path
        let collected = try CLI.run(["collect", shop, "--profile", profile, "--quiet"])
        #expect(collected.status == 0)
        let good = String(collected.out.split(separator: "\n")[0])
        var order = try JSONSerialization.jsonObject(with: Data(good.utf8)) as! [String: Any]
        change(&order)
        let bad = String(decoding: try JSONSerialization.data(withJSONObject: order, options: [.sortedKeys]), as: UTF8.self)
        let notJSON = "{not json"
        let text = good + "\n" + notJSON + "\n" + bad + "\n"
        return (Data(text.utf8), good.utf8.count + 1 + notJSON.utf8.count + 1)
    }

    /// Another order (its own id) whose first line has quantity 0: `T1-lines` rejects it in
    /// transact, and fulfill cannot plan it.
    private func zeroQuantity(_ order: inout [String: Any]) {
        order["order_id"] = (order["order_id"] as! String) + "-2"
        order["external_order_id"] = (order["external_order_id"] as! String) + "-2"
        var lines = order["lines"] as! [[String: Any]]
        lines[0]["quantity"] = "0"
        order["lines"] = lines
    }

    private func rejects(_ path: URL) throws -> [[String: Any]] {
        try String(contentsOf: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    @Test func transactRejectsNameTheOrdersLineAndByteOffset() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (data, offset) = try input(zeroQuantity)
        let file = dir.appendingPathComponent("in.ndjson")
        try data.write(to: file)
        let out = dir.appendingPathComponent("rejects.ndjson")
        let rules = CLI.packageRoot.appendingPathComponent("Pipelines/rules/transaction.yaml").path
        _ = try CLI.run(["transact", file.path, "--rules", rules, "--rejects", out.path, "--quiet"])
        let all = try rejects(out)
        let unreadable = all.first { $0["code"] as? String == "json_invalid" }
        #expect(unreadable?["line"] as? Int == 2)
        let rule = all.first { $0["code"] as? String == "T1-lines" }
        #expect(rule?["file"] as? String == file.path)
        #expect(rule?["line"] as? Int == 3)
        #expect(rule?["byte_offset"] as? Int == offset)
    }

    /// A conflicting version names the record it conflicts with by its line, not by how many
    /// orders (and unreadable lines) were counted before its batch.
    @Test func aConflictNamesTheLineOfTheVersionItConflictsWith() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (data, offset) = try input { order in order["display_name"] = "changed" }
        let file = dir.appendingPathComponent("in.ndjson")
        try data.write(to: file)
        let out = dir.appendingPathComponent("rejects.ndjson")
        let rules = CLI.packageRoot.appendingPathComponent("Pipelines/rules/transaction.yaml").path
        _ = try CLI.run(["transact", file.path, "--rules", rules, "--rejects", out.path, "--quiet"])
        let conflict = try rejects(out).first { $0["code"] as? String == "T7-conflict" }
        #expect(conflict?["line"] as? Int == 3 && conflict?["byte_offset"] as? Int == offset)
        #expect((conflict?["reason"] as? String)?.contains("as record 1 of this run") == true, "\(conflict ?? [:])")
    }

    @Test func fulfillRejectsNameTheOrdersLineAndByteOffset() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (data, offset) = try input(zeroQuantity)
        let out = dir.appendingPathComponent("rejects.ndjson")
        let rules = CLI.packageRoot.appendingPathComponent("Pipelines/rules/fulfillment.yaml").path
        let r = try CLI.run(["fulfill", "--rules", rules, "--rejects", out.path, "--quiet"], stdin: data)
        #expect(r.status == 0, "\(r.stderr)")
        let planned = try rejects(out).first { $0["code"] as? String == "fulfill.bad_order" }
        #expect(planned?["file"] as? String == "-")
        #expect(planned?["line"] as? Int == 3)
        #expect(planned?["byte_offset"] as? Int == offset)
    }
}
