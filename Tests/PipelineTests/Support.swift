import Foundation
import OrderModel
@testable import Pipeline

/// Paths of the project (the SampleData feeds, the shipped profiles and rules) and scratch folders.
enum Project {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static func path(_ rel: String) -> String { root + "/" + rel }

    static func tempDir() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("waybill-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d.path
    }

    /// Writes `yaml` as `dir/name` and returns its path.
    static func write(_ yaml: String, in dir: String, name: String = "p.yaml") throws -> String {
        let p = dir + "/" + name
        try yaml.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
}

/// Loads and validates a pipeline file the way the command line does (with `factory`; the
/// default has no fulfillment stage, to test how a pipeline that asks for one is told so).
func validate(
    _ path: String, overrides: [String] = [], env: [String: String] = [:], factory: StageFactory = StageFactory()
) throws -> PipelineValidator.Validated {
    let o = try overrides.map { try Override(parsing: $0) }
    return PipelineValidator.validate(try PipelineLoader.load(path: path, overrides: o, environment: env), factory: factory)
}
