import OrderModel

/// `waybill sample`: generates a synthetic order feed in one of the four shapes of
/// docs/feed-shapes.md, deterministically from a seed, with a chosen share of bad records and
/// of later status updates, and counts what it wrote (`SampleTruth`).
///
/// Memory stays bounded whatever the number of orders: records are written straight into a
/// buffer that goes to the sink about 1 MiB at a time, every order is rebuilt from its own
/// random stream when its update is due, and pending updates sit in a small ring.
public enum FeedSampler {
    /// Later versions of an order appear within this many orders of the previous version.
    static let updateWindow = 64
    /// Ring slots for pending updates: more than the furthest an update can be scheduled ahead
    /// (3 updates x `updateWindow`).
    static let ringSize = 256
    static let plannerSalt: UInt64 = 0x706C_616E_6E65_7221

    /// Writes the feed described by `config` to `sink` and returns what it holds.
    /// Throws `WaybillError.usage` for a bad configuration and the sink's errors.
    public static func generate<S: FeedSink>(_ config: SampleConfig, into sink: inout S) throws -> SampleTruth {
        do {
            try config.validate()
        } catch {
            throw WaybillError.usage(error.description)
        }
        switch config.shape {
        case .tpchFlatCSV, .tpchNestedNDJSON:
            var w = TPCHWriter(config: config)
            return try run(config, writer: &w, sink: &sink)
        case .shopCSV:
            var w = ShopWriter(config: config)
            return try run(config, writer: &w, sink: &sink)
        case .jdWaybillNDJSON:
            var w = JDWaybillWriter(config: config)
            return try run(config, writer: &w, sink: &sink)
        }
    }

    /// Generates into memory (tests and small feeds).
    public static func generate(_ config: SampleConfig) throws -> (bytes: [UInt8], truth: SampleTruth) {
        var sink = MemorySink()
        let truth = try generate(config, into: &sink)
        return (sink.bytes, truth)
    }

    private struct Pending {
        var index: Int
        var version: Int
        var updates: Int
    }

    private static func run<W: ShapeWriter, S: FeedSink>(
        _ config: SampleConfig, writer w: inout W, sink: inout S
    ) throws -> SampleTruth {
        var truth = SampleTruth(config: config)
        var out = FeedBuffer()
        var planner = SampleRandom(seed: config.seed, salt: plannerSalt, index: 0)
        let updateShare = config.effectiveUpdateShare

        // Each kind appears once (in a seeded order) before any repeats, so even a small bad
        // share shows every kind; after that kinds are drawn by weight.
        var kinds = config.effectiveBadKinds
        for i in stride(from: kinds.count - 1, to: 0, by: -1) { kinds.swapAt(i, planner.below(i + 1)) }
        let kindWeights = kinds.map(\.weight)
        var badLeft = config.badCount
        var badWritten = 0

        var ring = Array(repeating: [Pending](), count: ringSize)
        truth.headerLines = w.header(&out)
        var physicalLines = truth.headerLines

        func emitDue(_ step: Int) throws {
            let slot = step % ringSize
            if ring[slot].isEmpty { return }
            for p in ring[slot] {
                let r = w.good(index: p.index, version: p.version, updates: p.updates, out: &out)
                truth.records += r.records
                truth.goodRecords += r.records
                truth.updateVersions += 1
                truth.updateRecords += r.records
                physicalLines += r.physicalLines
                try out.boundary(&sink)
            }
            ring[slot].removeAll(keepingCapacity: true)
        }

        let n = config.orders
        for i in 0..<n {
            try emitDue(i)
            // Selection sampling (Knuth's Algorithm S): exactly `badCount` bad orders, evenly spread.
            if badLeft > 0 && planner.below(n - i) < badLeft {
                let kind = badWritten < kinds.count ? kinds[badWritten] : kinds[planner.weighted(kindWeights)]
                truth.badRecordPositions.append(
                    BadRecordPosition(record: truth.records + 1, line: physicalLines + 1, byteOffset: out.total, kind: kind))
                physicalLines += w.bad(index: i, kind: kind, out: &out)
                badLeft -= 1
                badWritten += 1
                truth.records += 1
                truth.badRecords += 1
                truth.badByKind[kind, default: 0] += 1
            } else {
                var wanted = 0
                if updateShare > 0 && planner.chance(updateShare) { wanted = 1 + planner.weighted([6, 3, 1]) }
                let r = w.good(index: i, version: 0, updates: wanted, out: &out)
                truth.records += r.records
                truth.goodRecords += r.records
                truth.goodOrders += 1
                truth.goodLines += r.lines
                physicalLines += r.physicalLines
                var due = i
                if r.updates > 0 {
                    for v in 1...r.updates {
                        due += 1 + planner.below(updateWindow)
                        ring[due % ringSize].append(Pending(index: i, version: v, updates: r.updates))
                    }
                }
            }
            try out.boundary(&sink)
        }
        for step in n..<(n + ringSize) { try emitDue(step) }
        try out.flush(&sink)
        w.finish(&truth)
        truth.bytes = out.flushed
        return truth
    }
}
