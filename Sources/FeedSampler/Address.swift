/// A drawn postal address and person, kept in reusable byte buffers (one set per writer).
struct Address {
    var name: [UInt8] = []
    var phone: [UInt8] = []
    var country: [UInt8] = []
    var province: [UInt8] = []
    var city: [UInt8] = []
    var district: [UInt8] = []
    var town: [UInt8] = []
    var street: [UInt8] = []
    var postal: [UInt8] = []
    /// The one-line address a waybill carries.
    var full: [UInt8] = []

    private mutating func clear() {
        name.removeAll(keepingCapacity: true)
        phone.removeAll(keepingCapacity: true)
        country.removeAll(keepingCapacity: true)
        province.removeAll(keepingCapacity: true)
        city.removeAll(keepingCapacity: true)
        district.removeAll(keepingCapacity: true)
        town.removeAll(keepingCapacity: true)
        street.removeAll(keepingCapacity: true)
        postal.removeAll(keepingCapacity: true)
        full.removeAll(keepingCapacity: true)
    }

    /// A Chinese address: province, city, district, road and house number, 6-digit postal code,
    /// an 11-digit mobile written plain, with +86, or dashed (`phoneStyles` false: always plain).
    mutating func drawCN(_ place: CNPlace, rng: inout SampleRandom, phoneStyles: Bool) {
        clear()
        name.append(contentsOf: rng.pick(CNPlace.surnames))
        name.append(contentsOf: rng.pick(CNPlace.givenNames))
        let style = phoneStyles ? rng.weighted([70, 15, 15]) : 0
        Address.mobile(&phone, rng: &rng, style: style)
        country.append(contentsOf: [0x43, 0x4E])  // CN
        province.append(contentsOf: place.province)
        city.append(contentsOf: place.city)
        district.append(contentsOf: rng.pick(place.districts))
        if rng.below(5) < 2 { town.append(contentsOf: rng.pick(CNPlace.towns)) }
        street.append(contentsOf: district)
        street.append(contentsOf: rng.pick(CNPlace.roads))
        appendInt(&street, rng.int(1, 999))
        street.append(contentsOf: Address.hao)
        if rng.below(3) > 0 {
            appendInt(&street, rng.int(1, 30))
            street.append(contentsOf: Address.dong)
            appendInt(&street, rng.int(1, 32) * 100 + rng.int(1, 8))
            street.append(contentsOf: Address.shi)
        }
        appendInt(&postal, place.postal + rng.below(100) * 10)
        if !place.province.elementsEqual(place.city) { full.append(contentsOf: place.province) }
        full.append(contentsOf: place.city)
        full.append(contentsOf: street)
    }

    /// An address abroad in the place's own style.
    mutating func drawForeign(_ place: ForeignPlace, rng: inout SampleRandom) {
        clear()
        name.append(contentsOf: rng.pick(ForeignPlace.firstNames))
        name.append(0x20)
        name.append(contentsOf: rng.pick(ForeignPlace.lastNames))
        phone.append(contentsOf: place.phonePrefix)
        let last = place.phonePrefix.last ?? 0
        let digits = last == 0x2D || last == 0x20 ? 4 : 2
        for _ in 0..<digits { phone.append(UInt8(rng.below(10)) + 0x30) }
        country.append(contentsOf: place.country)
        province.append(contentsOf: place.province)
        city.append(contentsOf: place.city)
        let road = rng.pick(ForeignPlace.streets)
        if place.country.elementsEqual(Address.de) {
            street.append(contentsOf: road)
            street.append(0x20)
            appendInt(&street, rng.int(1, 120))
        } else {
            appendInt(&street, rng.int(1, 2_500))
            street.append(0x20)
            street.append(contentsOf: road)
            street.append(contentsOf: ShopText.apartments[rng.weighted(Address.apartmentWeights)])
        }
        postal.append(contentsOf: place.postal)
        full.append(contentsOf: street)
        full.append(contentsOf: Address.commaSpace)
        full.append(contentsOf: city)
        if !province.isEmpty {
            full.append(contentsOf: Address.commaSpace)
            full.append(contentsOf: province)
        }
        full.append(0x20)
        full.append(contentsOf: postal)
        full.append(contentsOf: Address.commaSpace)
        full.append(contentsOf: country)
    }

    /// A CN mobile number: style 0 `13812345678`, 1 `+86 13812345678`, 2 `138-1234-5678`.
    static func mobile(_ out: inout [UInt8], rng: inout SampleRandom, style: Int) {
        if style == 1 { out.append(contentsOf: [0x2B, 0x38, 0x36, 0x20]) }
        appendInt(&out, rng.pick(CNPlace.mobilePrefixes))
        for i in 0..<8 {
            if style == 2 && (i == 0 || i == 4) { out.append(0x2D) }
            out.append(UInt8(rng.below(10)) + 0x30)
        }
    }

    static let apartmentWeights = [8, 4, 4, 84]
    static let hao = Array("号".utf8)
    static let dong = Array("栋".utf8)
    static let shi = Array("室".utf8)
    static let de = Array("DE".utf8)
    static let commaSpace: [UInt8] = [0x2C, 0x20]
}

/// Appends the decimal digits of a non-negative integer to a byte array.
@inline(__always)
func appendInt(_ out: inout [UInt8], _ v: Int) {
    var div = 1
    while div <= v / 10 { div *= 10 }
    while div > 0 {
        out.append(UInt8(truncatingIfNeeded: v / div % 10) &+ 0x30)
        div /= 10
    }
}
