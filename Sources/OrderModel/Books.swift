/// The books of one stage: every record in ends in exactly one place (design.md section 2).
///
/// `recordsIn` counts input records as the stage defines them (`collect`: source records, i.e.
/// CSV rows or NDJSON lines; later stages: orders). `ordersOut` counts orders emitted and
/// `rowsOut` the source records they absorbed, so that for collect the identity is
/// `in = rowsOut + rejected + merged`.
public struct Books: Sendable, Equatable {
    public var recordsIn: Int = 0
    public var rowsOut: Int = 0
    public var ordersOut: Int = 0
    public var linesOut: Int = 0
    public var rejected: Int = 0
    public var merged: Int = 0
    public var bytesRead: Int = 0
    public var files: Int = 0
    public var archiveMembers: Int = 0

    public init() {}

    /// Whether `in = out + rejected + merged` holds.
    public var balances: Bool { recordsIn == rowsOut + rejected + merged }

    public mutating func add(_ o: Books) {
        recordsIn += o.recordsIn
        rowsOut += o.rowsOut
        ordersOut += o.ordersOut
        linesOut += o.linesOut
        rejected += o.rejected
        merged += o.merged
        bytesRead += o.bytesRead
        files += o.files
        archiveMembers += o.archiveMembers
    }

    /// One line for stderr: `collect: in=... out=... (orders=..., lines=...) rejected=... merged=... [balanced]`.
    public func summary(stage: String) -> String {
        "\(stage): in=\(recordsIn) out=\(rowsOut) (orders=\(ordersOut) lines=\(linesOut)) rejected=\(rejected) "
            + "merged=\(merged) files=\(files) members=\(archiveMembers) bytes=\(bytesRead) "
            + (balances ? "[books balance]" : "[BOOKS DO NOT BALANCE]")
    }
}
