import OrderModel

/// What a generated feed holds, counted while it was written: the answer key that tests hold
/// collect's books against (`--truth FILE`).
public struct SampleTruth: Sendable, Equatable {
    public var shape: FeedShape
    public var seed: UInt64
    public var ordersRequested: Int
    public var badShare: Double
    public var updateShare: Double
    /// Header lines before the records (1 for the CSV shapes, else 0).
    public var headerLines = 0
    /// Records in the feed: CSV rows after the header (a quoted line break does not start a
    /// record) or NDJSON lines.
    public var records = 0
    /// Distinct good orders and their lines (each order counted once, whatever its versions).
    public var goodOrders = 0
    public var goodLines = 0
    /// Records of good orders, every version included.
    public var goodRecords = 0
    /// Later versions (status updates) of good orders, and the records they take: what a
    /// reader folds into the newest version (`merged`).
    public var updateVersions = 0
    public var updateRecords = 0
    /// Bad records, all of them one record each, and how many of each kind.
    public var badRecords = 0
    public var badByKind: [BadKind: Int] = [:]
    /// Where each bad record is, in feed order.
    public var badRecordPositions: [BadRecordPosition] = []
    /// Sum of `grandTotalColumn` over the good orders, in cents (one value per order).
    public var grandTotalCents: Int64 = 0
    /// Further per-column money sums over good orders, in cents (shape specific).
    public var moneySums: [String: Int64] = [:]
    /// Good orders by their newest source status.
    public var finalStatus: [String: Int] = [:]
    /// Good orders by business line (shop-csv, jd-waybill-ndjson).
    public var businessLines: [String: Int] = [:]
    /// Good COD orders (shop-csv, jd-waybill-ndjson) and good insured waybills (jd).
    public var codOrders = 0
    public var insuredOrders = 0
    /// Bytes of the whole feed.
    public var bytes = 0

    init(config: SampleConfig) {
        shape = config.shape
        seed = config.seed
        ordersRequested = config.orders
        badShare = config.badShare
        updateShare = config.effectiveUpdateShare
    }

    /// The truth as a JSON document (keys in a fixed order, so the file is reproducible too).
    public func json() -> String {
        var o: [UInt8] = []
        func line(_ k: String, _ v: String, last: Bool = false) {
            o.append(contentsOf: Array("  \"\(k)\": \(v)\(last ? "" : ",")\n".utf8))
        }
        func object(_ d: [String: String]) -> String {
            if d.isEmpty { return "{}" }
            return "{" + d.keys.sorted().map { "\"\($0)\": \(d[$0]!)" }.joined(separator: ", ") + "}"
        }
        o.append(contentsOf: Array("{\n".utf8))
        line("shape", "\"\(shape.rawValue)\"")
        line("seed", "\(seed)")
        line("orders_requested", "\(ordersRequested)")
        line("bad_share", "\(badShare)")
        line("update_share", "\(updateShare)")
        line("header_lines", "\(headerLines)")
        line("records", "\(records)")
        line("good_orders", "\(goodOrders)")
        line("good_lines", "\(goodLines)")
        line("good_records", "\(goodRecords)")
        line("update_versions", "\(updateVersions)")
        line("update_records", "\(updateRecords)")
        line("bad_records", "\(badRecords)")
        line("bad_by_kind", object(Dictionary(uniqueKeysWithValues: badByKind.map { ($0.rawValue, "\($1)") })))
        let positions = badRecordPositions.map {
            "\n    {\"record\": \($0.record), \"line\": \($0.line), \"byte\": \($0.byteOffset), \"kind\": \"\($0.kind.rawValue)\"}"
        }
        line("bad_records_at", positions.isEmpty ? "[]" : "[" + positions.joined(separator: ",") + "\n  ]")
        line("grand_total_column", "\"\(shape.grandTotalColumn)\"")
        line("grand_total_sum", "\"\(SampleTruth.decimal(grandTotalCents))\"")
        line("money_sums", object(moneySums.mapValues { "\"\(SampleTruth.decimal($0))\"" }))
        line("final_status", object(finalStatus.mapValues { "\($0)" }))
        line("business_lines", object(businessLines.mapValues { "\($0)" }))
        line("cod_orders", "\(codOrders)")
        line("insured_orders", "\(insuredOrders)")
        line("bytes", "\(bytes)", last: true)
        o.append(contentsOf: Array("}\n".utf8))
        return String(decoding: o, as: UTF8.self)
    }

    /// Cents as a two-decimal string.
    static func decimal(_ cents: Int64) -> String {
        var b = FeedBuffer(capacity: 24)
        b.money(cents)
        return String(decoding: b.pending, as: UTF8.self)
    }
}

/// The position of one bad record, as a reader that rejects it would report it.
public struct BadRecordPosition: Sendable, Equatable {
    /// 1-based record number among the data records (the header is not a record).
    public var record: Int
    /// 1-based physical line of the record's first byte (header and quoted line breaks counted).
    public var line: Int
    /// Byte offset of the record's first byte from the start of the feed (a BOM counted).
    public var byteOffset: Int
    public var kind: BadKind
}
