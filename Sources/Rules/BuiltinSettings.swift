import Foundation
import OrderModel
import Yams

/// Settings of the built-in rule kinds, read from the rules file's top-level sections
/// (`dedup`, `transitions`, `normalize`, `pii`; docs/rules.md).
public struct BuiltinSettings: Sendable {
    /// What happens to a stale update (older than the newest version seen).
    public enum StalePolicy: String, Sendable {
        /// Counted as merged (folded into the newer version) and not emitted.
        case drop
        /// Emitted unchanged with a `T7-stale` warn result; the state is not changed by it.
        case pass
    }

    public var stale = StalePolicy.drop
    public var transitions: TransitionTable?
    public var transitionSeverity = Severity.reject
    public var normalize = NormalizeSettings()
    public var pii = PIISettings()
    /// Per-source money policies (the first one naming the order's source, else `source: "*"`).
    public var money: [MoneyPolicy] = []

    public init() {}

    /// Reads one top-level section; false when `key` is not a built-in section.
    mutating func read(key: String, _ value: Node, loader: RuleLoader) throws(WaybillError) -> Bool {
        switch key {
        case "dedup":
            if let s = value["stale"] {
                guard let p = s.string.flatMap(StalePolicy.init(rawValue:)) else {
                    throw loader.error(s, "dedup.stale must be drop or pass")
                }
                stale = p
            }
            for (k, _) in value.mapping ?? Node.Mapping([]) where k.string != "stale" {
                throw loader.error(k, "unknown dedup key '\(k.string ?? "")' (stale)")
            }
        case "transitions":
            guard let t = value["table"], let name = t.string else {
                throw loader.error(value, "transitions needs a 'table' (a YAML file, relative to the rules file)")
            }
            transitions = try TransitionTable.load(path: loader.relative(name))
            if let s = value["severity"] {
                guard let v = s.string.flatMap(Severity.init(name:)) else {
                    throw loader.error(s, "transitions.severity must be reject, hold or warn")
                }
                transitionSeverity = v
            }
        case "normalize":
            try normalize.read(value, loader: loader)
        case "pii":
            try pii.read(value, loader: loader)
        case "money":
            money = try MoneyPolicy.read(value, loader: loader)
        default:
            return false
        }
        return true
    }
}
