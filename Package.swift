// swift-tools-version:6.1
// Waybill: batch pipeline and data-collection toolkit for order data.
//
// Dependencies flow one way (each line may import only what is below it):
//   waybill (CLI)  ->  Pipeline, Datasets, Ingest, FeedSampler, RunMetrics, Fulfillment, Lifecycle, Rules
//   Pipeline       ->  Ingest, Rules, Fulfillment, Datasets, RunMetrics, Yams
//   Fulfillment    ->  OrderModel, Yams
//   Lifecycle      ->  Datasets, Parquet, OrderModel, CArchive
//   RunMetrics     ->  OrderModel, Prometheus (swift-prometheus), Logging (swift-log)
//   Datasets       ->  Parquet, OrderModel, Crypto (swift-crypto: AES-GCM of PII columns)
//   Ingest         ->  OrderModel, CArchive, CCSV, CSimdjsonShim
//   FuzzTargets    ->  Ingest, Datasets, Parquet, OrderModel   (waybill-fuzz -> FuzzTargets)
//   FeedSampler    ->  OrderModel
//   Rules          ->  OrderModel, Yams, Crypto (swift-crypto: SHA-256 of order keys, PII),
//                      CXXHash (XXH3-128 of order contents), CRe2Shim (RE2: matches()),
//                      CByteScan (memmem: contains())
//   Parquet        ->  CCodecs            (knows nothing about orders)
//   OrderModel     ->  (nothing)
// Each C library sits behind a thin target of its own.
import PackageDescription

let package = Package(
    name: "Waybill",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "waybill", targets: ["waybill"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C libraries (Debian: libarchive-dev, libcsv-dev, libsimdjson-dev, libzstd-dev, libsnappy-dev, zlib1g-dev,
        // libxxhash-dev, libre2-dev)
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CCSV", providers: [.apt(["libcsv-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .target(
            name: "CCodecs",
            linkerSettings: [.linkedLibrary("zstd"), .linkedLibrary("snappy"), .linkedLibrary("z")]
        ),
        // SIMD byte scanning for the CSV fast path (SSE2, with a portable fallback), memmem
        .target(name: "CByteScan"),
        .target(
            name: "CSimdjsonShim",
            linkerSettings: [.linkedLibrary("simdjson"), .linkedLibrary("stdc++")]
        ),
        // RE2 (Debian: libre2-dev) behind a C face, for the rules language's matches()
        .target(
            name: "CRe2Shim",
            linkerSettings: [.linkedLibrary("re2"), .linkedLibrary("stdc++")]
        ),

        // Swift libraries
        .target(name: "ByteStorage"),
        .target(name: "OrderModel", dependencies: ["ByteStorage"]),
        .target(name: "Parquet", dependencies: ["CCodecs", "ByteStorage"], exclude: ["README.md"]),
        .target(
            name: "Ingest",
            dependencies: [
                "OrderModel", "CArchive", "CCSV", "CSimdjsonShim", "CByteScan",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "Datasets",
            dependencies: ["OrderModel", "Parquet", "CCodecs", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(name: "FeedSampler", dependencies: ["OrderModel"], exclude: ["README.md"]),
        .target(name: "Lifecycle", dependencies: ["OrderModel", "Parquet", "Datasets", "CArchive"]),
        .target(name: "Rules", dependencies: ["OrderModel", "CXXHash", "CRe2Shim", "CByteScan", .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Fulfillment", dependencies: ["OrderModel", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "Pipeline",
            dependencies: [
                "OrderModel", "Ingest", "Rules", "Fulfillment", "Datasets", "RunMetrics",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "RunMetrics",
            dependencies: [
                "OrderModel", .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The command-line tool
        .executableTarget(
            name: "waybill",
            dependencies: [
                "OrderModel", "Ingest", "Datasets", "Parquet", "FeedSampler", "RunMetrics", "Rules", "Lifecycle",
                "Fulfillment", "Pipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Hostile-input entry points (docs/fuzzing.md): replayed by FuzzTargetsTests, fuzzed by
        // waybill-fuzz under libFuzzer (Tests/fuzz/run.sh); in a normal build waybill-fuzz replays files.
        .target(name: "FuzzTargets", dependencies: ["OrderModel", "Ingest", "Parquet", "Datasets"]),
        .executableTarget(name: "waybill-fuzz", dependencies: ["FuzzTargets"]),

        // Development tool: writes the interop matrix read by Tests/interop/test_parquet_matrix.py
        .executableTarget(name: "parquet-matrix", dependencies: ["Parquet"]),

        // Tests
        .testTarget(name: "OrderModelTests", dependencies: ["OrderModel", "ByteStorage"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet"]),
        .testTarget(name: "IngestTests", dependencies: ["Ingest", "OrderModel"], resources: []),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Parquet", "OrderModel"]),
        .testTarget(name: "CLITests", dependencies: ["OrderModel"]),
        .testTarget(
            name: "RunMetricsTests",
            dependencies: ["RunMetrics", "OrderModel", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "FeedSamplerTests", dependencies: ["FeedSampler", "OrderModel"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules", "OrderModel", "CXXHash"]),
        .testTarget(name: "LifecycleTests", dependencies: ["Lifecycle", "Datasets", "Parquet", "OrderModel"]),
        .testTarget(name: "FulfillmentTests", dependencies: ["Fulfillment", "OrderModel"]),
        .testTarget(name: "FuzzTargetsTests", dependencies: ["FuzzTargets"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "OrderModel", "Datasets", "RunMetrics"]),
    ],
    cxxLanguageStandard: .cxx17
)

// Release builds optimise across module boundaries: the hot paths call small OrderModel and
// Parquet methods (column appends, value accessors) from other modules once per field, and
// without cross-module optimisation each of those is an opaque call.
// They also drop the dynamic exclusivity checks (swift_beginAccess on class properties in the
// per-field and per-value loops: about 3% of a run's instructions). Debug builds, which the
// test suite runs, keep the checks, so an overlapping access is still caught there.
for target in package.targets where target.type != .system && target.name != "CCodecs" && target.name != "CSimdjsonShim"
    && target.name != "CRe2Shim" {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .unsafeFlags(["-cross-module-optimization", "-enforce-exclusivity=unchecked"], .when(configuration: .release))
    ]
}
