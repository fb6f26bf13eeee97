import Foundation
import Testing
import FuzzTargets

/// What the Parquet seeds from other writers must come to: read, or a clear "unsupported".
@Suite struct ParquetSeedTests {
    static func seed(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: CorpusReplayTests.root.appendingPathComponent("corpus/parquet/" + name)))
    }

    @Test func emptyRowGroupFromPyarrowReads() throws {
        // parquet-cpp writes an empty row group's chunks with page offset 0.
        let o = FuzzTarget.parquet.run(try Self.seed("pyarrow-empty.parquet"))
        // Its columns are read (as empty); only the seed's own types differ from the model's.
        #expect(o.error?.contains("outside the data area") != true, "\(o.error ?? "")")
        #expect(o.error == nil || o.error!.contains("the model wants"), "\(o.error ?? "")")
        #expect(o.records == 0)
    }

    @Test func dataPageV2IsUnsupportedNotCorrupt() throws {
        let o = FuzzTarget.parquet.run(try Self.seed("pyarrow-zstd-v2.parquet"))
        #expect(o.error?.contains("DATA_PAGE_V2") == true, "\(o.error ?? "no error")")
    }

    @Test func waybillFilesReadWithoutErrors() throws {
        for name in ["waybill-orders-1.parquet", "waybill-lines-0.parquet"] {
            let o = FuzzTarget.parquet.run(try Self.seed(name))
            #expect(o.records > 0, "\(name)")
            // The file fits one dataset kind; decoding it as the others names the mismatch.
            #expect(o.error == nil || o.error!.contains("the model wants"), "\(name): \(o.error ?? "")")
        }
    }
}
