import Foundation
import GRDB

/// Live updates across processes.
///
/// GRDB's ValueObservation only sees commits made through the same DatabasePool, not those of
/// another process (a CLI command or a bulk import next to the TUI). So every write transaction
/// bumps a one-row `change` counter, and an observer polls it every 250 ms on a background
/// queue (one indexed read of one row: no measurable CPU when idle) and calls back when it moved.
/// `PRAGMA data_version` was not used: it is per connection, and the pool's readers rotate.
extension SQLiteRegistry {
    public static let observationInterval: TimeInterval = 0.25

    /// Calls `onChange` (on an arbitrary queue) after any process commits a change. Keep the
    /// returned token alive; dropping it cancels.
    public func observe(_ onChange: @escaping @Sendable () -> Void) -> AnyObject {
        RegistryObservation(registry: self, interval: Self.observationInterval, onChange: onChange)
    }
}

final class RegistryObservation: @unchecked Sendable {
    private let timer: DispatchSourceTimer
    private var last: Int64?

    init(registry: SQLiteRegistry, interval: TimeInterval, onChange: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: "greenvn.registry.observe", qos: .utility)
        timer = DispatchSource.makeTimerSource(queue: queue)
        last = try? registry.changeCount()
        // The registry is held weakly: an observation does not keep a closed registry open.
        timer.setEventHandler { [weak self, weak registry] in
            guard let self, let registry, let n = try? registry.changeCount() else { return }
            if n != self.last {
                self.last = n
                onChange()
            }
        }
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(50))
        timer.resume()
    }

    deinit { timer.cancel() }
}
