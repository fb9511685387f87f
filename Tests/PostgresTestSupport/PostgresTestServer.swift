import Foundation
import GreenVNPostgres
import GreenVNStore
import Logging

/// The PostgreSQL server the registry tests run against: `GREENVN_TEST_POSTGRES_URL` when set
/// (CI starts one), else a throwaway server this test process starts itself — initdb into a
/// temporary directory (as the `postgres` user when running as root), a free loopback port,
/// stopped and deleted when the process exits. Without PostgreSQL installed the tests fail,
/// saying how to install it.
public enum PostgresTestServer {
    public static let target = RegistryTarget(key: "tests")
    /// Reconnects and retries are warnings; the tests show only errors.
    public static let logger: Logger = {
        var l = Logger(label: "greenvn.registry.tests")
        l.logLevel = .error
        return l
    }()

    /// The maintenance database's location (each test gets a database of its own).
    public static func location() throws -> PostgresLocation { try shared.get() }

    private static let shared: Result<PostgresLocation, Error> = Result {
        if let url = ProcessInfo.processInfo.environment["GREENVN_TEST_POSTGRES_URL"], !url.isEmpty {
            return try PostgresLocation.parse(url)
        }
        let server = try ThrowawayServer()
        atexit { PostgresTestServer.atExit() }
        throwaway = server
        return server.location
    }

    nonisolated(unsafe) private static var throwaway: ThrowawayServer?

    private static func atExit() {
        Databases.dropAll()
        throwaway?.remove()
    }

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// initdb and pg_ctl: on PATH, else Debian's newest /usr/lib/postgresql/N/bin.
    /// The directory of initdb, pg_ctl and psql.
    public static func binaries() -> String? {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        for v in versions.compactMap(Int.init).sorted(by: >) {
            let bin = "/usr/lib/postgresql/\(v)/bin"
            if FileManager.default.isExecutableFile(atPath: bin + "/initdb") { return bin }
        }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            if FileManager.default.isExecutableFile(atPath: "\(dir)/initdb"), FileManager.default.isExecutableFile(atPath: "\(dir)/pg_ctl") {
                return String(dir)
            }
        }
        return nil
    }

    /// Runs `command` with /bin/sh and returns its output. Not Foundation's `Process`: on Linux
    /// it learns of an exit when a socket it hands the child closes, and the server pg_ctl starts
    /// inherits that socket, so it would wait forever. posix_spawn, every descriptor but 0–2
    /// closed in the child, output through a file, waitpid.
    @discardableResult
    public static func shell(_ command: String) throws -> String {
        let output = NSTemporaryDirectory() + "greenvn-pg-sh-" + UUID().uuidString
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        _ = shellAddCloseFrom(&actions, 3)
        let argv: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (s: String) in strdup(s) } + [nil]
        defer { argv.forEach { free($0) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        guard rc == 0 else { throw Unavailable(description: "cannot run /bin/sh: \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0, code = (status >> 8) & 0xff
        guard exited && code == 0 else {
            throw Unavailable(description: "the test PostgreSQL server could not start (`\(command.prefix(200))` exited \(code)): \(text.suffix(800))")
        }
        return text
    }
}

/// A PostgreSQL server of its own: initdb into a temporary directory (as the `postgres` user
/// when running as root: the server refuses root), a free loopback port, trust authentication.
/// Removed by `remove()`, at the latest by a watcher when this process is gone (a crash, a kill).
public final class ThrowawayServer: @unchecked Sendable {
    public let location: PostgresLocation
    private let bin: String
    private let dir: String
    private let port: Int
    private let asRoot = getuid() == 0
    private var removed = false

    public init() throws {
        guard let bin = PostgresTestServer.binaries() else {
            throw PostgresTestServer.Unavailable(description: """
                PostgreSQL is not installed, and the registry's tests run against it too: install it \
                (Debian: apt-get install -y postgresql) or set GREENVN_TEST_POSTGRES_URL to a server's URL.
                """)
        }
        self.bin = bin
        dir = NSTemporaryDirectory() + "greenvn-pg-tests-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        port = try Self.freePort()
        let user = "greenvn_test"
        location = PostgresLocation(user: user, host: "127.0.0.1", port: port, database: "postgres", tls: .disable)
        if asRoot { try PostgresTestServer.shell("chown postgres:postgres '\(dir)'") }
        try run("'\(bin)/initdb' -D '\(dir)/data' -A trust -U \(user) -E UTF8 --no-locale --no-sync >'\(dir)/initdb.log' 2>&1")
        let watcher = "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(removeCommand)"
        try PostgresTestServer.shell("setsid sh -c \"\(watcher.replacingOccurrences(of: "\"", with: "\\\""))\" >/dev/null 2>&1 < /dev/null &")
        try start()
    }

    public func start() throws {
        let options = "-p \(port) -k '\(dir)' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=128MB"
        // pg_ctl's output goes nowhere: the server inherits it and would hold a pipe open.
        do {
            try run("'\(bin)/pg_ctl' -D '\(dir)/data' -l '\(dir)/server.log' -o \"\(options)\" -w -t 60 start >/dev/null 2>&1")
        } catch {
            let log = (try? String(contentsOfFile: dir + "/server.log", encoding: .utf8)) ?? ""
            throw PostgresTestServer.Unavailable(description: "the test PostgreSQL server did not start: \(log.suffix(800))")
        }
    }

    /// A fast shutdown: every connection is ended (what an administrator's restart does).
    public func stop() throws {
        try run("'\(bin)/pg_ctl' -D '\(dir)/data' -m fast -w -t 60 stop >/dev/null 2>&1")
    }

    public func remove() {
        guard !removed else { return }
        removed = true
        _ = try? PostgresTestServer.shell(removeCommand)
    }

    deinit { remove() }

    private var removeCommand: String {
        let stop = "'\(bin)/pg_ctl' -D '\(dir)/data' -m immediate -w stop >/dev/null 2>&1"
        return (asRoot ? "cd /tmp && runuser -u postgres -- \(stop)" : stop) + "; rm -rf '\(dir)'"
    }

    private func run(_ command: String) throws {
        try PostgresTestServer.shell(asRoot ? "cd /tmp && runuser -u postgres -- \(command)" : command)
    }

    private static func freePort() throws -> Int {
        guard let port = LoopbackPort.free() else {
            throw PostgresTestServer.Unavailable(description: "no free loopback port for a test PostgreSQL server")
        }
        return port
    }
}

/// A loopback port nobody listens on right now (whoever asked binds it a moment later): for the
/// test PostgreSQL server and for end-to-end tests that start servers of their own.
public enum LoopbackPort {
    public static func free() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: addr.sin_port)) : nil
    }
}

@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func shellAddCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
