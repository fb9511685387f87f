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
    /// Clicks select rows and tabs, the wheel scrolls; off, the terminal keeps the mouse
    /// for selecting text.
    public var mouse: Bool
    /// Where the console keeps its settings (the list's sort) between sessions; nil keeps none.
    public var dataDirectory: String?

    public init(operations: Operations, registry: Registry, target: TargetInfo, readOnly: Bool, noColor: Bool,
                mouse: Bool = true, dataDirectory: String? = nil) {
        self.operations = operations
        self.registry = registry
        self.target = target
        self.readOnly = readOnly
        self.noColor = noColor
        self.mouse = mouse
        self.dataDirectory = dataDirectory
    }
}

public enum Console {
    /// Runs the TUI until the operator quits; the terminal is restored on every way out.
    /// Returns the exit status.
    public static func run(_ context: ConsoleContext) throws -> Int32 {
        let noColor = context.noColor || !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let terminal = try Terminal(options: TerminalOptions(noColor: noColor, mouse: context.mouse))
        defer { terminal.stop() }
        #if DEBUG
        crashAfterStartIfAsked()
        #endif
        return Runner(context: context, terminal: terminal).run()
    }

    #if DEBUG
    /// Test hook of debug builds only (Tests/EndToEndTests/TerminalTests.swift, SecretsTests.swift):
    /// crash a moment after the console is up, to prove a crash gives the terminal back. It does
    /// nothing unless GREENVN_CRASH_AFTER_START is exactly "1"; a release build has no such code.
    private static func crashAfterStartIfAsked() {
        guard ProcessInfo.processInfo.environment["GREENVN_CRASH_AFTER_START"] == "1" else { return }
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)   // a test crash leaves no core file
        #if os(Linux)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        #else
        _ = setrlimit(RLIMIT_CORE, &noCore)
        #endif
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 1)
            fatalError("GREENVN_CRASH_AFTER_START test hook")
        }
    }
    #endif
}
