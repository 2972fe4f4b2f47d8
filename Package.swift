// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Forage",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .target(name: "ForageCore"),
        .testTarget(name: "ForageCoreTests", dependencies: ["ForageCore"]),
        .target(name: "ForageSearch", dependencies: ["ForageCore"]),
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS",
            pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "ForageML",
            dependencies: ["ForageCore", "COpenBLAS", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "ForageMLTests", dependencies: ["ForageML"]),
    ],
    swiftLanguageModes: [.v6]
)
