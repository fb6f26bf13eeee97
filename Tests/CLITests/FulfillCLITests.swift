import Foundation
import Testing

/// `waybill fulfill` on the command line: sample -> collect -> fulfill with the shipped CN
/// rules balances its books; configuration mistakes exit 78 naming the file and line.
@Suite struct FulfillCLITests {
    @Test func shopOrdersArePlannedWithBalancedBooks() throws {
        let sample = try CLI.run(["sample", "--shape", "shop-csv", "--orders", "60", "--seed", "5", "--update-share", "0"])
        #expect(sample.status == 0)
        let profile = CLI.packageRoot.appendingPathComponent("Pipelines/profiles/shop-csv.yaml").path
        let collected = try CLI.run(["collect", "-", "--profile", profile, "--quiet"], stdin: sample.stdout)
        #expect(collected.status == 0)
        let rules = CLI.packageRoot.appendingPathComponent("Pipelines/rules/fulfillment.yaml").path
        let r = try CLI.run(["fulfill", "--rules", rules], stdin: collected.stdout)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("[books balance]"))
        let orders = r.out.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let children = orders.filter { $0["parent_order_id"] != nil }
        #expect(!children.isEmpty)
        for c in children {
            let op = c["operation"] as! [String: Any]
            let reasons = op["plan_reasons"] as! [String: String]
            #expect(reasons["warehouse"] != nil && reasons["ship_by"] != nil, "a child without reasons: \(c["order_id"]!)")
        }
    }

    @Test func badRulesAre78AndNameTheLine() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let rules = dir.appendingPathComponent("rules.yaml")
        try "version: 1\ntables: { warehouses: w.yaml }\nstrategy: cheapest\n".write(to: rules, atomically: true, encoding: .utf8)
        let r = try CLI.run(["fulfill", "--rules", rules.path], stdin: Data())
        #expect(r.status == 78)
        #expect(r.stderr.contains("rules.yaml:3:") && r.stderr.contains("strategy"), "\(r.stderr)")
        let missing = try CLI.run(["fulfill", "--rules", "/nonexistent/fulfillment.yaml"], stdin: Data())
        #expect(missing.status == 66 && missing.stderr.contains("/nonexistent/fulfillment.yaml"))
    }
}
