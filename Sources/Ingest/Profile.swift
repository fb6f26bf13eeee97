#if canImport(Glibc)
import Glibc
#endif
import OrderModel

/// A compiled feed profile: how one feed shape maps onto the unified order model.
///
/// Loaded once from YAML (`ProfileLoader`) and compiled into per-field programs that address
/// source fields by slot number, so the hot loop never looks anything up by name. Immutable
/// and shareable; the mutable per-thread state lives in `RecordMapper`.
public struct Profile: Sendable {
    public enum Format: String, Sendable { case csv, ndjson }

    /// Where the lines of an order come from.
    public enum LineSource: Sendable, Equatable {
        /// One line per CSV row / NDJSON record (grouped into orders by `group`).
        case rows
        /// One line per element of an array member of the record.
        case items(key: String)
        /// No lines.
        case none
    }

    /// The profile file, for messages.
    public let path: String
    /// The source name: the namespace of `ext` keys and `{source}` in templates.
    public let source: String
    public let format: Format
    public let encoding: TextEncoding
    var csv: CSVOptions
    /// Column names when the CSV has no header row.
    let columns: [String]?
    let hasHeader: Bool
    public let maxFieldBytes: Int
    public let maxLineBytes: Int
    public let lineSource: LineSource
    /// Rows grouped into one order by this record slot (consecutive equal values).
    let groupKey: Int?
    /// A row with this slot non-empty always starts a new order (shop exports).
    let groupStartWhenSet: Int?
    /// Unmapped columns whose name starts with this go to the line's ext (rows), or this is
    /// put before item keys in line ext keys (items).
    let lineExtPrefix: String
    /// Source fields of the record (order level, and line level for `rows`).
    let recordSlots: SlotTable
    /// Source fields of each item (for `items`).
    let itemSlots: SlotTable
    let orderOps: [FieldOp]
    let lineOps: [FieldOp]
    let constants: ConstantPool
    let zones: [ZoneSpec]
    /// Source columns dropped on purpose (not put into ext).
    let ignored: Set<String>
    /// Decompression, archive and JSON-depth bounds (the profile's `limits:` section); a
    /// pipeline's `limits:` and the command line's `--limit` override them.
    public var limits = InputLimits()
}

extension Profile {
    /// The record slots only order fields read (not the lines, the group key or the new-order
    /// column): the columns every row of a grouped order must agree on, since the order takes
    /// them from its first row (`OrderAssembler`).
    func orderOnlySlots() -> [Int] {
        var order = Set<Int>(), line = Set<Int>()
        for op in orderOps { op.spec.collectSlots(into: &order) }
        if lineSource == .rows { for op in lineOps { op.spec.collectSlots(into: &line) } }
        order.subtract(line)
        if let groupKey { order.remove(groupKey) }
        if let groupStartWhenSet { order.remove(groupStartWhenSet) }
        return order.sorted()
    }
}

/// Names of the source fields a profile refers to, numbered. Lookup by bytes, for JSON keys.
struct SlotTable: Sendable {
    private(set) var names: [String] = []
    /// Every name's bytes back to back; name `i` ends at `ends[i]` (one buffer, so a lookup
    /// compares with memcmp and touches no per-name array).
    private var flat: [UInt8] = []
    private var ends: [Int] = []

    var count: Int { names.count }

    mutating func slot(_ name: String) -> Int {
        if let i = names.firstIndex(of: name) { return i }
        names.append(name)
        flat.append(contentsOf: name.utf8)
        ends.append(flat.count)
        return names.count - 1
    }

    func index(of name: String) -> Int? { names.firstIndex(of: name) }

    /// The slot whose name is `key`, trying `hint` first (JSON records usually repeat their key
    /// order, so the guess is almost always right and the lookup is one comparison).
    @inline(__always)
    func lookup(_ key: UnsafeRawBufferPointer, hint: Int) -> Int? {
        ends.withUnsafeBufferPointer { ends in
            flat.withUnsafeBytes { flat in
                let n = ends.count
                @inline(__always) func equal(_ i: Int) -> Bool {
                    let start = i == 0 ? 0 : ends[i - 1]
                    guard ends[i] - start == key.count else { return false }
                    return key.count == 0 || memcmp(flat.baseAddress! + start, key.baseAddress!, key.count) == 0
                }
                if hint >= 0 && hint < n && equal(hint) { return hint }
                for i in 0..<n where equal(i) { return i }
                return nil
            }
        }
    }
}

/// One target column and the value program that fills it.
///
/// A class, not a struct: the mapper reads an op for every field it converts the slow way
/// (templates, constants, value maps), and copying a struct of strings, arrays and an
/// indirect enum retained and released each of them (~250 instructions, 5 times per TPC-H
/// order); an immutable object is shared by one reference.
final class FieldOp: Sendable {
    let column: Int
    let kind: ColumnKind
    /// Model field name, for messages.
    let name: String
    let spec: ValueSpec

    init(column: Int, kind: ColumnKind, name: String, spec: ValueSpec) {
        self.column = column
        self.kind = kind
        self.name = name
        self.spec = spec
    }
}

/// How a value is obtained and converted.
struct ValueSpec: Sendable {
    indirect enum Source: Sendable {
        case slot(Int)
        case constant(PooledBytes)
        case template([TemplatePart])
        case firstOf([ValueSpec])
    }
    enum TemplatePart: Sendable {
        case literal(PooledBytes)
        case slot(Int)
    }

    var source: Source
    /// Only when this holds is the value used (else it is null).
    var when: Condition?
    /// Value map (source text -> target text); a value with no entry is an error unless
    /// `mapDefault` is set, or this spec is an alternative of `first_of` (then it is null).
    var map: [(key: PooledBytes, value: PooledBytes)]?
    var mapDefault: PooledBytes?
    /// Split into a list at this byte (list targets).
    var split: UInt8?
    /// Exact scaling: value * numerator / denominator.
    var numerator: Int64 = 1
    var denominator: Int64 = 1
    var timeFormat: TimeFormat?
    /// Index into `Profile.zones`.
    var zone: Int = 0
    /// The source field names, for messages (`o_totalprice`).
    var label: String

    /// Adds every record slot this value reads (its source, template, alternatives, condition).
    func collectSlots(into slots: inout Set<Int>) {
        if let when { slots.insert(when.slot) }
        switch source {
        case .slot(let i): slots.insert(i)
        case .constant: break
        case .template(let parts):
            for case .slot(let i) in parts { slots.insert(i) }
        case .firstOf(let specs):
            for spec in specs { spec.collectSlots(into: &slots) }
        }
    }

    var isSimpleSlot: Bool {
        if case .slot = source, when == nil, map == nil, split == nil, numerator == 1, denominator == 1 {
            return true
        }
        return false
    }
}

struct Condition: Sendable {
    let slot: Int
    /// The value must be one of these (when non-nil) ...
    let oneOf: [PooledBytes]?
    /// ... or must not be one of these ...
    let noneOf: [PooledBytes]?
    /// ... or must be present (non-empty) / absent.
    let present: Bool?
}

/// Immutable bytes of a compiled profile (constants, map entries, template literals), kept at
/// stable addresses for the life of the process so the mapper can point at them.
final class ConstantPool: @unchecked Sendable {
    private var blocks: [UnsafeMutableRawBufferPointer] = []

    func add(_ bytes: [UInt8]) -> PooledBytes {
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
        bytes.withUnsafeBytes { src in if !src.isEmpty { b.copyMemory(from: src) } }
        blocks.append(b)
        return PooledBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(b)[0..<bytes.count]))
    }

    func add(_ s: String) -> PooledBytes { add(Array(s.utf8)) }

    deinit {
        for b in blocks { b.deallocate() }
    }
}

/// Bytes owned by a `ConstantPool`: immutable and alive as long as the profile, hence safe to
/// share between threads.
struct PooledBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }
}
