import OrderModel
@testable import Rules

/// Builds batches from field-name -> text maps (test convenience; values parsed by kind).
enum TestBatches {
    struct Order {
        var fields: [String: String]
        var lines: [[String: String]] = []
    }

    static func batch(_ orders: [Order]) -> OrderBatch {
        var b = OrderBatch()
        for o in orders { append(o, to: &b) }
        return b
    }

    static func append(_ o: Order, to b: inout OrderBatch) {
        b.beginOrder()
        for (k, v) in o.fields.sorted(by: { $0.key < $1.key }) {
            guard let c = OrderSchema.orderFieldIndex(k) else { fatalError("no field \(k)") }
            set(&b.orders, c, OrderSchema.orderFields[c].kind, v)
        }
        for l in o.lines {
            b.beginLine()
            for (k, v) in l.sorted(by: { $0.key < $1.key }) {
                guard let c = OrderSchema.lineFieldIndex(k) else { fatalError("no line field \(k)") }
                set(&b.lines, c, OrderSchema.lineFields[c].kind, v)
            }
            b.endLine()
        }
        b.endOrder()
    }

    static func set(_ t: inout ColumnTable, _ c: Int, _ kind: ColumnKind, _ v: String) {
        switch kind {
        case .string: t.set(c, string: v)
        case .int32, .int64: t.set(c, int: Int64(v)!)
        case .decimal:
            guard case .success(let d) = ExactDecimal.parse(v) else { fatalError("bad decimal \(v)") }
            t.set(c, int: d)
        case .bool: t.set(c, int: v == "true" ? 1 : 0)
        case .date: t.set(c, int: Compiler.parseTime(v, timestamp: false)!)
        case .timestamp: t.set(c, int: Compiler.parseTime(v, timestamp: true)!)
        case .stringList:
            t.touch(c)
            for e in v.split(separator: ",") { t.addElement(c, String(e)) }
        case .stringMap:
            t.touch(c)
            for e in v.split(separator: ",") {
                let kv = e.split(separator: "=", maxSplits: 1)
                t.addElement(c, String(kv[1]), key: String(kv[0]))
            }
        }
    }
}
