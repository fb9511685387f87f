import Foundation

/// A child process that is killed, not awaited to its end (a process holding a lease, killed -9).
/// posix_spawn with every descriptor but 0–2 closed, output to /dev/null; `input` is written to
/// its stdin, which stays open (the child waits for more, idle) until it is killed.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private var status: Int32?
    private var stdinWriter: Int32 = -1

    public init(_ argv: [String], input: String = "", environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        var fds: [Int32] = [-1, -1]
        guard childPipe2(&fds, O_CLOEXEC) == 0 else { throw PostgresTestServer.Unavailable(description: "pipe2 failed: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        _ = childAddCloseFrom(&actions, 3)
        let args: [UnsafeMutablePointer<CChar>?] = argv.map { (s: String) in strdup(s) } + [nil]
        let env: [UnsafeMutablePointer<CChar>?] = environment.map { (k, v) in strdup("\(k)=\(v)") } + [nil]
        defer { args.forEach { free($0) }; env.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, argv[0], &actions, nil, args, env)
        close(fds[0])
        guard rc == 0 else {
            close(fds[1])
            throw PostgresTestServer.Unavailable(description: "cannot start \(argv[0]): \(String(cString: strerror(rc)))")
        }
        pid = child
        stdinWriter = fds[1]
        var bytes = Array(input.utf8)
        _ = write(stdinWriter, &bytes, bytes.count)
    }

    /// SIGKILL, then reaps it; returns the wait status.
    @discardableResult
    public func kill9() -> Int32 {
        if let status { return status }
        kill(pid, SIGKILL)
        var s: Int32 = 0
        while waitpid(pid, &s, 0) < 0 && errno == EINTR {}
        status = s
        close(stdinWriter)
        return s
    }

    deinit { kill9() }
}

@_silgen_name("pipe2")
private func childPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func childAddCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
