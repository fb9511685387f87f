import Foundation
import GreenVNStore
import Logging
import PostgresNIO

/// How the registry's connections are made and how long their statements may take.
struct PGConfig: Sendable {
    let location: PostgresLocation
    let options: PostgresRegistry.Options
    let group: any EventLoopGroup
    let logger: Logger
    private let tls: PostgresConnection.Configuration.TLS

    init(location: PostgresLocation, options: PostgresRegistry.Options, logger: Logger) throws {
        self.location = location
        self.options = options
        self.logger = logger
        group = MultiThreadedEventLoopGroup.singleton
        switch location.tls {
        case .disable:
            tls = .disable
        case .prefer, .require:
            var t = TLSConfiguration.makeClientConfiguration()
            t.certificateVerification = .none      // libpq's prefer/require: encrypt, do not verify
            do {
                let context = try NIOSSLContext(configuration: t)
                tls = location.tls == .require ? .require(context) : .prefer(context)
            } catch {
                throw PostgresRegistryError(.server, "cannot set up TLS for \(location): \(error)")
            }
        }
    }

    /// `purpose` names the connection in pg_stat_activity (who is connected from where, doing what).
    func configuration(purpose: String) -> PostgresConnection.Configuration {
        var c = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                 password: location.password, database: location.database, tls: tls)
        c.options.connectTimeout = .milliseconds(Int64(options.connectTimeout * 1000))
        c.options.additionalStartupParameters = [
            ("application_name", String("greenvn \(purpose) \(Identity.operatorName)@\(Identity.host)".prefix(63))),
            ("statement_timeout", String(Int(options.statementTimeout * 1000))),
            ("lock_timeout", String(Int(options.statementTimeout * 1000))),
        ]
        return c
    }
}

/// One connection, used synchronously by one thread at a time — never an event loop's thread
/// (NIO traps a wait there) and never Swift's cooperative pool (it would starve it). Every wait
/// has a deadline: postgres-nio 1.33.2 never answers a query sent on a connection the server has
/// closed, so a connection that times out or drops is closed and replaced, never reused.
final class PGConnection: @unchecked Sendable {
    private let connection: PostgresConnection
    private let logger: Logger
    private let timeout: Double
    private(set) var broken = false
    private static let ids = Locked(0)

    private init(_ connection: PostgresConnection, logger: Logger, timeout: Double) {
        self.connection = connection
        self.logger = logger
        self.timeout = timeout
    }

    static func connect(_ config: PGConfig, purpose: String) throws -> PGConnection {
        let id = ids.update { $0 += 1; return $0 }
        let el = config.group.next()
        let future = PostgresConnection.connect(on: el, configuration: config.configuration(purpose: purpose), id: id, logger: config.logger)
        let seconds = config.options.connectTimeout + 1
        let connection = try Self.wait(future, on: el, seconds: seconds, timedOut: { ConnectTimeout(seconds: seconds) })
        return PGConnection(connection, logger: config.logger, timeout: config.options.statementTimeout + 5)
    }

    deinit { close() }

    var isUsable: Bool { !broken && !connection.isClosed }

    /// Runs one statement (placeholders `$1…`) and returns its rows and the number of rows changed.
    func run(_ sql: String, _ arguments: [SQLValue], timeout: Double? = nil) throws -> PGResult {
        guard isUsable else {
            broken = true
            throw ConnectionLost(why: "the connection to the registry was closed")
        }
        var binds = PostgresBindings(capacity: arguments.count)
        for a in arguments { a.bind(into: &binds) }
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        let future = connection.query(query, logger: logger)
        do {
            let result = try Self.wait(future, on: connection.eventLoop, seconds: timeout ?? self.timeout,
                                       timedOut: { ConnectionLost(why: "the registry did not answer within \(Int(timeout ?? self.timeout)) s") })
            return PGResult(result)
        } catch {
            if PGFailure.isConnectionLoss(error) || connection.isClosed { drop() }
            throw error
        }
    }

    /// Shorthand for statements whose rows are not needed.
    @discardableResult
    func exec(_ sql: String, _ arguments: [SQLValue] = [], timeout: Double? = nil) throws -> Int {
        try run(sql, arguments, timeout: timeout).changed
    }

    /// Closes it; safe to call more than once. The close completes on the event loop; the
    /// closure keeps the connection alive until then (postgres-nio asserts it is closed when freed).
    func close() {
        broken = true
        let c = connection
        c.close().whenComplete { _ in _ = c }
    }

    /// Marks it unusable and closes it (a timeout or a dropped socket: never trust it again).
    private func drop() {
        if !broken { logger.debug("registry connection dropped; it will be replaced") }
        close()
    }

    /// Completes when the server or the network ends the connection.
    var closeFuture: EventLoopFuture<Void> { connection.closeFuture }

    func addListener(channel: String, _ handler: @escaping @Sendable () -> Void) {
        connection.addListener(channel: channel) { _, _ in handler() }
    }

    private static func wait<T: Sendable>(_ future: EventLoopFuture<T>, on el: any EventLoop, seconds: Double,
                                          timedOut: @escaping @Sendable () -> Error) throws -> T {
        let promise = el.makePromise(of: T.self)
        future.cascade(to: promise)
        let timer = el.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) { promise.fail(timedOut()) }
        defer { timer.cancel() }
        do {
            return try promise.futureResult.wait()
        } catch {
            // A connect that completes after its deadline must still be closed.
            future.whenSuccess { value in (value as? PostgresConnection).map { c in c.close().whenComplete { _ in _ = c } } }
            throw error
        }
    }
}

/// A statement's rows as the recipes read them.
struct PGResult {
    var columns: [String: Int] = [:]
    var names: [String] = []
    var rows: [[SQLValue]] = []
    var changed = 0

    init(_ result: PostgresQueryResult) {
        changed = result.metadata.rows ?? 0
        for row in result.rows {
            if names.isEmpty {
                names = row.map(\.columnName)
                for (i, n) in names.enumerated() where columns[n] == nil { columns[n] = i }
            }
            rows.append(row.map(SQLValue.init(cell:)))
        }
    }

    var sqlRows: [SQLRow] { rows.map { SQLRow(columns: columns, values: $0) } }
    var first: [SQLValue]? { rows.first }
    func int(_ row: Int = 0, _ column: Int = 0) -> Int64? { row < rows.count && column < rows[row].count ? rows[row][column].int : nil }
}

extension SQLValue {
    /// Binds with the type the registry's columns have: bigint, double precision, text. NULL
    /// goes untyped, so the server infers it from where it is used.
    func bind(into binds: inout PostgresBindings) {
        switch self {
        case .null: binds.appendNull()
        case .int(let v): binds.append(v)
        case .double(let v): binds.append(v)
        case .text(let s): binds.append(s)
        }
    }

    /// A result cell (binary format) as a registry value: integers, booleans (0/1), floats, text.
    init(cell: PostgresCell) {
        guard var b = cell.bytes else { self = .null; return }
        switch cell.dataType {
        case .int8: self = b.readInteger(as: Int64.self).map { .int($0) } ?? .null
        case .int4: self = b.readInteger(as: Int32.self).map { .int(Int64($0)) } ?? .null
        case .int2: self = b.readInteger(as: Int16.self).map { .int(Int64($0)) } ?? .null
        case .oid: self = b.readInteger(as: UInt32.self).map { .int(Int64($0)) } ?? .null
        case .bool: self = b.readInteger(as: UInt8.self).map { .int($0 == 0 ? 0 : 1) } ?? .null
        case .float8: self = (try? cell.decode(Double.self)).map { .double($0) } ?? .null
        case .float4: self = (try? cell.decode(Float.self)).map { .double(Double($0)) } ?? .null
        case .void: self = .null
        default: self = b.readString(length: b.readableBytes).map { .text($0) } ?? .null
        }
    }
}

/// The recipes write `?`; PostgreSQL numbers its placeholders. Quoted text and identifiers are
/// left alone.
enum Placeholders {
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        var quote: Character?
        for c in sql {
            if let q = quote {
                out.append(c)
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
                out.append(c)
            } else if c == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
        }
        return out
    }
}

