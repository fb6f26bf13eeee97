import Foundation
import OrderModel
import Testing
import Datasets
@testable import Lifecycle

/// A cold location is a folder anyone with access could edit: restore must never read or write
/// outside the cold folder and the dataset, whatever its manifest or archives say.
@Suite struct HostileRestoreTests {
    struct Setup {
        var dir: String
        var cold: String
        var manifest: ColdManifest
        var manifestPath: String { cold + "/" + ColdManifest.fileName }
    }

    func tiered(pack: Bool) throws -> Setup {
        let dir = Fixtures.tempDir() + "/hot", cold = Fixtures.tempDir() + "/cold"
        try TierTests.land(dir, keys: "order_date")
        var t = TierOptions(directory: dir, cold: cold, policy: TierPolicy(cutoffDay: Fixtures.day + 10), batchId: "tier-1")
        t.pack = pack
        #expect(try !Tierer.run(t).isEmpty)
        return Setup(dir: dir, cold: cold, manifest: try #require(try ColdManifest.read(cold + "/" + ColdManifest.fileName)))
    }

    func write(_ m: ColdManifest, _ s: Setup) {
        FileManager.default.createFile(atPath: s.manifestPath, contents: Data(m.encoded()))
    }

    /// Every file below `root` (relative path -> size), to prove nothing changed.
    func snapshot(_ root: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for p in FileManager.default.subpaths(atPath: root) ?? [] {
            let a = try? FileManager.default.attributesOfItem(atPath: root + "/" + p)
            out[p] = (a?[.size] as? Int) ?? -1
        }
        return out
    }

    func refused(_ s: Setup, containing text: String) throws {
        let parent = (s.dir as NSString).deletingLastPathComponent
        let before = snapshot(parent)
        do {
            _ = try Restorer.run(RestoreOptions(cold: s.cold, directory: s.dir, batchId: "restore-x"))
            Issue.record("restore went ahead")
        } catch {
            #expect(error.exitCode == 65)
            #expect(error.description.contains(text), "\(error)")
        }
        // The journal and staging folders restore makes are cleaned up; no other file appears.
        let after = snapshot(parent).filter { !$0.key.contains(".waybill") }
        #expect(after == before.filter { !$0.key.contains(".waybill") })
    }

    @Test(arguments: [
        ("partition", "../../escaped"), ("partition", "/tmp/escaped"), ("partition", "order_date=2024-01-05/../.."),
        ("file", "../../escaped.parquet"), ("file", "/etc/passwd"), ("file", "order_date=2099-01-01/x.parquet"),
        ("dataset", "../orders"), ("archive", "../../outside.tar"), ("archive", "/etc/passwd"),
    ])
    func manifestPathsOutsideAreRefused(field: String, value: String) throws {
        var s = try tiered(pack: field == "archive")
        var e = s.manifest.entries[0]
        switch field {
        case "partition": e.partition = value
        case "file": e.file.path = value
        case "dataset": e.dataset = value
        default: e.archive = value
        }
        s.manifest.entries[0] = e
        write(s.manifest, s)
        try refused(s, containing: "restore refused")
    }

    @Test func coldFileSymlinkIsNotFollowed() throws {
        let s = try tiered(pack: false)
        let e = s.manifest.entries[0]
        let path = s.cold + "/" + e.dataset + "/" + e.file.path
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/etc/passwd")
        try refused(s, containing: "symbolic link")
    }

    /// A partition folder of the hot dataset replaced by a link to elsewhere: restoring into
    /// it would write through the link.
    @Test func hotPartitionSymlinkIsNotFollowed() throws {
        let s = try tiered(pack: false)
        let e = s.manifest.entries.first { $0.dataset == "orders" }!
        let outside = Fixtures.tempDir()
        try FileManager.default.createSymbolicLink(atPath: s.dir + "/orders/" + e.partition, withDestinationPath: outside)
        try refused(s, containing: "symbolic link")
        #expect(snapshot(outside).isEmpty)
    }

    /// A packed member replaced by a hard link (to /etc/passwd on the packer's disk) is refused.
    @Test func hardLinkMemberIsRefused() throws {
        let s = try tiered(pack: true)
        let e = s.manifest.entries.first { $0.dataset == "orders" }!  // restored first
        let archive = s.cold + "/" + e.archive!, member = e.member!
        let work = Fixtures.tempDir()
        let sh = Process()
        sh.executableURL = URL(fileURLWithPath: "/bin/sh")
        sh.currentDirectoryURL = URL(fileURLWithPath: work)
        sh.arguments = ["-c", "mkdir -p \"$(dirname '\(member)')\" && echo decoy > decoy && ln decoy '\(member)' && tar cf '\(archive)' decoy '\(member)'"]
        try sh.run()
        sh.waitUntilExit()
        #expect(sh.terminationStatus == 0)
        try refused(s, containing: "not a regular file")
    }
}
