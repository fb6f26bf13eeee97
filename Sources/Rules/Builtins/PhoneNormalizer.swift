/// Phone normalisation (domain.md T11), on bytes: strip spaces, `-`, `.`, `(` and `)`; a CN
/// number loses `+86` / `0086` and must then match `^1[3-9]\d{9}$` (kept as 11 digits); any
/// other number with a country code becomes E.164 (`+CC...`, `00` turned into `+`). Anything
/// else is left as written (rule T11 then flags it).
enum PhoneNormalizer {
    enum Outcome: Equatable { case cnMobile, e164, unchanged }

    /// Normalises `raw` into `out` (cleared first).
    static func normalize<C: Collection>(_ raw: C, into out: inout [UInt8]) -> Outcome where C.Element == UInt8 {
        out.removeAll(keepingCapacity: true)
        for b in raw where !(b == 0x20 || b == 0x09 || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
            || b == UInt8(ascii: "(") || b == UInt8(ascii: ")")) {
            out.append(b)
        }
        guard !out.isEmpty else { return .unchanged }
        var start = 0
        var international = false
        if out[0] == UInt8(ascii: "+") {
            start = 1
            international = true
        } else if out.count > 2, out[0] == 0x30, out[1] == 0x30 {
            start = 2
            international = true
        }
        for i in start..<out.count where out[i] < 0x30 || out[i] > 0x39 {
            out.removeAll(keepingCapacity: true)
            out.append(contentsOf: raw)
            return .unchanged
        }
        var digits = out[start...]
        if international, digits.starts(with: [0x38, 0x36]) {  // 86
            digits = digits.dropFirst(2)
            international = false
        }
        if !international, isCNMobile(digits) {
            let d = Array(digits)
            out = d
            return .cnMobile
        }
        if international, digits.count >= 7, digits.count <= 15, digits.first != 0x30 {
            let d = Array(digits)
            out.removeAll(keepingCapacity: true)
            out.append(UInt8(ascii: "+"))
            out.append(contentsOf: d)
            return .e164
        }
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: raw)
        return .unchanged
    }

    /// `^1[3-9]\d{9}$` over digits.
    static func isCNMobile(_ d: ArraySlice<UInt8>) -> Bool {
        d.count == 11 && d.first == 0x31 && d[d.startIndex + 1] >= 0x33 && d[d.startIndex + 1] <= 0x39
    }
}

/// Postal code normalisation (domain.md T12): trimmed, upper-cased, runs of spaces collapsed;
/// the canonical space restored where a country has one (CA `K2P 2L8`, GB `SW1A 1AA`,
/// NL `1234 AB`).
enum PostalNormalizer {
    static func normalize<C: Collection>(_ raw: C, country: ArraySlice<UInt8>?, into out: inout [UInt8]) where C.Element == UInt8 {
        out.removeAll(keepingCapacity: true)
        var pendingSpace = false
        for b in raw {
            if b == 0x20 || b == 0x09 {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(0x20) }
            pendingSpace = false
            out.append(b >= 0x61 && b <= 0x7A ? b - 0x20 : b)
        }
        guard let country, country.count == 2 else { return }
        let c = (country[country.startIndex], country[country.startIndex + 1])
        let compact = out.filter { $0 != 0x20 }
        switch c {
        case (0x43, 0x41) where compact.count == 6:  // CA: A1A 1A1
            out = Array(compact[0..<3]) + [0x20] + Array(compact[3..<6])
        case (0x47, 0x42) where compact.count >= 5 && compact.count <= 7:  // GB: outward inward(3)
            out = Array(compact[0..<(compact.count - 3)]) + [0x20] + Array(compact[(compact.count - 3)...])
        case (0x4E, 0x4C) where compact.count == 6:  // NL: 1234 AB
            out = Array(compact[0..<4]) + [0x20] + Array(compact[4..<6])
        default:
            break
        }
    }
}
