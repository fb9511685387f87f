import Foundation

/// What the operator would like the VN to be. Honoured as far as the pool allows unless strict.
public struct Preferences: Equatable, Hashable, Sendable, Codable {
    public var greenvn: String?
    public var region: Region?
    public var pinCode: String?
    public var type: NumberType?

    public init(greenvn: String? = nil, region: Region? = nil, pinCode: String? = nil, type: NumberType? = nil) {
        self.greenvn = greenvn
        self.region = region
        self.pinCode = pinCode
        self.type = type
    }

    public var isEmpty: Bool { greenvn == nil && region == nil && pinCode == nil && type == nil }

    /// "KA · mobile · +9180…" for lists and summaries; "" when nothing was asked for.
    public var summary: String {
        [region?.rawValue, pinCode.map { "pin \($0)" }, type?.rawValue, greenvn].compactMap { $0 }.joined(separator: " · ")
    }
}

/// `POST /greenvn`: everything the create call documents.
public struct AllocationRequest: Equatable, Hashable, Sendable {
    public var connectionId: String
    public var aparty: Party
    public var bparty: Party
    public var usage: Usage
    public var strictness: Bool?
    public var preferences: Preferences
    public var duration: DeallocationDuration?
    public var flowId: String?

    public init(connectionId: String, aparty: Party, bparty: Party, usage: Usage,
                strictness: Bool? = nil, preferences: Preferences = Preferences(),
                duration: DeallocationDuration? = nil, flowId: String? = nil) {
        self.connectionId = connectionId
        self.aparty = aparty
        self.bparty = bparty
        self.usage = usage
        self.strictness = strictness
        self.preferences = preferences
        self.duration = duration
        self.flowId = flowId
    }
}

/// `PUT /greenvn/<id>/vn`: an empty request takes any free VN.
public struct SwapRequest: Equatable, Hashable, Sendable {
    public var strictness: Bool?
    public var preferences: Preferences

    public init(strictness: Bool? = nil, preferences: Preferences = Preferences()) {
        self.strictness = strictness
        self.preferences = preferences
    }

    public var isEmpty: Bool { strictness == nil && preferences.isEmpty }
}

/// `PUT /greenvn/<id>/call-party`: replaces one or both sides (and optionally pins and usage).
public struct PartyUpdate: Equatable, Hashable, Sendable {
    public var aparty: Party.Change
    public var bparty: Party.Change
    public var usage: Usage?

    public init(aparty: Party.Change = Party.Change(), bparty: Party.Change = Party.Change(), usage: Usage? = nil) {
        self.aparty = aparty
        self.bparty = bparty
        self.usage = usage
    }

    /// True when `a` already shows everything this update asks for.
    public func isApplied(to a: Allocation) -> Bool {
        aparty.isApplied(to: a.aparty) && bparty.isApplied(to: a.bparty) && (usage.map { $0 == a.usage } ?? true)
    }
}

/// An allocation as Lead Assist describes it (`data` of create, details, swap, deallocate).
public struct Allocation: Equatable, Hashable, Sendable {
    /// Opaque (UUID-like); never parsed as a number.
    public var greenvnId: String
    public var connectionId: String
    public var aparty: Party
    public var bparty: Party
    public var usage: Usage
    public var state: AllocationState
    /// The VN: `green_vn` on the wire (a client also accepts `greenvn`).
    public var greenVN: String
    public var flowId: String?

    public init(greenvnId: String, connectionId: String, aparty: Party, bparty: Party, usage: Usage,
                state: AllocationState, greenVN: String, flowId: String? = nil) {
        self.greenvnId = greenvnId
        self.connectionId = connectionId
        self.aparty = aparty
        self.bparty = bparty
        self.usage = usage
        self.state = state
        self.greenVN = greenVN
        self.flowId = flowId
    }
}
