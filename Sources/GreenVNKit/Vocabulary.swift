import Foundation

/// Who may call whom through the VN.
public enum Usage: String, Codable, Sendable, CaseIterable {
    case oneway, twoway
}

/// The 11 regions Lead Assist documents for a VN preference.
public enum Region: String, Codable, Sendable, CaseIterable {
    case DL, MU, MH, WB, AP, TN, GJ, KA, KL, RJ, MP
}

public enum NumberType: String, Codable, Sendable, CaseIterable {
    case mobile, landline
}

/// `active` while the VN connects the parties, `vault` once deallocated (by DELETE or expiry).
public enum AllocationState: String, Codable, Sendable, CaseIterable {
    case active, vault
}

/// A field of an allocation as the API names it; validation errors point at one of these.
public enum Field: String, Sendable, CaseIterable, Codable {
    case connectionId = "connection_id"
    case apartyNumbers = "aparty_numbers"
    case bpartyNumbers = "bparty_numbers"
    case apartyPins = "aparty_pins"
    case bpartyPins = "bparty_pins"
    case usage
    case strictness
    case greenvn = "greenvn"
    case region
    case pinCode = "pin_code"
    case type
    case duration
    case flowId = "flow_id"
    case greenvnId = "greenvn_id"
    case state
    case concurrency
    case file
    // account settings (`GET/PUT /settings`)
    case callCompleteWebhook = "call_complete_webhook"
    case callerVerifiedWebhook = "caller_verified_webhook"
    case verificationFailedWebhook = "verification_failed_webhook"
    case deallocatedWebhook = "deallocated_webhook"
    case defaultFlowId = "default_flow_id"
    case maxDeallocationTime = "max_deallocation_time"
    case defaultRegion = "default_region"

    /// The flag a CLI operator typed for this field.
    public var flag: String {
        switch self {
        case .connectionId: return "--connection-id"
        case .apartyNumbers: return "--a"
        case .bpartyNumbers: return "--b"
        case .apartyPins: return "--a-pin"
        case .bpartyPins: return "--b-pin"
        case .usage: return "--usage"
        case .strictness: return "--strict"
        case .greenvn: return "--greenvn"
        case .region: return "--region"
        case .pinCode: return "--pin-code"
        case .type: return "--type"
        case .duration: return "--duration"
        case .flowId: return "--flow-id"
        case .greenvnId: return "GREENVN_ID"
        case .state: return "--state"
        case .concurrency: return "--concurrency"
        case .file: return "FILE"
        case .callCompleteWebhook, .callerVerifiedWebhook, .verificationFailedWebhook, .deallocatedWebhook,
             .defaultFlowId, .maxDeallocationTime, .defaultRegion:
            return "--" + rawValue.replacingOccurrences(of: "_", with: "-")
        }
    }
}
