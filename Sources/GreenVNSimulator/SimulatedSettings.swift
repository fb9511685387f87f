import Foundation
import GreenVNKit

/// `GET/PUT /settings`: the account settings, kept in the state file like the allocations.
extension SimulatedAPI {
    func settings() async throws -> AccountSettings {
        try await store.transaction { db, _ in try SimulatorStore.settings(db) }
    }

    /// Keys present replace (null or "" clears), keys absent keep. A bad body changes nothing
    /// and is refused with code 5 naming every bad key; an unknown flow with code 50.
    func updateSettings(body: Data) async throws -> AccountSettings {
        let flows = config.flows
        return try await store.transaction { db, _ in
            let current = try SimulatorStore.settings(db)
            switch Wire.settings(fromUpdate: body, over: current) {
            case .failure(let e):
                throw Refusal.badRequest(e.description)
            case .success(let s):
                if let flows, let flow = s.defaultFlowId, !flows.contains(flow) { throw Refusal.invalidFlow(flow) }
                try SimulatorStore.saveSettings(db, s)
                return s
            }
        }
    }

    /// `--webhook-url` and the like: the stored settings with these endpoints.
    func replaceWebhooks(_ endpoints: WebhookEndpoints) throws {
        try store.transactionSync { db, _ in
            var s = try SimulatorStore.settings(db)
            s.webhooks = endpoints
            try SimulatorStore.saveSettings(db, s)
        }
    }
}
