import ArgumentParser
import Foundation
import GreenVNKit

/// Exit codes are part of the contract: 0 ok, 1 refused, 2 bad input, 3 network/server.
@main
struct GreenVN {
    static func main() async {
        let args = Array(CommandLine.arguments.dropFirst())
        // One event-loop thread for a command that makes one call at a time, not one per core.
        if FastParse.isOneShot(args.first) { LeadAssistClient.oneEventLoop() }
        if let fast = FastParse.invocation(args) {
            let started = ContinuousClock.now
            let code = await run { try await fast.run() }
            RunRecord.shared.finish(verb: fast.name, exitCode: code, started: started)
            exit(code)
        }
        if let unknown = Verbs.unknown(in: args) {
            FileHandle.standardError.write(Data((Verbs.message(for: unknown) + "\n").utf8))
            exit(2)
        }
        let command: ParsableCommand
        do {
            command = try Root.parseAsRoot(args)
        } catch {
            // Usage errors are bad input (2), not ArgumentParser's 64; help/version exit 0.
            let code = Root.exitCode(for: error)
            if code == .success { Root.exit(withError: error) }
            // The message quotes what was typed: keep its lines, but no escape reaches the terminal.
            let message = Root.fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: false)
                .map { Text.printable(String($0), limit: 4_000) }.joined(separator: "\n")
            FileHandle.standardError.write(Data((message + "\n").utf8))
            exit(2)
        }
        let started = ContinuousClock.now
        let code = await run {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var sync = command
                try sync.run()
            }
        }
        RunRecord.shared.finish(verb: type(of: command).configuration.commandName ?? "greenvn", exitCode: code, started: started)
        exit(code)
    }

    /// Runs a command; its exit code, once every error has been printed.
    private static func run(_ body: () async throws -> Void) async -> Int32 {
        do {
            try await body()
            return 0
        } catch let e as GreenVNError {
            RunRecord.shared.note(error: e)
            Output.error(e.description)
            return e.exitCode
        } catch let e as ValidationFailure {
            RunRecord.shared.note(error: GreenVNError.invalid(e))
            Output.error(GreenVNError.invalid(e).description)
            return 2
        } catch let e as ExitCode {
            return e.rawValue
        } catch {
            let code = Root.exitCode(for: error)
            if code == .success { Root.exit(withError: error) }
            let message = Text.printable(Root.message(for: error), limit: 500)
            RunRecord.shared.note("error", message)
            Output.error(message)
            return code == .validationFailure ? 2 : code.rawValue
        }
    }
}

struct Root: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "greenvn",
        abstract: "An operator's console for Exotel Lead Assist GreenVN (virtual-number masking).",
        discussion: """
        With no credentials configured every command runs on the embedded simulator, whose state \
        lives in the data directory ($GREENVN_HOME, else $XDG_DATA_HOME/greenvn).
        Credentials: --account-sid/--api-key/--api-token, or EXOTEL_ACCOUNT_SID, EXOTEL_API_KEY, \
        EXOTEL_API_TOKEN, or $XDG_CONFIG_HOME/greenvn/config.toml (mode 600).
        Exit codes: 0 success, 1 the API refused, 2 bad input, 3 network or server failure.
        """,
        version: "1.0.0",
        subcommands: [Tui.self, Allocate.self, Swap.self, Show.self, List.self, Deallocate.self,
                      Import.self, Bulk.self, Sim.self, WebhooksCommand.self, RegistryCommand.self],
        defaultSubcommand: Tui.self)
}

/// The verbs, as the parser knows them. The default command (the console) takes no positional
/// argument, so without this check a mistyped verb reached it as an "unexpected argument".
enum Verbs {
    static var all: [String] {
        Root.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
    }

    /// The first argument when it should be a verb and is none (options go to the console).
    static func unknown(in args: [String]) -> String? {
        guard let first = args.first, !first.hasPrefix("-"), !all.contains(first) else { return nil }
        return first
    }

    static func message(for typed: String) -> String {
        let shown = Text.printable(typed, limit: 40)
        let scored = all.map { ($0, distance($0, typed.lowercased())) }
        let best = scored.map(\.1).min() ?? .max
        let near = best <= 2 ? scored.filter { $0.1 == best }.map(\.0) : []
        let hint = near.isEmpty ? "" : " Did you mean \(near.map { "`greenvn \($0)`" }.joined(separator: " or "))?"
        return """
            greenvn: unknown verb "\(shown)".\(hint)
            Verbs: \(all.filter { $0 != "help" }.joined(separator: ", ")). `greenvn --help` describes them; \
            `greenvn` alone opens the console.
            """
    }

    /// Edits (insert, delete, replace, swap two neighbours) from one word to the other: "lsit" is one from "list".
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }
}
