import Foundation

/// Where calls go and with which credentials. Resolved flags > environment > profile file.
public struct ConnectionSettings: Equatable, Sendable, CustomStringConvertible {
    public static let defaultBaseURL = "https://leadassist.exotel.in/v1"

    /// The API root up to and including /v1, no trailing slash.
    public var baseURL: String
    public var accountSID: String
    public var apiKey: String
    public var apiToken: String
    public var timeoutSeconds: Double = 15
    public var maxAttempts: Int = 4

    public init(baseURL: String = ConnectionSettings.defaultBaseURL, accountSID: String, apiKey: String, apiToken: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.accountSID = accountSID
        self.apiKey = apiKey
        self.apiToken = apiToken
    }

    /// `<base>/tenants/<sid>/greenvn`
    public var greenvnURL: String { tenantURL + "/greenvn" }

    /// `<base>/tenants/<sid>/settings`
    public var settingsURL: String { tenantURL + "/settings" }

    /// `<base>/tenants/<sid>`
    public var tenantURL: String {
        let sid = accountSID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? accountSID
        return "\(baseURL)/tenants/\(sid)"
    }

    public var host: String { URLComponents(string: baseURL)?.host ?? baseURL }

    /// Secrets never appear here: this is what logs and screens show.
    public var description: String { "\(baseURL) account \(accountSID) key \(Redact.secret(apiKey)) token ***" }

    /// Refuses plain http:// unless the host is loopback (the simulator, a local proxy).
    public func checkTransport() throws {
        guard let c = URLComponents(string: baseURL), let scheme = c.scheme?.lowercased(), let host = c.host, !host.isEmpty else {
            throw GreenVNError.configuration("base URL \"\(Text.printable(baseURL, limit: 80))\" is not a URL; use e.g. \(Self.defaultBaseURL)")
        }
        switch scheme {
        case "https": return
        case "http" where Self.isLoopback(host): return
        case "http": throw GreenVNError.configuration("refusing http:// to \(host): credentials would travel in clear text; use https:// (http is allowed for loopback only)")
        default: throw GreenVNError.configuration("base URL scheme \"\(scheme)\" is not supported; use https://")
        }
    }

    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h == "localhost" || h == "::1" { return true }
        // 127.0.0.0/8 as a dotted IPv4 literal only: "127.0.0.1.example.com" is a DNS name.
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127"
            && parts.allSatisfy { $0.count >= 1 && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) && Int($0)! <= 255 }
    }
}

public enum Redact {
    /// "abcd…wxyz" style: enough to tell keys apart, never the whole thing.
    public static func secret(_ s: String) -> String {
        s.count <= 8 ? "***" : "\(s.prefix(4))…"
    }
}

/// The inputs of resolution, so it is a pure function testable without a real environment.
public struct SettingsSources: Sendable {
    public var flags: [String: String]         // base-url, account-sid, api-key, api-token
    public var environment: [String: String]
    public var profilePath: String?

    public init(flags: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment, profilePath: String? = nil) {
        self.flags = flags
        self.environment = environment
        self.profilePath = profilePath ?? Self.defaultProfilePath(environment)
    }

    public static func defaultProfilePath(_ env: [String: String]) -> String {
        let base = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (env["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/greenvn/config.toml"
    }
}

/// What the settings resolve to: a real tenant, or the embedded simulator.
public enum Target: Equatable, Sendable {
    case api(ConnectionSettings)
    case simulator(baseURL: String?)   // a base URL given without credentials is not a simulator: see resolve
}

public enum SettingsResolver {
    static let keys: [(flag: String, env: String, toml: String)] = [
        ("base-url", "GREENVN_BASE_URL", "base_url"),
        ("account-sid", "EXOTEL_ACCOUNT_SID", "account_sid"),
        ("api-key", "EXOTEL_API_KEY", "api_key"),
        ("api-token", "EXOTEL_API_TOKEN", "api_token"),
    ]

    /// Flags > environment > profile. No credentials anywhere → the embedded simulator.
    /// Some but not all → a configuration error naming what is missing.
    public static func resolve(_ sources: SettingsSources) throws -> ConnectionSettings? {
        let profile = try sources.profilePath.flatMap { try Profile.load(path: $0) } ?? [:]
        var values: [String: String] = [:]
        for k in keys {
            if let v = sources.flags[k.flag], !v.isEmpty { values[k.flag] = v }
            else if let v = sources.environment[k.env], !v.isEmpty { values[k.flag] = v }
            else if let v = profile[k.toml], !v.isEmpty { values[k.flag] = v }
        }
        let credentialKeys = keys.dropFirst()
        let present = credentialKeys.filter { values[$0.flag] != nil }
        if present.isEmpty { return nil }
        if present.count < credentialKeys.count {
            let missing = credentialKeys.filter { values[$0.flag] == nil }.map { "--\($0.flag) / \($0.env)" }
            throw GreenVNError.configuration("incomplete credentials: missing \(missing.joined(separator: ", ")). Give all three, or none to use the embedded simulator.")
        }
        let s = ConnectionSettings(baseURL: values["base-url"] ?? ConnectionSettings.defaultBaseURL,
                                   accountSID: values["account-sid"]!, apiKey: values["api-key"]!, apiToken: values["api-token"]!)
        try s.checkTransport()
        return s
    }
}

/// `$XDG_CONFIG_HOME/greenvn/config.toml`: flat `key = "value"` lines (a `[default]` table is
/// accepted). Refused when group or world can read it: it holds the API token.
public enum Profile {
    public static func load(path: String) throws -> [String: String]? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        if st.st_mode & 0o077 != 0 {
            throw GreenVNError.configuration("\(path) is readable by group or others (mode \(String(st.st_mode & 0o777, radix: 8))); it holds your API token. Run: chmod 600 \(path)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw GreenVNError.configuration("\(path) is not readable UTF-8 text")
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String = "config.toml") throws -> [String: String] {
        var out: [String: String] = [:]
        for (i, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line == "[default]" { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw GreenVNError.configuration("\(path) line \(i + 1): expected key = \"value\"")
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), let close = value.dropFirst().firstIndex(of: "\"") {
                value = String(value[value.index(after: value.startIndex)..<close])
            } else if let hash = value.firstIndex(of: "#") {
                value = value[..<hash].trimmingCharacters(in: .whitespaces)
            }
            out[key] = value
        }
        return out
    }
}

/// Where the registry (and the embedded simulator's state) live.
public enum DataDirectory {
    /// `$GREENVN_HOME`, else `$XDG_DATA_HOME/greenvn`, else `~/.local/share/greenvn`.
    public static func path(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let h = env["GREENVN_HOME"], !h.isEmpty { return h }
        if let x = env["XDG_DATA_HOME"], !x.isEmpty { return x + "/greenvn" }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.local/share/greenvn"
    }

    /// One database per base URL + account, so simulator data never mixes with a tenant's.
    public static func registryFile(for settings: ConnectionSettings?, in dir: String) -> String {
        guard let s = settings else { return dir + "/registry-simulator.sqlite" }
        let host = s.host.filter { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }
        let sid = s.accountSID.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }.prefix(40)
        return dir + "/registry-\(host)-\(sid)-\(StableHash.hex(s.baseURL + "|" + s.accountSID)).sqlite"
    }

    public static func ensure(_ dir: String) throws {
        var st = stat()
        if stat(dir, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { return }   // the usual case, without FileManager
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw GreenVNError.configuration("cannot create the data directory \(dir): \(error.localizedDescription). Set GREENVN_HOME to a writable directory.")
        }
    }
}

/// FNV-1a: stable across runs and platforms (Swift's Hasher is seeded per process).
public enum StableHash {
    public static func hex(_ s: String) -> String {
        var h: UInt64 = 0xcbf29ce484222325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return String(h, radix: 16).leftPadded(to: 16).prefix(8).description
    }
}

extension String {
    func leftPadded(to n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
