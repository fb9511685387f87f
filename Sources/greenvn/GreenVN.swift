import ArgumentParser
import Foundation
import GreenVNKit

/// Exit codes are part of the contract: 0 ok, 1 refused, 2 bad input, 3 network/server.
@main
struct GreenVN {
    static func main() async {
        let args = Array(CommandLine.arguments.dropFirst())
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
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                var sync = command
                try sync.run()
            }
        } catch let e as GreenVNError {
            Output.error(e.description)
            exit(e.exitCode)
        } catch let e as ValidationFailure {
            Output.error(GreenVNError.invalid(e).description)
            exit(2)
        } catch let e as ExitCode {
            exit(e.rawValue)
        } catch {
            let code = Root.exitCode(for: error)
            if code == .success { Root.exit(withError: error) }
            Output.error(Text.printable(Root.message(for: error), limit: 500))
            exit(code == .validationFailure ? 2 : code.rawValue)
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
                      Import.self, Bulk.self, Sim.self, WebhooksCommand.self],
        defaultSubcommand: Tui.self)
}
