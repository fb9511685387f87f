import ArgumentParser
import GreenVNKit

/// Connection settings, highest first: these flags, the environment, the profile file.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .customLong("base-url"), help: "API root up to and including /v1 (default \(ConnectionSettings.defaultBaseURL)).")
    var baseURL: String?
    @Option(name: .customLong("account-sid"), help: "Exotel account SID (tenant).")
    var accountSID: String?
    @Option(name: .customLong("api-key"), help: "API key (username of Basic auth).")
    var apiKey: String?
    @Option(name: .customLong("api-token"), help: "API token (password of Basic auth). Prefer EXOTEL_API_TOKEN or the profile file: flags show in `ps`.")
    var apiToken: String?
    @Option(name: .customLong("registry"), help: ArgumentHelp("A team registry: postgres://user@host[:port]/db[?sslmode=require|disable] (also GREENVN_REGISTRY_URL); the password from PGPASSWORD or ~/.pgpass. Default: this machine's SQLite file.", valueName: "URL"))
    var registry: String?

    var flags: [String: String] {
        var f: [String: String] = [:]
        f["base-url"] = baseURL
        f["account-sid"] = accountSID
        f["api-key"] = apiKey
        f["api-token"] = apiToken
        f["registry"] = registry     // not a connection setting: which registry (RegistryOpener)
        return f
    }
}

struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the API's allocation object as JSON on stdout and nothing else.")
    var json = false
}

/// The argument of every verb that acts on one allocation (see `AllocationLookup`).
let allocationIdHelp = ArgumentHelp("The allocation's greenvn_id, its VN or its connection_id (the registry resolves the last two).",
                                    valueName: "ID")
