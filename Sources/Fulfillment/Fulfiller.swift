import OrderModel

/// The core of `waybill fulfill`, over batches: plans each accepted order (warehouse, split,
/// weight, carrier and service, freight, ship-by and promise, SLA flags) and writes the
/// parent snapshot followed by its child orders. In-process and testable without the
/// command line; `waybill run` calls it the same way.
///
/// Orders that are CANCELLED, RETURNED or ON_HOLD, or already planned (`plan_reasons` set),
/// pass through unchanged. An order none of whose lines ships passes through with a reason.
/// A line that no warehouse can take holds the whole order (parent ON_HOLD with the code);
/// a child that no carrier can take is held on its own.
public final class Fulfiller {
    public let plan: FulfillmentPlan
    var stock: [[UInt8]: Int64]?
    var books = Books()
    var hits = [Int](repeating: 0, count: PlanRule.allCases.count)
    /// SLA counts by warehouse index and by carrier index (`carrierNames`): arrays, not
    /// dictionaries keyed by name, because every child adds to both.
    var slaByWarehouse: [SLACount]
    var slaByCarrier: [SLACount]
    /// The name of the input in reject positions.
    public var inputName = "-"

    // Scratch reused across orders.
    var dest = Destination()
    var facts: [LineFacts] = []
    /// The order's goods value and quantity over `facts`, summed once per order: each child's
    /// freight and weight share read them, and summing per child made an order of n lines cost
    /// n^2 (40,000 lines: 6 s).
    var factsValue: Int64 = 0
    var factsQty: Int64 = 0
    /// Whether a line of `facts` has a negative value (a refund or discount line).
    var factsHaveNegative = false
    var children: [ChildPlan] = []
    var childReasons: [PlanReasons] = []
    var orderReasons = PlanReasons()
    var stockKey: [UInt8] = []
    var taken: [(key: [UInt8], qty: Int64)] = []
    /// The id of the child being written (`childId`): owned, grown as needed, freed in `deinit`.
    var idBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 1)
    /// For each line of the order being written, the index of the child that ships it, or -1.
    var childOfLine: [Int] = []
    /// For each order and line row written in the current `process` call, the input row it
    /// copies (see `gatherCopies`).
    var orderSource: [Int32] = []
    var lineSource: [Int32] = []
    /// With `childFields` set: `orderSource` with each child's row replaced by
    /// `Int32.max` (a row past any input's end, which gathers as null).
    var parentSource: [Int32] = []
    /// The order fields a child order carries: nil, every field and copies of its lines (what
    /// `waybill fulfill` writes). `waybill run` passes the fields its dataset writer reads of
    /// a child (the `fulfillment/` columns, the partition keys' fields, the source position),
    /// since a child lands in `fulfillment/` alone: its other fields and its lines would be
    /// copied only to be dropped (at TPC-H scale 0.1, 600,000 children of ~95 fields and
    /// their 600,000 lines). The books count the children's lines either way.
    public var childFields: Set<Int>? = nil {
        didSet { copiedChildColumns = childFields.map { f in Self.copiedOrderColumns.map { f.contains($0) } } }
    }
    /// For each of `copiedOrderColumns`, whether a child copies it (nil: all do).
    var copiedChildColumns: [Bool]?
    var orderHold: Hold?
    let encoder = UnifiedNDJSONEncoder()
    var candidateScratch: [Int] = []
    /// Why each chosen warehouse was chosen; `pattern`: the matched region, as (warehouse,
    /// index in its coverage).
    var whyWarehouse: [(warehouse: Int, candidates: Int, pattern: (warehouse: Int, index: Int)?, stock: Int64?)] = []
    var destZone = "*"
    var shipDay: Int64 = 0
    /// Service levels by id, compared as integers per child: the five canonical levels first
    /// (in `Fulfiller.canonicalLevels` order, so that an order's requested level resolves to
    /// its index), then any other name the default or the downgrade chain uses.
    let levelNames: [String]
    /// The services of each level, in table order; the level each downgrades to.
    let levelServices: [[Int]]
    let levelDowngrade: [Int?]
    let defaultLevel: Int
    /// The requested level of the order being planned.
    var requestedLevel = 0
    /// Owned: allocated in `init`, freed in `deinit`.
    let defaultTempClass: UnsafeRawBufferPointer

    // Per-plan indexes, built once so that a child's checks compare integers, not names.
    /// Carrier names in first-seen service order; `serviceCarrier[s]` indexes it.
    let carrierNames: [String]
    let serviceCarrier: [Int]
    /// UTF-8 of each service's carrier and level, written into every child.
    let carrierBytes: PlanByteTable
    let levelBytes: PlanByteTable
    /// UTF-8 of each warehouse's id: written into every child, and the first key of a split.
    let warehouseBytes: PlanByteTable
    /// `collects[s][w]`: service s collects from warehouse w (`from_warehouses`).
    let collects: [[Bool]]
    let splitSeller: Bool, splitTemp: Bool, splitBulky: Bool, splitMode: Bool, splitLine: Bool

    // Per-order caches (the destination is the order's): filled as the order is planned.
    /// The best (specificity, coverage index) of each warehouse for the order's destination.
    var warehouseMatch: [(spec: Int, pattern: Int)?] = []
    /// Whether each service covers the destination: 0 unknown, 1 yes, 2 no.
    var serviceCovers: [UInt8] = []

    public init(plan: FulfillmentPlan) {
        self.plan = plan
        self.stock = plan.stock
        defaultTempClass = PlanBytes.permanent(plan.settings.defaultTempClass)
        var levels = Self.canonicalLevels
        let settings = plan.settings
        for name in [settings.defaultServiceLevel] + settings.downgrade.keys.sorted() + settings.downgrade.values.sorted()
        where !levels.contains(name) {
            levels.append(name)
        }
        levelNames = levels
        levelServices = levels.map { l in plan.services.indices.filter { plan.services[$0].level == l } }
        levelDowngrade = levels.map { l in settings.downgrade[l].flatMap { levels.firstIndex(of: $0) } }
        defaultLevel = levels.firstIndex(of: settings.defaultServiceLevel)!
        var names: [String] = []
        var carrierOf: [Int] = []
        for s in plan.services {
            if let i = names.firstIndex(of: s.carrier) {
                carrierOf.append(i)
            } else {
                carrierOf.append(names.count)
                names.append(s.carrier)
            }
        }
        carrierNames = names
        serviceCarrier = carrierOf
        carrierBytes = PlanByteTable(plan.services.map(\.carrier))
        levelBytes = PlanByteTable(plan.services.map(\.level))
        warehouseBytes = PlanByteTable(plan.warehouses.map(\.id))
        collects = plan.services.map { s in
            plan.warehouses.map { s.fromWarehouses.isEmpty || s.fromWarehouses.contains($0.id) }
        }
        let dims = plan.settings.splitBy
        splitSeller = dims.contains("seller")
        splitTemp = dims.contains("temp_class")
        splitBulky = dims.contains("bulky")
        splitMode = dims.contains("ship_mode")
        splitLine = dims.contains("line")
        slaByWarehouse = Array(repeating: SLACount(), count: plan.warehouses.count)
        slaByCarrier = Array(repeating: SLACount(), count: names.count)
        serviceCovers = Array(repeating: 0, count: plan.services.count)
    }

    deinit {
        orderReasons.release()
        defaultTempClass.deallocate()
        carrierBytes.deallocate()
        levelBytes.deallocate()
        warehouseBytes.deallocate()
        idBuffer.deallocate()
        for i in childReasons.indices { childReasons[i].release() }
    }

    /// Plans every order of `input`, appending to `output` (parent snapshot, then its children).
    public func process(_ input: OrderBatch, into output: inout OrderBatch, rejects: RejectWriter) throws(WaybillError) {
        try process(input, rows: 0..<input.count, into: &output, rejects: rejects)
    }

    /// Where an order that cannot be planned is said to come from (`books.recordsIn` already
    /// counts it, so it is the order's number in the input).
    private func position(_ input: OrderBatch, _ row: Int, _ positions: [SourcePosition]?) -> SourcePosition {
        positions.position(ofRow: row, in: input.orders, file: inputName, ordinal: books.recordsIn)
    }

    /// Plans the orders `rows` of `input` only: a caller that passes batches on can cut one
    /// input batch into several output batches, since every order comes out as its parent and
    /// its children (TPC-H: five rows an order), and a batch of those would take several times
    /// the memory of the batch that came in.
    ///
    /// `positions`: where each row of `input` was read, for the positions of rejects.
    public func process(_ input: OrderBatch, rows: Range<Int>, into output: inout OrderBatch,
                        rejects: RejectWriter, positions: [SourcePosition]? = nil) throws(WaybillError) {
        // A child sets about 50 of the ~120 order fields: padding the rest with nulls once per
        // batch, in bulk, instead of field by field at every row's end (restored on the way out,
        // which pads).
        let deferred = output.defersNullPadding
        output.defersNullPadding = true
        defer { output.defersNullPadding = deferred }
        // The copied fields of every row written below are filled at the end, a column at a
        // time (Fulfiller+Output.swift); also when a reject fails to write, so that the
        // output stays a well-formed batch.
        let ordersBefore = output.orders.rowCount, linesBefore = output.lines.rowCount
        defer { gatherCopies(input, into: &output, orders: ordersBefore, lines: linesBefore) }
        let failure: WaybillError? = BatchView.with(input) { view in
            do throws(WaybillError) {
                for row in rows { try plan(view, input, row, into: &output, rejects: rejects, positions: positions) }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Plans order `row` of `input` and writes it (or rejects it, or passes it through).
    private func plan(_ view: BatchView, _ input: OrderBatch, _ row: Int, into output: inout OrderBatch,
                      rejects: RejectWriter, positions: [SourcePosition]?) throws(WaybillError) {
        books.recordsIn += 1
        if view.isNull(F.createdAt, row) {
            try reject(input, row, "created_at is missing: no cut-off or promise can be computed", rejects, at: position(input, row, positions))
            return
        }
        if let reason = badLine(view, input, row) {
            try reject(input, row, reason, rejects, at: position(input, row, positions))
            return
        }
        books.rowsOut += 1
        guard plannable(view, row) else {
            hits[PlanRule.notPlanned.rawValue] += 1
            emit(passThrough: input, row: row, into: &output)
            return
        }
        planOrder(view, input, row)
        write(view, input, row, into: &output)
    }

    /// Counts input lines the reader could not turn into orders (already written as rejects),
    /// so the books still balance.
    public func noteUnreadable(_ n: Int) {
        books.recordsIn += n
        books.rejected += n
    }

    /// The books, per-rule hits and SLA counts of the run so far.
    public func finish() -> FulfillmentSummary {
        FulfillmentSummary(
            books: books,
            rules: PlanRule.allCases.map { (id: $0.id, hits: hits[$0.rawValue]) },
            slaByWarehouse: Self.named(slaByWarehouse, plan.warehouses.map(\.id)),
            slaByCarrier: Self.named(slaByCarrier, carrierNames))
    }

    /// The SLA counts by name, for the nodes that carried something.
    private static func named(_ counts: [SLACount], _ names: [String]) -> [String: SLACount] {
        var out: [String: SLACount] = [:]
        for (i, c) in counts.enumerated() where c.shipments > 0 {
            var m = out[names[i], default: SLACount()]  // two nodes may share a name
            m.shipments += c.shipments
            m.shipKnown += c.shipKnown
            m.lateShip += c.lateShip
            m.deliveryKnown += c.deliveryKnown
            m.lateDelivery += c.lateDelivery
            out[names[i]] = m
        }
        return out
    }

    private static let measures = [F.lUnitWeightG, F.lLength, F.lWidth, F.lHeight]
    private static let sides = [F.lLength, F.lWidth, F.lHeight]
    private static let skipped: [[UInt8]] = ["CANCELLED", "RETURNED", "ON_HOLD"].map { Array($0.utf8) }

    private func plannable(_ v: BatchView, _ row: Int) -> Bool {
        if !v.isNull(F.planReasons, row) { return false }
        let s = v.bytes(F.status, row)
        return !Self.skipped.contains { $0.elementsEqual(s) }
    }

    /// The planner's limits, far past any real order: within them no sum or product of an
    /// order's quantities, measures and money can overflow 64 bits (which traps).
    static let maxWeightG: Int64 = 1_000_000_000_000  // a million tonnes
    static let maxVolumeCm3: Int64 = 1_000_000_000_000  // a million cubic metres
    static let maxSideCm: Int64 = 1_000_000  // ten kilometres
    static let maxQuantity: Int64 = 1_000_000_000_000 * ExactDecimal.scale  // units, all lines
    /// The largest amount DECIMAL(18,4) holds (unscaled): money columns are written so.
    static let maxMoney = ExactDecimal.maxMagnitude

    /// Why the order cannot be planned, a data error (reject), in one pass over its lines: a
    /// shipped line's quantity not positive, a measure negative, or the lines together past a
    /// planner limit (`maxWeightG`, ...), which would make the planner's arithmetic overflow.
    private func badLine(_ v: BatchView, _ batch: OrderBatch, _ row: Int) -> String? {
        var qty: Int64 = 0, weight: Int64 = 0, volume: Int64 = 0, money: Int64 = 0
        func add(_ total: inout Int64, _ x: Int64, _ limit: Int64) -> Bool {
            let (sum, overflow) = total.addingReportingOverflow(x)
            total = sum
            return !overflow && sum <= limit
        }
        let lines = batch.lineRange(row)
        for l in lines {
            let n = l - lines.lowerBound + 1
            let shipped = v.lineInt(F.lRequiresShipping, l) != 0
            let quantity = v.lineInt(F.lQuantity, l)
            if let q = quantity, q <= 0, shipped {
                return "line \(n): quantity \(ExactDecimal.string(q)) is not positive"
            }
            for c in Self.measures {
                if let x = v.lineInt(c, l), x < 0 {
                    return "line \(n): \(OrderSchema.lineFields[c].name) \(x) is negative"
                }
            }
            guard shipped else { continue }
            let q = quantity ?? ExactDecimal.scale
            if !add(&qty, q, Self.maxQuantity) {
                return "the lines' quantities add up past the planner's limit of \(ExactDecimal.string(Self.maxQuantity))"
            }
            for c in Self.sides {
                if let x = v.lineInt(c, l), x > Self.maxSideCm {
                    return "line \(n): \(OrderSchema.lineFields[c].name) \(x) is past the planner's limit of \(Self.maxSideCm) cm"
                }
            }
            if let u = v.lineInt(F.lUnitWeightG, l), !add(&weight, Self.times(u, q), Self.maxWeightG) {
                return "the lines weigh more than the planner's limit of \(Self.maxWeightG) g"
            }
            if let a = v.lineInt(F.lLength, l), let b = v.lineInt(F.lWidth, l), let c = v.lineInt(F.lHeight, l),
               !add(&volume, Self.times(a * b * c, q), Self.maxVolumeCm3) {
                return "the lines' volume is past the planner's limit of \(Self.maxVolumeCm3) cm3"
            }
            guard let value = Self.lineValue(v, l, qty: q) else {
                return "line \(n): unit_price x quantity is past the largest amount a dataset holds"
            }
            if !add(&money, Int64(clamping: value.magnitude), Self.maxMoney) {
                return "the lines' values add up past the largest amount a dataset holds"
            }
        }
        if let w = v.int(F.totalWeightG, row), w > Self.maxWeightG || w < 0 {
            return "total_weight_g \(w) is \(w < 0 ? "negative" : "past the planner's limit of \(Self.maxWeightG) g")"
        }
        if let x = v.int(F.volumeCm3, row), x > Self.maxVolumeCm3 || x < 0 {
            return "volume_cm3 \(x) is \(x < 0 ? "negative" : "past the planner's limit of \(Self.maxVolumeCm3) cm3")"
        }
        return nil
    }

    /// A reject carrying the order as unified NDJSON, at `position` (see `position(_:_:)`).
    private func reject(_ input: OrderBatch, _ row: Int, _ reason: String, _ rejects: RejectWriter,
                        at position: SourcePosition) throws(WaybillError) {
        var raw: [UInt8] = []
        encoder.encodeOrder(input, row: row, into: &raw)
        if raw.last == 0x0A { raw.removeLast() }
        try rejects.write(Reject(stage: "fulfill", code: "fulfill.bad_order", reason: reason, field: nil,
            position: position, raw: raw))
        books.rejected += 1
    }

    func hit(_ r: PlanRule) { hits[r.rawValue] += 1 }

    /// Moves child `c`'s reasons out (leaving an empty value) so that appending to them does
    /// not copy the buffers; the caller stores them back.
    func takeReasons(_ c: Int) -> PlanReasons {
        var r = PlanReasons()
        swap(&r, &childReasons[c])
        return r
    }
}

/// What a fulfillment run did: the books, per-rule hits, and SLA counts by warehouse and carrier.
public struct FulfillmentSummary: Sendable {
    public var books: Books
    public var rules: [(id: String, hits: Int)]
    public var slaByWarehouse: [String: SLACount]
    public var slaByCarrier: [String: SLACount]

    /// Lines for stderr: the books, the rules that hit, and the SLA table.
    public func report() -> [String] {
        var out = [books.summary(stage: "fulfill")]
        for r in rules where r.hits > 0 { out.append("  \(r.id): \(r.hits)") }
        for (title, table) in [("warehouse", slaByWarehouse), ("carrier", slaByCarrier)] {
            for (k, c) in table.sorted(by: { $0.key < $1.key }) {
                out.append("  \(title) \(k): shipments=\(c.shipments) late_ship=\(c.lateShip)/\(c.shipKnown) "
                    + "late_delivery=\(c.lateDelivery)/\(c.deliveryKnown)")
            }
        }
        return out
    }
}
