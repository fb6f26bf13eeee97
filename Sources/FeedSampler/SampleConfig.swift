/// What to generate. `validate()` checks it; the CLI maps its errors to exit 64.
public struct SampleConfig: Sendable, Equatable {
    /// Orders in the feed, bad ones included (each bad record stands for one order).
    public var orders: Int
    public var seed: UInt64
    public var shape: FeedShape
    /// Share of the orders written as bad records, 0...1 (exact: `round(orders * badShare)`).
    public var badShare: Double
    /// The bad kinds to draw from; nil means `shape.defaultBadKinds`.
    public var badKinds: [BadKind]?
    /// Share of good orders that get later status updates; nil means 0.1 where the shape
    /// supports updates and 0 otherwise.
    public var updateShare: Double?
    /// Start shop-csv with a UTF-8 byte order mark.
    public var byteOrderMark: Bool

    public init(
        orders: Int, seed: UInt64 = 1, shape: FeedShape, badShare: Double = 0, badKinds: [BadKind]? = nil,
        updateShare: Double? = nil, byteOrderMark: Bool = false
    ) {
        self.orders = orders
        self.seed = seed
        self.shape = shape
        self.badShare = badShare
        self.badKinds = badKinds
        self.updateShare = updateShare
        self.byteOrderMark = byteOrderMark
    }

    /// The bad kinds in effect.
    public var effectiveBadKinds: [BadKind] { badKinds ?? shape.defaultBadKinds }

    /// The update share in effect.
    public var effectiveUpdateShare: Double { updateShare ?? (shape.supportsUpdates ? 0.1 : 0) }

    /// Number of bad records.
    public var badCount: Int { Int((Double(orders) * badShare).rounded()) }

    /// Throws `SampleConfigError` naming the first bad setting.
    public func validate() throws(SampleConfigError) {
        if orders < 0 { throw .init("--orders must be 0 or more (got \(orders))") }
        if !(badShare >= 0 && badShare <= 1) { throw .init("--bad-share must be between 0 and 1 (got \(badShare))") }
        if let u = updateShare {
            if !(u >= 0 && u <= 1) { throw .init("--update-share must be between 0 and 1 (got \(u))") }
            if u > 0 && !shape.supportsUpdates {
                throw .init("--update-share: \(shape.rawValue) has no update time or version, so it cannot carry updates")
            }
        }
        if let kinds = badKinds {
            if kinds.isEmpty { throw .init("--bad-kinds names no kind") }
            for k in kinds where !k.applies(to: shape) {
                throw .init(
                    "--bad-kinds: \(k.rawValue) does not apply to \(shape.rawValue) (it takes: "
                        + shape.badKinds.map(\.rawValue).joined(separator: ", ") + ")")
            }
        }
        if byteOrderMark && shape != .shopCSV { throw .init("--bom applies to shop-csv only") }
    }
}

/// A setting the generator cannot honour, with a message for the user.
public struct SampleConfigError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
