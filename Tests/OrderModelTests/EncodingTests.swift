import Foundation
import Testing
@testable import OrderModel

@Suite struct JSONTextTests {
    func valid(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { JSONText.isValidUTF8($0) } }

    @Test func utf8Validation() {
        #expect(valid(Array("héllo 世界 😀".utf8)))
        #expect(!valid([0xC3]))  // truncated
        #expect(!valid([0xC0, 0x80]))  // overlong
        #expect(!valid([0xED, 0xA0, 0x80]))  // surrogate
        #expect(!valid([0xF4, 0x90, 0x80, 0x80]))  // > U+10FFFF
        #expect(!valid([0x41, 0xFF]))
        #expect(valid([]))
    }

    @Test func escapesStrings() {
        var out: [UInt8] = []
        JSONText.appendString("a\"b\\c\n\u{01}é", into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\"b\\c\n\u0001é""#)
    }

    /// The word-at-a-time scan escapes exactly what the byte loop escapes: every byte that needs
    /// an escape, at every offset of strings of every length up to a few words, next to bytes
    /// one off from them (0x1F/0x20, 0x21/0x23, 0x5B/0x5D, 0x7F, 0x80, 0xFF).
    @Test func escapesAtEveryOffset() {
        func reference(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = [0x22]
            for b in bytes {
                if b < 0x20 || b == 0x22 || b == 0x5C { JSONText.appendEscape(b, into: &out) } else { out.append(b) }
            }
            out.append(0x22)
            return out
        }
        let plain: [UInt8] = [0x20, 0x21, 0x23, 0x41, 0x5B, 0x5D, 0x7F, 0x80, 0xFF]
        let special: [UInt8] = [0x00, 0x0A, 0x1F, 0x22, 0x5C]
        for length in 1..<26 {
            for at in 0..<length {
                for s in special {
                    var bytes = (0..<length).map { plain[($0 * 7 + length) % plain.count] }
                    bytes[at] = s
                    var out: [UInt8] = []
                    bytes.withUnsafeBytes { JSONText.appendString($0, into: &out) }
                    #expect(out == reference(bytes), "length \(length), byte \(s) at \(at)")
                }
            }
            let clean = (0..<length).map { plain[$0 % plain.count] }
            var out: [UInt8] = []
            clean.withUnsafeBytes { JSONText.appendString($0, into: &out) }
            #expect(out == [0x22] + clean + [0x22])
        }
    }

    @Test func rejectKeepsNonUTF8RawAsBase64() {
        let r = Reject(
            stage: "collect", code: "invalid_utf8", reason: "field note is not UTF-8", field: "note",
            position: SourcePosition(file: "a.csv", member: "m.csv", line: 3, byteOffset: 42), raw: [0x61, 0xFF, 0x62])
        var out: [UInt8] = []
        r.ndjson(into: &out)
        let s = String(decoding: out, as: UTF8.self)
        #expect(s.contains(#""raw_base64":"Yf9i""#))
        #expect(s.contains(#""member":"m.csv","line":3,"byte_offset":42"#))
        #expect(s.hasSuffix("}\n"))
    }
}

@Suite struct UnifiedNDJSONEncoderTests {
    @Test func writesGroupsLinesAndExactValues() {
        var b = OrderBatch()
        b.beginOrder()
        b.orders.set(OrderField.orderId, string: "tpch:1")
        b.orders.set(OrderField.source, string: "tpch")
        b.orders.set(OrderField.createdAt, int: 820_540_800_000_000)
        b.orders.set(OrderField.orderDate, int: 9497)
        b.orders.set(OrderField.grandTotal, int: 1_312_518_100)
        b.orders.set(OrderSchema.orderFieldIndex("is_cod")!, int: 1)
        b.orders.addElement(OrderSchema.orderFieldIndex("tags")!, "vip")
        b.orders.addElement(OrderField.ext, "x\"y", key: "tpch.o_comment")
        b.beginLine()
        b.lines.set(LineField.lineNo, int: 1)
        b.lines.set(LineField.quantity, int: 170_000)
        b.endLine()
        b.endOrder()
        var out: [UInt8] = []
        UnifiedNDJSONEncoder().encode(b, into: &out)
        let s = String(decoding: out, as: UTF8.self)
        let expected =
            #"{"order_id":"tpch:1","source":"tpch","created_at":"1996-01-02T00:00:00Z","order_date":"1996-01-02","#
            + #""finance":{"grand_total":"131251.81","is_cod":true},"operation":{"tags":["vip"],"line_count":1},"#
            + #""ext":{"tpch.o_comment":"x\"y"},"lines":[{"line_no":1,"quantity":"17"}]}"# + "\n"
        #expect(s == expected)
    }

    @Test func committedSchemaIsCurrent() throws {
        // docs/unified-order.schema.json is generated; regenerate with `waybill schema > docs/unified-order.schema.json`.
        let path = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let committed = try String(contentsOfFile: "/" + path + "/docs/unified-order.schema.json", encoding: .utf8)
        #expect(committed == UnifiedJSONSchema.document())
    }
}
