internal import CSimdjsonShim

/// A read-only view of the tape simdjson wrote for one batch of lines (see CSimdjsonShim.h):
/// entries of (kind, key, value) pointing into the arena, or (plain strings and numbers) into
/// the batch's input buffer. Valid until the next parse call or until the reader moves its
/// buffer, whichever comes first.
struct JSONTape {
    enum Kind: UInt32 {
        case object = 1, array, end, string, number, `true`, `false`, null
    }

    let entries: UnsafePointer<wb_json_entry>?
    let arena: UnsafePointer<UInt8>?
    /// The buffer the batch was parsed from (base of the ranges flagged *_IN_INPUT).
    let input: UnsafeRawPointer?

    init(entries: UnsafePointer<wb_json_entry>?, arena: UnsafePointer<UInt8>?, input: UnsafeRawPointer? = nil) {
        self.entries = entries
        self.arena = arena
        self.input = input
    }

    @inline(__always)
    func kind(_ i: Int) -> Kind { Kind(rawValue: entries![i].kind & UInt32(WB_JSON_KIND_MASK)) ?? .null }

    /// Where a range of entry `i` starts: the input when `flag` is set in its kind, else the arena.
    @inline(__always)
    private func range(_ e: wb_json_entry, flag: Int, offset: UInt32, count: UInt32) -> UnsafeRawBufferPointer {
        let base = e.kind & UInt32(flag) != 0 ? input : arena.map { UnsafeRawPointer($0) }
        return UnsafeRawBufferPointer(start: base.map { $0 + Int(offset) }, count: Int(count))
    }

    @inline(__always)
    func key(_ i: Int) -> UnsafeRawBufferPointer {
        let e = entries![i]
        return range(e, flag: WB_JSON_KEY_IN_INPUT, offset: e.key_off, count: e.key_len)
    }

    /// String contents or number text (empty for other kinds).
    @inline(__always)
    func value(_ i: Int) -> UnsafeRawBufferPointer {
        let e = entries![i]
        // Containers keep their entry count in val_len (see `next`): not a range of bytes.
        let k = e.kind & UInt32(WB_JSON_KIND_MASK)
        guard k == WB_JSON_STRING || k == WB_JSON_NUMBER else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return range(e, flag: WB_JSON_VAL_IN_INPUT, offset: e.val_off, count: e.val_len)
    }

    /// Index of the entry after the value at `i` (skips a whole object or array).
    @inline(__always)
    func next(_ i: Int) -> Int {
        let k = Int(entries![i].kind & UInt32(WB_JSON_KIND_MASK))
        if k == WB_JSON_OBJECT || k == WB_JSON_ARRAY { return i + Int(entries![i].val_len) + 1 }
        return i + 1
    }

    /// The members of the object (or elements of the array) at `i`, counted by walking them.
    func memberCount(_ i: Int) -> Int {
        var n = 0
        var j = i + 1
        while kind(j) != .end {
            n += 1
            j = next(j)
        }
        return n
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
