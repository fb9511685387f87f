import Foundation

/// Runs the real `greenvn` executable, built next to this test bundle.
struct Binary {
    static var path: String {
        let env = ProcessInfo.processInfo.environment
        if let p = env["GREENVN_BINARY"], !p.isEmpty { return p }
        // The test bundle lives in the build products directory, beside the executable.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("greenvn").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/greenvn").path
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
