import Foundation
import GreenVNKit

/// How a simulator behaves: credentials it accepts, where its state lives, its pool and faults.
public struct SimulatorConfig: Sendable {
    public var accountSID: String = "SIMULATOR"
    public var apiKey: String = "sim-key"
    public var apiToken: String = "sim-token"
    /// SQLite file (WAL) shared by every process that opens it; nil keeps state in memory (tests).
    public var statePath: String? = nil
    /// Pool size: 11 regions × {mobile, landline} × this many VNs, the same numbers every time.
    public var numbersPerRegionAndType: Int = 20
    /// Lifetime of an allocation whose create has no deallocation_policy (unless the account
    /// settings' max_deallocation_time says otherwise).
    public var defaultDurationSeconds: Int = 86_400
    /// Seeds the fault rates and the tie-break between equally good VNs.
    public var seed: UInt64 = 42
    /// nil accepts any flow_id; otherwise an unknown flow_id is refused with code 50 / HTTP 422.
    public var flows: Set<String>? = nil
    /// Failure rates applied to every API request.
    public var faults: FaultRates = .none
    /// The key the create answers the VN under: `green_vn` as documented; `greenvn` is a quirk
    /// knob for trying a client's tolerance (also `PUT /_sim/quirks`).
    public var createVNKey: VNKey = .greenVN
    /// When set, replaces the webhook endpoints of the stored account settings at start.
    public var webhooks: WebhookEndpoints? = nil
    /// Attempts and backoff of one webhook delivery (any answer but 2xx, or none, is retried).
    public var webhookRetry = RetryPolicy(maxAttempts: 4, baseDelay: 0.5, maxDelay: 8, maxRetryAfter: 8)
    /// Seconds one delivery attempt may take.
    public var webhookTimeoutSeconds: Double = 5
    /// Random calls placed on live allocations per minute (0: none), each sending its webhooks.
    public var callsPerMinute: Double = 0

    public init() {}
}

/// The name the VN goes by in an answer's `data`.
public enum VNKey: String, Sendable, CaseIterable {
    /// As every Lead Assist document shows it.
    case greenVN = "green_vn"
    /// The spelling of the path and the preference; a client must tolerate it as the VN too.
    case greenvn
}

/// The knobs `/_sim/quirks` flips while serving, starting from the config's values.
final class Quirks: @unchecked Sendable {
    private let lock = NSLock()
    private var key: VNKey

    init(createVNKey: VNKey) { key = createVNKey }

    var createVNKey: VNKey {
        get { lock.withLock { key } }
        set { lock.withLock { key = newValue } }
    }
}
