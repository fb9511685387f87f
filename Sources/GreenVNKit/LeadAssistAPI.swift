import Foundation

/// The five documented allocation calls and the account settings. `LeadAssistClient` speaks them over HTTP; every error thrown is a
/// `GreenVNError`.
public protocol LeadAssistAPI: Sendable {
    /// `POST /greenvn`. Retried with the same connection_id after a lost answer; a 409/code 18
    /// on such a retry throws `.allocatedResponseLost`, never a plain refusal.
    func create(_ request: AllocationRequest) async throws -> Allocation
    /// The same, with the body already written (`Wire.body(request)`): a caller that stores the
    /// body before sending it (the outbox) encodes each create once.
    func create(_ request: AllocationRequest, body: Data) async throws -> Allocation
    /// `GET /greenvn/<id>`.
    func details(_ greenvnId: String) async throws -> Allocation
    /// `PUT /greenvn/<id>/vn`. A lost answer is resolved with a GET (the VN differs from
    /// `knownVN` → it happened), never blindly re-sent.
    func swap(_ greenvnId: String, _ request: SwapRequest, knownVN: String?) async throws -> Allocation
    /// `PUT /greenvn/<id>/call-party`.
    func updateParties(_ greenvnId: String, _ update: PartyUpdate) async throws -> Allocation
    /// `DELETE /greenvn/<id>`. A 410/code 22 on a retry means the first attempt landed.
    func deallocate(_ greenvnId: String) async throws -> Allocation
    /// `GET /settings`: the account settings in force (webhook endpoints and defaults).
    func settings() async throws -> AccountSettings
    /// `PUT /settings`: replaces every setting (nil ones are cleared) and answers what is now in
    /// force. Idempotent, so retried like a GET.
    func updateSettings(_ settings: AccountSettings) async throws -> AccountSettings
}

extension LeadAssistAPI {
    public func create(_ request: AllocationRequest, body: Data) async throws -> Allocation { try await create(request) }
}
