import Foundation
import GreenVNKit

/// The account's settings (webhook endpoints, defaults): read and replaced over the real calls,
/// the replacement written to the audit log like any other change an operator makes.
extension Operations {
    public func accountSettings() async throws -> AccountSettings {
        try await api.settings()
    }

    /// Replaces every setting (nil clears one); audited with the fields that changed.
    public func updateAccountSettings(_ new: AccountSettings, was old: AccountSettings? = nil) async throws -> AccountSettings {
        let at = now()
        let changed = old.map { o in
            AccountSettings.fields.filter { AccountSettingsDraft(o)[$0] != AccountSettingsDraft(new)[$0] }.map(\.rawValue)
        }
        do {
            let saved = try await api.updateSettings(new)
            let what = changed.map { $0.isEmpty ? "nothing changed" : $0.joined(separator: ", ") } ?? "every setting"
            try? await registry.write { tx in try tx.audit("settings", target: "account", outcome: "ok: \(what)", now: at) }
            return saved
        } catch {
            try? await registry.write { tx in try tx.audit("settings", target: "account", outcome: AuditLog.outcome(of: error), now: at) }
            throw error
        }
    }
}
