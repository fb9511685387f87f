import ArgumentParser
import Foundation
import GreenVNKit
import GreenVNPostgres
import GreenVNStore

/// `greenvn registry init URL` and `greenvn registry copy --to URL`: a team registry on PostgreSQL.
struct RegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Set up a team registry on PostgreSQL, or copy this registry into one.",
        subcommands: [RegistryInit.self, RegistryCopyCommand.self])
}

struct RegistryInit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make URL the team's registry: creates the database if it is missing, its tables and the pg_trgm extension, and binds it to this Lead Assist account.",
        discussion: """
        Run once, by someone whose PostgreSQL user may create the database (or owns it), with the \
        team's Lead Assist credentials configured. It prints the line every operator then exports. \
        Running it again changes nothing.
        """)

    @Argument(help: ArgumentHelp("postgres://user@host[:port]/db[?sslmode=require|disable]", valueName: "URL")) var url: String
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let (location, _, resolved) = try Self.prepare(url, connection)
        let target = RegistryTarget(resolved)
        let (created, counts) = try await offPool { () throws -> (Bool, TabCounts) in
            let created: Bool
            do {
                created = try PostgresRegistry.createDatabaseIfMissing(location)
            } catch let e as PostgresRegistryError {
                throw RegistryOpener.failure(e)
            }
            let registry = try RegistryOpener.openTeam(url, target: target)
            defer { registry.close() }
            return (created, try registry.counts())
        }
        Output.line("\(created ? "Created" : "Using") the team registry \(location) for \(target): " +
                    "\(counts.active) active, \(counts.vault) in the vault.")
        Output.line("Each operator runs (and puts the password in ~/.pgpass, mode 600, or PGPASSWORD):")
        Output.line("  export GREENVN_REGISTRY_URL='\(location.urlWithoutPassword)'")
        Output.line("To bring a laptop's registry along: greenvn registry copy --to \"$GREENVN_REGISTRY_URL\"")
    }

    /// What both registry verbs do first: the URL read, the data dir and greenvn.log ready (every
    /// verb leaves its line there), the Lead Assist settings resolved.
    static func prepare(_ url: String, _ connection: ConnectionOptions) throws
        -> (location: PostgresLocation, dataDir: String, settings: ConnectionSettings?) {
        let location: PostgresLocation
        do {
            location = try PostgresLocation.parse(url)
        } catch let e as PostgresRegistryError {
            throw GreenVNError.configuration(e.message)
        }
        let dataDir = DataDirectory.path()
        try DataDirectory.ensure(dataDir)
        Logs.bootstrap(dataDir: dataDir)
        return (location, dataDir, try SettingsResolver.resolve(SettingsSources(flags: connection.flags)))
    }
}

struct RegistryCopyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy this registry (allocations, VN history, audit log, calls, unsettled creates) into the team registry at URL.",
        discussion: """
        Rerunnable: what the team registry already holds is not copied again, and a row a colleague \
        changed since is not rolled back. An unsettled create is handed over: the next greenvn to \
        start on the team registry sends it, with its connection_id.
        """)

    @Option(name: .customLong("to"), help: ArgumentHelp("The team registry's URL.", valueName: "URL")) var to: String
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let (location, dataDir, resolved) = try RegistryInit.prepare(to, connection)
        let source = try await RegistryOpener.openOffPool(connection.registry, settings: resolved, dataDir: dataDir)
        if let team = source as? PostgresRegistry, team.location.description == location.description {
            throw GreenVNError.configuration("--to names the registry being copied (\(location)): nothing to do")
        }
        let destination = try await offPool { try RegistryOpener.openTeam(to, target: RegistryTarget(resolved)) }
        defer { destination.close() }
        let tty = Output.stderrIsTerminal
        let report = try await RegistryCopy.run(from: source, to: destination) { table, done in
            if tty { FileHandle.standardError.write(Data("\r\u{1B}[K\(table): \(done)".utf8)) }
        }
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        Output.line("Copied \(source.description) into \(destination.description):")
        var allocations = "  allocations  \(report.allocations) copied, \(report.allocationsKept) already there"
        if !report.conflicts.isEmpty { allocations += ", \(report.conflicts.count) kept as the team has them" }
        Output.line(allocations)
        for c in report.conflicts {
            Output.note("connection_id \(c.connectionId) belongs to another allocation in the team registry; this registry's \(c.greenvnId) was not copied")
        }
        Output.line("  VN history   \(report.history) copied")
        Output.line("  audit log    \(report.audit) copied")
        Output.line("  calls        \(report.calls) copied")
        Output.line("  outbox       \(report.outbox) unsettled create(s) handed over")
    }
}

/// Runs blocking work (connecting to a server) on a thread of its own, not Swift's cooperative pool.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (done: CheckedContinuation<T, Error>) in
        let t = Thread { done.resume(with: Result { try work() }) }
        t.start()
    }
}
