/// What the state remembers of one order key: the newest applied version, its status and a
/// hash of its content. 51 bytes on disk; about 100 bytes in memory with the hash table.
public struct StateEntry: Sendable, Equatable {
    /// `updated_at` in UTC microseconds, `Int64.min` when the order had none.
    public var updatedAt: Int64
    /// `version`, `Int64.min` when the order had none.
    public var version: Int64
    /// Index in `CanonicalStatus.allCases` of the status the source sent (not transact's holds).
    public var status: UInt8
    /// For an ON_HOLD status sent by the source: the status it was held from (255: unknown).
    public var heldFrom: UInt8
    public var content: Digest128
    /// Whether `content` is in the form of state format 1 (the first half of SHA-256) rather
    /// than XXH3-128: an entry loaded from a format-1 state that no run has replaced since.
    public var legacyContent: Bool

    public init(updatedAt: Int64, version: Int64, status: UInt8, heldFrom: UInt8, content: Digest128, legacyContent: Bool = false) {
        self.updatedAt = updatedAt
        self.version = version
        self.status = status
        self.heldFrom = heldFrom
        self.content = content
        self.legacyContent = legacyContent
    }

    /// Orders versions: `(updated_at, version)`, lexicographically; a missing value is oldest.
    public static func order(_ a: (Int64, Int64), _ b: (Int64, Int64)) -> Int {
        if a.0 != b.0 { return a.0 < b.0 ? -1 : 1 }
        if a.1 != b.1 { return a.1 < b.1 ? -1 : 1 }
        return 0
    }

    var stamp: (Int64, Int64) { (updatedAt, version) }

    /// All zeros: what the empty slots of a `DigestMap` of entries hold (never read as an entry).
    static let zero = StateEntry(updatedAt: 0, version: 0, status: 0, heldFrom: 0, content: Digest128(hi: 0, lo: 0))
}
