import Foundation
import GreenVNStore

/// What the console keeps between sessions, per data directory: the list's sort.
struct ConsoleSettings: Equatable, Sendable, Codable {
    var sort: SortColumn
    var descending: Bool

    init(sort: SortColumn = ListQuery().sort, descending: Bool = ListQuery().descending) {
        self.sort = sort
        self.descending = descending
    }

    private enum CodingKeys: String, CodingKey { case sort, descending }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // A column this version does not know (an older or newer file) falls back to the default.
        sort = (try? c.decode(String.self, forKey: .sort)).flatMap(SortColumn.init(rawValue:)) ?? ListQuery().sort
        descending = (try? c.decode(Bool.self, forKey: .descending)) ?? ListQuery().descending
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sort.rawValue, forKey: .sort)
        try c.encode(descending, forKey: .descending)
    }
}

/// `console.json` in the data directory. The Runner reads it before the first frame; the
/// runtime writes it off the loop when the sort changes.
struct SettingsFile: Sendable {
    let path: String

    init(directory: String) { path = (directory as NSString).appendingPathComponent("console.json") }

    /// The saved settings; the defaults when there is no file or it cannot be read.
    func load() -> ConsoleSettings {
        guard let data = FileManager.default.contents(atPath: path),
              let settings = try? JSONDecoder().decode(ConsoleSettings.self, from: data) else { return ConsoleSettings() }
        return settings
    }

    func save(_ settings: ConsoleSettings) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(settings).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

extension AppState {
    /// Settings kept from an earlier session.
    mutating func apply(_ settings: ConsoleSettings) {
        list.query.sort = settings.sort
        list.query.descending = settings.descending
    }
}
