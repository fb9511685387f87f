import Foundation
import GreenVNKit
import GreenVNStore
import TerminalKit

/// Who the console talks to, for the status line.
public struct TargetInfo: Sendable, Equatable {
    public var isSimulator: Bool
    public var accountSID: String
    public var host: String

    public init(isSimulator: Bool, accountSID: String, host: String) {
        self.isSimulator = isSimulator
        self.accountSID = accountSID
        self.host = host
    }
}

/// What the executable hands the console.
public struct ConsoleContext {
    public var operations: Operations
    public var registry: Registry
    public var target: TargetInfo
    public var readOnly: Bool
    public var noColor: Bool

    public init(operations: Operations, registry: Registry, target: TargetInfo, readOnly: Bool, noColor: Bool) {
        self.operations = operations
        self.registry = registry
        self.target = target
        self.readOnly = readOnly
        self.noColor = noColor
    }
}

public enum Console {
    /// Runs the TUI until the operator quits; the terminal is restored on every way out.
    /// Returns the exit status.
    public static func run(_ context: ConsoleContext) throws -> Int32 {
        let noColor = context.noColor || !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let terminal = try Terminal(options: TerminalOptions(noColor: noColor, mouse: true))
        defer { terminal.stop() }
        return Runner(context: context, terminal: terminal).run()
    }
}
