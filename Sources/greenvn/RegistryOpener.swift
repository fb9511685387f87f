import ArgumentParser
import Foundation
import GreenVNKit
import GreenVNPostgres
import GreenVNStore
import Logging

/// Which registry a command uses: `--registry URL`, else `GREENVN_REGISTRY_URL`, else this
/// target's SQLite file in the data directory. Every verb and the console open it here.
enum RegistryOpener {
    /// The team registry's URL, if one is chosen.
    static func url(_ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let env = environment["GREENVN_REGISTRY_URL"], !env.isEmpty { return env }
        return nil
    }

    /// `connections`: what the SQLite file is opened with (`.single` for a command that runs once).
    static func open(_ flag: String?, settings: ConnectionSettings?, dataDir: String,
                     connections: SQLiteRegistry.Connections = .single) throws -> Registry {
        guard let url = url(flag) else {
            return try SQLiteRegistry(path: DataDirectory.registryFile(for: settings, in: dataDir), connections: connections)
        }
        return try openTeam(url, target: RegistryTarget(settings))
    }

    /// The same, off Swift's cooperative pool: opening a team registry waits on the network.
    static func openOffPool(_ flag: String?, settings: ConnectionSettings?, dataDir: String,
                            connections: SQLiteRegistry.Connections = .single) async throws -> Registry {
        guard url(flag) != nil else { return try open(flag, settings: settings, dataDir: dataDir, connections: connections) }
        return try await offPool { try open(flag, settings: settings, dataDir: dataDir, connections: connections) }
    }

    static func openTeam(_ url: String, target: RegistryTarget) throws -> PostgresRegistry {
        do {
            return try PostgresRegistry(location: try PostgresLocation.parse(url), target: target,
                                        logger: Logger(label: "greenvn.registry"))
        } catch let e as PostgresRegistryError {
            throw failure(e)
        }
    }

    /// An opening failure as the CLI reports it: unreachable → exit 3, anything else → exit 2.
    static func failure(_ e: PostgresRegistryError) -> Error {
        if e.kind == .unreachable {
            Output.error(e.message)
            return ExitCode(3)
        }
        return GreenVNError.configuration(e.message)
    }
}
