/// Why a service cannot carry a child order (F4, F7, F8, F12); checked in this order, so a
/// COD failure means every other condition held.
enum Ineligible {
    case region
    case origin
    case goods
    case shipMode
    case seller
    case blackout
    case weight(have: Int64, cap: Int64)
    case volume(have: Int64, cap: Int64)
    case noPrice(Int64)
    case priceOutOfRange(Int64)
    case noTransit
    case insured(have: Int64, cap: Int64)
    case codNotOffered
    case codLimit(have: Int64, range: ClosedRange<Int64>)

    var isCOD: Bool {
        switch self {
        case .codNotOffered, .codLimit: return true
        default: return false
        }
    }

    func describe(into r: inout PlanReasons) {
        switch self {
        case .region: r.text("does not cover the destination")
        case .origin: r.text("does not collect from this warehouse")
        case .goods: r.text("does not carry these goods")
        case .shipMode: r.text("does not match the ship mode")
        case .seller: r.text("excludes the seller (first-party only)")
        case .blackout: r.text("blacked out on the order day")
        case .weight(let h, let c): r.text("weight "); r.int(h); r.text(" g over the cap "); r.int(c); r.text(" g")
        case .volume(let h, let c): r.text("volume "); r.int(h); r.text(" cm3 over the cap "); r.int(c); r.text(" cm3")
        case .noPrice(let w): r.text("no price rule for "); r.int(w); r.text(" g")
        case .priceOutOfRange(let w): r.text("freight for "); r.int(w); r.text(" g past the largest amount a dataset holds")
        case .noTransit: r.text("no transit time to the destination zone")
        case .insured(let h, let c): r.text("insured value "); r.money(h); r.text(" over the cap "); r.money(c)
        case .codNotOffered: r.text("does not offer cash on delivery")
        case .codLimit(let h, let range):
            r.text("COD amount "); r.money(h); r.text(" outside ")
            r.money(range.lowerBound); r.text("..."); r.money(range.upperBound)
        }
    }
}
