import Foundation
import OrderModel
import Testing
@testable import Rules

@Suite struct TransactTests {
    static let rulesYAML = """
        version: 1
        dedup: {stale: drop}
        transitions: {table: \(TPCHFeed.repoRoot)/Pipelines/rules/transitions.yaml, severity: reject}
        rules:
          - id: R-total
            check: grand_total is null or grand_total >= 0
            severity: reject
            message: "negative total {grand_total}"
          - id: H-phone
            when: consignee_phone is not null
            check: matches(consignee_phone, '^1[3-9][0-9]{9}$')
            severity: hold
            message: "phone {consignee_phone} is not a CN mobile"
          - id: W-currency
            check: currency is not null
            severity: warn
            message: no currency
        """

    static func ruleSet() throws -> RuleSet { try RuleSet.parse(yaml: rulesYAML, file: "test.yaml") }

    static func order(_ key: String, v: Int, _ status: String, cod: Bool = false, extra: [String: String] = [:]) -> TestBatches.Order {
        var f = [
            "order_id": "s:\(key)", "source": "s", "external_order_id": key, "status": status,
            "created_at": "2024-01-01T00:00:00Z", "order_date": "2024-01-01", "version": "\(v)",
            "updated_at": "2024-01-0\(min(v, 9))T00:00:00Z", "is_cod": cod ? "true" : "false", "currency": "CNY",
        ]
        f.merge(extra) { $1 }
        return TestBatches.Order(fields: f, lines: [["line_no": "1", "sku": "X", "quantity": "1"]])
    }

    static let batch1: [TestBatches.Order] = [
        order("A", v: 1, "CREATED"), order("A", v: 1, "CREATED"), order("A", v: 2, "PAID"),
        order("B", v: 1, "PAID"), order("B", v: 1, "CANCELLED"),
        order("C", v: 1, "CREATED"), order("C", v: 2, "SHIPPED"),
        order("D", v: 1, "CREATED", cod: true), order("D", v: 2, "ALLOCATED", cod: true),
        order("E", v: 1, "CREATED"), order("E", v: 2, "ALLOCATED"),
    ]
    static let batch2: [TestBatches.Order] = [
        order("A", v: 2, "PAID"), order("A", v: 1, "CREATED"), order("B", v: 2, "DELIVERED"),
        order("C", v: 3, "PAID"), order("F", v: 1, "CREATED"),
    ]

    struct Run {
        var output = OrderBatch()
        var rejects: [String] = []
        var summary = TransactSummary()
        var ndjson: [UInt8] = []
    }

    static func run(_ orders: [TestBatches.Order], state: StateStore? = nil, rules: RuleSet? = nil) throws -> Run {
        let t = try Transactor(ruleSet: try rules ?? ruleSet(), state: state)
        let dir = NSTemporaryDirectory() + "waybill-rejects-\(UUID().uuidString).ndjson"
        let writer = try RejectWriter(path: dir)
        var r = Run()
        try t.process(TestBatches.batch(orders), into: &r.output, rejects: writer)
        try writer.close()
        r.summary = t.finish()
        r.rejects = try String(contentsOfFile: dir, encoding: .utf8).split(separator: "\n").map(String.init)
        try? FileManager.default.removeItem(atPath: dir)
        UnifiedNDJSONEncoder().encode(r.output, into: &r.ndjson)
        if state != nil { try t.commitState() }
        return r
    }

    static func tempDir() -> String { NSTemporaryDirectory() + "waybill-state-\(UUID().uuidString)" }

    static func ids(_ b: OrderBatch) -> [String] { (0..<b.count).map { b.orders.columns[OrderField.orderId].string($0)! + "@" + b.orders.columns[OrderField.version].int($0).description } }

    @Test func duplicatesConflictsAndIllegalTransitionsGiveExactCounts() throws {
        let r = try Self.run(Self.batch1)
        #expect(r.summary.books.recordsIn == 11)
        #expect(r.summary.books.ordersOut == 5)
        #expect(r.summary.books.rejected == 3)
        #expect(r.summary.books.merged == 3)
        #expect(r.summary.books.balances)
        #expect(r.summary.duplicates == 1)
        #expect(r.summary.superseded == 2)
        #expect(r.summary.conflicts == 1)
        #expect(r.summary.illegalTransitions == 2)
        #expect(r.summary.stale == 0)
        #expect(Self.ids(r.output) == ["s:A@2", "s:B@1", "s:C@1", "s:D@2", "s:E@1"])
        #expect(r.rejects.count == 3)
        #expect(r.rejects[0].contains(#""code":"T7-conflict""#))
        #expect(r.rejects[0].contains("same (updated_at, version) as record 4 of this run but different content"))
        #expect(r.rejects[0].contains(#""line":5"#))
        #expect(r.rejects[1].contains("status CREATED -> SHIPPED is not a legal transition"))
        #expect(r.rejects[2].contains("status CREATED -> ALLOCATED is not a legal transition"))  // E is not COD
        #expect(r.summary.hits("T8-transition") == 2)
    }

    @Test func stateCarriesAcrossRunsAndStaleUpdatesAreDropped() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.run(Self.batch1, state: try StateStore(directory: dir))
        let r = try Self.run(Self.batch2, state: try StateStore(directory: dir))
        #expect(r.summary.books.recordsIn == 5)
        #expect(r.summary.duplicates == 1)  // A v2 again
        #expect(r.summary.stale == 1)  // A v1
        #expect(r.summary.books.rejected == 1)  // B PAID -> DELIVERED
        #expect(r.summary.books.merged == 2)
        #expect(Self.ids(r.output) == ["s:C@3", "s:F@1"])
        #expect(r.rejects[0].contains("status PAID -> DELIVERED"))
        #expect(r.summary.books.balances)
    }

    @Test func rerunningTheSameBatchIsANoOp() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.run(Self.batch1, state: try StateStore(directory: dir))
        let before = try StateStore(directory: dir).encoded()
        let again = try Self.run(Self.batch1, state: try StateStore(directory: dir))
        #expect(again.output.count == 0)
        #expect(try StateStore(directory: dir).encoded() == before)
        #expect(again.summary.books.balances)
    }

    @Test func runningTwiceGivesTheSameOutput() throws {
        let a = try Self.run(Self.batch1 + Self.batch2)
        let b = try Self.run(Self.batch1 + Self.batch2)
        #expect(a.ndjson == b.ndjson)
        #expect(a.rejects == b.rejects)
        #expect(!a.ndjson.isEmpty)
    }

    @Test func batchOneThenTwoEqualsBothTogether() throws {
        let seq = Self.tempDir(), together = Self.tempDir()
        defer {
            try? FileManager.default.removeItem(atPath: seq)
            try? FileManager.default.removeItem(atPath: together)
        }
        _ = try Self.run(Self.batch1, state: try StateStore(directory: seq))
        _ = try Self.run(Self.batch2, state: try StateStore(directory: seq))
        _ = try Self.run(Self.batch1 + Self.batch2, state: try StateStore(directory: together))
        let a = try StateStore(directory: seq), b = try StateStore(directory: together)
        #expect(a.entries.count == 6)
        #expect(a.encoded() == b.encoded())
    }

    @Test func holdsWarningsAndRuleRejects() throws {
        let r = try Self.run([
            Self.order("G", v: 1, "PAID", extra: ["consignee_phone": "12345"]),
            Self.order("H", v: 1, "PAID", extra: ["grand_total": "-1"]),
            Self.order("I", v: 1, "PAID", extra: ["currency": ""]).withoutCurrency(),
        ])
        #expect(Self.ids(r.output) == ["s:G@1", "s:I@1"])
        let o = r.output.orders
        #expect(o.columns[OrderField.status].string(0) == "ON_HOLD")
        #expect(o.columns[OrderSchema.orderFieldIndex("hold_codes")!].list(0) == ["H-phone"])
        let results = o.columns[OrderSchema.orderFieldIndex("rule_results")!].map(0)!
        #expect(results.map(\.key) == ["H-phone"])
        #expect(results[0].value == "hold: phone ***** is not a CN mobile".replacingOccurrences(of: "*****", with: "****"))
        #expect(o.columns[OrderField.ext].map(0)!.contains { $0.key == "transact.held_from" && $0.value == "PAID" })
        #expect(o.columns[OrderField.status].string(1) == "PAID")
        #expect(o.columns[OrderSchema.orderFieldIndex("rule_results")!].map(1)!.first?.value == "warn: no currency")
        #expect(r.rejects.count == 1 && r.rejects[0].contains(#""code":"R-total""#) && r.rejects[0].contains("negative total -1"))
        #expect(r.summary.held == 1)
        #expect(r.summary.hits("H-phone") == 1)
        #expect(!r.rejects[0].contains("12345"))
    }

    @Test func aFailedRunLeavesTheStateUntouched() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.run(Self.batch1, state: try StateStore(directory: dir))
        let before = try StateStore(directory: dir).encoded()
        // Process batch 2 but never commit (what the command does when a threshold fails).
        let t = try Transactor(ruleSet: try Self.ruleSet(), state: try StateStore(directory: dir))
        var out = OrderBatch()
        try t.process(TestBatches.batch(Self.batch2), into: &out, rejects: try RejectWriter(path: nil))
        #expect(out.count == 2)
        #expect(try StateStore(directory: dir).encoded() == before)
    }

    @Test func onHoldReturnsOnlyToTheStatusItWasHeldFrom() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.run([Self.order("K", v: 1, "PAID"), Self.order("K", v: 2, "ON_HOLD"), Self.order("L", v: 1, "PAID"),
                          Self.order("L", v: 2, "ON_HOLD")], state: try StateStore(directory: dir))
        let r = try Self.run([Self.order("K", v: 3, "ALLOCATED"), Self.order("L", v: 3, "PAID")], state: try StateStore(directory: dir))
        // ON_HOLD -> ALLOCATED is not in the table and K was held from PAID; L goes back to PAID.
        #expect(Self.ids(r.output) == ["s:L@3"])
        #expect(r.rejects.count == 1 && r.rejects[0].contains("status ON_HOLD -> ALLOCATED"))
    }

    @Test func stalePassPolicyEmitsWithAWarningAndKeepsTheNewerState() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rules = try RuleSet.parse(yaml: Self.rulesYAML.replacingOccurrences(of: "stale: drop", with: "stale: pass"), file: "t.yaml")
        _ = try Self.run([Self.order("M", v: 2, "PAID")], state: try StateStore(directory: dir), rules: rules)
        let before = try StateStore(directory: dir).encoded()
        let r = try Self.run([Self.order("M", v: 1, "CREATED")], state: try StateStore(directory: dir), rules: rules)
        #expect(Self.ids(r.output) == ["s:M@1"])
        #expect(r.summary.stale == 1 && r.summary.books.merged == 0 && r.summary.books.balances)
        let results = r.output.orders.columns[OrderSchema.orderFieldIndex("rule_results")!].map(0)!
        #expect(results.contains { $0.key == "T7-stale" && $0.value.hasPrefix("warn: stale update") })
        #expect(try StateStore(directory: dir).encoded() == before)
    }

    /// A state written in format 1 (SHA-256 content hashes, 50-byte entries) is read as it is:
    /// its entries are compared in their own form, a run replaces what it changes with the
    /// XXH3 form, and the next commit writes format 3 with the untouched entries still marked.
    @Test func aFormatOneStateIsComparedInItsOwnFormAndRewrittenAsFormatThree() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = [Self.order("M", v: 1, "CREATED"), Self.order("N", v: 1, "CREATED")]
        _ = try Self.run(first, state: try StateStore(directory: dir))
        // Rewrite the state as format 1 wrote it.
        let batch = TestBatches.batch(first)
        let hasher = OrderHasher()
        let fresh = hasher.contents(batch)
        var keys: [Digest128] = []
        hasher.keys(batch, into: &keys)
        let legacy = Dictionary(uniqueKeysWithValues: keys.indices.map { (keys[$0], hasher.legacyContent(batch, row: $0)) })
        let v2 = try StateStore(directory: dir).encoded()
        #expect(Array(v2[0..<8]) == Array("WBSTATE3".utf8) && v2.count == 16 + 2 * 51 + 16)
        func u64(_ b: [UInt8], _ o: Int) -> UInt64 { (0..<8).reversed().reduce(0) { $0 << 8 | UInt64(b[o + $1]) } }
        func le(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
        var v1 = Array("WBSTATE1".utf8) + v2[8..<16]
        for e in 0..<2 {
            let o = 16 + e * 51
            let key = Digest128(hi: u64(v2, o), lo: u64(v2, o + 8))
            #expect(Digest128(hi: u64(v2, o + 32), lo: u64(v2, o + 40)) == fresh[keys.firstIndex(of: key)!])
            #expect(v2[o + 50] == 0)
            v1 += v2[o..<(o + 32)] + le(legacy[key]!.hi) + le(legacy[key]!.lo) + v2[(o + 48)..<(o + 50)]
        }
        try Data(v1).write(to: URL(fileURLWithPath: dir + "/orders.state"))
        let loaded = try StateStore(directory: dir)
        #expect(loaded.count == 2 && keys.allSatisfy { loaded[$0]!.legacyContent && loaded[$0]!.content == legacy[$0]! })

        // The same order again: a duplicate, not a conflict.
        let again = try Self.run([Self.order("M", v: 1, "CREATED")], state: try StateStore(directory: dir))
        #expect(again.summary.duplicates == 1 && again.summary.conflicts == 0 && again.output.count == 0)
        // The same version with other content: a conflict that names the stored format-1 hash.
        let other = try Self.run([Self.order("M", v: 1, "CREATED", extra: ["currency": "USD"])], state: try StateStore(directory: dir))
        #expect(other.summary.conflicts == 1 && other.summary.duplicates == 0)
        #expect(other.rejects.count == 1 && other.rejects[0].contains("vs \(legacy[keys[0]]!)"))
        // A newer version of M replaces its entry with format 2's form; N's stays as it was.
        let newer = try Self.run([Self.order("M", v: 2, "PAID")], state: try StateStore(directory: dir))
        #expect(newer.output.count == 1)
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/orders.state")))
        #expect(Array(written[0..<8]) == Array("WBSTATE3".utf8))
        let after = try StateStore(directory: dir)
        #expect(after[keys[0]]!.legacyContent == false && after[keys[0]]!.version == 2)
        #expect(after[keys[1]]!.legacyContent && after[keys[1]]!.content == legacy[keys[1]]!)
        // And N, still in format 1's form, is still recognised.
        let n = try Self.run([Self.order("N", v: 1, "CREATED")], state: try StateStore(directory: dir))
        #expect(n.summary.duplicates == 1 && n.summary.conflicts == 0)
    }

    @Test func aStateEntryWithUnknownFlagsIsAnError() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.run([Self.order("M", v: 1, "CREATED")], state: try StateStore(directory: dir))
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/orders.state")))
        bytes[16 + 50] = 0x80
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/orders.state"))
        #expect(throws: WaybillError.self) { try StateStore(directory: dir) }
    }

    /// A status code past the canonical list (a damaged format-2 file, which has no checksum)
    /// indexed past the transition table when the order came again, and trapped; it is
    /// refused at load.
    @Test func aStateEntryWithAnUnknownStatusIsAnError() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.run([Self.order("M", v: 1, "CREATED")], state: try StateStore(directory: dir))
        // As format 2 wrote it: the same without the checksum.
        var bytes = Array("WBSTATE2".utf8) + Array(try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/orders.state"))).dropFirst(8).dropLast(16))
        for (offset, value) in [(48, UInt8(0xEE)), (49, UInt8(CanonicalStatus.allCases.count))] {
            var damaged = bytes
            damaged[16 + offset] = value
            try Data(damaged).write(to: URL(fileURLWithPath: dir + "/orders.state"))
            #expect(throws: WaybillError.self) { try StateStore(directory: dir) }
        }
        bytes[16 + 49] = 255  // held-from unknown: valid
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/orders.state"))
        #expect(try StateStore(directory: dir).count == 1)
    }

    /// Format 3 ends in XXH3-128 of the rest: a flipped byte anywhere (here the version, which
    /// would decide duplicates) is an error at load, not data.
    @Test func aDamagedStateFileFailsItsChecksum() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.run([Self.order("M", v: 1, "CREATED")], state: try StateStore(directory: dir))
        let path = dir + "/orders.state"
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for offset in [16 + 24, 16 + 40, good.count - 1] {
            var damaged = good
            damaged[offset] ^= 0x01
            try Data(damaged).write(to: URL(fileURLWithPath: path))
            #expect { _ = try StateStore(directory: dir) } throws: { "\($0)".contains("checksum does not match") }
        }
        try Data(good).write(to: URL(fileURLWithPath: path))
        #expect(try StateStore(directory: dir).count == 1)
    }

    @Test func aCorruptStateFileIsAnErrorNotACrash() throws {
        let dir = Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("WBSTATE1\u{5}\0\0\0\0\0\0\0abc".utf8).write(to: URL(fileURLWithPath: dir + "/orders.state"))
        #expect(throws: WaybillError.self) { try StateStore(directory: dir) }
    }
}

extension TestBatches.Order {
    func withoutCurrency() -> TestBatches.Order {
        var o = self
        o.fields["currency"] = nil
        return o
    }
}
