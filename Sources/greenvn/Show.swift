import Foundation
import ArgumentParser
import GreenVNKit
import GreenVNStore

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one allocation: refreshed from the API when its greenvn_id is known, else as the registry holds it.")

    @Argument(help: allocationIdHelp) var id: String?
    @Option(name: .customLong("connection-id"), help: "The allocation's connection_id: any row the registry holds, greenvn_id known or not.")
    var connectionId: String?
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws { try await args.run() }

    var args: Args {
        Args(id: id, connectionId: connectionId, flags: connection.flags, json: output.json)
    }

    /// What was typed, however it was read (ArgumentParser or `FastParse`).
    struct Args: Equatable, Sendable {
        var id: String?
        var connectionId: String?
        var flags: [String: String] = [:]
        var json = false
    }
}

/// The verb itself.
extension Show.Args {
    func run() async throws {
        switch (id, connectionId) {
        case (nil, nil):
            throw GreenVNError.invalid(ValidationFailure([FieldError(.greenvnId, "name the allocation: `greenvn show ID` (greenvn_id, VN or connection_id) or `greenvn show --connection-id ID`")]))
        case (.some, .some):
            throw GreenVNError.invalid(ValidationFailure([FieldError(.connectionId, "give either ID or --connection-id, not both")]))
        case (let typed?, nil):
            if let bad = AllocationLookup.check(typed) { throw GreenVNError.invalid(bad) }
        case (nil, let cid?):
            if let why = Identifier.check(cid, what: "connection_id") {
                throw GreenVNError.invalid(ValidationFailure([FieldError(.connectionId, why)]))
            }
        }
        RunRecord.shared.note("id", id ?? connectionId!)
        try await Session.with(flags) { session in
            let row = try await resolve(in: session.registry)
            RunRecord.shared.note(row)
            guard let row, row.isPlaceholder else {
                // A greenvn_id (known, or as typed): Lead Assist says how it is now.
                let stored = try await session.operations.refresh(row?.id ?? id!)
                RunRecord.shared.note(stored)
                let (history, calls) = try await session.registry.read { [id = stored.id] in
                    (try $0.history(of: id), try $0.calls(of: id, limit: Self.callsShown))
                }
                present(stored, history: history, calls: calls)
                return
            }
            present(row, history: [], calls: [])
        }
    }

    /// The registry's row for what was typed; nil when it knows none (then ID is a greenvn_id).
    private func resolve(in registry: Registry) async throws -> StoredAllocation? {
        if let cid = connectionId {
            guard let row = try await registry.read({ try $0.allocation(connectionId: cid) }) else {
                throw GreenVNError.invalid(ValidationFailure([FieldError(.connectionId, """
                    no allocation in the registry has connection_id \(cid); Lead Assist cannot be asked by connection_id. \
                    `greenvn list --filter \(cid)` searches every field
                    """)]))
            }
            return row
        }
        return try await AllocationLookup.row(for: id!, in: registry)
    }

    /// The most recent calls `show` prints (the registry keeps them all).
    static let callsShown = 20

    private func present(_ s: StoredAllocation, history: [VNChange], calls: [CallRecord]) {
        if json {
            guard case .object(var o) = RowJSON.object(s) else { return }
            o["calls"] = .array(calls.map(RowJSON.call))
            Output.json(.object(o))
            return
        }
        Output.describe(s, headline: "VN")
        if history.count > 1 {
            Output.line("  VN history")
            for h in history {
                Output.line("    \(TimeText.absolute(h.at))  \(h.oldVN ?? "—") → \(h.newVN)  (\(h.how))")
            }
        }
        guard !calls.isEmpty else { return }
        // Calls come only from Lead Assist's webhooks (`greenvn webhooks`): none is not "no calls".
        Output.line("  Calls (from webhooks, newest first)")
        for c in calls {
            let talk = c.talkSeconds.map { "  talked \($0)s" } ?? ""
            Output.line("    \(TimeText.absolute(c.startedAt ?? c.receivedAt))  \(c.from) → \(c.to)  \(c.status)\(talk)")
        }
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Fetch an allocation by greenvn_id and remember it in the registry (a VN or connection_id it knows works too).")

    @Argument(help: allocationIdHelp) var id: String
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws { try await args.run() }

    var args: Args {
        Args(id: id, flags: connection.flags, json: output.json)
    }

    /// What was typed, however it was read (ArgumentParser or `FastParse`).
    struct Args: Equatable, Sendable {
        var id: String
        var flags: [String: String] = [:]
        var json = false
    }
}

/// The verb itself.
extension Import.Args {
    func run() async throws {
        if let bad = AllocationLookup.check(id) { throw GreenVNError.invalid(bad) }
        RunRecord.shared.note("id", id)
        try await Session.with(flags) { session in
            let (greenvnId, _) = try await AllocationLookup.greenvnId(for: id, in: session.registry, verb: "import")
            let stored = try await session.operations.importAllocation(greenvnId)
            RunRecord.shared.note(stored)
            if json { Output.json(stored.allocation) } else { Output.describe(stored, headline: "Imported") }
        }
    }
}

struct Deallocate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deallocate", abstract: "Deallocate an allocation (its VN goes back to the pool).")

    @Argument(help: allocationIdHelp) var id: String
    @Flag(help: "Do not ask for confirmation.") var yes = false
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws { try await args.run() }

    var args: Args {
        Args(id: id, yes: yes, flags: connection.flags, json: output.json)
    }

    /// What was typed, however it was read (ArgumentParser or `FastParse`).
    struct Args: Equatable, Sendable {
        var id: String
        var yes = false
        var flags: [String: String] = [:]
        var json = false
    }
}

/// The verb itself.
extension Deallocate.Args {
    func run() async throws {
        if let bad = AllocationLookup.check(id) { throw GreenVNError.invalid(bad) }
        if !yes, isatty(0) != 1 {
            throw GreenVNError.invalid(ValidationFailure([FieldError(.greenvnId, "deallocating needs confirmation: pass --yes when not at a terminal")]))
        }
        RunRecord.shared.note("id", id)
        try await Session.with(flags) { session in
            let (greenvnId, known) = try await AllocationLookup.greenvnId(for: id, in: session.registry, verb: "deallocate")
            RunRecord.shared.note("greenvn_id", greenvnId)
            if !yes {
                // Names what the operator is about to cut off, not only the text they typed.
                let what = known.map { "\($0.allocation.greenVN) (greenvn_id \(greenvnId), connection_id \($0.connectionId))" } ?? greenvnId
                FileHandle.standardError.write(Data("Deallocate \(Text.printable(what, limit: 200))? Callers will no longer reach each other through its VN. [y/N] ".utf8))
                guard let answer = readLine(), answer.lowercased().hasPrefix("y") else {
                    Output.note("not deallocated")
                    throw ExitCode(1)
                }
            }
            let stored = try await session.operations.deallocate(greenvnId)
            RunRecord.shared.note(stored)
            if json { Output.json(stored.allocation) } else { Output.describe(stored, headline: "Deallocated") }
        }
    }
}
