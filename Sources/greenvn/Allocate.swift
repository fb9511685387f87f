import ArgumentParser
import Foundation
import GreenVNKit
import GreenVNStore

struct Allocate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allocate",
        abstract: "Allocate a VN between A-party and B-party numbers.",
        discussion: "Numbers in E.164 (+ and 8–15 digits); a bare 10-digit Indian mobile gets +91. Repeat --a/--b or separate numbers with commas.")

    @Option(name: .customLong("a"), help: "A-party number (repeatable).") var aparty: [String] = []
    @Option(name: .customLong("b"), help: "B-party number (repeatable).") var bparty: [String] = []
    @Option(help: "oneway (only A calls B) or twoway.") var usage: String = ""
    @Option(name: .customLong("a-pin"), help: "Pin for unknown A-party callers (repeatable).") var apin: [String] = []
    @Option(name: .customLong("b-pin"), help: "Pin for unknown B-party callers (repeatable).") var bpin: [String] = []
    @Option(name: .customLong("connection-id"), help: "Idempotency key; a fresh one is made when omitted.") var connectionId: String?
    @Flag(help: "Allocate only if every preference can be met.") var strict = false
    @Option(help: "Preferred VN (E.164).") var greenvn: String = ""
    @Option(help: "Preferred region: \(Region.allCases.map(\.rawValue).joined(separator: " ")).") var region: String = ""
    @Option(name: .customLong("pin-code"), help: "Preferred region by 6-digit PIN code.") var pinCode: String = ""
    @Option(help: "Preferred number type: mobile or landline.") var type: String = ""
    @Option(help: "Deallocate automatically after this long, e.g. 600s, 30m, 2h, 3d (5m–170d).") var duration: String = ""
    @Option(name: .customLong("flow-id"), help: "Call flow to attach to the VN.") var flowId: String = ""
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws { try await args.run() }

    var args: Args {
        Args(aparty: aparty, bparty: bparty, usage: usage, apin: apin, bpin: bpin, connectionId: connectionId, strict: strict,
             greenvn: greenvn, region: region, pinCode: pinCode, type: type, duration: duration, flowId: flowId,
             flags: connection.flags, json: output.json)
    }

    /// What was typed, however it was read (ArgumentParser or `FastParse`).
    struct Args: Equatable, Sendable {
        var aparty: [String] = [], bparty: [String] = [], usage = "", apin: [String] = [], bpin: [String] = []
        var connectionId: String?
        var strict = false
        var greenvn = "", region = "", pinCode = "", type = "", duration = "", flowId = ""
        var flags: [String: String] = [:]
        var json = false
    }
}

/// The verb itself.
extension Allocate.Args {
    func run() async throws {
        var draft = AllocationDraft()
        draft.connectionId = connectionId ?? ConnectionID.fresh()
        draft.aparty = Party.Draft(aparty, pins: apin)
        draft.bparty = Party.Draft(bparty, pins: bpin)
        draft.usage = usage
        draft.strictness = strict
        draft.greenvn = greenvn
        draft.region = region
        draft.pinCode = pinCode
        draft.type = type
        draft.duration = duration
        draft.flowId = flowId
        // Refused before anything is sent, with every invalid field named.
        let (request, warnings) = try draft.validate().get()
        Output.warnings(warnings)
        RunRecord.shared.note("connection_id", request.connectionId)
        try await Session.with(flags) { session in
            do {
                let stored = try await session.operations.allocate(request)
                RunRecord.shared.note(stored)
                if json { Output.json(stored.allocation) } else { Output.describe(stored, headline: "Allocated") }
            } catch let e as GreenVNError where e.exitCode == 3 {
                // Outcome unknown: say that the create is kept and how it is finished, or an operator
                // retrying by hand under a new connection_id would allocate a second VN.
                RunRecord.shared.note(error: e)
                Output.error(e.description)
                Output.note("""
                    the create for connection_id \(request.connectionId) is kept as pending: the next greenvn command that \
                    reaches Lead Assist (or the console) re-sends it with the same connection_id, so it is allocated at most once. \
                    Do not allocate it again under a new connection_id; `greenvn list --filter \(request.connectionId)` shows it.
                    """)
                throw ExitCode(3)
            }
        }
    }
}
