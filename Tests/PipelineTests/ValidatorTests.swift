import Foundation
import OrderModel
import Testing
@testable import Pipeline

/// `validate` loads what the pipeline names and reports problems in those files where they are.
struct ValidatorTests {
    @Test func theShippedPipelinesAreValid() throws {
        let v = try validate(Project.path("Pipelines/nightly.yaml"), factory: .standard)
        #expect(v.problems.isEmpty, "\(v.problems)")
        for shape in ["flat", "nested"] {
            let b = try validate(Project.path("Pipelines/bench/tpch-\(shape).yaml"), env: ["FEEDS": "/nonexistent"])
            #expect(b.problems.isEmpty, "\(b.problems)")
            #expect(b.warnings.count == 1)  // the feed is not there: a warning, not a problem
        }
    }

    @Test func problemsInNamedFilesCarryTheirOwnPositions() throws {
        let dir = try Project.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Project.write("source: x\nformat: xml\n", in: dir, name: "bad-profile.yaml")
        try "not a folder".write(toFile: dir + "/file", atomically: true, encoding: .utf8)
        let p = try Project.write("""
            lines:
              a:
                profile: bad-profile.yaml
                inputs: a.csv
              b:
                profile: missing-profile.yaml
                inputs: b.csv
            transaction:
              rules: missing-rules.yaml
            fulfillment:
              rules: fulfillment.yaml
            output:
              folder: \(dir)/file/w
            """, in: dir)
        let v = try validate(p)
        let text = v.problems.map(\.description)
        #expect(v.problems.contains { $0.file == dir + "/bad-profile.yaml" && $0.line == 2 })
        #expect(text.contains { $0.hasPrefix("\(p):6:14: profile of line 'b'") })
        #expect(text.contains { $0.hasPrefix("\(p):9:10: transaction rules:") && $0.contains("missing-rules.yaml") })
        #expect(text.contains { $0.hasPrefix("\(p):11:10: the fulfillment stage is not built into this waybill binary yet") })
        #expect(text.contains { $0.hasPrefix("\(p):13:11: output.folder") && $0.contains("is not a folder") })
        #expect(v.problems.count == 5)
        #expect(throws: WaybillError.self) {
            try PipelineRunner(validated: v, factory: StageFactory(), applicationVersion: "test")
        }
    }

    @Test func modeErrorRefusesAFolderWithData() throws {
        let dir = try Project.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/w/orders/x=1", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir + "/w/orders/x=1/part-a-c000.zstd.parquet", contents: Data([1]))
        let p = try Project.write("""
            lines:
              a:
                profile: \(Project.path("Pipelines/profiles/tpch-flat-csv.yaml"))
                inputs: a.csv
            output:
              folder: \(dir)/w
              mode: error
            """, in: dir)
        let v = try validate(p)
        #expect(v.problems.map(\.description) == ["\(p):6:11: output.mode is error and \(dir)/w/orders already holds data"])
    }

    @Test func fulfillmentRulesAreLoadedAndCheckedWithTheStandardStages() throws {
        let dir = try Project.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "source: x\n".write(toFile: dir + "/broken.yaml", atomically: true, encoding: .utf8)
        let p = try Project.write("""
            lines:
              a:
                profile: \(Project.root)/Pipelines/profiles/shop-csv.yaml
                inputs: a.csv
            fulfillment:
              rules: broken.yaml
            output:
              folder: \(dir)/w
            """, in: dir)
        let bad = try validate(p, factory: .standard)
        #expect(bad.problems.contains { $0.description.contains("broken.yaml") })
        #expect(!bad.problems.contains { $0.description.contains("not built into") })
        let good = try validate(p, overrides: ["fulfillment.rules=\(Project.root)/Pipelines/rules/fulfillment.yaml"], factory: .standard)
        #expect(good.problems.isEmpty, "\(good.problems.map(\.description))")
        #expect(good.spec.stages == ["collect", "fulfill", "write"])
    }

    /// One factory loads a fulfillment plan once per path: validation and every business line
    /// of the run share it, so the run plans with the plan it validated even if the files
    /// change or go in between. A new factory reads the files again.
    @Test func theStandardFactoryLoadsAPlanOnce() throws {
        let dir = try Project.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let reference = Project.path("Pipelines/reference")
        try FileManager.default.copyItem(atPath: reference, toPath: dir + "/reference")
        try FileManager.default.createDirectory(atPath: dir + "/rules", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Project.path("Pipelines/rules/fulfillment.yaml"), toPath: dir + "/rules/fulfillment.yaml")
        let rules = dir + "/rules/fulfillment.yaml"
        let factory = StageFactory.standard
        let first = try #require(factory.fulfillment)
        let stage = try first(rules) as? FulfillStage
        let warehouses = stage?.fulfiller.plan.warehouses.count ?? 0
        #expect(warehouses > 0)
        try FileManager.default.removeItem(atPath: dir + "/reference")
        let again = try first(rules) as? FulfillStage
        #expect(again?.fulfiller.plan.warehouses.count == warehouses)
        #expect(again !== stage)  // a stage of its own per line, on the shared plan
        #expect(throws: WaybillError.self) { _ = try StageFactory.standard.fulfillment?(rules) }
    }
}
