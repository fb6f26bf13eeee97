/// Writes `shop-csv`: a Shopify-style export, one CRLF row per line item, the order fields on the
/// first row only and `Name` repeated on the continuation rows (docs/feed-shapes.md section 3).
/// A status update is the whole order again, later in the file, with newer statuses and
/// `Updated at`.
struct ShopWriter: ShapeWriter {
    static let salt: UInt64 = 0x7368_6F70_0000_0002

    let seed: UInt64
    let byteOrderMark: Bool
    private var order = ShopOrder()
    private var rng = SampleRandom(seed: 0)
    private var address = Address()
    private var email: [UInt8] = []
    private var list: [UInt8] = []
    private var bad: BadKind?
    private var variant = 0
    private var fillLeft = 0
    // Tallies of the good orders.
    private var sums: [Int64] = [0, 0, 0, 0, 0]  // Total, Subtotal, Shipping, Taxes, Discount Amount
    private var finalStates = [Int](repeating: 0, count: 6 * 3)
    private var lineCounts = [Int](repeating: 0, count: 5)
    private var cod = 0

    init(config: SampleConfig) {
        seed = config.seed
        byteOrderMark = config.byteOrderMark
    }

    mutating func header(_ out: inout FeedBuffer) -> Int {
        if byteOrderMark { out.raw(ShopText.byteOrderMark) }
        out.raw(ShopText.header)
        return 1
    }

    mutating func good(index: Int, version: Int, updates: Int, out: inout FeedBuffer) -> GoodWrite {
        draw(index)
        let possible = min(updates, order.finalStep)
        if version == 0 {
            sums[0] += order.total
            sums[1] += order.subtotal
            sums[2] += order.shipping
            sums[3] += order.taxes
            sums[4] += order.discountTotal
            let (f, s) = order.state(version: possible, updates: possible)
            finalStates[f * 3 + s] += 1
            lineCounts[order.line.rawValue] += 1
            if order.cod { cod += 1 }
        }
        bad = nil
        let breaks = write(index: index, version: version, updates: possible, &out)
        return GoodWrite(
            records: order.lineCount, lines: order.lineCount, updates: possible, physicalLines: order.lineCount + breaks)
    }

    mutating func bad(index: Int, kind: BadKind, out: inout FeedBuffer) -> Int {
        draw(index)
        order.lineCount = 1  // a bad record is a one-row order
        bad = kind
        variant = rng.below(64)
        fillLeft = kind == .overlongLine ? OverlongSize.lineFields : 0
        let breaks = write(index: index, version: 0, updates: 0, &out)
        bad = nil
        return 1 + breaks
    }

    func finish(_ truth: inout SampleTruth) {
        truth.grandTotalCents = sums[0]
        truth.moneySums = ["Subtotal": sums[1], "Shipping": sums[2], "Taxes": sums[3], "Discount Amount": sums[4]]
        for f in 0..<6 {
            for s in 0..<3 where finalStates[f * 3 + s] > 0 {
                let key = String(decoding: Array(ShopOrder.financial[f]) + [0x2F] + Array(ShopOrder.fulfillment[s]), as: UTF8.self)
                truth.finalStatus[key] = finalStates[f * 3 + s]
            }
        }
        for l in BusinessLine.allCases where lineCounts[l.rawValue] > 0 { truth.businessLines[l.label] = lineCounts[l.rawValue] }
        truth.codOrders = cod
    }

    private mutating func draw(_ index: Int) {
        rng = SampleRandom(seed: seed, salt: ShopWriter.salt, index: UInt64(index))
        order.draw(rng: &rng)
        if order.isCN {
            address.drawCN(CNPlace.all[order.cn], rng: &rng, phoneStyles: true)
        } else {
            address.drawForeign(ForeignPlace.all[order.foreign], rng: &rng)
        }
        email.removeAll(keepingCapacity: true)
        email.append(UInt8(ascii: "c"))
        appendInt(&email, order.customer)
        email.append(contentsOf: rng.pick(ShopText.emailDomains))
    }

    // MARK: rows

    /// Writes the order's rows; returns the line breaks written inside quoted fields.
    @discardableResult
    private mutating func write(index: Int, version: Int, updates: Int, _ out: inout FeedBuffer) -> Int {
        let cur = Currency.all[order.currency]
        var breaks = 0
        for l in 0..<order.lineCount {
            out.byte(UInt8(ascii: "#"))
            out.int(1_001 + index)
            out.comma()
            if l == 0 {
                orderFields(index: index, version: version, updates: updates, cur: cur, &out)
            } else {
                out.ascii(",,,,,,,,,,,,,,")  // Id .. Updated at blank
            }
            lineFields(l, cur: cur, &out)
            if l == 0 {
                breaks = addressFields(&out)
            } else {
                out.ascii(",,,,,,,,,,,,,,")  // Shipping Name .. COD blank: 15 empty fields
            }
            if bad == .wrongFieldCount {
                if variant % 2 == 0 {
                    out.truncate(to: out.lastIndex(of: 0x2C) ?? out.count)
                } else {
                    out.ascii(",extra")
                }
            }
            out.lineEnd(crlf: true)
        }
        return breaks
    }

    /// Id .. Updated at, each followed by its comma.
    private mutating func orderFields(index: Int, version: Int, updates: Int, cur: Currency, _ out: inout FeedBuffer) {
        if bad != .missingOrderID { out.int(5_100_000_000_000 + index * 37 + Int(order.customer % 37)) }
        out.comma()
        if bad == .unbalancedQuote {
            let cut = email.firstIndex(of: 0x40) ?? 1
            out.raw(Array(email[0..<cut]))
            out.byte(0x22)  // a stray quote inside an unquoted field
            out.raw(Array(email[cut...]))
        } else {
            text(email, &out)
        }
        out.comma()
        let (f, s) = order.state(version: version, updates: updates)
        out.raw(ShopOrder.financial[f])
        out.comma()
        out.raw(ShopOrder.fulfillment[s])
        out.comma()
        out.raw(cur.code)
        out.comma()
        out.money(order.subtotal)
        out.comma()
        out.money(order.shipping)
        out.comma()
        out.money(order.taxes)
        out.comma()
        if bad == .badMoney { out.csv(BadText.money[variant % BadText.money.count]) } else { out.money(order.total) }
        out.comma()
        list.removeAll(keepingCapacity: true)
        for i in 0..<ShopText.discountCodes.count where order.discountCodes & (1 << i) != 0 {
            if !list.isEmpty { list.append(contentsOf: Address.commaSpace) }
            list.append(contentsOf: ShopText.discountCodes[i])
        }
        text(list, &out)
        out.comma()
        if order.discountTotal > 0 { out.money(order.discountTotal) }
        out.comma()
        let methods = order.isCN ? ShopText.cnMethods : ShopText.foreignMethods
        text(methods[order.line.rawValue][order.shippingMethod], &out)
        out.comma()
        if bad == .badDate {
            out.raw(ShopText.badDates[variant % ShopText.badDates.count])
            out.byte(0x20)
            out.ascii("09:55:16 +0800")
        } else if bad != .missingCreatedAt {
            localTime(order.created, &out)
        }
        out.comma()
        localTime(order.created + order.updatedOffset(version: version), &out)
        out.comma()
    }

    /// Lineitem quantity .. Vendor, each followed by its comma.
    private mutating func lineFields(_ l: Int, cur: Currency, _ out: inout FeedBuffer) {
        let p = Catalogue.products[order.line.rawValue][order.lines[l].product]
        out.int(order.lines[l].quantity)
        out.comma()
        text(p.name, &out)
        out.comma()
        out.money(order.lines[l].price)
        out.comma()
        if order.lines[l].compareAt > 0 { out.money(order.lines[l].compareAt) }
        out.comma()
        text(p.sku, &out)
        out.comma()
        out.raw(p.requiresShipping ? ShopText.yes : ShopText.no)
        out.comma()
        out.raw(p.requiresShipping ? ShopText.yes : ShopText.no)  // gift cards are neither shipped nor taxed
        out.comma()
        out.money(order.lines[l].discount)
        out.comma()
        text(p.vendor, &out)
        out.comma()
    }

    /// Shipping Name .. COD (no trailing comma); returns the line breaks inside Notes and Note
    /// Attributes.
    private mutating func addressFields(_ out: inout FeedBuffer) -> Int {
        var breaks = 0
        if bad == .invalidUTF8 { out.csv(BadText.corrupt(address.name, variant: variant)) } else { text(address.name, &out) }
        out.comma()
        text(address.phone, &out)
        out.comma()
        text(address.street, &out)
        out.comma()
        text(address.city, &out)
        out.comma()
        text(address.province, &out)
        out.comma()
        text(address.postal, &out)
        out.comma()
        out.raw(address.country)
        out.comma()
        if bad == .overlongField {
            out.filler(OverlongSize.field)
        } else {
            let notes = order.notes >= 0 ? ShopText.notes[order.notes] : ByteTable.empty
            if fillLeft == 0 { breaks += ShopText.lineBreaks(notes) }
            text(notes, &out)
        }
        out.comma()
        let attributes = order.noteAttributes >= 0 ? ShopText.noteAttributes[order.noteAttributes] : ByteTable.empty
        if fillLeft == 0 { breaks += ShopText.lineBreaks(attributes) }
        text(attributes, &out)
        out.comma()
        if order.cod {
            text(ShopText.codPayment, &out)
        } else {
            text((order.isCN ? ShopText.cnPayments : ShopText.foreignPayments)[order.payment], &out)
        }
        out.comma()
        list.removeAll(keepingCapacity: true)
        for i in 0..<ShopText.tags.count where order.tagMask & (1 << i) != 0 {
            if !list.isEmpty { list.append(contentsOf: Address.commaSpace) }
            list.append(contentsOf: ShopText.tags[i])
        }
        text(list, &out)
        out.comma()
        out.raw(ShopText.risks[order.risk])
        out.comma()
        text(ShopText.sources[order.source], &out)
        out.comma()
        out.raw(order.line.name)
        out.comma()
        out.raw(order.cod ? ShopText.yes : ShopText.no)
        return breaks
    }

    /// `2025-05-11 09:55:16 -0400`: local wall time at the order's offset.
    private func localTime(_ utc: Int64, _ out: inout FeedBuffer) {
        out.dateTime(seconds: utc + Int64(order.offsetMinutes) * 60)
        out.byte(0x20)
        out.offset(minutes: order.offsetMinutes)
    }

    /// A text field, padded to just under 1 MiB while an `overlong_line` record needs padding.
    @inline(__always)
    private mutating func text(_ s: [UInt8], _ out: inout FeedBuffer) { s.withUnsafeBytes { text($0, &out) } }

    @inline(__always)
    private mutating func text(_ s: UnsafeRawBufferPointer, _ out: inout FeedBuffer) {
        if fillLeft > 0 {
            fillLeft -= 1
            out.filler(OverlongSize.lineField)
            return
        }
        out.csv(s)
    }
}
