/// Writes `tpch-flat-csv` (one row per line, order fields repeated, LF line ends) and
/// `tpch-nested-ndjson` (one order per line, lines in `items`), field for field as
/// docs/feed-shapes.md and the benchmark feeds lay them out. TPC-H has no update time, so its
/// orders never get later versions.
struct TPCHWriter: ShapeWriter {
    static let salt: UInt64 = 0x7470_6368_0000_0001
    static let header = Array(
        ("o_orderkey,o_custkey,o_orderstatus,o_totalprice,o_orderdate,o_orderpriority,o_clerk,o_shippriority,"
            + "o_comment,l_partkey,l_suppkey,l_linenumber,l_quantity,l_extendedprice,l_discount,l_tax,"
            + "l_returnflag,l_linestatus,l_shipdate,l_commitdate,l_receiptdate,l_shipinstruct,l_shipmode,"
            + "l_comment\n").utf8)
    static let badDates: [[UInt8]] = ["1996-02-30", "1995-11-31", "1997-04-31", "1993-02-29"].map { Array($0.utf8) }

    let nested: Bool
    let orders: Int
    let seed: UInt64
    private var order = TPCHOrder()
    private var rng = SampleRandom(seed: 0)
    /// The bad kind of the record being written, if any, and its variant.
    private var bad: BadKind?
    private var variant = 0
    /// Text fields still to pad for an `overlong_line` record.
    private var fillLeft = 0
    private var scratch: [UInt8] = []
    /// Where the order fields of the order's first row are in the buffer: every row repeats
    /// them, so later rows copy those bytes instead of formatting them again.
    private var orderFieldsStart = 0
    private var orderFieldsEnd = 0
    // Tallies of the good orders.
    private var totalCents: Int64 = 0
    private var extendedCents: Int64 = 0
    private var statusCounts = [0, 0, 0]  // F, O, P

    init(config: SampleConfig) {
        nested = config.shape == .tpchNestedNDJSON
        orders = config.orders
        seed = config.seed
    }

    mutating func header(_ out: inout FeedBuffer) -> Int {
        if nested { return 0 }
        out.raw(TPCHWriter.header)
        return 1
    }

    mutating func good(index: Int, version: Int, updates: Int, out: inout FeedBuffer) -> GoodWrite {
        rng = SampleRandom(seed: seed, salt: TPCHWriter.salt, index: UInt64(index))
        order.draw(index: index, orders: orders, rng: &rng)
        bad = nil
        write(&out)
        totalCents += order.totalPrice
        for i in 0..<order.lineCount { extendedCents += order.lines[i].extendedPrice }
        statusCounts[order.status == UInt8(ascii: "F") ? 0 : order.status == UInt8(ascii: "O") ? 1 : 2] += 1
        let records = nested ? 1 : order.lineCount
        return GoodWrite(records: records, lines: order.lineCount, updates: 0, physicalLines: records)
    }

    mutating func bad(index: Int, kind: BadKind, out: inout FeedBuffer) -> Int {
        rng = SampleRandom(seed: seed, salt: TPCHWriter.salt, index: UInt64(index))
        // A flat bad record is a one-line order, so it is exactly one row.
        order.draw(index: index, orders: orders, rng: &rng, lineCount: kind == .overlongLine ? 7 : (nested ? nil : 1))
        bad = kind
        variant = rng.below(64)
        fillLeft = kind == .overlongLine ? OverlongSize.lineFields : 0
        let start = out.count
        write(&out)
        switch kind {
        case .truncatedJSON:
            out.truncate(to: out.count - 1)  // the line end
            BadText.truncate(&out, from: start, rng: &rng)
            out.byte(0x0A)
        case .trailingGarbage:
            out.truncate(to: out.count - 1)
            out.raw(BadText.trailing[variant % BadText.trailing.count])
            out.byte(0x0A)
        default: break
        }
        bad = nil
        return 1
    }

    func finish(_ truth: inout SampleTruth) {
        truth.grandTotalCents = totalCents
        truth.moneySums["l_extendedprice"] = extendedCents
        for (i, s) in ["F", "O", "P"].enumerated() where statusCounts[i] > 0 { truth.finalStatus[s] = statusCounts[i] }
    }

    // MARK: records

    private mutating func write(_ out: inout FeedBuffer) {
        if nested {
            writeNested(&out)
        } else {
            for i in 0..<order.lineCount { writeFlatRow(i, &out) }
        }
    }

    private mutating func writeFlatRow(_ i: Int, _ out: inout FeedBuffer) {
        if i > 0 && bad == nil {
            out.repeatRange(orderFieldsStart, orderFieldsEnd)
        } else {
            orderFieldsStart = out.count
            writeFlatOrderFields(&out)
            orderFieldsEnd = out.count
        }
        writeFlatLineFields(i, &out)
    }

    private mutating func writeFlatOrderFields(_ out: inout FeedBuffer) {
        if bad != .missingOrderID { out.int(order.orderkey) }
        out.comma()
        out.int(order.custkey)
        out.comma()
        out.byte(order.status)
        out.comma()
        totalPrice(&out)
        out.comma()
        if bad != .missingCreatedAt { orderDate(&out) }
        out.comma()
        text(TPCHOrder.priorities[order.priority], &out)
        out.comma()
        clerk(&out)
        out.ascii(",0,")
        comment(&out)
        out.comma()
    }

    private mutating func writeFlatLineFields(_ l: Int, _ out: inout FeedBuffer) {
        out.int(order.lines[l].partkey)
        out.comma()
        out.int(order.lines[l].suppkey)
        out.comma()
        out.int(l + 1)
        out.comma()
        out.int(order.lines[l].quantity)
        out.comma()
        out.money(order.lines[l].extendedPrice)
        out.comma()
        out.percentRate(order.lines[l].discount)
        out.comma()
        out.percentRate(order.lines[l].tax)
        out.comma()
        out.byte(order.lines[l].returnFlag)
        out.comma()
        out.byte(order.lines[l].lineStatus)
        out.comma()
        out.date(days: order.lines[l].shipDay)
        out.comma()
        out.date(days: order.lines[l].commitDay)
        out.comma()
        out.date(days: order.lines[l].receiptDay)
        out.comma()
        text(TPCHOrder.instructions[order.lines[l].instruction], &out)
        out.comma()
        text(TPCHOrder.modes[order.lines[l].mode], &out)
        if bad == .wrongFieldCount && variant % 2 == 0 {
            // one field short: the line comment is missing
        } else {
            out.comma()
            text(TPCHText.bytes(order.lines[l].commentStart, order.lines[l].commentLength), &out)
        }
        if bad == .wrongFieldCount && variant % 2 == 1 { out.ascii(",extra") }
        out.byte(0x0A)
    }

    private mutating func writeNested(_ out: inout FeedBuffer) {
        out.byte(UInt8(ascii: "{"))
        var first = true
        if bad == .missingOrderID && variant % 2 == 0 {
            // absent
        } else {
            out.key("o_orderkey", first: true)
            first = false
            if bad == .missingOrderID { out.ascii("null") } else { out.int(order.orderkey) }
        }
        out.key("o_custkey", first: first)
        out.int(order.custkey)
        out.key("o_orderstatus")
        out.byte(0x22)
        out.byte(order.status)
        out.byte(0x22)
        out.key("o_totalprice")
        totalPrice(&out)
        if bad == .missingCreatedAt && variant % 2 == 0 {
            // absent
        } else {
            out.key("o_orderdate")
            if bad == .missingCreatedAt { out.ascii("null") } else { orderDate(&out) }
        }
        out.key("o_orderpriority")
        text(TPCHOrder.priorities[order.priority], &out)
        out.key("o_clerk")
        clerk(&out)
        out.key("o_shippriority")
        out.byte(0x30)
        out.key("o_comment")
        comment(&out)
        out.key("items")
        out.byte(UInt8(ascii: "["))
        for l in 0..<order.lineCount {
            if l > 0 { out.comma() }
            out.byte(UInt8(ascii: "{"))
            out.key("linenumber", first: true)
            out.int(l + 1)
            out.key("partkey")
            out.int(order.lines[l].partkey)
            out.key("suppkey")
            out.int(order.lines[l].suppkey)
            out.key("quantity")
            out.int(order.lines[l].quantity)
            out.key("extendedprice")
            out.money(order.lines[l].extendedPrice)
            out.key("discount")
            out.percentRate(order.lines[l].discount)
            out.key("tax")
            out.percentRate(order.lines[l].tax)
            out.key("returnflag")
            quotedByte(order.lines[l].returnFlag, &out)
            out.key("linestatus")
            quotedByte(order.lines[l].lineStatus, &out)
            out.key("shipdate")
            quotedDate(order.lines[l].shipDay, &out)
            out.key("commitdate")
            quotedDate(order.lines[l].commitDay, &out)
            out.key("receiptdate")
            quotedDate(order.lines[l].receiptDay, &out)
            out.key("shipinstruct")
            text(TPCHOrder.instructions[order.lines[l].instruction], &out)
            out.key("shipmode")
            text(TPCHOrder.modes[order.lines[l].mode], &out)
            out.key("comment")
            text(TPCHText.bytes(order.lines[l].commentStart, order.lines[l].commentLength), &out)
            out.byte(UInt8(ascii: "}"))
        }
        out.ascii("]}\n")
    }

    // MARK: fields with bad-record hooks

    private mutating func totalPrice(_ out: inout FeedBuffer) {
        if bad == .badMoney {
            text(BadText.money[variant % BadText.money.count], &out)
        } else {
            out.money(order.totalPrice)
        }
    }

    private mutating func orderDate(_ out: inout FeedBuffer) {
        if bad == .badDate {
            text(TPCHWriter.badDates[variant % TPCHWriter.badDates.count], &out)
        } else if nested {
            quotedDate(order.orderDay, &out)
        } else {
            out.date(days: order.orderDay)
        }
    }

    private mutating func clerk(_ out: inout FeedBuffer) {
        if bad == nil {  // the common case, written in place
            if nested { out.byte(0x22) }
            out.ascii("Clerk#")
            out.padded(order.clerk, 9)
            if nested { out.byte(0x22) }
            return
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: [0x43, 0x6C, 0x65, 0x72, 0x6B, 0x23])  // "Clerk#"
        var div = 100_000_000
        while div > 0 {
            scratch.append(UInt8(order.clerk / div % 10) + 0x30)
            div /= 10
        }
        if bad == .unbalancedQuote {
            scratch.insert(0x22, at: 9)  // Clerk#000"000951: a stray quote in an unquoted field
            out.raw(scratch)
            return
        }
        text(scratch, &out)
    }

    private mutating func comment(_ out: inout FeedBuffer) {
        switch bad {
        case .overlongField:
            if nested { out.byte(0x22) }
            out.filler(OverlongSize.field)
            if nested { out.byte(0x22) }
        case .invalidUTF8:
            let corrupted = BadText.corrupt(Array(TPCHText.bytes(order.commentStart, order.commentLength)), variant: variant)
            text(corrupted, &out)
        default:
            text(TPCHText.bytes(order.commentStart, order.commentLength), &out)
        }
    }

    /// A text field: a CSV field or a JSON string; padded to just under 1 MiB for `overlong_line`.
    @inline(__always)
    private mutating func text(_ s: [UInt8], _ out: inout FeedBuffer) { s.withUnsafeBytes { text($0, &out) } }

    @inline(__always)
    private mutating func text(_ s: UnsafeRawBufferPointer, _ out: inout FeedBuffer) {
        if fillLeft > 0 {
            fillLeft -= 1
            if nested { out.byte(0x22) }
            out.filler(OverlongSize.lineField)
            if nested { out.byte(0x22) }
            return
        }
        if nested { out.jsonString(s) } else { out.csv(s) }
    }

    @inline(__always)
    private func quotedByte(_ b: UInt8, _ out: inout FeedBuffer) {
        out.byte(0x22)
        out.byte(b)
        out.byte(0x22)
    }

    @inline(__always)
    private func quotedDate(_ d: Int64, _ out: inout FeedBuffer) {
        out.byte(0x22)
        out.date(days: d)
        out.byte(0x22)
    }
}
