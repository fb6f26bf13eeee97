import OrderModel

/// A shipping node (F1, F9): what it covers, what it can hold, and its clock and calendar.
/// Warehouses are tried in the order of their table (the `priority` strategy). A class, so
/// the planner's per-line scan over candidates retains one reference instead of every array.
public final class Warehouse: Sendable {
    public let id: String
    /// Transit-table zone of the warehouse (the origin region of its shipments).
    public let zone: String
    let coverage: [RegionPattern]
    /// Sales channels served; empty = every channel.
    let channels: [[UInt8]]
    /// Temperature classes it can store (ambient, chilled, frozen, ...).
    let tempClasses: [[UInt8]]
    /// Whether it handles bulky goods (large appliances, furniture).
    public let bulky: Bool
    public let clock: ZoneClock
    public let calendar: WorkCalendar
    /// Local cut-off, seconds after midnight: an order at or after it ships the next working day.
    public let cutoff: Int
    /// Working days of handling added after the ship day is fixed.
    public let handlingDays: Int
    /// Local time of the ship-by instant on the ship day.
    public let dispatchBy: Int

    init(id: String, zone: String, coverage: [RegionPattern], channels: [[UInt8]],
         tempClasses: [[UInt8]], bulky: Bool, clock: ZoneClock, calendar: WorkCalendar, cutoff: Int,
         handlingDays: Int, dispatchBy: Int) {
        self.id = id
        self.zone = zone
        self.coverage = coverage
        self.channels = channels
        self.tempClasses = tempClasses
        self.bulky = bulky
        self.clock = clock
        self.calendar = calendar
        self.cutoff = cutoff
        self.handlingDays = handlingDays
        self.dispatchBy = dispatchBy
    }

    func serves(channel: UnsafeRawBufferPointer?) -> Bool {
        guard !channels.isEmpty, let channel else { return true }
        return channels.contains { $0.elementsEqual(channel) }
    }

    func holds(tempClass: UnsafeRawBufferPointer) -> Bool { tempClasses.contains { $0.elementsEqual(tempClass) } }
}
