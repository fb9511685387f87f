import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Serves one Hummingbird application in the background, on a port (0 = an ephemeral one):
/// the embedded simulator, the webhook receiver under test. `start` returns once it listens.
/// (Standalone verbs run theirs in the foreground with `runService`, until SIGINT/SIGTERM.)
public final class Serving: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    /// Stops the application gracefully (connections finish, nothing is logged as an error).
    private var group: ServiceGroup?
    private var bound = 0

    public init() {}

    /// The port it listens on (0 before `start`).
    public var port: Int { lock.withLock { bound } }

    /// `make` builds the application, calling its argument with the bound port once running.
    /// A second start rebinds rather than leaking the first server.
    @discardableResult
    public func start<App: ApplicationProtocol>(_ make: (@escaping @Sendable (Int) -> Void) -> App) async throws -> Int {
        await stop()
        let (events, sink) = AsyncStream<Result<Int, any Error>>.makeStream()
        let app = make { sink.yield(.success($0)) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "greenvn.serving", factory: { _ in SwiftLogNoOpLogHandler() })))
        let task = Task {
            do {
                try await group.run()
                sink.yield(.failure(CancellationError()))
            } catch {
                sink.yield(.failure(error))
            }
            sink.finish()
        }
        lock.withLock { self.task = task; self.group = group }
        for await event in events {
            switch event {
            case .success(let p):
                lock.withLock { bound = p }
                return p
            case .failure(let error):
                lock.withLock { self.task = nil }
                throw error
            }
        }
        throw CancellationError()
    }

    /// Stops serving; open connections are closed.
    public func stop() async {
        let (task, group) = lock.withLock { () -> (Task<Void, Never>?, ServiceGroup?) in
            defer { self.task = nil; self.group = nil }
            return (self.task, self.group)
        }
        await group?.triggerGracefulShutdown()
        await task?.value
    }

    deinit { task?.cancel() }
}
