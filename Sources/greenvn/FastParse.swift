import GreenVNKit

/// The plain forms of the verbs that must start fast (`allocate`, `swap`, `show`, `deallocate`,
/// `import`), read without swift-argument-parser. Its parse reflects over each command's
/// properties (a Mirror, a cast of each to find the option wrappers, and the completion-script
/// check over the whole command tree): ~100 protocol conformance lookups, each a scan of every
/// conformance record in the binary — about a quarter of `greenvn allocate`'s CPU. Even building
/// a command struct costs (its wrappers' names and help). This reads `--name value`,
/// `--name=value`, repeatable options repeated, flags once and the positional ID into the verb's
/// `Args`, the very values the parsed command hands on (`FastParseTests` checks both agree).
/// Anything else — help, an unknown, short or repeated option, a value that is empty or starts
/// with `-`, `--`, too many or too few IDs — returns nil, and the parser then reads it and says
/// exactly what it always said. Plain arrays only: a Set or Dictionary of our own would cost
/// conformance lookups of its own.
enum FastParse {
    enum Kind { case list, single, flag }

    /// What a verb takes: how many IDs, and its options.
    struct Spec {
        var ids: ClosedRange<Int>
        var options: [(name: String, kind: Kind)]
    }

    struct Parsed {
        var ids: [String] = []
        var values: [(name: String, value: String)] = []
        var flags: [String] = []

        func list(_ name: String) -> [String] { values.filter { $0.name == name }.map { $0.value } }
        func single(_ name: String) -> String? { values.first { $0.name == name }?.value }
        func flag(_ name: String) -> Bool { flags.contains(name) }

        /// The connection flags as `ConnectionOptions.flags` has them.
        var connection: [String: String] {
            var f: [String: String] = [:]
            for name in FastParse.connection where single(name) != nil { f[name] = single(name) }
            return f
        }
    }

    /// The connection flags, and `--registry` (which registry: `RegistryOpener`).
    static let connection = ["base-url", "account-sid", "api-key", "api-token", "registry"]
    static let preferences = ["greenvn", "region", "pin-code", "type"]

    static func spec(_ verb: String) -> Spec? {
        func singles(_ names: [String]) -> [(name: String, kind: Kind)] { names.map { ($0, .single) } }
        switch verb {
        case "allocate":
            return Spec(ids: 0...0, options: [("a", .list), ("b", .list), ("a-pin", .list), ("b-pin", .list), ("strict", .flag), ("json", .flag)]
                + singles(connection + preferences + ["usage", "connection-id", "duration", "flow-id"]))
        case "swap": return Spec(ids: 1...1, options: [("strict", .flag), ("json", .flag)] + singles(connection + preferences))
        case "show": return Spec(ids: 0...1, options: [("json", .flag)] + singles(connection + ["connection-id"]))
        case "deallocate": return Spec(ids: 1...1, options: [("yes", .flag), ("json", .flag)] + singles(connection))
        case "import": return Spec(ids: 1...1, options: [("json", .flag)] + singles(connection))
        default: return nil
        }
    }

    /// The verbs read here, and `list`: commands that make one call at a time.
    static func isOneShot(_ verb: String?) -> Bool {
        switch verb {
        case "allocate", "swap", "show", "deallocate", "import", "list": return true
        default: return false
        }
    }

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
            guard let kind = spec.options.first(where: { $0.name == name })?.kind else { return nil }
            if kind == .flag {
                guard value == nil, !p.flags.contains(name) else { return nil }
                p.flags.append(name)
                continue
            }
            if value == nil {
                guard i < args.endIndex else { return nil }
                value = args[i]
                i += 1
            }
            guard let v = value, !v.isEmpty, !v.hasPrefix("-") else { return nil }
            if kind == .single, p.single(name) != nil { return nil }
            p.values.append((name, v))
        }
        return spec.ids.contains(p.ids.count) ? p : nil
    }

    /// One of the verbs above, with what was typed.
    enum Invocation: Equatable {
        case allocate(Allocate.Args), swap(Swap.Args), show(Show.Args), deallocate(Deallocate.Args), importing(Import.Args)

        var name: String {
            switch self {
            case .allocate: return "allocate"
            case .swap: return "swap"
            case .show: return "show"
            case .deallocate: return "deallocate"
            case .importing: return "import"
            }
        }

        func run() async throws {
            switch self {
            case .allocate(let a): try await a.run()
            case .swap(let a): try await a.run()
            case .show(let a): try await a.run()
            case .deallocate(let a): try await a.run()
            case .importing(let a): try await a.run()
            }
        }
    }

    static func invocation(_ args: [String]) -> Invocation? {
        guard let verb = args.first, let spec = spec(verb), let p = parse(args.dropFirst(), spec) else { return nil }
        let flags = p.connection, json = p.flag("json")
        switch verb {
        case "allocate":
            return .allocate(Allocate.Args(
                aparty: p.list("a"), bparty: p.list("b"), usage: p.single("usage") ?? "", apin: p.list("a-pin"), bpin: p.list("b-pin"),
                connectionId: p.single("connection-id"), strict: p.flag("strict"), greenvn: p.single("greenvn") ?? "",
                region: p.single("region") ?? "", pinCode: p.single("pin-code") ?? "", type: p.single("type") ?? "",
                duration: p.single("duration") ?? "", flowId: p.single("flow-id") ?? "", flags: flags, json: json))
        case "swap":
            return .swap(Swap.Args(id: p.ids[0], greenvn: p.single("greenvn") ?? "", region: p.single("region") ?? "",
                                   pinCode: p.single("pin-code") ?? "", type: p.single("type") ?? "", strict: p.flag("strict"),
                                   flags: flags, json: json))
        case "show":
            return .show(Show.Args(id: p.ids.first, connectionId: p.single("connection-id"), flags: flags, json: json))
        case "deallocate":
            return .deallocate(Deallocate.Args(id: p.ids[0], yes: p.flag("yes"), flags: flags, json: json))
        case "import":
            return .importing(Import.Args(id: p.ids[0], flags: flags, json: json))
        default:
            return nil
        }
    }
}
