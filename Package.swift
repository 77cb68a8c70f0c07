// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]
/// The product's modules and executables: warnings are errors (the tests and tools keep them as warnings).
let productSettings: [SwiftSetting] = swiftSettings + [.treatAllWarnings(as: .error)]

let package = Package(
    name: "nksync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "nkserver", targets: ["nkserver"]),
        .executable(name: "nkclient", targets: ["nkclient"]),
        .library(name: "NKProtocol", targets: ["NKProtocol"]),
        .library(name: "NKServer", targets: ["NKServer"]),
        .library(name: "NKClient", targets: ["NKClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // HTTPS for nkserver serve --tls-cert (HummingbirdTesting builds it already, for the tests).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Tests only: TestClock, for the logic that involves time (rate limits, long-poll timeouts, back-off).
        .package(url: "https://github.com/pointfreeco/swift-clocks.git", from: "1.1.1"),
    ],
    targets: [
        // Shared model and wire types. Foundation only.
        .target(
            name: "NKProtocol",
            path: "Protocol",
            swiftSettings: productSettings
        ),
        // Authoritative store (GRDB for SQLite, the default; postgres-nio for PostgreSQL) and HTTP API (Hummingbird,
        // over TLS with NIOSSL).
        .target(
            name: "NKServer",
            dependencies: [
                "NKProtocol",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Server",
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: productSettings
        ),
        // libcurl, wrapped for Swift (curl_easy_setopt is variadic: see shim.h).
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Local replica (GRDB), sync engine and libcurl transport.
        .target(
            name: "NKClient",
            dependencies: [
                "NKProtocol",
                "CCurl",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Client",
            swiftSettings: productSettings
        ),
        .executableTarget(
            name: "nkserver",
            dependencies: [
                "NKProtocol",
                "NKServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/nkserver",
            swiftSettings: productSettings
        ),
        .executableTarget(
            name: "nkclient",
            dependencies: [
                "NKClient",
                "NKProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/nkclient",
            swiftSettings: productSettings
        ),
        // Helpers shared by the test targets, nkbench and nkreliability: temporary folders, child processes.
        .target(
            name: "NKTestSupport",
            dependencies: ["NKProtocol"],
            path: "Tests/NKTestSupport",
            swiftSettings: swiftSettings
        ),
        // The test tiers' tags and the `.processes` trait (Swift Testing), for the test targets only.
        .target(
            name: "NKTestTraits",
            dependencies: ["NKTestSupport"],
            path: "Tests/NKTestTraits",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NKProtocolTests",
            dependencies: [
                "NKProtocol",
                "NKTestSupport",
                "NKTestTraits",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NKServerTests",
            dependencies: [
                "NKProtocol",
                "NKServer",
                "NKTestSupport",
                "NKTestTraits",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NKClientTests",
            dependencies: [
                "NKClient",
                "NKProtocol",
                "NKTestSupport",
                "NKTestTraits",
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NKEndToEndTests",
            dependencies: ["NKProtocol", "NKTestSupport", "NKTestTraits"],
            swiftSettings: swiftSettings
        ),
    ]
)

// The tools, declared only when NK_TOOLS=1, so that the product (NKProtocol, NKServer, NKClient, nkserver,
// nkclient) builds and tests without them, as Hummingbird gates its benchmarks: nkbench, the sync
// benchmark (BENCHMARKS.md: a real nkserver, real replicas over libcurl, the raw SQLite floor);
// nkreliability, the reliability suites (RELIABILITY.md: kills, replays, concurrent edits, hostile
// input, with figures); and NKToolTests, the slow tier that runs their quick versions.
// `scripts/test.sh --all` and `scripts/tools.sh` set it.
if Context.environment["NK_TOOLS"] == "1" {
    package.targets += [
        .executableTarget(
            name: "nkbench",
            dependencies: [
                "NKClient",
                "NKTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/nkbench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "nkreliability",
            dependencies: [
                "NKClient",
                "NKTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/nkreliability",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "NKToolTests",
            dependencies: ["NKProtocol", "NKTestSupport", "NKTestTraits"],
            swiftSettings: swiftSettings
        ),
    ]
    package.products += [
        .executable(name: "nkbench", targets: ["nkbench"]),
        .executable(name: "nkreliability", targets: ["nkreliability"]),
    ]
}

// libFuzzer targets over NKProtocol (RELIABILITY.md, suite 7), declared only when NK_FUZZ=1: an executable
// without `main` links only with `-sanitize=fuzzer`, so the normal build never sees them. scripts/fuzz.sh
// builds and runs them.
if Context.environment["NK_FUZZ"] == "1" {
    let fuzzTargets = ["FuzzWire", "FuzzVersionVector", "FuzzCorpus", "FuzzValidation", "FuzzAnchor"]
    package.targets += fuzzTargets.map { name in
        .executableTarget(
            name: name, dependencies: ["NKProtocol"], path: "Sources/\(name)", swiftSettings: swiftSettings)
    }
    package.products += fuzzTargets.map { name in .executable(name: name, targets: [name]) }
}
