import Foundation
import ArgumentParser
import GreenVNKit
import GreenVNStore

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one allocation, refreshed from the API.")

    @Argument(help: "The allocation's greenvn_id.") var greenvnId: String
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        if let bad = GreenvnID.check(greenvnId) { throw GreenVNError.invalid(bad) }
        try await Session.with(connection) { session in
            let stored = try await session.operations.refresh(greenvnId)
            if output.json { Output.json(stored.allocation) } else {
                Output.describe(stored, headline: "VN")
                let history = try session.registry.history(of: greenvnId)
                if history.count > 1 {
                    Output.line("  VN history")
                    for h in history {
                        Output.line("    \(TimeText.absolute(h.at))  \(h.oldVN ?? "—") → \(h.newVN)  (\(h.how))")
                    }
                }
            }
        }
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Fetch an allocation by greenvn_id and remember it in the registry.")

    @Argument(help: "The allocation's greenvn_id.") var greenvnId: String
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        if let bad = GreenvnID.check(greenvnId) { throw GreenVNError.invalid(bad) }
        try await Session.with(connection) { session in
            let stored = try await session.operations.importAllocation(greenvnId)
            if output.json { Output.json(stored.allocation) } else { Output.describe(stored, headline: "Imported") }
        }
    }
}

struct Deallocate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deallocate", abstract: "Deallocate an allocation (its VN goes back to the pool).")

    @Argument(help: "The allocation's greenvn_id.") var greenvnId: String
    @Flag(help: "Do not ask for confirmation.") var yes = false
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        if let bad = GreenvnID.check(greenvnId) { throw GreenVNError.invalid(bad) }
        if !yes {
            guard isatty(0) == 1 else {
                throw GreenVNError.invalid(ValidationFailure([FieldError(.greenvnId, "deallocating needs confirmation: pass --yes when not at a terminal")]))
            }
            FileHandle.standardError.write(Data("Deallocate \(greenvnId)? Callers will no longer reach each other through its VN. [y/N] ".utf8))
            guard let answer = readLine(), answer.lowercased().hasPrefix("y") else {
                Output.note("not deallocated")
                throw ExitCode(1)
            }
        }
        try await Session.with(connection) { session in
            let stored = try await session.operations.deallocate(greenvnId)
            if output.json { Output.json(stored.allocation) } else { Output.describe(stored, headline: "Deallocated") }
        }
    }
}
