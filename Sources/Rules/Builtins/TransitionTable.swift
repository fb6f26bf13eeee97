import Foundation
import OrderModel
import Yams

/// The legal status transitions, loaded from a YAML table (Pipelines/rules/transitions.yaml):
/// `(from, to)` pairs, some limited to cash-on-delivery orders. Lookups are two array reads.
public struct TransitionTable: Sendable {
    /// A transition's condition.
    public enum Condition: UInt8, Sendable { case never = 0, always, codOnly }

    static let statuses = CanonicalStatus.allCases
    /// `allowed[from * n + to]`.
    private var allowed: [Condition]
    public let file: String

    /// Index of a canonical status name given as bytes, or nil.
    public static func statusIndex<C: Sequence>(_ bytes: C) -> Int? where C.Element == UInt8 {
        for (i, s) in statuses.enumerated() where s.rawValue.utf8.elementsEqual(bytes) { return i }
        return nil
    }

    public static let onHold = statuses.firstIndex(of: .onHold)!

    public init(yaml text: String, file: String) throws(WaybillError) {
        self.file = file
        let n = Self.statuses.count
        allowed = Array(repeating: .never, count: n * n)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw WaybillError.config(file: file, line: 0, column: 0, message: "YAML: \(error)")
        }
        guard let list = root?["transitions"]?.sequence else {
            throw WaybillError.config(file: file, line: 1, column: 1, message: "expected a 'transitions' list")
        }
        for item in list {
            let mark = item.mark
            func fail(_ m: String) -> WaybillError {
                .config(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, message: m)
            }
            guard let from = item["from"]?.string, let f = Self.statuses.firstIndex(where: { $0.rawValue == from }) else {
                throw fail("'from' must be a canonical status (\(CanonicalStatus.allNames.joined(separator: ", ")))")
            }
            guard let to = item["to"]?.string, let t = Self.statuses.firstIndex(where: { $0.rawValue == to }) else {
                throw fail("'to' must be a canonical status (\(CanonicalStatus.allNames.joined(separator: ", ")))")
            }
            var condition = Condition.always
            if let w = item["when"]?.string {
                guard w == "is_cod" else { throw fail("'when' supports only is_cod") }
                condition = .codOnly
            }
            allowed[f * n + t] = condition
        }
    }

    public static func load(path: String) throws(WaybillError) -> TransitionTable {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw WaybillError.inputNotFound(path: path, reason: "cannot read transitions table")
        }
        return try TransitionTable(yaml: text, file: path)
    }

    /// Whether `from -> to` is legal (staying put always is). `heldFrom` is the status an
    /// ON_HOLD order was held from: the only way out of ON_HOLD besides the table.
    public func isLegal(from: Int, to: Int, isCOD: Bool, heldFrom: Int?) -> Bool {
        if from == to { return true }
        if from == Self.onHold, let h = heldFrom, h == to { return true }
        switch allowed[from * Self.statuses.count + to] {
        case .never: return false
        case .always: return true
        case .codOnly: return isCOD
        }
    }
}
