import OrderModel

/// The reasons of one order's or child's plan, built as bytes (decision key -> text) and
/// written into `plan_reasons`. Reused across orders: clearing keeps the storage, so stating
/// why costs no allocation once warm.
///
/// A child's reasons take some 80 small appends (~570 bytes), which through `[UInt8]`'s
/// generic `append(contentsOf:)` cost more than planning the child. The text therefore goes
/// into a plain malloc'd buffer: an append is a capacity check and a `memcpy`.
///
/// Ownership invariant (what makes the raw buffers safe): a value owns its buffers alone. The
/// planner moves values (`Fulfiller.takeReasons` swaps an empty one in, the caller stores it
/// back) and never keeps two live copies of one; it frees every buffer in its `deinit`
/// (`release()`). A copy is only read (`write(into:)`) while its original is not appended to.
struct PlanReasons {
    private var base: UnsafeMutablePointer<UInt8>? = nil
    private var used = 0
    private var capacity = 0
    /// Each reason's key and the end of its text in `base`, in a malloc'd buffer as well: with
    /// arrays here, every read of a child's reasons out of `Fulfiller.childReasons` retained and
    /// released both arrays (600,000 children at TPC-H scale 0.1).
    private var entries: UnsafeMutablePointer<(key: StaticString, end: Int)>? = nil
    private(set) var count = 0
    private var entryCapacity = 0

    mutating func clear() {
        used = 0
        count = 0
    }

    /// Frees the buffers (the owner's `deinit`).
    mutating func release() {
        base?.deallocate()
        base = nil
        used = 0
        capacity = 0
        entries?.deallocate()
        entries = nil
        count = 0
        entryCapacity = 0
    }

    /// Starts a reason; append its text with the helpers below, then `end()`.
    mutating func begin(_ key: StaticString) {
        if count == entryCapacity {
            let cap = max(16, entryCapacity * 2)
            let p = UnsafeMutablePointer<(key: StaticString, end: Int)>.allocate(capacity: cap)
            if let entries {
                p.initialize(from: entries, count: count)
                entries.deallocate()
            }
            entries = p
            entryCapacity = cap
        }
        (entries! + count).initialize(to: (key, -1))
        count += 1
    }

    mutating func end() { entries![count - 1].end = used }

    @inline(__always) private mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if used + n > capacity { grow(used + n) }
        return base! + used
    }

    private mutating func grow(_ need: Int) {
        let cap = max(need, capacity * 2, 1024)
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
        if let base {
            p.update(from: base, count: used)
            base.deallocate()
        }
        base = p
        capacity = cap
    }

    @inline(__always) mutating func raw(_ p: UnsafeRawPointer, _ n: Int) {
        guard n > 0 else { return }
        let to = reserve(n)
        UnsafeMutableRawPointer(to).copyMemory(from: p, byteCount: n)
        used += n
    }

    @inline(__always) mutating func byte(_ b: UInt8) {
        reserve(1).pointee = b
        used += 1
    }

    /// A literal (string literals pick this overload: the `String` one is disfavoured).
    mutating func text(_ s: StaticString) { raw(s.utf8Start, s.utf8CodeUnitCount) }
    /// Table names (warehouse, service, calendar, zone ids): a native string's contiguous UTF-8.
    @_disfavoredOverload
    mutating func text(_ s: String) {
        if s.utf8.withContiguousStorageIfAvailable({ raw($0.baseAddress!, $0.count) }) == nil {
            bytes(Array(s.utf8))
        }
    }
    mutating func bytes(_ b: [UInt8]) { b.withUnsafeBytes { raw($0.baseAddress!, $0.count) } }
    mutating func bytes(_ b: UnsafeRawBufferPointer) { if let a = b.baseAddress { raw(a, b.count) } }
    mutating func int(_ v: Int64) {
        if v < 0 { byte(UInt8(ascii: "-")) }
        digits(v.magnitude)
    }
    mutating func int(_ v: Int) { int(Int64(v)) }

    /// The decimal digits of `n`, written straight into the buffer (as `appendDigits`).
    private mutating func digits(_ n: UInt64) {
        if n < 10 {
            byte(UInt8(n) + 0x30)
            return
        }
        var len = 0
        var v = n
        while v > 0 { len += 1; v /= 10 }
        let to = reserve(len)
        v = n
        var i = len
        while v > 0 {
            i -= 1
            to[i] = UInt8(v % 10) + 0x30
            v /= 10
        }
        used += len
    }

    /// Money as `ExactDecimal.format` writes it (whole units, then up to 4 decimals, no
    /// trailing zeros).
    mutating func money(_ v: Int64) {
        var m = v.magnitude
        if v < 0 { byte(UInt8(ascii: "-")) }
        let scale = UInt64(ExactDecimal.scale)
        digits(m / scale)
        m %= scale
        guard m != 0 else { return }
        byte(UInt8(ascii: "."))
        var width = 4
        while m % 10 == 0 {
            m /= 10
            width -= 1
        }
        let to = reserve(width)
        for k in stride(from: width - 1, through: 0, by: -1) {
            to[k] = UInt8(m % 10) + 0x30
            m /= 10
        }
        used += width
    }

    /// `YYYY-MM-DD`, as `CivilTime.formatDate` writes it, straight into the buffer (a plan
    /// writes about seven dates per child; the generic formatter appended digit by digit).
    mutating func date(_ day: Int64) {
        let (y, m, d) = CivilTime.civil(days: day)
        guard (0...9999).contains(y) else {
            var out: [UInt8] = []
            CivilTime.formatDate(days: day, into: &out)
            bytes(out)
            return
        }
        let to = reserve(10)
        to[0] = UInt8(48 + y / 1000); to[1] = UInt8(48 + y / 100 % 10); to[2] = UInt8(48 + y / 10 % 10)
        to[3] = UInt8(48 + y % 10); to[4] = UInt8(ascii: "-"); to[5] = UInt8(48 + m / 10); to[6] = UInt8(48 + m % 10)
        to[7] = UInt8(ascii: "-"); to[8] = UInt8(48 + d / 10); to[9] = UInt8(48 + d % 10)
        used += 10
    }
    mutating func time(_ seconds: Int) {
        let h = seconds / 3600, m = seconds / 60 % 60
        let to = reserve(5)
        to[0] = UInt8(48 + h / 10); to[1] = UInt8(48 + h % 10); to[2] = UInt8(ascii: ":")
        to[3] = UInt8(48 + m / 10); to[4] = UInt8(48 + m % 10)
        used += 5
    }
    mutating func timestamp(_ micros: Int64) {
        var out: [UInt8] = []
        CivilTime.formatTimestamp(micros: micros, into: &out)
        bytes(out)
    }

    /// Writes every reason into map column `col` of the row being built: the row opened with
    /// `touch` (as `addElement` opens it), then all entries in one bulk append, since the
    /// values already lie back to back in the buffer.
    func write(into table: inout ColumnTable, column col: Int) {
        table.touch(col)
        let e = entries, n = count
        table.columns[col].appendElements(
            n, values: UnsafeRawBufferPointer(start: base, count: n == 0 ? 0 : e![n - 1].end), valueEnd: { e![$0].end },
            key: { UnsafeRawBufferPointer(start: e![$0].key.utf8Start, count: e![$0].key.utf8CodeUnitCount) })
    }
}

/// The rule ids counted in the summary and the metrics (docs/fulfillment.md lists them).
public enum PlanRule: Int, CaseIterable, Sendable {
    case regionMatch, priorityChoice, stockChoice, noWarehouse, insufficientStock, split, volumetric, freeOver,
        codAllocated, codOverLimit, insuredCapped, afterCutoff, nonWorkingDay, promiseTier, feedPromise, transit,
        downgrade, noCarrier, lateShip, lateDelivery, appointmentKept, appointmentIgnored, notPlanned

    public var id: String {
        switch self {
        case .regionMatch: return "F1.region_match"
        case .priorityChoice: return "F2.priority"
        case .stockChoice: return "F2.highest_stock"
        case .noWarehouse: return "F1.no_warehouse"
        case .insufficientStock: return "F2.insufficient_stock"
        case .split: return "F3.split"
        case .volumetric: return "F5.volumetric"
        case .freeOver: return "F6.free_over"
        case .codAllocated: return "F7.cod_allocated"
        case .codOverLimit: return "F7.cod_over_limit"
        case .insuredCapped: return "F8.insured_capped"
        case .afterCutoff: return "F9.after_cutoff"
        case .nonWorkingDay: return "F9.non_working_day"
        case .promiseTier: return "F10.promise_tier"
        case .feedPromise: return "F10.feed_promise"
        case .transit: return "F10.transit"
        case .downgrade: return "F12.downgrade"
        case .noCarrier: return "F4.no_carrier"
        case .lateShip: return "F13.late_ship"
        case .lateDelivery: return "F13.late_delivery"
        case .appointmentKept: return "F14.appointment_kept"
        case .appointmentIgnored: return "F14.appointment_ignored"
        case .notPlanned: return "not_planned"
        }
    }
}

/// Hold codes written into `hold_codes` when an order or child cannot be planned.
public enum HoldCode {
    public static let noWarehouse = Hold.noWarehouse.code
    public static let insufficientStock = Hold.insufficientStock.code
    public static let noCarrier = Hold.noCarrier.code
    public static let codOverLimit = Hold.codOverLimit.code
}

/// Why an order or child is held, as the planner carries it: a plain value, so a `ChildPlan`
/// holding one copies without reference counting (as a `String` every copy of a child plan
/// retained and released it, through the type's value witnesses).
enum Hold: UInt8, CaseIterable {
    case noWarehouse, insufficientStock, noCarrier, codOverLimit

    /// The code written into `hold_codes` (`HoldCode`).
    var code: String {
        switch self {
        case .noWarehouse: return "no_warehouse"
        case .insufficientStock: return "insufficient_stock"
        case .noCarrier: return "no_carrier"
        case .codOverLimit: return "cod_over_limit"
        }
    }

    // Kept for the process's life (`PlanBytes.permanent`): written without reference counting.
    nonisolated(unsafe) private static let codeBytes = allCases.map { PlanBytes.permanent($0.code) }

    /// `code`'s UTF-8.
    var bytes: UnsafeRawBufferPointer { Self.codeBytes[Int(rawValue)] }
}
