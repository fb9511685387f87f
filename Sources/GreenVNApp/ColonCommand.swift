import GreenVNKit
import GreenVNStore

/// What a `:` line asks for.
enum ColonCommand: Equatable {
    case none, quit, help, refresh, new
    case filter(String)
    case state(StateFilter)
    case sort(SortColumn, descending: Bool?)
    case importId(String)
    case settings

    /// Why a command line was not run, for the error toast.
    struct Refusal: Error, Equatable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    static func parse(_ line: String) -> Result<ColonCommand, Refusal> {
        var text = line.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix(":") { text.removeFirst() }
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        guard let name = parts.first?.lowercased() else { return .success(.none) }
        let arg = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        guard let spec = ColonCommands.named(name) else {
            return .failure(Refusal("Unknown command :\(Text.printable(name, limit: 20)); :help lists them"))
        }
        return spec.build(arg)
    }
}

/// One `:` command: the parser, the help overlay and Tab completion all read this table.
struct ColonCommandSpec {
    /// The first is the one shown and completed; the rest are accepted too.
    let names: [String]
    /// "COLUMN [asc|desc]"; empty when it takes nothing.
    let argument: String
    let help: String
    /// Completion candidates for the argument's words, by position.
    let choices: [[String]]
    let build: (String) -> Result<ColonCommand, ColonCommand.Refusal>

    var name: String { names[0] }
    /// ":sort COLUMN [asc|desc]"
    var usage: String { ":" + name + (argument.isEmpty ? "" : " " + argument) }
}

enum ColonCommands {
    static let sortNames: [String: SortColumn] = [
        "vn": .vn, "greenvn": .vn, "connection_id": .connectionId, "connection": .connectionId, "conn": .connectionId,
        "aparty": .aparty, "a": .aparty, "bparty": .bparty, "b": .bparty, "usage": .usage,
        "state": .state, "expires": .expires, "expiry": .expires, "created": .created,
    ]
    static let directions = ["asc", "desc"]
    static var states: [String] { StateFilter.allCases.map(\.rawValue) }
    static var columns: [String] { SortColumn.allCases.map(\.rawValue) }

    static let table: [ColonCommandSpec] = [
        ColonCommandSpec(names: ["filter", "f"], argument: "TEXT", help: "show the allocations matching TEXT", choices: []) {
            .success(.filter(Text.printable($0, limit: 200)))
        },
        ColonCommandSpec(names: ["state", "tab"], argument: states.joined(separator: "|"), help: "show a tab", choices: [states]) { arg in
            guard let s = StateFilter(rawValue: arg.lowercased()) else {
                return .failure(.init(":state takes \(states.joined(separator: ", ")) (got \"\(Text.printable(arg, limit: 20))\")"))
            }
            return .success(.state(s))
        },
        ColonCommandSpec(names: ["sort"], argument: "COLUMN [asc|desc]", help: "sort the list by a column",
                         choices: [columns, directions], build: sort),
        ColonCommandSpec(names: ["import"], argument: "GREENVN_ID", help: "fetch an allocation by its greenvn_id and remember it",
                         choices: []) { arg in
            let id = Text.printable(arg, limit: 200)
            guard !id.isEmpty, !id.contains(" ") else {
                return .failure(.init(":import takes one greenvn_id (Exotel's dashboard or a webhook shows it)"))
            }
            return .success(.importId(id))
        },
        ColonCommandSpec(names: ["settings"], argument: "", help: "the account's settings: webhook URLs, defaults",
                         choices: []) { _ in .success(.settings) },
        ColonCommandSpec(names: ["refresh", "r"], argument: "", help: "refresh the selected allocation", choices: []) { _ in .success(.refresh) },
        ColonCommandSpec(names: ["new", "allocate"], argument: "", help: "allocate a new VN", choices: []) { _ in .success(.new) },
        ColonCommandSpec(names: ["help", "h", "?"], argument: "", help: "every key and command", choices: []) { _ in .success(.help) },
        ColonCommandSpec(names: ["q", "quit", "q!", "exit"], argument: "", help: "quit", choices: []) { _ in .success(.quit) },
    ]

    static func named(_ name: String) -> ColonCommandSpec? { table.first { $0.names.contains(name) } }

    private static func sort(_ arg: String) -> Result<ColonCommand, ColonCommand.Refusal> {
        let words = arg.lowercased().split(separator: " ").map(String.init)
        guard var col = words.first else { return .failure(.init(":sort takes a column: " + columns.joined(separator: " "))) }
        var descending: Bool? = nil
        if col.hasPrefix("-") { descending = true; col.removeFirst() }
        guard let column = sortNames[col] ?? SortColumn(rawValue: col) else {
            return .failure(.init("No column \"\(Text.printable(col, limit: 20))\": " + columns.joined(separator: " ")))
        }
        if words.count > 1 {
            switch words[1] {
            case "asc", "ascending", "up": descending = false
            case "desc", "descending", "down": descending = true
            default: return .failure(.init(":sort COLUMN [asc|desc]"))
            }
        }
        return .success(.sort(column, descending: descending))
    }

    /// What Tab can complete the word before the cursor with: command names first, then the
    /// argument's choices. `word` is what is typed of it so far.
    static func candidates(for line: String) -> (word: String, options: [String]) {
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let word = (words.last ?? "").lowercased()
        if words.count <= 1 {
            return (word, table.map(\.name).filter { $0.hasPrefix(word) })
        }
        guard let spec = named(words[0].lowercased()), words.count - 2 < spec.choices.count else { return (word, []) }
        return (word, spec.choices[words.count - 2].filter { $0.hasPrefix(word) })
    }

    /// The line after Tab: the word completed when one option fits (with a space after, when
    /// more may follow), else extended to what every option shares.
    static func complete(_ line: String) -> String {
        let (word, options) = candidates(for: line)
        guard !options.isEmpty else { return line }
        let base = String(line.dropLast(word.count))
        if options.count == 1 {
            let words = line.split(separator: " ", omittingEmptySubsequences: false)
            let position = words.count - 1   // 0: the command's name
            let spec = named(position == 0 ? options[0] : String(words[0]).lowercased())
            let more = position == 0 ? !(spec?.argument.isEmpty ?? true) : position < (spec?.choices.count ?? 0)
            return base + options[0] + (more ? " " : "")
        }
        var shared = options[0]
        for o in options.dropFirst() { while !o.hasPrefix(shared) { shared.removeLast() } }
        return base + (shared.count > word.count ? shared : word)
    }

    /// The help overlay's line: every command with its argument.
    static var summary: String { "Commands: " + table.map(\.usage).joined(separator: "  ") }
}
