import Foundation
import Logging
import Testing

@testable import RunMetrics

@Suite struct LogHandlerTests {
    @Test func compactLineWithSortedMetadata() {
        let line = StderrLogHandler.format(
            label: "waybill collect", level: .warning, message: "feeds/a.csv: column 'x' is not in the header",
            metadata: ["profile": "p.yaml", "file": "a b.csv"])
        #expect(line == "waybill collect: warning: feeds/a.csv: column 'x' is not in the header file=\"a b.csv\" profile=p.yaml\n")
    }

    @Test func levelsParseFromTheirNames() {
        for name in ["trace", "debug", "info", "notice", "warning", "error", "critical"] {
            #expect(Logger.Level(rawValue: name) != nil)
        }
    }

    @Test func handlerWritesOneLineToItsDescriptor() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        var logger = Logger(label: "waybill write") { StderrLogHandler(label: $0, fd: fds[1]) }
        logger.logLevel = .info
        logger.debug("hidden")
        logger.info("committed", metadata: ["files": "12"])
        close(fds[1])
        var buf = [UInt8](repeating: 0, count: 256)
        let n = read(fds[0], &buf, buf.count)
        #expect(String(decoding: buf.prefix(max(0, n)), as: UTF8.self) == "waybill write: info: committed files=12\n")
    }
}
