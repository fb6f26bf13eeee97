/// The rule hits of one batch, row-major: for each hit the order row, the rule (an index into
/// the rule set's results list) and its rendered message as a range of `messages`. Filled by
/// `RuleEngine`, read when the output batch is built. Storage is reused across batches.
public struct RuleHits: Sendable {
    public private(set) var rows: [Int32] = []
    public private(set) var rules: [Int32] = []
    public private(set) var severities: [Severity] = []
    var messageEnds: [Int32] = []
    public private(set) var messages: [UInt8] = []
    /// The strongest severity hit per order row (nil: no hit).
    public private(set) var worst: [Severity?] = []

    public init() {}

    public var count: Int { rows.count }

    mutating func reset(orders: Int) {
        rows.removeAll(keepingCapacity: true)
        rules.removeAll(keepingCapacity: true)
        severities.removeAll(keepingCapacity: true)
        messageEnds.removeAll(keepingCapacity: true)
        messages.removeAll(keepingCapacity: true)
        worst.removeAll(keepingCapacity: true)
        worst.append(contentsOf: repeatElement(nil, count: orders))
    }

    /// Records a hit; its message is what was appended to `messages` since the previous hit.
    mutating func add(row: Int, rule: Int, severity: Severity, render: (inout [UInt8]) -> Void) {
        render(&messages)
        rows.append(Int32(row))
        rules.append(Int32(rule))
        severities.append(severity)
        messageEnds.append(Int32(messages.count))
        if worst[row].map({ $0 < severity }) ?? true { worst[row] = severity }
    }

    /// The byte range of hit `i`'s message.
    public func messageRange(_ i: Int) -> Range<Int> {
        (i == 0 ? 0 : Int(messageEnds[i - 1]))..<Int(messageEnds[i])
    }

    /// The message of hit `i` (allocates: tests and reports).
    public func message(_ i: Int) -> String {
        String(decoding: messages[messageRange(i)], as: UTF8.self)
    }

    /// The hits of order `row`: a range of hit indexes (hits are recorded in row order).
    public func hits(ofRow row: Int, from start: inout Int) -> Range<Int> {
        while start < rows.count && Int(rows[start]) < row { start += 1 }
        var end = start
        while end < rows.count && Int(rows[end]) == row { end += 1 }
        return start..<end
    }
}
