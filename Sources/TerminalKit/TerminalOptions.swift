public struct TerminalOptions: Sendable {
    /// Render only bold/dim/reverse/underline (also when NO_COLOR is set and non-empty).
    public var noColor: Bool
    /// Report the wheel and left clicks. Mouse reporting means selecting text needs Shift.
    public var mouse: Bool

    public init(noColor: Bool = false, mouse: Bool = true) {
        self.noColor = noColor
        self.mouse = mouse
    }
}

public enum TerminalError: Error, Equatable, CustomStringConvertible {
    case notATerminal
    case initFailed(String)

    public var description: String {
        switch self {
        case .notATerminal: return "standard input and output must be a terminal"
        case .initFailed(let why): return "cannot start the terminal UI: \(why)"
        }
    }
}
