import ArgumentParser
import GreenVNKit

/// The plain forms of the verbs that must start fast (`allocate`, `swap`, `show`, `deallocate`,
/// `import`), read without swift-argument-parser. Its parse reflects over each command's
/// properties (a Mirror, a cast of each to find the option wrappers, and the completion-script
/// check over the whole command tree): ~100 protocol conformance lookups, each a scan of every
/// conformance record in the binary — about a quarter of `greenvn allocate`'s CPU. This reads
/// `--name value`, `--name=value`, repeatable options repeated, flags once and the positional
/// ID, and fills the very command struct the parser would have made (`FastParseTests` checks
/// both give the same). Anything else — help, an unknown, short or repeated option, a value that
/// is empty or starts with `-`, `--`, too many or too few IDs — returns nil, and the parser then
/// reads it and says exactly what it always said.
enum FastParse {
    /// What a verb takes.
    struct Spec {
        var ids: ClosedRange<Int> = 0...0
        var lists: Set<String> = []
        var singles: Set<String> = []
        var flags: Set<String> = []
    }

    struct Parsed {
        var ids: [String] = []
        var lists: [String: [String]] = [:]
        var singles: [String: String] = [:]
        var flags: Set<String> = []

        func list(_ name: String) -> [String] { lists[name] ?? [] }
        func flag(_ name: String) -> Bool { flags.contains(name) }

        var connection: ConnectionOptions {
            var c = ConnectionOptions()
            c.baseURL = singles["base-url"]
            c.accountSID = singles["account-sid"]
            c.apiKey = singles["api-key"]
            c.apiToken = singles["api-token"]
            return c
        }

        var output: OutputOptions {
            var o = OutputOptions()
            o.json = flag("json")
            return o
        }
    }

    static let connection: Set<String> = ["base-url", "account-sid", "api-key", "api-token"]
    static let preferences: Set<String> = ["greenvn", "region", "pin-code", "type"]

    static let specs: [String: Spec] = [
        "allocate": Spec(lists: ["a", "b", "a-pin", "b-pin"],
                         singles: connection.union(preferences).union(["usage", "connection-id", "duration", "flow-id"]),
                         flags: ["strict", "json"]),
        "swap": Spec(ids: 1...1, singles: connection.union(preferences), flags: ["strict", "json"]),
        "show": Spec(ids: 0...1, singles: connection.union(["connection-id"]), flags: ["json"]),
        "deallocate": Spec(ids: 1...1, singles: connection, flags: ["yes", "json"]),
        "import": Spec(ids: 1...1, singles: connection, flags: ["json"]),
    ]

    /// The verbs read here, and `list`: commands that make one call at a time.
    static func isOneShot(_ verb: String?) -> Bool { verb.map { specs[$0] != nil || $0 == "list" } ?? false }

    static func parse(_ args: ArraySlice<String>, _ spec: Spec) -> Parsed? {
        var p = Parsed()
        var i = args.startIndex
        while i < args.endIndex {
            let arg = args[i]
            i += 1
            guard arg.hasPrefix("-") else {
                guard !arg.isEmpty else { return nil }
                p.ids.append(arg)
                continue
            }
            guard arg.hasPrefix("--"), arg.count > 2 else { return nil }
            var name = String(arg.dropFirst(2))
            var value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if spec.flags.contains(name) {
                guard value == nil, p.flags.insert(name).inserted else { return nil }
                continue
            }
            let isList = spec.lists.contains(name)
            guard isList || spec.singles.contains(name) else { return nil }
            if value == nil {
                guard i < args.endIndex else { return nil }
                value = args[i]
                i += 1
            }
            guard let v = value, !v.isEmpty, !v.hasPrefix("-") else { return nil }
            if isList {
                p.lists[name, default: []].append(v)
            } else {
                guard p.singles.updateValue(v, forKey: name) == nil else { return nil }
            }
        }
        return spec.ids.contains(p.ids.count) ? p : nil
    }

    /// One of the verbs above, as the parser would have built it.
    enum Command {
        case allocate(Allocate), swap(Swap), show(Show), deallocate(Deallocate), importing(Import)

        var name: String {
            switch self {
            case .allocate: return "allocate"
            case .swap: return "swap"
            case .show: return "show"
            case .deallocate: return "deallocate"
            case .importing: return "import"
            }
        }

        /// Called on the concrete type: no cast to find out whether it is async.
        func run() async throws {
            switch self {
            case .allocate(let c): try await c.run()
            case .swap(let c): try await c.run()
            case .show(let c): try await c.run()
            case .deallocate(let c): try await c.run()
            case .importing(let c): try await c.run()
            }
        }
    }

    static func command(_ args: [String]) -> Command? {
        guard let verb = args.first, let spec = specs[verb], let p = parse(args.dropFirst(), spec) else { return nil }
        switch verb {
        case "allocate":
            var c = Allocate()
            c.aparty = p.list("a")
            c.bparty = p.list("b")
            c.apin = p.list("a-pin")
            c.bpin = p.list("b-pin")
            c.usage = p.singles["usage"] ?? ""
            c.connectionId = p.singles["connection-id"]
            c.strict = p.flag("strict")
            c.greenvn = p.singles["greenvn"] ?? ""
            c.region = p.singles["region"] ?? ""
            c.pinCode = p.singles["pin-code"] ?? ""
            c.type = p.singles["type"] ?? ""
            c.duration = p.singles["duration"] ?? ""
            c.flowId = p.singles["flow-id"] ?? ""
            c.connection = p.connection
            c.output = p.output
            return .allocate(c)
        case "swap":
            var c = Swap()
            c.id = p.ids[0]
            c.greenvn = p.singles["greenvn"] ?? ""
            c.region = p.singles["region"] ?? ""
            c.pinCode = p.singles["pin-code"] ?? ""
            c.type = p.singles["type"] ?? ""
            c.strict = p.flag("strict")
            c.connection = p.connection
            c.output = p.output
            return .swap(c)
        case "show":
            var c = Show()
            c.id = p.ids.first
            c.connectionId = p.singles["connection-id"]
            c.connection = p.connection
            c.output = p.output
            return .show(c)
        case "deallocate":
            var c = Deallocate()
            c.id = p.ids[0]
            c.yes = p.flag("yes")
            c.connection = p.connection
            c.output = p.output
            return .deallocate(c)
        case "import":
            var c = Import()
            c.id = p.ids[0]
            c.connection = p.connection
            c.output = p.output
            return .importing(c)
        default:
            return nil
        }
    }
}
