import Foundation
import GreenVNStore
import PostgresNIO

/// Why a team registry could not be opened, with what to do about it. (Once open, failures are
/// the registry's own `RegistryError`, as for SQLite.)
public struct PostgresRegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The URL itself (scheme, user, host, port, database, sslmode).
        case badURL
        /// No server answered at host:port (or TLS was required and refused).
        case unreachable
        /// The server refused the user or the password.
        case authentication
        /// The database does not exist.
        case noSuchDatabase
        /// The user may not do what opening needs (create the tables, the extension).
        case permission
        /// pg_trgm is not installed on the server or not enabled in the database.
        case extensionMissing
        /// The database is another Lead Assist account's team registry.
        case otherTarget
        /// Anything else the server said.
        case server
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// What a PostgreSQL failure means for the registry.
enum PGFailure {
    /// The connection is gone or could not be made: reconnect and retry.
    static func isConnectionLoss(_ error: Error) -> Bool {
        if error is ConnectionLost { return true }
        guard let e = error as? PSQLError else { return error is ChannelError || error is IOError }
        switch e.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return true
        case .server:
            // admin shutdown, crash shutdown, cannot connect now (starting up / shutting down)
            let state = e.serverInfo?[.sqlState] ?? ""
            return ["57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004"].contains(state)
        default:
            return false
        }
    }

    /// Another transaction's conflict: run the body again.
    static func isConflict(_ error: Error) -> Bool {
        guard let e = error as? PSQLError, e.code == .server else { return false }
        return ["40001", "40P01", "23505"].contains(e.serverInfo?[.sqlState] ?? "")
    }

    static func sqlState(_ error: Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// The server's own words (PSQLError's description is deliberately generic), never a bound value.
    static func describe(_ error: Error) -> String {
        if let lost = error as? ConnectionLost { return lost.why }
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] {
                let state = e.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state
            }
            if let underlying = e.underlying { return "\(e.code): \(underlying)" }
            return "\(e.code)"
        }
        return String(describing: error)
    }

    /// A failure to connect, as an opening error that says what to do.
    static func opening(_ error: Error, _ location: PostgresLocation) -> PostgresRegistryError {
        opening(state: sqlState(error), detail: describe(error), lost: isConnectionLoss(error) || error is ConnectTimeout, location)
    }

    static func opening(state: String?, detail: String, lost: Bool, _ location: PostgresLocation) -> PostgresRegistryError {
        let at = location.description
        switch state ?? "" {
        case "28P01", "28000":
            var m = "PostgreSQL at \(at) refused the login (\(detail)). "
            switch location.passwordSource {
            case .url?: m += "Check the password in the registry URL."
            case .environment?: m += "Check PGPASSWORD."
            case .passwordFile(let f)?: m += "Check the line for this server in \(f)."
            case nil: m += "Give the password in PGPASSWORD or ~/.pgpass (mode 600), not on the command line."
            }
            if let ignored = location.passwordFileIgnored { m += " Note: \(ignored)." }
            return .init(.authentication, m)
        case "3D000":
            return .init(.noSuchDatabase, """
                the database \"\(location.database)\" does not exist on \(location.host):\(location.port). Create it with \
                `greenvn registry init \(location.urlWithoutPassword)` (a user allowed to create databases), or ask the \
                server's administrator: createdb -O \(location.user) \(location.database)
                """)
        case "42501":
            return .init(.permission, "PostgreSQL at \(at) refused: \(detail). The registry's user must own the database (or be granted CREATE on it).")
        default:
            break
        }
        if lost {
            return .init(.unreachable, """
                cannot reach PostgreSQL at \(location.host):\(location.port) (\(detail)). Check the host and port in \
                the registry URL, that the server runs and accepts TCP connections from this machine\
                \(location.tls == .require ? ", and that it offers TLS (sslmode=require)" : "").
                """)
        }
        return .init(.server, "PostgreSQL at \(at) failed: \(detail).")
    }
}

/// The connection was found closed, timed out or dropped (see `PGConnection`).
struct ConnectionLost: Error {
    let why: String
}

/// Connecting took longer than the registry's connect timeout.
struct ConnectTimeout: Error, CustomStringConvertible {
    let seconds: Double
    var description: String { "no answer within \(Int(seconds)) s" }
}
