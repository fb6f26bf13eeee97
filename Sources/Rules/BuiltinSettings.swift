import Yams

/// Settings of the built-in rule kinds, read from the rules file's top-level sections.
public struct BuiltinSettings: Sendable {
    public init() {}

    /// Reads one top-level section; false when `key` is not a built-in section.
    mutating func read(key: String, _ value: Node, loader: RuleLoader) throws(WaybillError) -> Bool {
        switch key {
        default:
            return false
        }
    }
}

import OrderModel
