// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way: greenvn → GreenVNApp → (TerminalKit, GreenVNStore, GreenVNKit),
// GreenVNSimulator → GreenVNKit. Nothing below GreenVNApp knows there is a terminal.
let v5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "greenvn",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "greenvn", targets: ["greenvn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        .target(
            name: "GreenVNKit",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: v5),
        // sqlite3_db_config (variadic, so not callable from Swift) and the WAL-opening VFS.
        .target(name: "CSQLiteKnobs", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "GreenVNStore",
            dependencies: ["GreenVNKit", "CSQLiteKnobs", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: v5),
        // Serving a Hummingbird application in the background (the embedded simulator, the webhook receiver).
        .target(name: "GreenVNServing", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: v5),
        .target(
            name: "GreenVNSimulator",
            dependencies: [
                "GreenVNKit", "GreenVNServing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: v5),
        // `greenvn webhooks`: Lead Assist's webhooks into the registry.
        .target(
            name: "GreenVNWebhooks",
            dependencies: ["GreenVNStore", "GreenVNKit", "GreenVNServing", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: v5),
        // The team registry on PostgreSQL (`--registry postgres://…`): the same Registry as SQLite.
        .target(
            name: "GreenVNPostgres",
            dependencies: ["GreenVNStore", "GreenVNKit", .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: v5),
        .target(name: "TerminalKit", dependencies: ["CNcurses"], swiftSettings: v5),
        .target(
            name: "GreenVNApp",
            dependencies: ["TerminalKit", "GreenVNStore", "GreenVNKit"],
            swiftSettings: v5),
        .executableTarget(
            name: "greenvn",
            dependencies: [
                "GreenVNApp", "GreenVNStore", "GreenVNKit", "GreenVNSimulator", "GreenVNWebhooks", "GreenVNPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: v5),
        // fuzz/run.sh builds it with -DFUZZING -sanitize=fuzzer; otherwise it replays fuzz/corpus.
        .executableTarget(
            name: "greenvn-fuzz", dependencies: ["GreenVNKit", "GreenVNStore"],
            path: "Sources/GreenVNFuzz", swiftSettings: v5),
        // greenvn-bench: the figures of BENCHMARKS.md (release build; see scripts/bench-process.sh).
        .executableTarget(
            name: "greenvn-bench",
            dependencies: ["GreenVNApp", "GreenVNStore", "GreenVNKit", "GreenVNSimulator", "TerminalKit", "GreenVNPostgres"],
            path: "Sources/GreenVNBench", swiftSettings: v5),
        // The floors BENCHMARKS.md compares `greenvn allocate` with (scripts/bench-process.sh builds them).
        .executableTarget(name: "floor-empty", path: "Sources/Floors/Empty"),
        .executableTarget(
            name: "floor-ahc-post", dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Sources/Floors/AHCPost"),
        .executableTarget(
            name: "floor-grdb-write", dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/Floors/GRDBWrite"),
        .testTarget(name: "GreenVNKitTests", dependencies: ["GreenVNKit"], swiftSettings: v5),
        .testTarget(
            name: "ClientTests",
            dependencies: ["GreenVNKit", "GreenVNSimulator"], swiftSettings: v5),
        .testTarget(
            name: "GreenVNSimulatorTests",
            dependencies: ["GreenVNSimulator", "GreenVNKit"],
            exclude: ["Fixtures"], swiftSettings: v5),
        .testTarget(
            name: "GreenVNStoreTests",
            dependencies: ["GreenVNStore", "GreenVNKit", "GreenVNSimulator", "GreenVNPostgres", "PostgresTestSupport",
                           .product(name: "Logging", package: "swift-log")], swiftSettings: v5),
        // The registry tests' PostgreSQL server (a throwaway one, or GREENVN_TEST_POSTGRES_URL's).
        .target(
            name: "PostgresTestSupport",
            dependencies: ["GreenVNPostgres", "GreenVNStore", .product(name: "Logging", package: "swift-log")],
            path: "Tests/PostgresTestSupport", swiftSettings: v5),
        .testTarget(name: "TerminalKitTests", dependencies: ["TerminalKit"], swiftSettings: v5),
        .testTarget(
            name: "GreenVNAppTests",
            dependencies: ["GreenVNApp", "TerminalKit", "GreenVNStore", "GreenVNKit"],
            exclude: ["__Snapshots__"], swiftSettings: v5),
        .testTarget(
            name: "WebhookTests",
            dependencies: ["GreenVNWebhooks", "GreenVNStore", "GreenVNKit", "GreenVNSimulator", .product(name: "Logging", package: "swift-log"),
                           .product(name: "AsyncHTTPClient", package: "async-http-client")],
            swiftSettings: v5),
        .testTarget(
            name: "GreenVNCLITests",
            dependencies: ["greenvn", "GreenVNStore", "GreenVNKit"], swiftSettings: v5),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["GreenVNKit", "GreenVNSimulator", "PostgresTestSupport"], swiftSettings: v5),
    ]
)
