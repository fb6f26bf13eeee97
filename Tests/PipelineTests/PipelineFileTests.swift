import Foundation
import OrderModel
import Testing
@testable import Pipeline

/// Mistakes in pipeline files are reported all at once, each with file, line and column.
struct PipelineFileTests {
    func parse(_ yaml: String, _ overrides: [String] = [], env: [String: String] = [:]) throws -> PipelineLoader.Loaded {
        try PipelineLoader.parse(yaml: yaml, file: "p.yaml", overrides: overrides.map { try Override(parsing: $0) },
            environment: env)
    }

    @Test func everyProblemIsReportedWithItsPosition() throws {
        let yaml = """
            version: 1
            lines:
              shop:
                profile: shop.yaml
                inputs: [a.csv]
                max_reject_rate: 2
              jd:
                profile: jd.yaml
                input: b.ndjson
            output:
              folder: out
              compression: lz4
              partition_by: [order_month, nosuchfield]
            on_line_failure: maybe
            colour: blue
            """
        let problems = try parse(yaml).problems.map(\.description)
        #expect(problems.contains { $0.hasPrefix("p.yaml:6:22: lines.shop.max_reject_rate must be a number from 0.0 to 1.0") })
        #expect(problems.contains { $0.hasPrefix("p.yaml:9:5: unknown key 'input' in line 'jd'") })
        #expect(problems.contains { $0.hasPrefix("p.yaml:8:5: line 'jd' needs 'inputs'") })
        #expect(problems.contains { $0.hasPrefix("p.yaml:12:16: output.compression must be one of zstd, snappy, gzip, none (got 'lz4')") })
        #expect(problems.contains { $0.hasPrefix("p.yaml:13:17: output.partition_by:") && $0.contains("nosuchfield") })
        #expect(problems.contains { $0.hasPrefix("p.yaml:14:18: on_line_failure must be one of continue, stop") })
        #expect(problems.contains { $0.hasPrefix("p.yaml:15:1: unknown key 'colour' in the pipeline file") })
        #expect(problems.count == 7)
    }

    /// A dataset named twice would land every row twice; an empty list would quietly mean
    /// the default two.
    @Test func datasetsAreNamedOnceAndAtLeastOne() throws {
        let yaml = "lines:\n  a:\n    profile: p.yaml\n    inputs: [x.csv]\noutput:\n  folder: out\n  datasets: [orders, orders]\n"
        #expect(try parse(yaml).problems.map(\.description) == ["p.yaml:7:13: output.datasets: dataset 'orders' appears twice"])
        #expect(try parse(yaml, ["output.datasets=[]"]).problems.map(\.message)
            == ["output.datasets: name at least one dataset (orders, order_lines, fulfillment)"])
    }

    @Test func invalidYAMLIsPlaced() throws {
        let problems = try parse("lines:\n  shop: [a\noutput: {folder: x}\n").problems
        #expect(problems.count == 1)
        #expect(problems[0].line >= 2 && problems[0].message.hasPrefix("not valid YAML"))
    }

    @Test func missingSectionsAreNamed() throws {
        let problems = try parse("version: 1\n").problems.map(\.message)
        #expect(problems.contains { $0.contains("missing 'lines'") })
        #expect(problems.contains { $0.contains("missing 'output'") })
    }

    @Test func unsetVariableIsAnErrorAtItsValue() throws {
        let yaml = "lines:\n  a:\n    profile: p.yaml\n    inputs: \"${FEEDS}/x.csv\"\noutput:\n  folder: ${OUT:-out}/w\n"
        let problems = try parse(yaml).problems
        #expect(problems.map(\.description) == [
            "p.yaml:4:13: lines.a.inputs: environment variable FEEDS is not set (give a default with ${FEEDS:-value})"
        ])
        let loaded = try parse(yaml, env: ["FEEDS": "/data/f", "OUT": "/w"])
        #expect(loaded.problems.isEmpty)
        #expect(loaded.spec.lines[0].inputs == ["/data/f/x.csv"])
        #expect(loaded.spec.output.folder == "/w/w")
        #expect(try parse(yaml, env: ["FEEDS": "f"]).spec.output.folder == "out/w")
    }

    @Test func expansionForms() throws {
        let e = VariableExpander(environment: ["A": "1", "EMPTY": ""])
        #expect(try e.expand("x${A}y").get() == "x1y")
        #expect(try e.expand("$$A ${EMPTY:-d} ${EMPTY} ${B:-}").get() == "$A d  ")
        #expect(try e.expand("cost $5").get() == "cost $5")
        #expect((try? e.expand("${B}").get()) == nil)
        #expect((try? e.expand("${A").get()) == nil)
        #expect((try? e.expand("${1A}").get()) == nil)
    }

    @Test func overridesChangeAndAddSettings() throws {
        let yaml = "lines:\n  shop:\n    profile: shop.yaml\n    inputs: [a.csv]\noutput:\n  folder: out\n"
        let loaded = try parse(yaml, [
            "output.folder=/tmp/elsewhere", "lines.shop.inputs=[x.csv, y/]", "lines.shop.max_reject_rate=0.25",
            "thresholds.max_reject_rate=0.5", "on_line_failure=stop",
        ])
        #expect(loaded.problems.isEmpty)
        let s = loaded.spec
        #expect(s.output.folder == "/tmp/elsewhere")
        #expect(s.lines[0].inputs == ["x.csv", "y/"])
        #expect(s.lines[0].maxRejectRate == 0.25)
        #expect(s.maxRejectRate == 0.5)
        #expect(s.onLineFailure == .stop)
        let bad = try parse(yaml, ["output.compression=lz4"]).problems
        #expect(bad.map(\.description) == ["--set: output.compression must be one of zstd, snappy, gzip, none (got 'lz4')"])
        #expect(throws: WaybillError.self) { try parse(yaml, ["lines.shop.profile.deeper=1"]) }
        #expect(throws: WaybillError.self) { try Override(parsing: "no-equals-sign") }
    }

    @Test func configPathsFollowThePipelineFileDataPathsDoNot() throws {
        let yaml = "lines:\n  a:\n    profile: ../profiles/p.yaml\n    inputs: feeds/a.csv\ntransaction:\n  rules: r.yaml\n  state: st\noutput:\n  folder: w\n"
        let s = try PipelineLoader.parse(yaml: yaml, file: "Pipelines/x.yaml").spec
        #expect(s.lines[0].profile == "Pipelines/../profiles/p.yaml")
        #expect(s.lines[0].inputs == ["feeds/a.csv"])
        #expect(s.transaction?.rules == "Pipelines/r.yaml")
        #expect(s.transaction?.state == "st")
        #expect(s.output.folder == "w")
        #expect(s.stages == ["collect", "transact", "write"])
    }

    @Test func overwritePartitionsIsRefusedWithTheReason() throws {
        let yaml = "lines:\n  a:\n    profile: p.yaml\n    inputs: a.csv\noutput:\n  folder: w\n  mode: overwrite-partitions\n"
        let p = try parse(yaml).problems
        #expect(p.count == 1 && p[0].line == 7 && p[0].message.contains("append"))
    }
}
