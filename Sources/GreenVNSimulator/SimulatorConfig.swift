/// How a simulator behaves: credentials it accepts, where its state lives, its pool and faults.
public struct SimulatorConfig: Sendable {
    public var accountSID: String = "SIMULATOR"
    public var apiKey: String = "sim-key"
    public var apiToken: String = "sim-token"
    /// SQLite file (WAL) shared by every process that opens it; nil keeps state in memory (tests).
    public var statePath: String? = nil
    /// Pool size: 11 regions × {mobile, landline} × this many VNs, the same numbers every time.
    public var numbersPerRegionAndType: Int = 20
    /// Lifetime of an allocation whose create has no deallocation_policy.
    public var defaultDurationSeconds: Int = 86_400
    /// Seeds the fault rates and the tie-break between equally good VNs.
    public var seed: UInt64 = 42
    /// nil accepts any flow_id; otherwise an unknown flow_id is refused with code 50 / HTTP 422.
    public var flows: Set<String>? = nil
    /// Failure rates applied to every API request.
    public var faults: FaultRates = .none

    public init() {}
}
