internal import CSimdjsonShim

/// A read-only view of the tape simdjson wrote for one batch of lines (see CSimdjsonShim.h):
/// entries of (kind, key, value) pointing into one arena. Valid until the next parse call.
struct JSONTape {
    enum Kind: UInt32 {
        case object = 1, array, end, string, number, `true`, `false`, null
    }

    let entries: UnsafePointer<wb_json_entry>?
    let arena: UnsafePointer<UInt8>?

    @inline(__always)
    func kind(_ i: Int) -> Kind { Kind(rawValue: entries![i].kind) ?? .null }

    @inline(__always)
    func key(_ i: Int) -> UnsafeRawBufferPointer {
        let e = entries![i]
        return UnsafeRawBufferPointer(start: arena.map { UnsafeRawPointer($0 + Int(e.key_off)) }, count: Int(e.key_len))
    }

    /// String contents or number text (empty for other kinds).
    @inline(__always)
    func value(_ i: Int) -> UnsafeRawBufferPointer {
        let e = entries![i]
        return UnsafeRawBufferPointer(start: arena.map { UnsafeRawPointer($0 + Int(e.val_off)) }, count: Int(e.val_len))
    }

    /// Index of the entry after the value at `i` (skips a whole object or array).
    @inline(__always)
    func next(_ i: Int) -> Int {
        let k = entries![i].kind
        if Int(k) == WB_JSON_OBJECT || Int(k) == WB_JSON_ARRAY { return i + Int(entries![i].val_len) + 1 }
        return i + 1
    }

    /// The text a scalar stands for in a text field: strings and numbers as they are,
    /// booleans as true/false; nil for null and containers.
    func scalarText(_ i: Int) -> UnsafeRawBufferPointer? {
        switch kind(i) {
        case .string, .number: return value(i)
        case .true: return JSONTape.trueText
        case .false: return JSONTape.falseText
        default: return nil
        }
    }

    /// Appends the value at `i` as compact JSON (containers kept as JSON text in `ext`).
    func serialize(_ i: Int, into out: inout [UInt8]) {
        switch kind(i) {
        case .string: appendJSONString(value(i), into: &out)
        case .number: out.append(contentsOf: value(i))
        case .true: out.append(contentsOf: "true".utf8)
        case .false: out.append(contentsOf: "false".utf8)
        case .null, .end: out.append(contentsOf: "null".utf8)
        case .object, .array:
            let isObject = kind(i) == .object
            out.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
            var j = i + 1
            var first = true
            while kind(j) != .end {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                if isObject {
                    appendJSONString(key(j), into: &out)
                    out.append(UInt8(ascii: ":"))
                }
                serialize(j, into: &out)
                j = next(j)
            }
            out.append(isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    static var trueText: UnsafeRawBufferPointer { UnsafeRawBufferPointer(staticBytes: "true") }
    static var falseText: UnsafeRawBufferPointer { UnsafeRawBufferPointer(staticBytes: "false") }
}

import OrderModel

@inline(__always)
func appendJSONString(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) {
    JSONText.appendString(b, into: &out)
}

extension UnsafeRawBufferPointer {
    /// A buffer over the bytes of a static string literal (lives for the whole process).
    init(staticBytes s: StaticString) {
        self.init(start: UnsafeRawPointer(s.utf8Start), count: s.utf8CodeUnitCount)
    }
}
