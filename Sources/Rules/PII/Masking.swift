/// Masks personal data for output and messages (domain.md T13): a phone keeps its first three
/// and last four digits (`138****1234`), a name its first character (`张*`), an email its first
/// character and domain (`a***@example.com`), a street nothing (`***`). Works on UTF-8 bytes.
public enum Masking {
    public enum Kind: Sendable { case phone, name, email, street }

    /// The order fields that hold personal data and how each is masked.
    public static let fields: [String: Kind] = [
        "consignee_name": .name, "consignee_phone": .phone, "consignee_email": .email, "consignee_street": .street,
        "consignor_name": .name, "consignor_phone": .phone, "consignor_street": .street,
    ]

    /// Appends the masked form of `value` to `out`.
    public static func mask<C: BidirectionalCollection>(_ value: C, as kind: Kind, into out: inout [UInt8]) where C.Element == UInt8 {
        let star = UInt8(ascii: "*")
        switch kind {
        case .phone:
            if value.count >= 8 {
                out.append(contentsOf: value.prefix(3))
                out.append(contentsOf: [star, star, star, star])
                out.append(contentsOf: value.suffix(4))
            } else {
                out.append(contentsOf: [star, star, star, star])
            }
        case .name:
            out.append(contentsOf: firstCharacter(value))
            out.append(star)
        case .email:
            if let at = value.firstIndex(of: UInt8(ascii: "@")), at > value.startIndex {
                out.append(contentsOf: firstCharacter(value[..<at]))
                out.append(contentsOf: [star, star, star])
                out.append(contentsOf: value[at...])
            } else {
                out.append(contentsOf: [star, star, star])
            }
        case .street:
            out.append(contentsOf: [star, star, star])
        }
    }

    public static func mask(_ value: String, as kind: Kind) -> String {
        var out: [UInt8] = []
        mask(ArraySlice(value.utf8), as: kind, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of the first UTF-8 character.
    private static func firstCharacter<C: Collection>(_ v: C) -> C.SubSequence where C.Element == UInt8 {
        guard let first = v.first else { return v[...] }
        let n = first < 0x80 ? 1 : first < 0xE0 ? 2 : first < 0xF0 ? 3 : 4
        return v.prefix(n)
    }
}
