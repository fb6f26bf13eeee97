#if canImport(Glibc)
import Glibc
#endif
import Ingest
import OrderModel

/// Feeds one input through `FeedCollector` exactly as `waybill collect FILE --profile P` does:
/// the bytes sit in an unlinked file on tmpfs, so libarchive sees a real descriptor and
/// nothing touches the disk between fuzz iterations.
enum FeedFuzz {
    static func collect(_ bytes: UnsafeRawBufferPointer, profile: ShippedProfile) -> FuzzOutcome {
        let compiled: Profile
        switch profile.compiled {
        case .success(let p): compiled = p
        case .failure(let e): fatalError("shipped profile \(profile.fileName) does not compile: \(e)")
        }
        let file: MemoryFile
        do {
            file = try MemoryFile(bytes)
        } catch {
            return FuzzOutcome(error: "\(error)")
        }
        var outcome = FuzzOutcome()
        do {
            let rejects = try RejectWriter(path: nil)
            // Small batches so the assembler's batch boundaries (orders split across blocks,
            // line items carried over) are crossed even by short inputs.
            let collector = FeedCollector(profile: compiled, rejects: rejects, batchID: "fuzz", batchSize: 7) {
                (batch: inout OrderBatch) throws(WaybillError) in
                outcome.records += batch.count
                Self.touch(batch)
            }
            try collector.collect([InputSpec(path: file.path, size: bytes.count)])
            outcome.rejects = rejects.count
        } catch {
            outcome.error = error.description
        }
        return outcome
    }

    /// Encodes the batch as unified NDJSON, so every value the mapper stored is read back
    /// (offsets, decimals, times) the way the next stage would.
    private static func touch(_ batch: OrderBatch) {
        var out: [UInt8] = []
        UnifiedNDJSONEncoder().encode(batch, into: &out)
        precondition(out.count >= batch.count, "unified encoding lost orders")
    }
}

/// One of the profiles shipped in Pipelines/profiles, compiled once per process.
enum ShippedProfile: String {
    case shopCSV = "shop-csv"
    case tpchFlat = "tpch-flat-csv"
    case tpchNested = "tpch-nested-ndjson"
    case jdWaybill = "jd-waybill-ndjson"

    var fileName: String { rawValue + ".yaml" }

    var compiled: Result<Profile, WaybillError> {
        switch self {
        case .shopCSV: return Self.shop
        case .tpchFlat: return Self.flat
        case .tpchNested: return Self.nested
        case .jdWaybill: return Self.jd
        }
    }

    private static let shop = load(.shopCSV)
    private static let flat = load(.tpchFlat)
    private static let nested = load(.tpchNested)
    private static let jd = load(.jdWaybill)

    private static func load(_ p: ShippedProfile) -> Result<Profile, WaybillError> {
        Result { () throws(WaybillError) -> Profile in try ProfileLoader.load(path: profilesDirectory + "/" + p.fileName) }
    }

    /// `WAYBILL_PROFILES` when set, else the repository's Pipelines/profiles next to this source
    /// file (the fuzzers and tests run from a checkout).
    static var profilesDirectory: String {
        if let env = getenv("WAYBILL_PROFILES") { return String(cString: env) }
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // FuzzTargets/FeedFuzz.swift, Sources
        return parts.joined(separator: "/") + "/Pipelines/profiles"
    }
}

/// An anonymous file holding the input, addressed by its /proc path: created on tmpfs
/// (/dev/shm when present) and unlinked at once, so nothing is left behind even when the
/// process dies mid-input. (memfd_create would do, but Glibc's Swift overlay does not export it.)
final class MemoryFile {
    let fd: Int32
    var path: String { "/proc/self/fd/\(fd)" }

    init(_ bytes: UnsafeRawBufferPointer) throws(WaybillError) {
        var template = Array((access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp").utf8CString.dropLast())
        template += Array("/waybill-fuzz-XXXXXX".utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw WaybillError.io(path: "fuzz input file", errno: errno) }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        var off = 0
        while off < bytes.count {
            let n = write(fd, bytes.baseAddress! + off, bytes.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                let e = errno
                close(fd)
                throw WaybillError.io(path: "fuzz input file", errno: e)
            }
            off += n
        }
        _ = lseek(fd, 0, SEEK_SET)
    }

    deinit { close(fd) }
}
