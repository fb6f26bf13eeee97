import OrderModel
import Yams

/// A `--set key.path=value` override: the dotted path names mapping keys (and list indexes,
/// `lines.shop.inputs.0`); the value is read as YAML (`--set output.datasets=[orders]`), so
/// numbers and lists keep their type. Missing mappings on the way are created, so an override
/// can add a setting the file does not have; the loader then checks it like any other.
public struct Override: Sendable, Equatable {
    public let path: [String]
    public let value: String
    /// The argument as given, for messages.
    public let text: String

    public init(parsing argument: String) throws(WaybillError) {
        guard let eq = argument.firstIndex(of: "=") else {
            throw .usage("--set \(argument): expected KEY.PATH=VALUE")
        }
        let key = argument[..<eq]
        let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty }) else {
            throw .usage("--set \(argument): the key path '\(key)' has an empty part")
        }
        path = parts
        value = String(argument[argument.index(after: eq)...])
        text = argument
    }

    /// The value as a node without positions (the loader reports problems in it as `--set ...`).
    func valueNode() throws(WaybillError) -> Node {
        let node: Node?
        do {
            node = try Yams.compose(yaml: value)
        } catch {
            throw .usage("--set \(text): the value is not valid YAML")
        }
        return Self.unmarked(node ?? Node("", .implicit, .plain))
    }

    static func unmarked(_ node: Node) -> Node {
        switch node {
        case .scalar(let s): return .scalar(.init(s.string, s.tag, s.style, nil))
        case .sequence(let s): return .sequence(.init(s.map(unmarked), s.tag, s.style, nil))
        case .mapping(let m): return .mapping(.init(m.map { (unmarked($0.key), unmarked($0.value)) }, m.tag, m.style, nil))
        }
    }

    /// `root` with this override applied.
    func apply(to root: Node) throws(WaybillError) -> Node {
        try set(root, at: path[...], to: try valueNode())
    }

    private func set(_ node: Node, at path: ArraySlice<String>, to value: Node) throws(WaybillError) -> Node {
        guard let key = path.first else { return value }
        let rest = path.dropFirst()
        switch node {
        case .sequence(var seq):
            guard let i = Int(key), i >= 0, i < seq.count else {
                throw .usage("--set \(text): '\(key)' is not an index of the list (0..<\(seq.count))")
            }
            var items = Array(seq)
            items[i] = try set(items[i], at: rest, to: value)
            seq = Node.Sequence(items, seq.tag, seq.style, seq.mark)
            return .sequence(seq)
        case .mapping(let map):
            var pairs = Array(map).map { ($0.key, $0.value) }
            if let i = pairs.firstIndex(where: { $0.0.string == key }) {
                pairs[i].1 = try set(pairs[i].1, at: rest, to: value)
            } else {
                pairs.append((Node(key), try set(Node([(Node, Node)]()), at: rest, to: value)))
            }
            return .mapping(Node.Mapping(pairs, map.tag, map.style, map.mark))
        default:
            if case .scalar(let s) = node, s.string.isEmpty || node.null != nil {
                return try set(Node([(Node, Node)]()), at: path, to: value)  // an empty value becomes a mapping
            }
            throw .usage("--set \(text): '\(key)' is below a single value, not a mapping")
        }
    }
}
