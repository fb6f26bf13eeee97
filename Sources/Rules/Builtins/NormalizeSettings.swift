import Yams

/// The `normalize` section: which consignee fields `transact` rewrites in place (T11, T12).
public struct NormalizeSettings: Sendable {
    public var phone = false
    public var postalCode = false
    /// Country names -> ISO 3166-1 alpha-2, from a two-column table (name,code).
    public var countries: LookupTable?
    /// CN province/city/district names -> adcode, from a table (adcode,name,level).
    public var regions: RegionTable?

    public var isEnabled: Bool { phone || postalCode || countries != nil || regions != nil }

    public init() {}

    mutating func read(_ value: Node, loader: RuleLoader) throws(WaybillError) {
        guard let m = value.mapping else { throw loader.error(value, "normalize is a mapping") }
        for (k, v) in m {
            switch k.string ?? "" {
            case "phone": phone = v.bool ?? false
            case "postal_code": postalCode = v.bool ?? false
            case "countries":
                guard let p = v.string else { throw loader.error(v, "normalize.countries names a CSV table") }
                countries = try LookupTable.load(path: loader.relative(p))
            case "regions":
                guard let p = v.string else { throw loader.error(v, "normalize.regions names a CSV table") }
                regions = try RegionTable.load(path: loader.relative(p))
            default:
                throw loader.error(k, "unknown normalize key '\(k.string ?? "")' (phone, postal_code, countries, regions)")
            }
        }
    }
}

/// The `pii` section: salted SHA-256 of the normalised phone and email into the hash columns.
public struct PIISettings: Sendable {
    public var hash = false
    /// Environment variable holding the salt (never written to the rules file).
    public var saltEnv = "WAYBILL_PII_SALT"
    /// Mask personal data in the output (`138****1234`, `张*`); hashes are computed first.
    public var maskOutput = false

    public init() {}

    mutating func read(_ value: Node, loader: RuleLoader) throws(WaybillError) {
        guard let m = value.mapping else { throw loader.error(value, "pii is a mapping") }
        for (k, v) in m {
            switch k.string ?? "" {
            case "hash": hash = v.bool ?? false
            case "mask_output": maskOutput = v.bool ?? false
            case "salt_env":
                guard let s = v.string, !s.isEmpty else { throw loader.error(v, "pii.salt_env names an environment variable") }
                saltEnv = s
            default:
                throw loader.error(k, "unknown pii key '\(k.string ?? "")' (hash, salt_env, mask_output)")
            }
        }
    }
}

import OrderModel
