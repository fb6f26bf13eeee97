/// The four feed shapes of docs/feed-shapes.md.
public enum FeedShape: String, CaseIterable, Sendable {
    case tpchFlatCSV = "tpch-flat-csv"
    case tpchNestedNDJSON = "tpch-nested-ndjson"
    case shopCSV = "shop-csv"
    case jdWaybillNDJSON = "jd-waybill-ndjson"

    /// Whether the shape is CSV (else NDJSON).
    public var isCSV: Bool { self == .tpchFlatCSV || self == .shopCSV }

    /// Whether records carry an update time or version, so that later status updates of an
    /// order can be told apart from the first version (TPC-H has neither).
    public var supportsUpdates: Bool { self == .shopCSV || self == .jdWaybillNDJSON }

    /// The shape `--format csv|ndjson` stands for.
    public static func defaultShape(format: String) -> FeedShape? {
        switch format {
        case "csv": return .shopCSV
        case "ndjson", "jsonl": return .jdWaybillNDJSON
        default: return nil
        }
    }

    /// The source column whose sum the truth file reports as `grand_total_sum`.
    public var grandTotalColumn: String {
        switch self {
        case .tpchFlatCSV, .tpchNestedNDJSON: return "o_totalprice"
        case .shopCSV: return "Total"
        case .jdWaybillNDJSON: return "freight"
        }
    }

    /// The bad-record kinds this shape can carry.
    public var badKinds: [BadKind] {
        BadKind.allCases.filter { $0.applies(to: self) }
    }

    /// The kinds used when the user names none: every kind of the shape except
    /// `overlong_line`, whose records pass 16 MiB and must be asked for.
    public var defaultBadKinds: [BadKind] { badKinds.filter { $0 != .overlongLine } }
}

/// The kinds of bad record the generator plants. Each bad record is a one-record order of its
/// own (never a row inside a good order), so a reader that rejects it loses nothing else.
public enum BadKind: String, CaseIterable, Sendable, Comparable {
    /// CSV: a stray `"` inside an unquoted field (`Clerk#000"000951`): an odd number of quotes.
    case unbalancedQuote = "unbalanced_quote"
    /// CSV: a row with one field too many or too few.
    case wrongFieldCount = "wrong_field_count"
    /// NDJSON: the object is cut off part way through the line.
    case truncatedJSON = "truncated_json"
    /// NDJSON: a complete object followed by extra bytes on the same line.
    case trailingGarbage = "trailing_garbage"
    /// The grand-total money field is not a number (`N/A`, `12.5O`, `1.234,50`).
    case badMoney = "bad_money"
    /// The created date does not exist (`2025-02-30`, `2025-11-31`).
    case badDate = "bad_date"
    /// The order id is empty or absent.
    case missingOrderID = "missing_order_id"
    /// The created time (TPC-H: order date) is empty or absent.
    case missingCreatedAt = "missing_created_at"
    /// A text field holds bytes that are not UTF-8.
    case invalidUTF8 = "invalid_utf8"
    /// One text field of 1.1 MiB (over the 1 MiB field limit, record under 16 MiB).
    case overlongField = "overlong_field"
    /// A record of about 17 MB (over the 16 MiB line limit) whose fields each stay under 1 MiB.
    case overlongLine = "overlong_line"

    public static func < (a: BadKind, b: BadKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Whether the kind exists in `shape`. TPC-H flat rows have too few text fields to pass
    /// 16 MiB with every field under 1 MiB, so they carry no `overlong_line`.
    public func applies(to shape: FeedShape) -> Bool {
        switch self {
        case .unbalancedQuote, .wrongFieldCount: return shape.isCSV
        case .truncatedJSON, .trailingGarbage: return !shape.isCSV
        case .overlongLine: return shape != .tpchFlatCSV
        default: return true
        }
    }

    /// Over-long kinds are drawn 20 times less often than the others once each kind has
    /// appeared, so a feed does not balloon.
    var weight: Int { self == .overlongField || self == .overlongLine ? 1 : 20 }
}

/// Sizes of the over-long bad records, against collect's default limits.
enum OverlongSize {
    /// 1.1 MiB: over a 1 MiB field limit.
    static let field = 1_153_434
    /// Per field of an over-long line: under 1 MiB each...
    static let lineField = 1_000_000
    /// ...and at least this many such fields: 17,000,000 bytes > 16 MiB.
    static let lineFields = 17
}
