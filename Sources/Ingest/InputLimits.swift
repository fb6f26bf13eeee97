import Foundation
import OrderModel

/// The bounds that keep a hostile input from exhausting memory, disk or time: decompressed
/// size per input and per archive member, the decompressed/compressed ratio, archive member
/// count and name length, JSON nesting depth and rows per grouped order (line and field length
/// and columns stay in the CSV options, where the readers use them).
///
/// One value for every reader. Defaults sit far above any real nightly feed and far below
/// what a decompression bomb produces (docs/hostile-input.md gives the reasoning); a profile's
/// `limits:` section, a pipeline's `limits:` section and the command line override them, in
/// that order, through `apply(_:origin:)`.
public struct InputLimits: Sendable, Equatable {
    /// Decompressed bytes of one input (all members of an archive together).
    public var maxInputBytes = 64 << 30
    /// Decompressed bytes of one archive member (or single compressed file).
    public var maxMemberBytes = 16 << 30
    /// Decompressed bytes per compressed byte read, checked once an input has produced
    /// `ratioGraceBytes` (small inputs of repetitive text may legitimately go higher).
    public var maxCompressionRatio = 200
    /// Entries of one archive, regular or not (each costs a header parse and a books entry).
    public var maxMembers = 100_000
    /// Bytes of an archive member's path name (names flow into rejects and reports).
    public var maxMemberNameBytes = 1024
    /// Nesting of NDJSON values: the record object is level 1.
    public var maxJSONDepth = 64
    /// Rows of one grouped order (`group.key`): an order is kept whole until its last row, so
    /// a key that never changes (a constant column, an export bug) would otherwise hold the
    /// whole feed in memory as one order (two million rows took 1.8 GB).
    public var maxOrderRows = 100_000

    /// Below this many decompressed bytes the ratio is not judged: the compressed side moves
    /// in read-block steps, so early ratios are noise, and a few MiB cannot hurt anyone.
    public var ratioGraceBytes = 16 << 20

    public init() {}

    /// The option keys, as written in a profile's or pipeline's `limits:` section.
    public static let keys = [
        "max_input_bytes", "max_member_bytes", "max_compression_ratio", "max_members", "max_member_name_bytes",
        "max_json_depth", "max_order_rows", "ratio_grace_bytes",
    ]

    /// Sets the limit named `key` (one of `keys`) from its text: a positive integer, sizes also
    /// with a unit (`512MiB`, `64GiB`, `2TB`). Returns a problem message, nil when accepted.
    public mutating func set(_ key: String, to text: String) -> String? {
        let isSize = key.hasSuffix("_bytes")
        guard let v = isSize ? Self.size(text) : Int(text), v > 0 else {
            return "\(key) must be a positive integer\(isSize ? " or a size such as 512MiB" : "")"
        }
        switch key {
        case "max_input_bytes": maxInputBytes = v
        case "max_member_bytes": maxMemberBytes = v
        case "max_compression_ratio": maxCompressionRatio = v
        case "max_members": maxMembers = v
        case "max_member_name_bytes": maxMemberNameBytes = v
        case "max_json_depth": maxJSONDepth = v
        case "max_order_rows": maxOrderRows = v
        case "ratio_grace_bytes": ratioGraceBytes = v
        default: return "unknown limit '\(key)' (known: \(Self.keys.joined(separator: ", ")))"
        }
        return nil
    }

    /// Applies `key=value` settings in order (the command line's `--limit` options).
    public mutating func apply(_ settings: [String]) throws(WaybillError) {
        for s in settings {
            guard let eq = s.firstIndex(of: "=") else { throw .usage("--limit \(s): expected NAME=VALUE, e.g. max_input_bytes=8GiB") }
            let key = String(s[..<eq]).replacingOccurrences(of: "-", with: "_")
            if let problem = set(key, to: String(s[s.index(after: eq)...])) { throw .usage("--limit \(s): \(problem)") }
        }
    }

    /// `1234`, `512KiB`, `64MiB`, `8GiB`, `1TiB`, or the decimal `KB`/`MB`/`GB`/`TB`.
    public static func size(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
            ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1),
        ]
        for (u, m) in units where t.hasSuffix(u) {
            guard let n = Int(t.dropLast(u.count).trimmingCharacters(in: .whitespaces)) else { return nil }
            let (r, overflow) = n.multipliedReportingOverflow(by: m)
            return overflow ? nil : r
        }
        return Int(t)
    }
}

/// Which bound an input broke, with what was observed: the reject code and reason, and what
/// ends the run with exit 65 once everything read was written.
public struct LimitBreach: Sendable, Equatable, CustomStringConvertible {
    /// `input_too_large`, `member_too_large`, `compression_ratio`, `too_many_members`,
    /// `member_name_too_long`.
    public var code: String
    public var file: String
    public var member: String?
    /// The limit's option name, its value and what the input reached.
    public var limit: String
    public var value: Int
    public var observed: Int

    public var description: String {
        "\(file)\(member.map { "!" + $0 } ?? ""): \(code): \(observed) exceeds \(limit) \(value); "
            + "the rest of this input was not read (raise the limit in the profile's limits: section or with --limit \(limit)=N)"
    }
}
