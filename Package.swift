// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Forage",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // Already resolved through Hummingbird; declared because ForageServer imports their modules itself.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .target(name: "ForageCore", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "ForageTesting", dependencies: ["ForageCore"]),
        .testTarget(name: "ForageCoreTests", dependencies: ["ForageCore"]),
        .testTarget(name: "ForageStoreTests", dependencies: ["ForageStore", "ForageBackends", "ForagePostgres", "ForageTesting"]),
        .testTarget(name: "ForageSQLiteTests", dependencies: ["ForageSQLite", "ForageStore", "ForageTesting"]),
        .testTarget(name: "ForageEngineTests", dependencies: ["ForageEngine", "ForageBackends", "ForageTesting"]),
        .testTarget(name: "ForageExecutorTests", dependencies: ["ForageExecutor"]),
        .testTarget(
            name: "ForageCLITests",
            dependencies: ["ForageTesting", "ForageServer", "ForageRemote", "ForageHTTP", "ForageML", .product(name: "Yams", package: "Yams")]),
        .target(name: "ForageSearch", dependencies: ["ForageCore", "ForageNumerics"]),
        .target(name: "ForageSpec", dependencies: ["ForageCore", "ForageSearch", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "ForageSpecTests", dependencies: ["ForageSpec", "ForageTesting"]),
        .target(name: "ForageStore", dependencies: ["ForageCore"]),
        .target(
            name: "ForageSQLite",
            dependencies: [
                "ForageCore", "ForageStore", .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's column functions, for reading listing rows without copying them.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]),
        // The PostgreSQL store (a shared store for workers on many machines).
        .target(
            name: "ForagePostgres",
            dependencies: [
                "ForageCore", "ForageStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(name: "ForageBackends", dependencies: ["ForageStore", "ForageSQLite", "ForagePostgres"]),
        .target(
            name: "ForageExecutor",
            dependencies: [
                "ForageCore", "ForageML",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        .target(name: "ForageEngine", dependencies: ["ForageCore", "ForageSearch", "ForageStore", "ForageExecutor"]),
        .target(
            name: "ForageRemote",
            dependencies: [
                "ForageCore", "ForageSpec", "ForageStore", "ForageExecutor", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]),
        .executableTarget(name: "forage-supervise", path: "Sources/forage-supervise"),
        .target(name: "ForageRegistry", dependencies: ["ForageCore", "ForageStore"]),
        .testTarget(name: "ForageRegistryTests", dependencies: ["ForageRegistry", "ForageStore", "ForageBackends", "ForageTesting"]),
        // What every Forage server shares: listening errors in Forage's words, request deadlines, logging.
        .target(
            name: "ForageHTTP",
            dependencies: [
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The prediction service (`forage serve`).
        .target(
            name: "ForageServer",
            dependencies: [
                "ForageCore", "ForageStore", "ForageRegistry", "ForageML", "ForageHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // The worker coordinator's HTTP side (`forage run --listen`).
        .target(
            name: "ForageCoordinator",
            dependencies: [
                "ForageCore", "ForageEngine", "ForageRemote", "ForageHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        // The read-only dashboard (`forage dashboard`).
        .target(
            name: "ForageDashboard",
            dependencies: [
                "ForageCore", "ForageStore", "ForageReport", "ForageHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .target(
            name: "ForageBench",
            dependencies: [
                "ForageCore", "ForageStore", "ForageBackends", "ForageSearch", "ForageExecutor", "ForageEngine", "ForageML",
                "ForageRegistry", "ForageRemote", "ForageServer", "ForageCoordinator", "ForageHTTP",
                // `bench cluster` starts a private PostgreSQL server as the tests do.
                "ForageTesting",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "forage",
            dependencies: [
                "ForageCore", "ForageSpec", "ForageSearch", "ForageStore", "ForageBackends", "ForageExecutor", "ForageEngine",
                "ForageML", "ForageRegistry", "ForageReport", "ForageServer", "ForageCoordinator", "ForageDashboard", "ForageHTTP",
                "ForageRemote", "ForageBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "ForageSearchTests", dependencies: ["ForageSearch"]),
        .testTarget(name: "ForageBenchTests", dependencies: ["ForageBench", "ForageSearch", "ForageCore"]),
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS",
            pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]
        ),
        // Small dense linear algebra on OpenBLAS/LAPACK, shared by the trainers and GP-BO.
        .target(name: "ForageNumerics", dependencies: ["ForageCore", "COpenBLAS"]),
        .testTarget(name: "ForageNumericsTests", dependencies: ["ForageNumerics"]),
        .target(
            name: "ForageML",
            dependencies: ["ForageCore", "ForageNumerics"]
        ),
        .testTarget(name: "ForageMLTests", dependencies: ["ForageML"]),
        .target(
            name: "ForageReport",
            dependencies: ["ForageCore", "ForageStore", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .testTarget(name: "ForageReportTests", dependencies: ["ForageReport", "ForageStore", "ForageBackends", "ForageTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
