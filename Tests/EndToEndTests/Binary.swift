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
    static func run(_ args: [String], env: [String: String], stdin: String? = nil, timeout: Double = 60) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.environment = env
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? inp.fileHandleForWriting.close()
        // Read both pipes while the process runs so a chatty child never blocks on a full pipe.
        nonisolated(unsafe) var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter(); DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter(); DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning { p.terminate() }
        p.waitUntilExit()
        group.wait()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
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
