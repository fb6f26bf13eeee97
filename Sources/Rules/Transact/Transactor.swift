import Foundation
import OrderModel

/// The core of `waybill transact`, over batches: dedup and idempotency against the state (T7),
/// status transitions (T8), the expression rules, then the output batch with rule results and
/// holds, and the rejects. In-process and testable without the command line.
///
/// Per batch: each order gets its key and content hash; the orders of one key are taken in
/// `(updated_at, version)` order and compared with the newest version known (from the state
/// or earlier in the run): same version and content -> duplicate (merged); same version, other
/// content -> conflict (rejected, naming both payloads); older -> stale (merged, or passed per
/// `dedup.stale`); newer -> its transition from the known status is checked. Of the accepted
/// versions of a key in one batch only the newest is emitted (the older ones are merged into
/// it). The rules run on what is emitted; a reject there leaves the key's state as it was.
/// State changes are kept in memory until `commitState()`.
public final class Transactor {
    public let ruleSet: RuleSet
    let engine: RuleEngine
    let state: StateStore?
    /// Versions applied in this run (over the stored state), with the record that brought them:
    /// one table of `Applied` entries (40 bytes each, as a `StateEntry`), not a second table of
    /// origins, which took another 24 bytes per key and bucket (about 50 MB at 1.5M orders).
    private var working = DigestMap<Applied>(filler: Applied(.zero, origin: 0))
    private let hasher = OrderHasher()
    private let encoder = UnifiedNDJSONEncoder()
    private var summary = TransactSummary()
    private var builtinCounts: [String: Int] = [:]
    private var hits = RuleHits()
    /// The name of the input in reject positions when the caller gives none.
    public var inputName = "-"
    /// Rule ids as bytes, for the `rule_results` keys.
    private let ruleIds: [[UInt8]]
    private let moneySources: [[UInt8]]
    /// The rule set's money policies, and the index of the first for every source (`*`).
    private let moneyPolicies: [MoneyPolicy]
    private let moneyFallback: Int?

    private static let heldFromKey = Array("transact.held_from".utf8)
    private static let holdCodes = OrderSchema.orderFieldIndex("hold_codes")!
    private static let ruleResults = OrderSchema.orderFieldIndex("rule_results")!
    private static let isCOD = OrderSchema.orderFieldIndex("is_cod")!

    /// Normalisation and PII hashing, when the rules file asks for them.
    private let normalizer: Normalizer?
    private var normalized = OrderBatch()

    /// `salt` overrides the PII salt otherwise read from the environment variable the rules
    /// file names (`pii.salt_env`); hashing without a salt is a usage error.
    public init(ruleSet: RuleSet, state: StateStore?, salt: String? = nil) throws(WaybillError) {
        self.ruleSet = ruleSet
        self.engine = RuleEngine(ruleSet: ruleSet)
        self.state = state
        ruleIds = ruleSet.rules.map { Array($0.id.utf8) }
        moneySources = ruleSet.builtins.money.map { Array($0.source.utf8) }
        moneyPolicies = ruleSet.builtins.money
        moneyFallback = ruleSet.builtins.money.firstIndex { $0.source == "*" }
        let b = ruleSet.builtins
        if b.normalize.isEnabled || b.pii.hash || b.pii.maskOutput {
            var saltBytes: [UInt8] = []
            if b.pii.hash {
                guard let s = salt ?? ProcessInfo.processInfo.environment[b.pii.saltEnv], !s.isEmpty else {
                    throw WaybillError.usage("\(ruleSet.file): pii.hash needs a salt in the environment variable \(b.pii.saltEnv)")
                }
                saltBytes = Array(s.utf8)
            }
            normalizer = Normalizer(settings: b.normalize, pii: b.pii, salt: saltBytes)
        } else {
            normalizer = nil
        }
    }

    /// The newest version known of `key` and the record of this run that brought it (-1: the
    /// stored state's).
    private func known(_ key: Digest128) -> (entry: StateEntry, origin: Int)? {
        if let a = working[key] { return (a.entry, Int(a.origin)) }
        return state?[key].map { ($0, -1) }
    }

    /// Processes one batch: appends accepted orders to `output`, writes rejects. `positions`
    /// (one per order, optional) place rejects in the input; without them the record number
    /// within the run is used as the line.
    public func process(
        _ raw: OrderBatch, into output: inout OrderBatch, rejects: RejectWriter, positions: [SourcePosition]? = nil
    ) throws(WaybillError) {
        if let normalizer, normalizer.isEnabled, normalizer.applies(to: raw) {
            normalized.removeAll()
            normalizer.normalize(raw, into: &normalized)
            try process(normalized: normalized, into: &output, rejects: rejects, positions: positions)
        } else {
            try process(normalized: raw, into: &output, rejects: rejects, positions: positions)
        }
    }

    private func process(
        normalized input: OrderBatch, into output: inout OrderBatch, rejects: RejectWriter, positions: [SourcePosition]?
    ) throws(WaybillError) {
        let n = input.count
        let base = summary.books.recordsIn
        summary.books.recordsIn += n
        // The record number (0-based) of row `row` within the run's input: its line when the
        // caller knows where each row was read (one order per NDJSON line), else its place
        // among the orders counted so far.
        func record(_ row: Int) -> Int {
            if let positions, row < positions.count, positions[row].line > 0 { return positions[row].line - 1 }
            return base + row
        }
        var keys = [Digest128](), statuses = [Int](), stamps = [(Int64, Int64)]()
        let contents = hasher.contents(input)
        keys.reserveCapacity(n)
        hasher.keys(input, into: &keys)
        var builtin: [BuiltinHit] = []
        var rejected = [String?](repeating: nil, count: n)
        var rejectReason = [String](repeating: "", count: n)
        let statusCol = input.orders.columns[OrderField.status]
        // Bound once per batch: a column read inside the loop is a copy of the struct (and a
        // retain of each of its arrays) per order.
        let u = input.orders.columns[OrderField.updatedAt], v = input.orders.columns[OrderField.version]
        for row in 0..<n {
            stamps.append((u.isNull(row) ? .min : u.int(row), v.isNull(row) ? .min : v.int(row)))
            let s = statusCol.isNull(row) ? nil : TransitionTable.statusIndex(statusCol.bytes[statusCol.range(row)])
            statuses.append(s ?? -1)
            if s == nil {
                rejected[row] = BuiltinRule.badStatus
                rejectReason[row] = "status is not one of \(CanonicalStatus.allNames.joined(separator: ", "))"
            }
        }

        // Group by key, each group in version order (arrival breaks ties).
        let order = (0..<n).filter { rejected[$0] == nil }.sorted {
            keys[$0] != keys[$1] ? keys[$0] < keys[$1]
                : (StateEntry.order(stamps[$0], stamps[$1]) != 0 ? StateEntry.order(stamps[$0], stamps[$1]) < 0 : $0 < $1)
        }
        var emit = [Bool](repeating: false, count: n)
        var passStale = [Bool](repeating: false, count: n)
        /// The state entry each accepted version would leave (held-from follows the chain).
        var chain = [StateEntry?](repeating: nil, count: n)
        var i = 0
        let settings = ruleSet.builtins
        while i < order.count {
            let key = keys[order[i]]
            let applied = known(key)
            var prev = applied?.entry
            var prevOrigin = applied?.origin ?? -1
            var candidate: Int?
            while i < order.count && keys[order[i]] == key {
                let row = order[i]
                i += 1
                if let p = prev {
                    let c = StateEntry.order(stamps[row], p.stamp)
                    // An entry from a format-1 state holds that format's hash of its content.
                    let mine = c == 0 && p.legacyContent ? hasher.legacyContent(input, row: row) : contents[row]
                    if c == 0 && mine == p.content {
                        summary.duplicates += 1
                        summary.books.merged += 1
                        count(BuiltinRule.duplicate)
                        continue
                    }
                    if c == 0 {
                        summary.conflicts += 1
                        count(BuiltinRule.conflict)
                        let other = prevOrigin >= 0 ? "record \(prevOrigin + 1) of this run"
                            : prevOrigin == -2 ? "an earlier record of this run" : "the version in the state"
                        rejected[row] = BuiltinRule.conflict
                        rejectReason[row] = "same (updated_at, version) as \(other) but different content: "
                            + "this payload \(mine) vs \(p.content)"
                        continue
                    }
                    if c < 0 {
                        summary.stale += 1
                        count(BuiltinRule.stale)
                        if settings.stale == .pass {
                            passStale[row] = true
                            emit[row] = true
                            builtin.append(BuiltinHit(row: row, id: BuiltinRule.stale, severity: .warn,
                                message: "stale update: an equal or newer version was already applied"))
                        } else {
                            summary.books.merged += 1
                        }
                        continue
                    }
                    if let table = settings.transitions {
                        let cod = !input.orders.columns[Self.isCOD].isNull(row) && input.orders.columns[Self.isCOD].int(row) != 0
                        let held = p.heldFrom == 255 ? nil : Int(p.heldFrom)
                        if !table.isLegal(from: Int(p.status), to: statuses[row], isCOD: cod, heldFrom: held) {
                            summary.illegalTransitions += 1
                            count(BuiltinRule.transition)
                            let message = "status \(CanonicalStatus.allNames[Int(p.status)]) -> "
                                + "\(CanonicalStatus.allNames[statuses[row]]) is not a legal transition"
                            if settings.transitionSeverity == .reject {
                                rejected[row] = BuiltinRule.transition
                                rejectReason[row] = message
                                continue
                            }
                            builtin.append(BuiltinHit(row: row, id: BuiltinRule.transition,
                                severity: settings.transitionSeverity, message: message))
                        }
                    }
                }
                if let old = candidate {
                    // A newer version of the same key in this batch: the older one folds into it.
                    emit[old] = false
                    summary.superseded += 1
                    summary.books.merged += 1
                }
                candidate = row
                emit[row] = true
                var heldFrom: UInt8 = 255
                if statuses[row] == TransitionTable.onHold, let p = prev {
                    heldFrom = p.status == UInt8(TransitionTable.onHold) ? p.heldFrom : p.status
                }
                prev = StateEntry(updatedAt: stamps[row].0, version: stamps[row].1, status: UInt8(statuses[row]),
                    heldFrom: heldFrom, content: contents[row])
                chain[row] = prev
                prevOrigin = record(row)
            }
        }

        // Expression rules and money policies on what would be emitted.
        let rows = (0..<n).filter { emit[$0] }
        if !ruleSet.builtins.money.isEmpty {
            for row in rows { checkMoney(input, row: row, rejected: &rejected, reasons: &rejectReason, hits: &builtin) }
        }
        engine.evaluate(input, rows: rows, into: &hits)
        // Stable: hits of one row keep the order they were found in (determinism).
        builtin = builtin.enumerated().sorted { ($0.element.row, $0.offset) < ($1.element.row, $1.offset) }.map(\.element)

        var cursor = 0, bcursor = 0
        var emitted: [Emitted] = []
        emitted.reserveCapacity(n)
        for row in 0..<n {
            let range = hits.hits(ofRow: row, from: &cursor)
            while bcursor < builtin.count && builtin[bcursor].row < row { bcursor += 1 }
            var bend = bcursor
            while bend < builtin.count && builtin[bend].row == row { bend += 1 }
            if rejected[row] == nil, emit[row], let r = range.first(where: { hits.severities[$0] == .reject }) {
                rejected[row] = ruleSet.rules[Int(hits.rules[r])].id
                rejectReason[row] = hits.message(r)
            }
            if let code = rejected[row] {
                summary.books.rejected += 1
                var raw: [UInt8] = []
                encoder.encodeOrder(input, row: row, into: &raw)
                if raw.last == 0x0A { raw.removeLast() }
                let position = positions.position(ofRow: row, in: input.orders, file: inputName, ordinal: record(row) + 1)
                try rejects.write(Reject(stage: "transact", code: code, reason: rejectReason[row], position: position, raw: raw))
                continue
            }
            guard emit[row] else { continue }
            emitted.append(Emitted(row: row, hits: range, builtin: bcursor..<bend))
            if !passStale[row], let entry = chain[row] {
                working[keys[row]] = Applied(entry, origin: record(row))
            }
        }
        let masks = normalizer != nil && ruleSet.builtins.pii.maskOutput
        if output.count == 0 && emitted.count == n && n > 0 && !input.defersNullPadding && !masks {
            emitWhole(input, emitted, builtin: builtin, into: &output)
        } else {
            for e in emitted { appendOutput(input, row: e.row, hits: e.hits, builtin: builtin[e.builtin], into: &output) }
        }
    }

    /// An order that goes out: its row, its expression hits and its built-in hits.
    private struct Emitted {
        var row: Int
        var hits: Range<Int>
        var builtin: Range<Int>
        var isEmpty: Bool { hits.isEmpty && builtin.isEmpty }
    }

    /// Counts input records the reader rejected before they became orders (bad JSON lines), so
    /// the books still balance: they are in and rejected.
    public func noteUnreadable(_ n: Int) {
        summary.books.recordsIn += n
        summary.books.rejected += n
    }

    /// The money policy of order `row` (its `source`'s, else the first `*` one), as an index
    /// into the rule set's list; `source` is the batch's source column, read in place.
    private func moneyPolicy(_ source: UnsafePointer<Column>, row: Int) -> Int? {
        if !source.pointee.isNull(row) {
            let r = source.pointee.range(row)
            let named = source.pointee.bytes.withUnsafeBytes { b in
                moneySources.firstIndex { $0.elementsEqual(UnsafeRawBufferPointer(rebasing: b[r])) }
            }
            if let named { return named }
        }
        return moneyFallback
    }

    /// T3/T4 as a built-in: the total recomputed with the source's rounding model. The columns
    /// and the policy are read in place: copies of them (a retain per array or string) were
    /// most of this check's cost per order.
    private func checkMoney(_ batch: OrderBatch, row: Int, rejected: inout [String?], reasons: inout [String], hits: inout [BuiltinHit]) {
        let found: (policy: Int, total: Int64)? = batch.orders.columns.withUnsafeBufferPointer { cols in
            guard let i = moneyPolicy(cols.baseAddress! + OrderField.source, row: row) else { return nil }
            let total = cols.baseAddress! + OrderField.grandTotal
            return total.pointee.isNull(row) ? nil : (i, total.pointee.int(row))
        }
        guard let (i, total) = found else { return }
        let (expected, tolerance): (Int64?, Int64) = moneyPolicies.withUnsafeBufferPointer {
            ($0[i].expectedTotal(batch, row: row), $0[i].tolerancePerLine)
        }
        guard let expected else { return }
        let lines = Int64(batch.lineRange(row).count)
        let diff = (total - expected).magnitude
        guard diff > UInt64(tolerance * max(lines, 1)) else { return }
        let policy = moneyPolicies[i]
        count(policy.id)
        let message = "grand total \(ExactDecimal.string(total)) != \(ExactDecimal.string(expected)) "
            + "recomputed (\(policy.formula.rawValue), \(policy.rounding.rawValue) to \(policy.digits) digits)"
        if policy.severity == .reject {
            if rejected[row] == nil {
                rejected[row] = policy.id
                reasons[row] = message
            }
        } else {
            hits.append(BuiltinHit(row: row, id: policy.id, severity: policy.severity, message: message))
        }
    }

    private func count(_ id: String) { builtinCounts[id, default: 0] += 1 }

    /// Appends order `row` with its rule results, and ON_HOLD with hold codes when a hold hit.
    private func appendOutput(_ input: OrderBatch, row: Int, hits range: Range<Int>, builtin: ArraySlice<BuiltinHit>, into output: inout OrderBatch) {
        output.beginOrder()
        output.copyOrderFields(from: input, row: row)
        let held = range.contains { hits.severities[$0] == .hold } || builtin.contains { $0.severity == .hold }
        if !range.isEmpty || !builtin.isEmpty {
            output.orders.touch(Self.ruleResults)
            var value: [UInt8] = []
            for h in range {
                value.removeAll(keepingCapacity: true)
                value.append(contentsOf: hits.severities[h].description.utf8)
                value.append(contentsOf: ": ".utf8)
                value.append(contentsOf: hits.messages[hits.messageRange(h)])
                value.withUnsafeBytes { v in
                    ruleIds[Int(hits.rules[h])].withUnsafeBytes { k in output.orders.addElement(Self.ruleResults, utf8: v, key: k) }
                }
            }
            for b in builtin {
                output.orders.addElement(Self.ruleResults, "\(b.severity): \(b.message)", key: b.id)
            }
        }
        if held {
            summary.held += 1
            let status = input.orders.columns[OrderField.status]
            output.orders.touch(Self.holdCodes)
            for h in range where hits.severities[h] == .hold {
                output.orders.addElement(Self.holdCodes, ruleSet.rules[Int(hits.rules[h])].id)
            }
            for b in builtin where b.severity == .hold { output.orders.addElement(Self.holdCodes, b.id) }
            status.bytes.withUnsafeBytes { raw in
                let from = UnsafeRawBufferPointer(rebasing: raw[status.range(row)])
                Self.heldFromKey.withUnsafeBytes { k in output.orders.addElement(OrderField.ext, utf8: from, key: k) }
            }
            output.orders.set(OrderField.status, string: CanonicalStatus.onHold.rawValue)
        }
        if let normalizer, ruleSet.builtins.pii.maskOutput {
            normalizer.mask(input, row: row, into: &output)
        }
        output.copyLines(from: input, row: row)
        output.endOrder()
        summary.books.rowsOut += 1
        summary.books.ordersOut += 1
        summary.books.linesOut += input.lineRange(row).count
    }

    /// The output when every order of `input` goes out, in order (no reject, no merge, no
    /// masking) into an empty `output`: the input batch itself, shared, with only the columns
    /// transact writes rebuilt. The same values as `appendOutput` row by row: rule results and
    /// hold codes after the ones the order had, `transact.held_from` after its `ext` entries,
    /// ON_HOLD for held orders, and a missing `line_count` filled (as `endOrder()` does).
    private func emitWhole(_ input: OrderBatch, _ emitted: [Emitted], builtin: [BuiltinHit], into output: inout OrderBatch) {
        let n = input.count
        output = input
        let hits = self.hits
        if emitted.contains(where: { !$0.isEmpty }) {
            var value: [UInt8] = []
            output.orders.columns[Self.ruleResults] = ColumnRewrite.appendingElements(input.orders.columns[Self.ruleResults], rows: n) { row, col in
                let e = emitted[row]
                for h in e.hits {
                    value.removeAll(keepingCapacity: true)
                    value.append(contentsOf: hits.severities[h].description.utf8)
                    value.append(contentsOf: ": ".utf8)
                    value.append(contentsOf: hits.messages[hits.messageRange(h)])
                    value.withUnsafeBytes { v in
                        ruleIds[Int(hits.rules[h])].withUnsafeBytes { k in col.appendElement(utf8: v, key: k) }
                    }
                }
                for b in builtin[e.builtin] { col.appendElement("\(b.severity): \(b.message)", key: b.id) }
                return !e.isEmpty
            }
        }
        let held = emitted.map { e in
            e.hits.contains { hits.severities[$0] == .hold } || builtin[e.builtin].contains { $0.severity == .hold }
        }
        if let firstHeld = held.firstIndex(of: true) {
            summary.held += held.lazy.filter { $0 }.count
            let rules = ruleSet.rules
            output.orders.columns[Self.holdCodes] = ColumnRewrite.appendingElements(input.orders.columns[Self.holdCodes], rows: n) { row, col in
                guard held[row] else { return false }
                let e = emitted[row]
                for h in e.hits where hits.severities[h] == .hold { col.appendElement(rules[Int(hits.rules[h])].id) }
                for b in builtin[e.builtin] where b.severity == .hold { col.appendElement(b.id) }
                return true
            }
            let status = input.orders.columns[OrderField.status]
            output.orders.columns[OrderField.ext] = ColumnRewrite.appendingElements(input.orders.columns[OrderField.ext], rows: n) { row, col in
                guard held[row] else { return false }
                status.bytes.withUnsafeBytes { raw in
                    Self.heldFromKey.withUnsafeBytes { k in col.appendElement(utf8: UnsafeRawBufferPointer(rebasing: raw[status.range(row)]), key: k) }
                }
                return true
            }
            output.orders.columns[OrderField.status] = ColumnRewrite.replacingStrings(status, rows: n, with: Array(CanonicalStatus.onHold.rawValue.utf8)) {
                $0 >= firstHeld && held[$0]
            }
        }
        if input.orders.columns[OrderField.lineCount].nullCount > 0 {
            output.orders.columns[OrderField.lineCount] = ColumnRewrite.fillingNulls(input.orders.columns[OrderField.lineCount], rows: n) {
                Int64(input.lineRange($0).count)
            }
        }
        summary.books.rowsOut += n
        summary.books.ordersOut += n
        summary.books.linesOut += input.lines.rowCount
    }

    /// The run's summary so far, with thresholds evaluated.
    public func finish() -> TransactSummary {
        var s = summary
        s.rules = ruleSet.rules.enumerated().map { .init(id: $1.id, severity: $1.severity, hits: engine.hitCounts[$0]) }
        let settings = ruleSet.builtins
        for (id, sev) in [(BuiltinRule.duplicate, Severity.warn), (BuiltinRule.stale, .warn),
                          (BuiltinRule.conflict, .reject), (BuiltinRule.transition, settings.transitionSeverity)] {
            s.rules.append(.init(id: id, severity: sev, hits: builtinCounts[id] ?? 0))
        }
        for p in settings.money where !s.rules.contains(where: { $0.id == p.id }) {
            s.rules.append(.init(id: p.id, severity: p.severity, hits: builtinCounts[p.id] ?? 0))
        }
        let t = engine.thresholdReport()
        s.thresholdErrors = t.errors
        s.thresholdWarnings = t.warnings
        return s
    }

    /// Writes the versions applied in this run into the state, atomically. Call only after a
    /// successful run.
    public func commitState() throws(WaybillError) {
        guard let state else { return }
        working.forEach { state[$0] = $1.entry }
        try state.commit()
    }
}

/// A version applied in this run, packed: a `StateEntry`'s fields plus the run's record number
/// in its padding (-2 past Int32: a conflict message then says "an earlier record").
private struct Applied {
    var updatedAt: Int64
    var version: Int64
    var content: Digest128
    var origin: Int32
    var status: UInt8
    var heldFrom: UInt8

    init(_ e: StateEntry, origin: Int) {
        updatedAt = e.updatedAt
        version = e.version
        content = e.content
        self.origin = origin <= Int(Int32.max) ? Int32(origin) : -2
        status = e.status
        heldFrom = e.heldFrom
    }

    var entry: StateEntry {
        StateEntry(updatedAt: updatedAt, version: version, status: status, heldFrom: heldFrom, content: content)
    }
}
