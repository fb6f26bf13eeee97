/// Writes `jd-waybill-ndjson`: one waybill per line with the JD field names in the order of
/// docs/feed-shapes.md section 4; times in Asia/Shanghai without an offset; money as JSON numbers
/// with up to two decimals. A status update is the waybill again, later in the file, with a new
/// `orderStatus`, a later `updateTime` and `version` one higher.
struct JDWaybillWriter: ShapeWriter {
    static let salt: UInt64 = 0x6A64_7762_0000_0003
    static let shanghai: Int64 = 8 * 3_600
    static let badDates = ByteTable(["2025-02-30 10:11:12", "2025-11-31 08:00:00", "2025-09-31 23:59:59"])

    let seed: UInt64
    private var w = JDWaybill()
    private var rng = SampleRandom(seed: 0)
    private var receiver = Address()
    private var senderAddress = Address()
    private var scratch: [UInt8] = []
    private var bad: BadKind?
    private var variant = 0
    private var fillLeft = 0
    // Tallies of the good waybills.
    private var sums: [Int64] = [0, 0, 0]  // freight, collectionMoney, guaranteeValueAmount
    private var statusCounts = [Int](repeating: 0, count: JDWaybill.statusCodes.count)
    private var lineCounts = [Int](repeating: 0, count: 5)
    private var cod = 0
    private var insured = 0

    init(config: SampleConfig) { seed = config.seed }

    mutating func header(_ out: inout FeedBuffer) -> Int { 0 }

    mutating func good(index: Int, version: Int, updates: Int, out: inout FeedBuffer) -> GoodWrite {
        draw(index)
        let possible = min(updates, w.finalStep)
        if version == 0 {
            sums[0] += w.freight
            if w.cod { sums[1] += w.goodsValue }
            if w.insured { sums[2] += w.goodsValue }
            statusCounts[JDWaybill.statusCodes.firstIndex(of: w.status(version: possible, updates: possible))!] += 1
            lineCounts[w.line.rawValue] += 1
            if w.cod { cod += 1 }
            if w.insured { insured += 1 }
        }
        bad = nil
        write(index: index, version: version, updates: possible, &out)
        return GoodWrite(records: 1, lines: 1, updates: possible, physicalLines: 1)
    }

    mutating func bad(index: Int, kind: BadKind, out: inout FeedBuffer) -> Int {
        draw(index)
        bad = kind
        variant = rng.below(64)
        fillLeft = kind == .overlongLine ? OverlongSize.lineFields : 0
        let start = out.count
        write(index: index, version: 0, updates: 0, &out)
        if kind == .truncatedJSON || kind == .trailingGarbage {
            out.truncate(to: out.count - 1)  // the line end
            if kind == .truncatedJSON {
                BadText.truncate(&out, from: start, rng: &rng)
            } else {
                out.raw(BadText.trailing[variant % BadText.trailing.count])
            }
            out.byte(0x0A)
        }
        bad = nil
        return 1
    }

    func finish(_ truth: inout SampleTruth) {
        truth.grandTotalCents = sums[0]
        truth.moneySums = ["collectionMoney": sums[1], "guaranteeValueAmount": sums[2]]
        for (i, c) in JDWaybill.statusCodes.enumerated() where statusCounts[i] > 0 { truth.finalStatus["\(c)"] = statusCounts[i] }
        for l in BusinessLine.allCases where lineCounts[l.rawValue] > 0 { truth.businessLines[l.label] = lineCounts[l.rawValue] }
        truth.codOrders = cod
        truth.insuredOrders = insured
    }

    private mutating func draw(_ index: Int) {
        rng = SampleRandom(seed: seed, salt: JDWaybillWriter.salt, index: UInt64(index))
        w.draw(rng: &rng)
        if w.foreign >= 0 {
            receiver.drawForeign(ForeignPlace.all[w.foreign], rng: &rng)
        } else {
            receiver.drawCN(CNPlace.all[w.cn], rng: &rng, phoneStyles: false)
        }
        senderAddress.drawCN(CNPlace.all[JDWaybill.warehousePlaces[w.warehouse]], rng: &rng, phoneStyles: false)
    }

    // MARK: the record

    private mutating func write(index: Int, version: Int, updates: Int, _ out: inout FeedBuffer) {
        let p = Catalogue.products[w.line.rawValue][w.product]
        out.byte(UInt8(ascii: "{"))
        out.key("salePlat", first: true)
        out.jsonString(JDWaybill.salePlats[w.salePlat])
        out.key("customerCode")
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: [0x30, 0x31, 0x30, 0x4B])  // 010K
        appendInt(&scratch, 100_000 + w.customer * 7_919 % 900_000)
        text(scratch, &out)
        if bad == .missingOrderID && variant % 2 == 0 {
            // absent
        } else {
            out.key("orderId")
            if bad == .missingOrderID { out.ascii("\"\"") } else { quotedInt(30_000_000_000 + index * 13 + w.customer, &out) }
        }
        out.key("thrOrderId")
        scratch.removeAll(keepingCapacity: true)
        appendInt(&scratch, (w.salePlat == 1 ? 2_100_000_000_000_000_000 : 200_000_000_000) + index * 97 + w.product)
        text(scratch, &out)
        out.key("businessLine")
        out.jsonString(w.line.name)
        out.key("senderName")
        text(JDWaybill.senders[w.sender], &out)
        out.key("senderAddress")
        text(senderAddress.full, &out)
        out.key("senderTel")
        landline(CNPlace.all[JDWaybill.warehousePlaces[w.warehouse]].areaCode, &out)
        out.key("senderMobile")
        text(senderAddress.phone, &out)
        out.key("senderPostcode")
        text(senderAddress.postal, &out)
        out.key("receiveName")
        if bad == .invalidUTF8 { out.jsonString(BadText.corrupt(receiver.name, variant: variant)) } else { text(receiver.name, &out) }
        out.key("receiveAddress")
        text(receiver.full, &out)
        out.key("receiveTel")
        if w.foreign < 0 && w.signReturn > 0 { landline(CNPlace.all[w.cn].areaCode, &out) } else { text(ByteTable.empty, &out) }
        out.key("receiveMobile")
        text(receiver.phone, &out)
        out.key("postcode")
        text(receiver.postal, &out)
        out.key("province")
        text(receiver.province, &out)
        out.key("city")
        text(receiver.city, &out)
        out.key("county")
        text(receiver.district, &out)
        out.key("town")
        text(receiver.town, &out)
        out.key("packageCount")
        out.int(w.packageCount)
        out.key("weight")
        out.moneyShort(Int64(w.weightG / 10))  // kg with up to two decimals
        out.key("vloumLong")
        out.int(w.dims.0)
        out.key("vloumWidth")
        out.int(w.dims.1)
        out.key("vloumHeight")
        out.int(w.dims.2)
        out.key("vloumn")
        out.int(w.dims.0 * w.dims.1 * w.dims.2)
        out.key("goods")
        text(p.name, &out)
        out.key("goodsCount")
        out.int(w.goodsCount)
        out.key("description")
        if bad == .overlongField {
            out.byte(0x22)
            out.filler(OverlongSize.field)
            out.byte(0x22)
        } else {
            text(JDWaybill.descriptions[w.description], &out)
        }
        moneyFields(&out)
        serviceFields(version: version, updates: updates, &out)
        out.ascii("}\n")
    }

    private mutating func moneyFields(_ out: inout FeedBuffer) {
        out.key("collectionValue")
        out.int(w.cod ? 1 : 0)
        out.key("collectionMoney")
        out.moneyShort(w.cod ? w.goodsValue : 0)
        out.key("guaranteeValue")
        out.int(w.insured ? 1 : 0)
        out.key("guaranteeValueAmount")
        out.moneyShort(w.insured ? w.goodsValue : 0)
        out.key("freight")
        if bad == .badMoney { out.jsonString(BadText.money[variant % BadText.money.count]) } else { out.moneyShort(w.freight) }
    }

    private mutating func serviceFields(version: Int, updates: Int, _ out: inout FeedBuffer) {
        out.key("signReturn")
        out.int(w.signReturn)
        out.key("aging")
        out.int(w.aging)
        out.key("transType")
        out.int(w.transType)
        out.key("goodsType")
        out.int(Catalogue.products[w.line.rawValue][w.product].goodsType)
        out.key("promiseTimeType")
        out.int(w.promiseTimeType)
        out.key("warehouseCode")
        text(JDWaybill.warehouseCodes[w.warehouse], &out)
        let local = w.created + JDWaybillWriter.shanghai
        let day = local / 86_400 * 86_400
        out.key("orderSendTime")
        quotedTime(day + Int64(w.sendDays) * 86_400 + Int64(9 + 5 * w.slot) * 3_600, &out)
        let pickup = (local / 3_600 + Int64(w.pickupHours)) * 3_600
        out.key("pickUpStartTime")
        quotedTime(pickup, &out)
        out.key("pickUpEndTime")
        quotedTime(pickup + 2 * 3_600, &out)
        out.key("orderStatus")
        out.int(w.status(version: version, updates: updates))
        if bad == .missingCreatedAt && variant % 2 == 0 {
            // absent
        } else {
            out.key("createTime")
            if bad == .missingCreatedAt {
                out.ascii("\"\"")
            } else if bad == .badDate {
                out.jsonString(JDWaybillWriter.badDates[variant % JDWaybillWriter.badDates.count])
            } else {
                quotedTime(local, &out)
            }
        }
        out.key("updateTime")
        quotedTime(local + w.updatedOffset(version: version), &out)
        out.key("version")
        out.int(version + 1)
        out.key("extendField1")
        text(w.foreign >= 0 ? receiver.country : [], &out)
        out.key("extendField2")
        text(JDWaybill.channels[w.channel], &out)
        out.key("extendField3")
        text(ByteTable.empty, &out)
        out.key("extendField4")
        text(w.promo ? ShopText.discountCodes[2] : ByteTable.empty, &out)
        out.key("extendField5")
        text(ByteTable.empty, &out)
    }

    /// A landline `0755-12345678` drawn from the record's stream.
    private mutating func landline(_ area: UnsafeRawBufferPointer, _ out: inout FeedBuffer) {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: area)
        scratch.append(0x2D)
        for _ in 0..<8 { scratch.append(UInt8(rng.below(10)) + 0x30) }
        text(scratch, &out)
    }

    @inline(__always)
    private func quotedInt(_ v: Int, _ out: inout FeedBuffer) {
        out.byte(0x22)
        out.int(v)
        out.byte(0x22)
    }

    @inline(__always)
    private func quotedTime(_ local: Int64, _ out: inout FeedBuffer) {
        out.byte(0x22)
        out.dateTime(seconds: local)
        out.byte(0x22)
    }

    /// A JSON string, padded to just under 1 MiB while an `overlong_line` record needs padding.
    @inline(__always)
    private mutating func text(_ s: [UInt8], _ out: inout FeedBuffer) { s.withUnsafeBytes { text($0, &out) } }

    @inline(__always)
    private mutating func text(_ s: UnsafeRawBufferPointer, _ out: inout FeedBuffer) {
        if fillLeft > 0 {
            fillLeft -= 1
            out.byte(0x22)
            out.filler(OverlongSize.lineField)
            out.byte(0x22)
            return
        }
        out.jsonString(s)
    }
}
