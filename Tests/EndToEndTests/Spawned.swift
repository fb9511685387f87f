import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process of our own: started, optionally killed, awaited.
///
/// Not Foundation's `Process`: on Linux it learns of a child's exit when a socket it hands the
/// child reaches EOF, and a daemon the child forks (the tmux server) inherits that socket and
/// keeps it open, so `waitUntilExit` never returns (seen: xctest processes stuck for an hour in
/// a tmux driver built on it). Here: posix_spawn with every descriptor but 0/1/2 closed in the child,
/// `waitpid` on a thread of our own, and pipes read on threads of their own (never the
/// cooperative pool, which an in-process simulator needs to answer).
final class Spawned: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var out = Data(), err = Data()
    private var status: Int32 = -1
    private var done = false
    private let finished = DispatchSemaphore(value: 0)

    /// `stdin` is given through a temporary file (a pipe could fill before the child reads it).
    /// `executable` nil: the greenvn under test (`Binary.executable()`).
    init(_ args: [String], env: [String: String], executable: String? = nil, stdin: String? = nil) throws {
        let executable = try executable ?? Binary.executable()
        var o: [Int32] = [-1, -1], e: [Int32] = [-1, -1]
        guard spawnPipe2(&o, O_CLOEXEC) == 0 else { throw SpawnFailure("pipe2: errno \(errno)") }
        guard spawnPipe2(&e, O_CLOEXEC) == 0 else { close(o[0]); close(o[1]); throw SpawnFailure("pipe2: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var input = "/dev/null"
        if let stdin {
            input = NSTemporaryDirectory() + "greenvn-stdin-" + UUID().uuidString
            try Data(stdin.utf8).write(to: URL(fileURLWithPath: input))
        }
        defer { if stdin != nil { unlink(input) } }   // the child keeps its open descriptor
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, o[1], 1)
        posix_spawn_file_actions_adddup2(&actions, e[1], 2)
        _ = spawnAddCloseFrom(&actions, 3)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        // A child starts as from a shell: no signal blocked, every signal at its default. The
        // calling thread (Swift's, Dispatch's) blocks most signals and posix_spawn would pass
        // that on: a tmux server that cannot receive SIGTERM ignores kill-server, a pane shell
        // that cannot receive SIGHUP outlives it (seen: every test's tmux server left running).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        close(o[1]); close(e[1])
        guard rc == 0 else {
            close(o[0]); close(e[0])
            throw SpawnFailure("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        pid = child
        let spawned = child
        let readers = DispatchGroup()
        for (fd, isOut) in [(o[0], true), (e[0], false)] {
            readers.enter()
            Thread { [self] in
                var data = Data()
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n > 0 { data.append(contentsOf: buffer[0..<n]) } else if n < 0 && errno == EINTR { continue } else { break }
                }
                close(fd)
                lock.withLock { if isOut { out = data } else { err = data } }
                readers.leave()
            }.start()
        }
        Thread { [self] in
            var st: Int32 = 0
            while waitpid(spawned, &st, 0) == -1 && errno == EINTR {}
            // A grandchild that kept our pipes (a daemon) must not hold the answer back for long.
            _ = readers.wait(timeout: .now() + 5)
            let signal = st & 0x7f
            lock.withLock { status = signal == 0 ? (st >> 8) & 0xff : 128 + signal; done = true }
            finished.signal()
        }.start()
    }

    var isRunning: Bool { lock.withLock { !done } }

    func kill9() { kill(pid, SIGKILL) }

    /// Blocks the calling thread: the exit status (128 + signal when killed, like a shell) and
    /// both outputs as bytes. Still running after `timeout` seconds: killed, status -1.
    func waitData(timeout: Double = 120) -> (status: Int32, stdout: Data, stderr: Data) {
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill9()
            finished.wait()
        }
        finished.signal()   // later waits return at once
        return lock.withLock {
            (timedOut ? -1 : status, out, Data((timedOut ? "[killed after \(Int(timeout))s]\n" : "").utf8) + err)
        }
    }

    /// `waitData` with the outputs as text.
    func waitSync(timeout: Double = 120) -> Binary.Result {
        let r = waitData(timeout: timeout)
        return Binary.Result(status: r.status, stdout: String(decoding: r.stdout, as: UTF8.self), stderr: String(decoding: r.stderr, as: UTF8.self))
    }

    /// `waitSync`, awaited on a thread of its own.
    func wait(timeout: Double = 120) async -> Binary.Result {
        await withCheckedContinuation { c in
            Thread { [self] in c.resume(returning: waitSync(timeout: timeout)) }.start()
        }
    }
}

struct SpawnFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawnAddCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
@_silgen_name("pipe2")
private func spawnPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
