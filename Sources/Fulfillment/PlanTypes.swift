import OrderModel

/// What the planner knows about one shippable line of the order being planned. Its byte
/// fields point into the input batch (`BatchView`) or at constants: plain values, so copying
/// and sorting facts costs no reference counting.
struct LineFacts {
    var line: Int
    var warehouse = -1
    var tempClass = UnsafeRawBufferPointer(start: nil, count: 0)
    /// nil = first-party (no seller named).
    var seller: UnsafeRawBufferPointer?
    /// Stock key: the SKU, else the product id.
    var sku: UnsafeRawBufferPointer?
    var bulky = false
    var shipMode: UnsafeRawBufferPointer?
    /// Quantity in 1/10,000 units.
    var qty: Int64 = 0
    var weightG: Int64?
    var volumeCm3: Int64?
    /// Line value (extended price, else unit price x quantity), 1/10,000 units.
    var value: Int64 = 0
}

/// One child order of the plan (a shipment), filled step by step.
struct ChildPlan {
    /// Its lines: `facts[start..<end]` after the facts are sorted by group key.
    var start = 0
    var end = 0
    var warehouse = 0
    var service: Int?
    var actualG: Int64 = 0
    var volumeCm3: Int64 = 0
    var chargeableG: Int64 = 0
    var value: Int64 = 0
    var freight: Int64?
    var shipBy: Int64 = 0
    var promisedFrom: Int64?
    var promisedTo: Int64?
    var grandTotal: Int64?
    var cod: Int64?
    var insured: Int64?
    /// The insured share before F8 capped it at the goods value.
    var insuredCappedFrom: Int64?
    var shipped: Int64?
    var delivered: Int64?
    var lateShip: Bool?
    var lateDelivery: Bool?
    var hold: Hold?
    var shipMode: UnsafeRawBufferPointer?
}

/// SLA counts of one warehouse or carrier (F13).
public struct SLACount: Sendable, Equatable {
    public var shipments = 0
    /// Shipments whose shipped time is known, and how many of them shipped late.
    public var shipKnown = 0
    public var lateShip = 0
    /// Shipments whose delivered time is known, and how many of them arrived late.
    public var deliveryKnown = 0
    public var lateDelivery = 0

    public init() {}

    public var lateShipShare: Double { shipKnown == 0 ? 0 : Double(lateShip) / Double(shipKnown) }
    public var lateDeliveryShare: Double { deliveryKnown == 0 ? 0 : Double(lateDelivery) / Double(deliveryKnown) }
}

/// Bytes the planner compares batch fields with (goods types, the default temperature class).
enum PlanBytes {
    /// A copy of `s`'s UTF-8 in memory of its own, for the raw-buffer fields of `LineFacts`.
    /// The caller owns it: the static constants keep theirs for the process's lifetime, a
    /// `Fulfiller` frees its own in `deinit`.
    static func permanent(_ s: String) -> UnsafeRawBufferPointer {
        let utf8 = Array(s.utf8)
        let p = UnsafeMutableRawBufferPointer.allocate(byteCount: utf8.count, alignment: 1)
        p.copyBytes(from: utf8)
        return UnsafeRawBufferPointer(p)
    }
}

/// Byte strings fixed for a plan's life (warehouse ids, carriers, service levels), in memory
/// the `Fulfiller` owns and frees in `deinit`: writing one into a child costs no reference
/// counting. As `[[UInt8]]` every read retained and released the inner array (and, for a
/// warehouse's id, the warehouse), several times per child.
struct PlanByteTable {
    private let entries: UnsafeMutableBufferPointer<UnsafeRawBufferPointer>

    init(_ strings: [String]) {
        entries = .allocate(capacity: strings.count)
        for (i, s) in strings.enumerated() { (entries.baseAddress! + i).initialize(to: PlanBytes.permanent(s)) }
    }

    subscript(i: Int) -> UnsafeRawBufferPointer { entries[i] }

    func deallocate() {
        for e in entries { e.deallocate() }
        entries.deallocate()
    }
}

