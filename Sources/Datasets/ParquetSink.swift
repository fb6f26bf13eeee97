import OrderModel
struct ParquetSinkFactory: DataFileSinkFactory {
    func makeSink(path: String, dataset: DatasetKind, options: DatasetWriteOptions) throws(WaybillError) -> DataFileSink {
        throw .usage("TEMP")
    }
}
