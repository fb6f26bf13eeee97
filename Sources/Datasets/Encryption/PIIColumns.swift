import OrderModel

/// The personal-data columns that are written encrypted when a key is given: names, phones,
/// emails and street addresses of the consignee and the consignor (the one list; docs/encryption.md
/// repeats it). Country, province, city, district and postal code stay in clear (coarse enough
/// to partition and aggregate on), and so do the salted `*_hash` columns, which exist for joins.
public enum PIIColumns {
    public static let names: [String] = [
        "consignee_name", "consignee_phone", "consignee_email", "consignee_street",
        "consignor_name", "consignor_phone", "consignor_street",
    ]

    /// Model field indexes (into `OrderSchema.orderFields`) of `names`; a name missing from the
    /// catalogue is a programming error a test catches.
    public static var orderFields: [Int] {
        names.compactMap { n in OrderSchema.orderFields.firstIndex { $0.name == n } }
    }
}
