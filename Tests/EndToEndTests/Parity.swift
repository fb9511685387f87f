import Foundation
import GreenVNKit
import GreenVNSimulator
import Testing

// Helpers for the reliability tests: run the real binary without blocking Swift's cooperative
// threads (an in-process simulator needs them to answer), and compare what the registry knows
// (through the CLI) with what the server holds.

/// A child process of our own: started, optionally killed, awaited.
///
/// Not Foundation's `Process`: on Linux it learns of a child's exit when a socket it hands the
/// child reaches EOF, and a daemon the child forks (the tmux server) inherits that socket and
/// keeps it open, so `waitUntilExit` never returns (seen: xctest processes stuck for an hour in
/// `TmuxConsole.init`). Here: posix_spawn with every descriptor but 0/1/2 closed in the child,
/// `waitpid` on a thread of our own, and pipes read on threads of their own (never the
/// cooperative pool, which an in-process simulator needs to answer).
final class Spawned: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var out = Data(), err = Data()
    private var status: Int32 = -1
    private var done = false
    private let finished = DispatchSemaphore(value: 0)

    init(_ args: [String], env: [String: String], executable: String = Binary.path) throws {
        var o: [Int32] = [-1, -1], e: [Int32] = [-1, -1]
        guard spawnPipe2(&o, O_CLOEXEC) == 0 else { throw Parity.Failure("pipe2: errno \(errno)") }
        guard spawnPipe2(&e, O_CLOEXEC) == 0 else { close(o[0]); close(o[1]); throw Parity.Failure("pipe2: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, o[1], 1)
        posix_spawn_file_actions_adddup2(&actions, e[1], 2)
        _ = spawnAddCloseFrom(&actions, 3)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, nil, argv, envp)
        close(o[1]); close(e[1])
        guard rc == 0 else {
            close(o[0]); close(e[0])
            throw Parity.Failure("cannot start \(executable): \(String(cString: strerror(rc)))")
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
    /// both outputs. Still running after `timeout` seconds: killed, and reported with status -1.
    func waitSync(timeout: Double = 120) -> Binary.Result {
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill9()
            finished.wait()
        }
        finished.signal()   // later waits return at once
        return lock.withLock {
            Binary.Result(status: timedOut ? -1 : status, stdout: String(decoding: out, as: UTF8.self),
                          stderr: (timedOut ? "[killed after \(Int(timeout))s]\n" : "") + String(decoding: err, as: UTF8.self))
        }
    }

    /// `waitSync`, awaited on a thread of its own.
    func wait(timeout: Double = 120) async -> Binary.Result {
        await withCheckedContinuation { c in
            Thread { [self] in c.resume(returning: waitSync(timeout: timeout)) }.start()
        }
    }
}

@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawnAddCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
@_silgen_name("pipe2")
private func spawnPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

extension Binary {
    /// `run`, awaited without holding a cooperative thread.
    static func runAsync(_ args: [String], env: [String: String], timeout: Double = 120) async throws -> Result {
        await (try Spawned(args, env: env)).wait(timeout: timeout)
    }

    /// The environment for a tenant at `baseURL` (a simulator), with a private data dir and the
    /// timeout/retry knobs.
    static func apiEnvironment(home: String, settings s: ConnectionSettings, extra: [String: String] = [:]) -> [String: String] {
        var env = environment(home: home, extra: [
            "GREENVN_BASE_URL": s.baseURL, "EXOTEL_ACCOUNT_SID": s.accountSID,
            "EXOTEL_API_KEY": s.apiKey, "EXOTEL_API_TOKEN": s.apiToken,
        ])
        for (k, v) in extra { env[k] = v }
        return env
    }
}

/// Limits how many expensive test cases run at once (Swift Testing starts every argument of a
/// parameterized test together; on a 2-core CI box that would starve the simulators).
actor Gate {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []
    init(_ limit: Int) { free = limit }

    func enter() async {
        if free > 0 { free -= 1; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await enter()
        do { let r = try await body(); leave(); return r } catch { leave(); throw error }
    }
}

/// "The registry equals the server": what `greenvn list` shows against what the server holds.
enum Parity {
    /// A registry row without a greenvn_id, from `greenvn list`'s table.
    struct Unsettled: Equatable, CustomStringConvertible {
        var connectionId: String
        var state: String          // "pending" (outbox, outcome unknown) or "id?" (allocated, id lost)
        var description: String { "\(connectionId) [\(state)]" }
    }

    struct Report: CustomStringConvertible {
        var server = 0
        var known = 0
        var idUnknown: [String] = []      // connection ids
        var pending: [String] = []
        var problems: [String] = []
        var description: String {
            "server \(server), registry known \(known), id unknown \(idUnknown.count), pending \(pending.count)"
                + (problems.isEmpty ? "" : "; PROBLEMS:\n  " + problems.prefix(20).joined(separator: "\n  "))
        }
    }

    /// The registry's known allocations (`list --json`) and its rows without an id (`list`).
    static func registry(env: [String: String]) async throws -> (known: [JSONValue], unsettled: [Unsettled]) {
        let json = try await Binary.runAsync(["list", "--json"], env: env)
        guard json.status == 0, let rows = try JSONValue.parse(Data(json.stdout.utf8)).arrayValue else {
            throw Failure("`greenvn list --json` failed (exit \(json.status)): \(json.stderr)\n\(json.stdout.prefix(500))")
        }
        let text = try await Binary.runAsync(["list"], env: env)
        guard text.status == 0 else { throw Failure("`greenvn list` failed (exit \(text.status)): \(text.stderr)") }
        var unsettled: [Unsettled] = []
        for line in text.stdout.split(separator: "\n") {
            // VN  GREENVN_ID  CONNECTION_ID  A-PARTY  B-PARTY  USAGE  STATE  EXPIRES: an unsettled
            // row has "—" for VN and id, and "pending" or "id?" as its state.
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard cells.count >= 3, cells[0] == "—", cells[1] == "—" else { continue }
            guard let state = cells.first(where: { $0 == "pending" || $0 == "id?" }) else {
                throw Failure("unreadable `greenvn list` row: \(line)")
            }
            unsettled.append(Unsettled(connectionId: cells[2], state: state))
        }
        return (rows, unsettled)
    }

    /// Compares the registry with `server`. Strict: every server allocation is known by its
    /// greenvn_id with the same VN, state, numbers, usage and connection_id, the registry knows
    /// nothing the server lacks, and no row is unsettled. Not strict: a server allocation may
    /// instead be an unsettled row with its connection_id (pending, or id? = allocated with the
    /// id lost — the operator's `greenvn import` settles it), and a pending row may have no
    /// server allocation (its create is re-sent with the same connection_id).
    /// Either way: no connection_id twice on the server or in the registry (nothing doubled),
    /// and no server allocation the registry has no trace of (nothing lost).
    static func compare(env: [String: String], server: [Allocation], strict: Bool) async throws -> Report {
        let (known, unsettled) = try await registry(env: env)
        var r = Report()
        r.server = server.count
        r.known = known.count
        r.idUnknown = unsettled.filter { $0.state == "id?" }.map(\.connectionId)
        r.pending = unsettled.filter { $0.state == "pending" }.map(\.connectionId)

        var serverById: [String: Allocation] = [:]
        var serverByCid: [String: Allocation] = [:]
        for a in server {
            if serverById.updateValue(a, forKey: a.greenvnId) != nil { r.problems.append("server: greenvn_id \(a.greenvnId) twice") }
            if serverByCid.updateValue(a, forKey: a.connectionId) != nil { r.problems.append("DOUBLED on the server: connection_id \(a.connectionId) allocated twice") }
        }
        var registryCids: Set<String> = []
        var knownIds: Set<String> = []
        for row in known {
            let id = row["greenvn_id"]?.stringValue ?? ""
            let cid = row["connection_id"]?.stringValue ?? ""
            if !knownIds.insert(id).inserted { r.problems.append("registry: greenvn_id \(id) twice") }
            if !cid.isEmpty, !registryCids.insert(cid).inserted { r.problems.append("DOUBLED in the registry: connection_id \(cid) twice") }
            guard let s = serverById[id] else {
                r.problems.append("registry knows \(id) (\(cid)) but the server has no such allocation")
                continue
            }
            let mine: [String: JSONValue] = [
                "green_vn": row["green_vn"] ?? .null, "state": row["state"] ?? .null, "usage": row["usage"] ?? .null,
                "connection_id": row["connection_id"] ?? .null,
                "aparty_numbers": row["aparty_numbers"] ?? .null, "bparty_numbers": row["bparty_numbers"] ?? .null,
            ]
            let theirs: [String: JSONValue] = [
                "green_vn": .string(s.greenVN), "state": .string(s.state.rawValue), "usage": .string(s.usage.rawValue),
                "connection_id": .string(s.connectionId),
                "aparty_numbers": .array(s.apartyNumbers.map(JSONValue.string)), "bparty_numbers": .array(s.bpartyNumbers.map(JSONValue.string)),
            ]
            for key in mine.keys.sorted() where mine[key] != theirs[key] {
                r.problems.append("\(id): \(key) is \(mine[key].map { String(describing: $0) } ?? "nil") in the registry but \(theirs[key].map { String(describing: $0) } ?? "nil") on the server")
            }
        }
        for u in unsettled {
            if !registryCids.insert(u.connectionId).inserted { r.problems.append("DOUBLED in the registry: connection_id \(u.connectionId) twice") }
            if strict { r.problems.append("unsettled registry row \(u)") }
            if u.state == "id?", serverByCid[u.connectionId] == nil {
                r.problems.append("registry says \(u.connectionId) was allocated (id?) but the server has no allocation for it")
            }
        }
        let unsettledCids = Set(unsettled.map(\.connectionId))
        for a in server where !knownIds.contains(a.greenvnId) {
            if !strict, unsettledCids.contains(a.connectionId) { continue }
            r.problems.append("LOST: the server holds \(a.greenvnId) (\(a.connectionId), \(a.greenVN)) and the registry \(unsettledCids.contains(a.connectionId) ? "has only an unsettled row for it" : "has no trace of it")")
        }
        return r
    }

    /// `compare`, recorded as a test failure with the whole report when anything is off.
    @discardableResult
    static func expectEqual(env: [String: String], server: [Allocation], strict: Bool, _ context: String = "",
                            sourceLocation: SourceLocation = #_sourceLocation) async throws -> Report {
        let r = try await compare(env: env, server: server, strict: strict)
        #expect(r.problems.isEmpty, "\(context): registry ≠ server: \(r)", sourceLocation: sourceLocation)
        return r
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}

/// Waits (polling, without blocking a thread) until `condition` holds or `seconds` pass.
func waitUntil(_ seconds: Double, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(25))
    }
    return try condition()
}
