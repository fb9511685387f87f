import GreenVNKit
import GreenVNStore

/// The `:` command line: `:q`, `:filter TEXT`, `:state active|vault|all`,
/// `:sort COLUMN [asc|desc]`, `:refresh`, `:help`, `:new`.
enum ColonCommand: Equatable {
    case none, quit, help, refresh, new
    case filter(String)
    case state(StateFilter)
    case sort(SortColumn, descending: Bool?)

    static let sortNames: [String: SortColumn] = [
        "vn": .vn, "greenvn": .vn, "connection_id": .connectionId, "connection": .connectionId, "conn": .connectionId,
        "aparty": .aparty, "a": .aparty, "bparty": .bparty, "b": .bparty, "usage": .usage,
        "state": .state, "expires": .expires, "expiry": .expires, "created": .created,
    ]

    static func parse(_ line: String) -> Result<ColonCommand, Refusal> {
        var text = line.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix(":") { text.removeFirst() }
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        guard let name = parts.first?.lowercased() else { return .success(.none) }
        let arg = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch name {
        case "q", "quit", "q!", "exit": return .success(.quit)
        case "help", "h", "?": return .success(.help)
        case "refresh", "r": return .success(.refresh)
        case "new", "allocate": return .success(.new)
        case "filter", "f": return .success(.filter(Text.printable(arg, limit: 200)))
        case "state", "tab":
            guard let s = StateFilter(rawValue: arg.lowercased()) else {
                return .failure(Refusal(":state takes active, vault or all (got \"\(Text.printable(arg, limit: 20))\")"))
            }
            return .success(.state(s))
        case "sort":
            let words = arg.lowercased().split(separator: " ").map(String.init)
            guard var col = words.first else { return .failure(Refusal(":sort takes a column: " + columnList)) }
            var descending: Bool? = nil
            if col.hasPrefix("-") { descending = true; col.removeFirst() }
            guard let column = sortNames[col] ?? SortColumn(rawValue: col) else {
                return .failure(Refusal("No column \"\(Text.printable(col, limit: 20))\": " + columnList))
            }
            if words.count > 1 {
                switch words[1] {
                case "asc", "ascending", "up": descending = false
                case "desc", "descending", "down": descending = true
                default: return .failure(Refusal(":sort COLUMN [asc|desc]"))
                }
            }
            return .success(.sort(column, descending: descending))
        default:
            return .failure(Refusal("Unknown command :\(Text.printable(name, limit: 20)) (try :help)"))
        }
    }

    /// Why a command line was not run, for the error toast.
    struct Refusal: Error, Equatable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    static var columnList: String { SortColumn.allCases.map(\.rawValue).joined(separator: " ") }
}
