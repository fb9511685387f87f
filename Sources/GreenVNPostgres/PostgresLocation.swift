import Foundation

/// Where a team registry lives: `postgres://user[:password]@host[:port]/db[?sslmode=require|disable]`
/// (`postgresql://` too). The password comes from the URL, else `PGPASSWORD`, else the
/// password file (`$PGPASSFILE`, else `~/.pgpass`, libpq's format and rules). It is never part
/// of `description`, and never logged.
public struct PostgresLocation: Equatable, Sendable, CustomStringConvertible {
    public enum TLS: String, Sendable {
        /// `sslmode=disable`: never encrypted.
        case disable
        /// No `sslmode`: encrypted when the server offers it (libpq's default).
        case prefer
        /// `sslmode=require`: encrypted or refused (the certificate is not verified, as libpq's `require`).
        case require
    }

    /// Where the password came from (for messages: never the password itself).
    public enum PasswordSource: Equatable, Sendable {
        case url, environment
        case passwordFile(String)
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var tls: TLS
    public var password: String?
    public var passwordSource: PasswordSource?
    /// Why a password file was not read (readable by others), to say so if the server asks for a password.
    public var passwordFileIgnored: String?

    public init(user: String, host: String, port: Int = 5432, database: String, tls: TLS = .prefer, password: String? = nil) {
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.tls = tls
        self.password = password
        passwordSource = password == nil ? nil : .url
    }

    /// "greenvn@127.0.0.1:5432/team": no password, ever.
    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(user)@\(h):\(port)/\(database)"
    }

    /// The same place with another database (the server's maintenance database, a test's own).
    public func with(database: String) -> PostgresLocation {
        var l = self
        l.database = database
        return l
    }

    /// The URL without its password (what an operator exports: the password stays in their own
    /// `~/.pgpass` or `PGPASSWORD`).
    public var urlWithoutPassword: String {
        let h = host.contains(":") ? "[\(host)]" : host
        var s = "postgres://\(Self.escape(user))@\(h):\(port)/\(Self.escape(database))"
        if tls != .prefer { s += "?sslmode=\(tls.rawValue)" }
        return s
    }

    /// Whether `text` is meant as a PostgreSQL URL at all (else: a mistake worth naming).
    public static func isURL(_ text: String) -> Bool {
        let t = text.lowercased()
        return t.hasPrefix("postgres://") || t.hasPrefix("postgresql://")
    }

    public static func parse(_ url: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                             pgpassFile: String? = nil) throws -> PostgresLocation {
        func bad(_ why: String) -> PostgresRegistryError {
            .init(.badURL, "the registry URL is not usable: \(why). Write it as postgres://user[:password]@host[:port]/database[?sslmode=require|disable]")
        }
        guard isURL(url) else { throw bad("it must start with postgres:// or postgresql://") }
        let rest = url[url.range(of: "://")!.upperBound...]
        let (beforeQuery, query) = split(String(rest), at: "?")
        let (authority, path) = split(beforeQuery, at: "/")
        guard let path, !path.isEmpty else { throw bad("it names no database (…/database at the end)") }
        guard let database = path.removingPercentEncoding, !database.isEmpty, !database.contains("/") else {
            throw bad("the database name is not valid")
        }
        guard let at = authority.lastIndex(of: "@") else { throw bad("it names no user (user@host)") }
        let userInfo = String(authority[..<at])
        let hostPort = String(authority[authority.index(after: at)...])
        let (rawUser, rawPassword) = split(userInfo, at: ":")
        guard let user = rawUser.removingPercentEncoding, !user.isEmpty else { throw bad("it names no user (user@host)") }
        var password: String?
        if let rawPassword {
            guard let p = rawPassword.removingPercentEncoding else { throw bad("the password's %-escapes are not valid") }
            password = p
        }
        let (host, port) = try hostAndPort(hostPort, bad)
        var tls = TLS.prefer
        if let query, !query.isEmpty {
            for item in query.split(separator: "&") {
                let (key, value) = split(String(item), at: "=")
                guard key == "sslmode" else {
                    throw bad("unknown parameter \"\(key.prefix(40))\" (the only one is sslmode=require|disable)")
                }
                switch value {
                case "require": tls = .require
                case "disable": tls = .disable
                default: throw bad("sslmode must be require or disable, not \"\((value ?? "").prefix(40))\"")
                }
            }
        }
        var location = PostgresLocation(user: user, host: host, port: port, database: database, tls: tls, password: password)
        if password == nil, let p = environment["PGPASSWORD"], !p.isEmpty {
            location.password = p
            location.passwordSource = .environment
        }
        if location.password == nil {
            let file = pgpassFile ?? environment["PGPASSFILE"] ?? (environment["HOME"].map { $0 + "/.pgpass" } ?? NSHomeDirectory() + "/.pgpass")
            switch PasswordFile.lookup(file, host: host, port: port, database: database, user: user) {
            case .found(let p):
                location.password = p
                location.passwordSource = .passwordFile(file)
            case .ignored(let why):
                location.passwordFileIgnored = why
            case .none:
                break
            }
        }
        return location
    }

    private static func hostAndPort(_ s: String, _ bad: (String) -> PostgresRegistryError) throws -> (String, Int) {
        var host: String
        var portText: String?
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw bad("the IPv6 address has no closing ]") }
            host = String(s[s.index(after: s.startIndex)..<close])
            let after = s[s.index(after: close)...]
            if after.hasPrefix(":") { portText = String(after.dropFirst()) } else if !after.isEmpty { throw bad("unexpected text after the host") }
        } else {
            let (h, p) = split(s, at: ":")
            host = h.removingPercentEncoding ?? h
            portText = p
        }
        guard !host.isEmpty else { throw bad("it names no host (user@host)") }
        guard host.allSatisfy({ $0.isLetter || $0.isNumber || ".-_:".contains($0) }) else { throw bad("the host \"\(host.prefix(60))\" is not a host name or address") }
        var port = 5432
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else { throw bad("the port must be a number from 1 to 65535") }
            port = p
        }
        return (host, port)
    }

    private static func split(_ s: String, at c: Character) -> (String, String?) {
        guard let i = s.firstIndex(of: c) else { return (s, nil) }
        return (String(s[..<i]), String(s[s.index(after: i)...]))
    }

    private static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }
}

/// libpq's password file: `hostname:port:database:username:password` a line, `#` comments,
/// `*` matches anything in the first four fields, `\:` and `\\` escape, the first matching line
/// wins; a file that others may read is ignored (chmod 600 it).
enum PasswordFile {
    enum Lookup: Equatable { case found(String), ignored(String), none }

    static func lookup(_ path: String, host: String, port: Int, database: String, user: String) -> Lookup {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return .none }
        if st.st_mode & 0o077 != 0 {
            return .ignored("the password file \(path) was not read: others may read it (run chmod 600 \(path))")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return .none }
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if line.hasPrefix("#") { continue }
            let fields = Self.fields(String(line))
            guard fields.count >= 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) {
                return .found(fields[4...].joined(separator: ":"))
            }
        }
        return .none
    }

    /// Splits on unescaped colons; `\:` and `\\` stand for themselves.
    static func fields(_ line: String) -> [String] {
        var out: [String] = []
        var current = ""
        var escaped = false
        for c in line {
            if escaped {
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == ":" && out.count < 4 {
                out.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        out.append(current)
        return out
    }
}
