import OrderModel
import Yams

/// A loaded rules file: compiled expression rules plus the settings of the built-in rule kinds.
/// Loading parses and type-checks everything once; a mistake is a `WaybillError.config` naming
/// the file, line and column (exit 78).
public final class RuleSet: @unchecked Sendable {
    public let file: String
    public let rules: [Rule]
    public let pool: ExpressionPool
    public let builtins: BuiltinSettings

    init(file: String, rules: [Rule], pool: ExpressionPool, builtins: BuiltinSettings) {
        self.file = file
        self.rules = rules
        self.pool = pool
        self.builtins = builtins
    }

    /// Loads and compiles a rules file.
    public static func load(path: String) throws(WaybillError) -> RuleSet {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw WaybillError.inputNotFound(path: path, reason: "cannot read rules file")
        }
        return try parse(yaml: text, file: path)
    }

    /// Compiles rules from YAML text; `file` names it in errors and anchors relative paths.
    public static func parse(yaml text: String, file: String) throws(WaybillError) -> RuleSet {
        var loader = RuleLoader(text: text, file: file)
        return try loader.load()
    }
}

import Foundation
