import Foundation

/// Runs the real `greenvn` executable: the one this package's build made for this test run.
struct Binary {
    /// The binary, or why there is none to trust.
    static func executable() throws -> String { try located.get() }

    /// `GREENVN_BINARY` when set (a release build under test); else `greenvn` in the build
    /// products directory this test bundle was built into (what `swift build --show-bin-path`
    /// prints), refused when any source is newer: a test of a stale binary proves nothing.
    static let located: Swift.Result<String, SpawnFailure> = {
        if let p = ProcessInfo.processInfo.environment["GREENVN_BINARY"], !p.isEmpty {
            return FileManager.default.isExecutableFile(atPath: p) ? .success(p) : .failure(SpawnFailure("GREENVN_BINARY=\(p) is not an executable file"))
        }
        let binDir = productsDirectory()
        let path = binDir.appendingPathComponent("greenvn").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            return .failure(SpawnFailure("no greenvn in \(binDir.path), where this test bundle was built: run `swift build` (or `swift test`, which builds it) first"))
        }
        let built = modified(path) ?? .distantPast
        if let (source, at) = newestSource(), at > built {
            return .failure(SpawnFailure("\(path) is older than \(source): run `swift build` (or `swift test` without --skip-build) so the tests drive the current code"))
        }
        return .success(path)
    }()

    /// The directory holding the running test bundle (on macOS the bundle is a directory `….xctest`).
    private static func productsDirectory() -> URL {
        var exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if !FileManager.default.fileExists(atPath: exe.path) {
            exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        }
        let dir = exe.deletingLastPathComponent()
        // macOS: …/debug/greenvnPackageTests.xctest/Contents/MacOS/greenvnPackageTests
        guard let bundle = dir.pathComponents.lastIndex(where: { $0.hasSuffix(".xctest") }) else { return dir }
        return URL(fileURLWithPath: NSString.path(withComponents: Array(dir.pathComponents[..<bundle])))
    }

    /// The package's most recently changed source (Package.swift or a file under Sources/).
    private static func newestSource() -> (String, Date)? {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var newest: (String, Date)? = modified(root.appendingPathComponent("Package.swift").path).map { ("Package.swift", $0) }
        let sources = root.appendingPathComponent("Sources").path
        for rel in FileManager.default.enumerator(atPath: sources)?.compactMap({ $0 as? String }) ?? [] {
            if let at = modified(sources + "/" + rel), at > (newest?.1 ?? .distantPast) { newest = ("Sources/" + rel, at) }
        }
        return newest
    }

    private static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `env` is the whole environment (nothing leaks in from the test runner's credentials).
    /// Run through `Spawned`, never Foundation's `Process` (see there).
    static func run(_ args: [String], env: [String: String], stdin: String? = nil, timeout: Double = 60) throws -> Result {
        try Spawned(args, env: env, stdin: stdin).waitSync(timeout: timeout)
    }

    /// A private data dir and nothing else: HOME and XDG paths point into it.
    static func environment(home: String, extra: [String: String] = [:]) -> [String: String] {
        var env = ["HOME": home, "GREENVN_HOME": home + "/data", "XDG_CONFIG_HOME": home + "/config",
                   "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        for (k, v) in extra { env[k] = v }
        return env
    }

    static func tempHome() -> String {
        let d = NSTemporaryDirectory() + "greenvn-e2e-" + UUID().uuidString.prefix(8)
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }
}
