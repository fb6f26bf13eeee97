#if canImport(Glibc)
import Glibc
#endif
import OrderModel

/// One input to read: a file path, or standard input.
public struct InputSpec: Sendable, Hashable {
    /// The path as the user will see it in lineage and rejects (`-` for stdin).
    public var path: String
    public var isStdin: Bool { path == "-" }
    /// Size in bytes when known (regular files), for the batch id and progress.
    public var size: Int

    public init(path: String, size: Int = 0) {
        self.path = path
        self.size = size
    }
}

/// Turns the command line's inputs into the list of files to read, in a stable order:
/// arguments in the order given; a folder expands to every regular file below it, sorted by
/// path (byte order), hidden files included; a pattern with `*`, `?` or `[` expands through
/// glob(3), sorted. No argument means stdin.
public enum InputResolver {
    public static func resolve(_ arguments: [String]) throws(WaybillError) -> [InputSpec] {
        if arguments.isEmpty { return [InputSpec(path: "-")] }
        var out: [InputSpec] = []
        for arg in arguments {
            if arg == "-" {
                out.append(InputSpec(path: "-"))
                continue
            }
            var st = stat()
            if stat(arg, &st) == 0 {
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    var files: [InputSpec] = []
                    try walk(arg, into: &files)
                    files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
                    out += files
                } else {
                    guard access(arg, R_OK) == 0 else {
                        throw WaybillError.inputNotFound(path: arg, reason: "not readable: \(String(cString: strerror(errno)))")
                    }
                    out.append(InputSpec(path: arg, size: Int(st.st_size)))
                }
                continue
            }
            if arg.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" }) {
                let matches = expandGlob(arg)
                if matches.isEmpty { throw WaybillError.inputNotFound(path: arg, reason: "no file matches this pattern") }
                for m in matches {
                    var ms = stat()
                    if stat(m, &ms) == 0 && (ms.st_mode & S_IFMT) == S_IFDIR {
                        var files: [InputSpec] = []
                        try walk(m, into: &files)
                        files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
                        out += files
                    } else {
                        out.append(InputSpec(path: m, size: Int(ms.st_size)))
                    }
                }
                continue
            }
            throw WaybillError.inputNotFound(path: arg, reason: "no such file or directory")
        }
        return out
    }

    /// Collects the regular files below `dir` (symbolic links to files are followed when they
    /// are named inside the folder; links to folders are not, so a cycle cannot hang the walk).
    private static func walk(_ dir: String, into files: inout [InputSpec]) throws(WaybillError) {
        guard let d = opendir(dir) else {
            throw WaybillError.inputNotFound(path: dir, reason: "cannot open folder: \(String(cString: strerror(errno)))")
        }
        defer { closedir(d) }
        let base = dir.hasSuffix("/") ? dir : dir + "/"
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let path = base + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                try walk(path, into: &files)
            case S_IFREG:
                files.append(InputSpec(path: path, size: Int(st.st_size)))
            case S_IFLNK:
                var target = stat()
                if stat(path, &target) == 0 && (target.st_mode & S_IFMT) == S_IFREG {
                    files.append(InputSpec(path: path, size: Int(target.st_size)))
                }
            default:
                continue  // devices, sockets, fifos inside a folder are not feeds
            }
        }
    }

    private static func expandGlob(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(pattern, 0, nil, &g) == 0 else { return [] }
        var out: [String] = []
        for i in 0..<Int(g.gl_pathc) {
            if let p = g.gl_pathv[i] { out.append(String(cString: p)) }
        }
        return out.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// A deterministic batch id for a run: FNV-1a over the source name and each input's path
    /// and size, so the same inputs give the same id and the same output files downstream.
    public static func batchID(source: String, inputs: [InputSpec]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
            for b in bytes {
                h ^= UInt64(b)
                h = h &* 0x100_0000_01b3
            }
        }
        mix(source.utf8)
        for i in inputs {
            mix([0])
            mix(i.path.utf8)
            mix([1])
            mix(String(i.size).utf8)
        }
        let hex = String(h, radix: 16)
        return "collect-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
