import ArgumentParser
import Foundation
import GreenVNApp
import GreenVNKit

struct Tui: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tui", abstract: "The operator console (the default command).")

    @Flag(name: .customLong("read-only"), help: "Browse only: every action that changes an allocation is disabled.")
    var readOnly = false
    @Flag(name: .customLong("no-color"), help: "Monochrome: bold, reverse and underline only (also NO_COLOR).")
    var noColor = false
    @Flag(name: .customLong("no-mouse"), help: "Leave the mouse to the terminal (select text without Shift); no clicks or wheel in the console.")
    var noMouse = false
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw GreenVNError.configuration("the console needs a terminal; use the CLI verbs (`greenvn --help`) in scripts")
        }
        // Reconciling is the console's own first job, shown in its UI, not on stderr.
        let status = try await Session.with(connection.flags, connections: .pool, reconcile: false, quiet: true, startInBackground: true) { session in
            let context = ConsoleContext(operations: session.operations, registry: session.registry, target: session.target,
                                         readOnly: readOnly, noColor: noColor || !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty,
                                         mouse: !noMouse, dataDirectory: DataDirectory.path())
            // ncurses wants one thread of its own for the whole session, not a pooled one.
            return try await withCheckedThrowingContinuation { (done: CheckedContinuation<Int32, Error>) in
                let thread = Thread {
                    do { done.resume(returning: try Console.run(context)) } catch { done.resume(throwing: error) }
                }
                thread.name = "greenvn.terminal"
                thread.stackSize = 8 << 20
                thread.start()
            }
        }
        if status != 0 { throw ExitCode(status) }
    }
}
