import OrderModel

/// The `normalize` and `pii` built-ins: rewrites consignee fields of a batch into a new batch
/// before dedup and rules run, so rules and content hashes see canonical values. Phone and
/// postal codes are rewritten on bytes with reused buffers; country and region lookups make a
/// String only when a name (not a code) must be looked up.
final class Normalizer {
    let settings: NormalizeSettings
    let pii: PIISettings
    let salt: [UInt8]
    private let sha = SHA256()
    private var buffer: [UInt8] = []
    private var digest: [UInt8] = []

    static let hex: [UInt8] = Array("0123456789abcdef".utf8)
    static let phone = OrderSchema.orderFieldIndex("consignee_phone")!
    static let email = OrderSchema.orderFieldIndex("consignee_email")!
    static let country = OrderSchema.orderFieldIndex("consignee_country")!
    static let province = OrderSchema.orderFieldIndex("consignee_province")!
    static let city = OrderSchema.orderFieldIndex("consignee_city")!
    static let district = OrderSchema.orderFieldIndex("consignee_district")!
    static let postal = OrderSchema.orderFieldIndex("consignee_postal_code")!
    static let region = OrderSchema.orderFieldIndex("consignee_region_code")!
    static let phoneHash = OrderSchema.orderFieldIndex("consignee_phone_hash")!
    static let emailHash = OrderSchema.orderFieldIndex("consignee_email_hash")!

    init(settings: NormalizeSettings, pii: PIISettings, salt: [UInt8]) {
        self.settings = settings
        self.pii = pii
        self.salt = salt
    }

    var isEnabled: Bool { settings.isEnabled || pii.hash }

    /// The personal-data columns and their masks, for `pii.mask_output`.
    static let masked: [(column: Int, kind: Masking.Kind)] = Masking.fields.compactMap { name, kind in
        OrderSchema.orderFieldIndex(name).map { ($0, kind) }
    }.sorted { $0.column < $1.column }

    /// Overwrites the personal-data fields of the order being built in `output` (copied from
    /// order `row` of `input`) with their masked forms.
    func mask(_ input: OrderBatch, row: Int, into output: inout OrderBatch) {
        for (c, kind) in Self.masked where !input.orders.columns[c].isNull(row) {
            let col = input.orders.columns[c]
            buffer.removeAll(keepingCapacity: true)
            Masking.mask(col.bytes[col.range(row)], as: kind, into: &buffer)
            buffer.withUnsafeBytes { output.orders.set(c, utf8: $0) }
        }
    }

    /// Whether any order of `batch` has a field this normaliser rewrites (a batch without
    /// consignee data, such as TPC-H, need not be copied).
    func applies(to batch: OrderBatch) -> Bool {
        [Self.phone, Self.email, Self.country, Self.postal, Self.province].contains {
            let col = batch.orders.columns[$0]
            return col.nullCount < col.count
        }
    }

    /// Copies `input` into `output` with the consignee fields normalised and hashed.
    func normalize(_ input: OrderBatch, into output: inout OrderBatch) {
        let cols = input.orders.columns
        for row in 0..<input.count {
            output.beginOrder()
            output.copyOrderFields(from: input, row: row)
            var countryCode: [UInt8]? = cols[Self.country].isNull(row) ? nil : Array(cols[Self.country].bytes[cols[Self.country].range(row)])
            if let countries = settings.countries, let c = countryCode {
                if c.count == 2, c.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) {
                    countryCode = c.map { $0 & ~0x20 }
                } else if let code = countries.lookup(String(decoding: c, as: UTF8.self).trimmingSpaces) {
                    countryCode = Array(code.utf8)
                }
                countryCode!.withUnsafeBytes { output.orders.set(Self.country, utf8: $0) }
            }
            if settings.phone, !cols[Self.phone].isNull(row) {
                _ = PhoneNormalizer.normalize(cols[Self.phone].bytes[cols[Self.phone].range(row)], into: &buffer)
                buffer.withUnsafeBytes { output.orders.set(Self.phone, utf8: $0) }
            }
            if settings.postalCode, !cols[Self.postal].isNull(row) {
                PostalNormalizer.normalize(cols[Self.postal].bytes[cols[Self.postal].range(row)],
                    country: countryCode.map { ArraySlice($0) }, into: &buffer)
                buffer.withUnsafeBytes { output.orders.set(Self.postal, utf8: $0) }
            }
            if let regions = settings.regions, cols[Self.region].isNull(row), !cols[Self.province].isNull(row),
               countryCode == nil || countryCode! == Array("CN".utf8) {
                if let code = regions.resolve(province: cols[Self.province].string(row), city: cols[Self.city].string(row),
                                              district: cols[Self.district].string(row)) {
                    output.orders.set(Self.region, string: code)
                }
            }
            if pii.hash {
                hashPhone(input, row: row, into: &output)
                hashEmail(input, row: row, into: &output)
            }
            output.copyLines(from: input, row: row)
            output.endOrder()
        }
    }

    private func hashPhone(_ input: OrderBatch, row: Int, into output: inout OrderBatch) {
        let col = input.orders.columns[Self.phone]
        guard !col.isNull(row) else { return }
        _ = PhoneNormalizer.normalize(col.bytes[col.range(row)], into: &buffer)
        setHash(Self.phoneHash, into: &output)
    }

    private func hashEmail(_ input: OrderBatch, row: Int, into output: inout OrderBatch) {
        let col = input.orders.columns[Self.email]
        guard !col.isNull(row) else { return }
        buffer.removeAll(keepingCapacity: true)
        for b in col.bytes[col.range(row)] where b != 0x20 && b != 0x09 {
            buffer.append(b >= 0x41 && b <= 0x5A ? b + 0x20 : b)
        }
        // The column keeps the normalised form the hash was made of (trimmed, ASCII lower case).
        buffer.withUnsafeBytes { output.orders.set(Self.email, utf8: $0) }
        setHash(Self.emailHash, into: &output)
    }

    /// Hex SHA-256 of salt + `buffer` into column `c`.
    private func setHash(_ c: Int, into output: inout OrderBatch) {
        sha.reset()
        sha.update(salt)
        sha.update(buffer)
        digest.removeAll(keepingCapacity: true)
        sha.finish(into: &digest)
        buffer.removeAll(keepingCapacity: true)
        for b in digest {
            buffer.append(Self.hex[Int(b >> 4)])
            buffer.append(Self.hex[Int(b & 15)])
        }
        buffer.withUnsafeBytes { output.orders.set(c, utf8: $0) }
    }
}
