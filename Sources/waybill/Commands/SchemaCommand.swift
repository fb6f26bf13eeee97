import ArgumentParser
import OrderModel

/// `waybill schema`: prints the JSON Schema of the unified NDJSON form.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of the unified order NDJSON form.",
        discussion: "Example: waybill schema > unified-order.schema.json"
    )

    func run() throws {
        print(UnifiedJSONSchema.document(), terminator: "")
    }
}
