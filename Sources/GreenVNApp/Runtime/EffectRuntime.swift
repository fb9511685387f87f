import Foundation
import GreenVNKit
import GreenVNStore
import TerminalKit

/// What the console's effects act on. The executable's registry and operations for the
/// operator's console; fakes in tests; the registry alone for a benchmark.
struct ConsoleServices: Sendable {
    var reader: RegistryReading
    /// Nil where nothing may change (a read-only benchmark): jobs then never start.
    var operations: AllocationOperations?
    /// Puts text on the operator's clipboard; runs on the loop's thread (it writes to the terminal).
    var clipboard: @Sendable (String) -> ClipboardReport
    /// The time registry reads judge expiry by.
    var clock: @Sendable () -> Date = { Date() }
    /// Where the console's own settings live (none: nothing is kept between sessions).
    var settings: SettingsFile? = nil
}

/// The calls that change allocations, as the console's jobs.
protocol AllocationOperations: Sendable {
    func perform(_ job: Job) async -> OperationOutcome
    func reconcile() async -> ReconcileSummary
}

extension Operations: AllocationOperations {
    func perform(_ job: Job) async -> OperationOutcome {
        do {
            switch job {
            case .allocate(let r): return .success(try await allocate(r))
            case .swap(let id, let r): return .success(try await swap(id, r))
            case .refresh(let id): return .success(try await refresh(id))
            case .updateParties(let id, let u): return .success(try await updateParties(id, u))
            case .deallocate(let id): return .success(try await deallocate(id))
            case .importAllocation(let id): return .success(try await importAllocation(id))
            case .loadSettings: return .settings(try await accountSettings())
            case .saveSettings(let s, let was): return .settings(try await updateAccountSettings(s, was: was))
            }
        } catch let e as GreenVNError {
            return .failure(message: e.description, error: e)
        } catch {
            return .failure(message: String(describing: error), error: nil)
        }
    }

    func reconcile() async -> ReconcileSummary {
        let r: ReconcileReport = await reconcile()
        return ReconcileSummary(confirmed: r.confirmed.count, idUnknown: r.idUnknown, stillPending: r.stillPending,
                                refused: r.refused.map { "\($0.connectionId): \($0.error.description)" }, failure: r.failure)
    }
}

/// Where the runtime's work runs and how its answers come back: the Runner's queue and tasks
/// posting to its inbox, or the headless console's own thread.
protocol EffectExecutor: AnyObject {
    /// Registry reads, one at a time in the order asked; a nil answer is dropped.
    func serial(_ work: @escaping @Sendable () -> Action?)
    /// Calls to Lead Assist, concurrently.
    func concurrent(_ work: @escaping @Sendable () async -> Action)
    /// An answer known at once.
    func deliver(_ action: Action)
}

/// The one interpreter of effects, for the operator's loop and the headless console alike.
final class EffectRuntime {
    let services: ConsoleServices
    let executor: EffectExecutor
    /// The newest page request: an older one still queued is skipped when its turn comes (a
    /// burst of keys reads the registry once).
    private let newestPage = Latest()

    init(services: ConsoleServices, executor: EffectExecutor) {
        self.services = services
        self.executor = executor
    }

    /// Starts each effect; true when the console should quit.
    func execute(_ effects: [Effect]) -> Bool {
        var quit = false
        let reader = services.reader, clock = services.clock
        for effect in effects {
            switch effect {
            case .quit:
                quit = true
            case .loadPage(let request):
                newestPage.set(request.generation)
                let newest = newestPage
                executor.serial {
                    guard newest.get() == request.generation else { return nil }
                    do {
                        return .pageLoaded(try PageLoader.load(request, from: reader, now: clock()))
                    } catch {
                        return .pageFailed(generation: request.generation, message: String(describing: error))
                    }
                }
            case .loadDetail(let id):
                executor.serial { .detailLoaded(DetailData.load(id: id, from: reader)) }
            case .perform(let ticket, let job):
                guard let operations = services.operations else {
                    // A console without Lead Assist (a benchmark's) answers at once, so no spinner waits forever.
                    executor.deliver(.operationDone(ticket: ticket, .failure(message: "this console has no connection to Lead Assist", error: nil)))
                    continue
                }
                executor.concurrent { .operationDone(ticket: ticket, await operations.perform(job)) }
            case .reconcile:
                guard let operations = services.operations else { continue }
                executor.concurrent { .reconciled(await operations.reconcile()) }
            case .copy(let text, let what):
                executor.deliver(.copied(what: what, text: text, services.clipboard(text)))
            case .saveSettings(let settings):
                guard let file = services.settings else { continue }
                executor.serial {
                    do { try file.save(settings); return nil } catch { return .settingsNotSaved(String(describing: error)) }
                }
            }
        }
        return quit
    }
}

final class Latest: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func set(_ v: Int) { lock.lock(); value = v; lock.unlock() }
    func get() -> Int { lock.lock(); defer { lock.unlock() }; return value }
}
