import Foundation
import OrderModel
@testable import Ingest

/// A scratch folder removed at the end of the test.
final class TempDir {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "waybill-ingest-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String { write(name, Array(text.utf8)) }

    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = path + "/" + name
        try! FileManager.default.createDirectory(
            atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }

    /// Runs a shell command in this folder (archive tools); returns its exit status.
    @discardableResult
    func sh(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.currentDirectoryURL = URL(fileURLWithPath: path)
        try! p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }
}

/// The outcome of one collect run.
struct Collected {
    var orders: [[String: Any]]
    var lines: [String]
    var rejects: [[String: Any]]
    var books: Books
    var batches: Int
    /// The reject file as written.
    var rejectText = ""
    /// Chunks a parallel read mapped a second time.
    var remapped = 0
    /// The collector's warnings.
    var warnings: [String] = []
}

enum Fixture {
    static func profile(_ yaml: String, blockSize: Int? = nil) throws -> Profile {
        var p = try ProfileLoader.compile(yaml: yaml, path: "test.yaml")
        if let blockSize { p.csv.blockSize = blockSize }
        return p
    }

    static func shipped(_ name: String) throws -> Profile {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try ProfileLoader.load(path: root.path + "/Pipelines/profiles/" + name)
    }

    static func collect(
        _ profile: Profile, _ inputs: [String], batchSize: Int = 4096, parseThreads: Int = 1, chunkBytes: Int? = nil,
        dir: TempDir
    ) throws -> Collected {
        let rejectPath = dir.path + "/rejects-\(UUID().uuidString).ndjson"
        let writer = try RejectWriter(path: rejectPath)
        let encoder = UnifiedNDJSONEncoder()
        var out: [UInt8] = []
        var batches = 0
        let collector = FeedCollector(profile: profile, rejects: writer, batchID: "test", batchSize: batchSize) {
            (batch: inout OrderBatch) throws(WaybillError) in
            batches += 1
            encoder.encode(batch, into: &out)
        }
        collector.parseThreads = parseThreads
        if let chunkBytes { collector.chunkBytes = chunkBytes }
        try collector.collect(try InputResolver.resolve(inputs))
        try writer.close()
        let lines = String(decoding: out, as: UTF8.self).split(separator: "\n").map(String.init)
        let orders = lines.map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let rejectText = (try? String(contentsOfFile: rejectPath, encoding: .utf8)) ?? ""
        let rejects = rejectText.split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        return Collected(orders: orders, lines: lines, rejects: rejects, books: collector.books, batches: batches,
            rejectText: rejectText, remapped: collector.remappedChunks, warnings: collector.warnings)
    }
}

/// Small TPC-H style data in both shapes (3 orders, 6 lines; a comma, a quote and a trailing
/// space in comments).
enum TPCH {
    static let header =
        "o_orderkey,o_custkey,o_orderstatus,o_totalprice,o_orderdate,o_orderpriority,o_clerk,o_shippriority,o_comment,l_partkey,l_suppkey,l_linenumber,l_quantity,l_extendedprice,l_discount,l_tax,l_returnflag,l_linestatus,l_shipdate,l_commitdate,l_receiptdate,l_shipinstruct,l_shipmode,l_comment"

    static let csv = header + "\n" + #"""
        1,37,O,131251.81,1996-01-02,5-LOW,"Clerk#000000951",0,nstructions sleep ,156,4,1,17,17954.55,0.04,0.02,N,O,1996-03-13,1996-02-12,1996-03-22,DELIVER IN PERSON,TRUCK,egular courts
        1,37,O,131251.81,1996-01-02,5-LOW,"Clerk#000000951",0,nstructions sleep ,68,9,2,36,34850.16,0.09,0.06,N,O,1996-04-12,1996-02-28,1996-04-20,TAKE BACK RETURN,MAIL,"ly final, bold "
        2,79,F,40183.29,1996-12-01,1-URGENT,"Clerk#000000880",0,"foxes ""pending""",107,2,1,38,38269.80,0.00,0.05,N,O,1997-01-28,1997-01-14,1997-02-02,COLLECT COD,RAIL,ven requests
        3,124,P,159754.93,1993-10-14,5-LOW,"Clerk#000000955",0,sly final,5,2,1,45,40725.00,0.06,0.00,R,F,1994-02-02,1994-01-04,1994-02-23,NONE,AIR,ongside
        3,124,P,159754.93,1993-10-14,5-LOW,"Clerk#000000955",0,sly final,20,10,2,49,45080.98,0.10,0.00,R,F,1993-11-09,1993-12-20,1993-11-24,TAKE BACK RETURN,RAIL,unusual
        3,124,P,159754.93,1993-10-14,5-LOW,"Clerk#000000955",0,sly final,129,8,3,27,27015.21,0.06,0.07,A,F,1994-01-16,1993-11-22,1994-01-23,DELIVER IN PERSON,SHIP,nal foxes

        """#

    static let ndjson = #"""
        {"o_orderkey":1,"o_custkey":37,"o_orderstatus":"O","o_totalprice":131251.81,"o_orderdate":"1996-01-02","o_orderpriority":"5-LOW","o_clerk":"Clerk#000000951","o_shippriority":0,"o_comment":"nstructions sleep ","items":[{"linenumber":1,"partkey":156,"suppkey":4,"quantity":17,"extendedprice":17954.55,"discount":0.04,"tax":0.02,"returnflag":"N","linestatus":"O","shipdate":"1996-03-13","commitdate":"1996-02-12","receiptdate":"1996-03-22","shipinstruct":"DELIVER IN PERSON","shipmode":"TRUCK","comment":"egular courts"},{"linenumber":2,"partkey":68,"suppkey":9,"quantity":36,"extendedprice":34850.16,"discount":0.09,"tax":0.06,"returnflag":"N","linestatus":"O","shipdate":"1996-04-12","commitdate":"1996-02-28","receiptdate":"1996-04-20","shipinstruct":"TAKE BACK RETURN","shipmode":"MAIL","comment":"ly final, bold "}]}
        {"o_orderkey":2,"o_custkey":79,"o_orderstatus":"F","o_totalprice":40183.29,"o_orderdate":"1996-12-01","o_orderpriority":"1-URGENT","o_clerk":"Clerk#000000880","o_shippriority":0,"o_comment":"foxes \"pending\"","items":[{"linenumber":1,"partkey":107,"suppkey":2,"quantity":38,"extendedprice":38269.8,"discount":0.0,"tax":0.05,"returnflag":"N","linestatus":"O","shipdate":"1997-01-28","commitdate":"1997-01-14","receiptdate":"1997-02-02","shipinstruct":"COLLECT COD","shipmode":"RAIL","comment":"ven requests"}]}
        {"o_orderkey":3,"o_custkey":124,"o_orderstatus":"P","o_totalprice":159754.93,"o_orderdate":"1993-10-14","o_orderpriority":"5-LOW","o_clerk":"Clerk#000000955","o_shippriority":0,"o_comment":"sly final","items":[{"linenumber":1,"partkey":5,"suppkey":2,"quantity":45,"extendedprice":40725.0,"discount":0.06,"tax":0.0,"returnflag":"R","linestatus":"F","shipdate":"1994-02-02","commitdate":"1994-01-04","receiptdate":"1994-02-23","shipinstruct":"NONE","shipmode":"AIR","comment":"ongside"},{"linenumber":2,"partkey":20,"suppkey":10,"quantity":49,"extendedprice":45080.98,"discount":0.1,"tax":0.0,"returnflag":"R","linestatus":"F","shipdate":"1993-11-09","commitdate":"1993-12-20","receiptdate":"1993-11-24","shipinstruct":"TAKE BACK RETURN","shipmode":"RAIL","comment":"unusual"},{"linenumber":3,"partkey":129,"suppkey":8,"quantity":27,"extendedprice":27015.21,"discount":0.06,"tax":0.07,"returnflag":"A","linestatus":"F","shipdate":"1994-01-16","commitdate":"1993-11-22","receiptdate":"1994-01-23","shipinstruct":"DELIVER IN PERSON","shipmode":"SHIP","comment":"nal foxes"}]}

        """#
}

extension Collected {
    /// Sum of a decimal field over all orders, exactly (as 1/10,000 units).
    func sumOrders(_ group: String?, _ field: String) -> Int64 {
        orders.reduce(0) { acc, o in
            let holder = group.map { o[$0] as? [String: Any] ?? [:] } ?? o
            guard let s = holder[field] as? String, case .success(let v) = ExactDecimal.parse(s) else { return acc }
            return acc + v
        }
    }

    func sumLines(_ field: String) -> Int64 {
        orders.reduce(0) { acc, o in
            (o["lines"] as? [[String: Any]] ?? []).reduce(acc) { a, l in
                guard let s = l[field] as? String, case .success(let v) = ExactDecimal.parse(s) else { return a }
                return a + v
            }
        }
    }

    /// Output lines without the lineage that names the file.
    var withoutFileLineage: [String] {
        lines.map {
            $0.replacingOccurrences(of: #""source_file":"[^"]*","#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #","source_line":[0-9]+"#, with: "", options: .regularExpression)
        }
    }
}
