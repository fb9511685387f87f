import Foundation
import ArgumentParser
import GreenVNKit
import GreenVNStore

struct Swap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swap",
        abstract: "Swap the VN of a live allocation (any free VN unless preferences are given).")

    @Argument(help: allocationIdHelp) var id: String
    @Option(help: "Preferred VN (E.164).") var greenvn: String = ""
    @Option(help: "Preferred region: \(Region.allCases.map(\.rawValue).joined(separator: " ")).") var region: String = ""
    @Option(name: .customLong("pin-code"), help: "Preferred region by 6-digit PIN code.") var pinCode: String = ""
    @Option(help: "Preferred number type: mobile or landline.") var type: String = ""
    @Flag(help: "Swap only if every preference can be met.") var strict = false
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() async throws { try await args.run() }

    var args: Args {
        Args(id: id, greenvn: greenvn, region: region, pinCode: pinCode, type: type, strict: strict, flags: connection.flags, json: output.json)
    }

    /// What was typed, however it was read (ArgumentParser or `FastParse`).
    struct Args: Equatable, Sendable {
        var id: String
        var greenvn = "", region = "", pinCode = "", type = ""
        var strict = false
        var flags: [String: String] = [:]
        var json = false
    }
}

/// The verb itself.
extension Swap.Args {
    func run() async throws {
        if let bad = AllocationLookup.check(id) { throw GreenVNError.invalid(bad) }
        let request = try SwapDraft(greenvn: greenvn, region: region, pinCode: pinCode, type: type, strictness: strict).validate().get()
        RunRecord.shared.note("id", id)
        try await Session.with(flags) { session in
            let (greenvnId, known) = try await AllocationLookup.greenvnId(for: id, in: session.registry, verb: "swap")
            let before = known?.allocation.greenVN
            RunRecord.shared.note("greenvn_id", greenvnId)
            if let before { RunRecord.shared.note("old_vn", before) }
            let stored = try await session.operations.swap(greenvnId, request)
            RunRecord.shared.note(stored)
            if json { Output.json(stored.allocation) }
            else { Output.describe(stored, headline: before.map { "Swapped \($0) →" } ?? "Swapped to") }
        }
    }
}
