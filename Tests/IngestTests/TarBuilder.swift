/// Builds tar archives byte by byte, so tests can hold entries no archiver would write on
/// request: device nodes without root, hard links to /etc/passwd, names with control
/// characters, `..` and absolute paths, and very long pax names.
struct TarBuilder {
    enum Kind: UInt8 {
        case file = 0x30, hardLink = 0x31, symlink = 0x32, charDevice = 0x33, blockDevice = 0x34, directory = 0x35,
            fifo = 0x36, pax = 0x78
    }

    private(set) var bytes: [UInt8] = []

    /// Adds an entry; a name longer than 100 bytes goes into a pax header first.
    mutating func add(_ name: [UInt8], _ kind: Kind = .file, data: [UInt8] = [], link: String = "", declaredSize: Int? = nil) {
        if name.count > 100 {
            let record = Self.paxRecord("path", name)
            add(Array("PaxHeaders/long".utf8), .pax, data: record)
        }
        var h = [UInt8](repeating: 0, count: 512)
        func put(_ at: Int, _ v: [UInt8], _ max: Int) { for (i, b) in v.prefix(max).enumerated() { h[at + i] = b } }
        func octal(_ at: Int, _ v: Int, _ width: Int) {
            let s = String(v, radix: 8)
            put(at, Array((String(repeating: "0", count: max(0, width - 1 - s.count)) + s).utf8), width - 1)
        }
        put(0, name, 100)
        octal(100, kind == .directory ? 0o755 : 0o644, 8)
        octal(108, 0, 8)
        octal(116, 0, 8)
        octal(124, declaredSize ?? data.count, 12)
        octal(136, 1_700_000_000, 12)
        h[156] = kind.rawValue
        put(157, Array(link.utf8), 100)
        put(257, Array("ustar\0".utf8), 6)
        put(263, Array("00".utf8), 2)
        octal(329, 1, 8)
        octal(337, 3, 8)
        for i in 148..<156 { h[i] = 0x20 }
        let sum = h.reduce(0) { $0 + Int($1) }
        put(148, Array((String(repeating: "0", count: 6 - String(sum, radix: 8).count) + String(sum, radix: 8)).utf8) + [0, 0x20], 8)
        bytes += h
        bytes += data
        bytes += [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    mutating func add(_ name: String, _ kind: Kind = .file, data: String = "", link: String = "") {
        add(Array(name.utf8), kind, data: Array(data.utf8), link: link)
    }

    /// The archive with its two zero end blocks.
    var archive: [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }

    /// `"<len> key=value\n"` where len counts the whole record, its own digits included.
    static func paxRecord(_ key: String, _ value: [UInt8]) -> [UInt8] {
        let body = Array(" \(key)=".utf8) + value + [0x0A]
        var len = body.count + 1
        while String(len).count + body.count != len { len += 1 }
        return Array(String(len).utf8) + body
    }
}
