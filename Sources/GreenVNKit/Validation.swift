import Foundation

/// Raw input for a create, as typed in the form, given as CLI flags, read from a CSV row or
/// decoded from a request body. `validate()` is the one place the rules are applied.
public struct AllocationDraft: Equatable, Sendable {
    public var connectionId = ""
    public var aparty = Party.Draft()
    public var bparty = Party.Draft()
    public var usage = ""
    public var strictness = false
    public var greenvn = ""
    public var region = ""
    public var pinCode = ""
    public var type = ""
    public var duration = ""
    public var flowId = ""

    public init() {}

    /// All field errors and warnings at once; empty when the draft can be sent.
    public func fieldErrors(normalizing: Bool = true) -> [FieldError] {
        switch build(normalizing: normalizing) {
        case .success(let (_, warnings)): return warnings
        case .failure(let f): return f.errors
        }
    }

    /// The request to send, plus warnings (pins over 6 digits); or every broken rule.
    public func validate(normalizing: Bool = true) -> Result<(AllocationRequest, [FieldError]), ValidationFailure> {
        build(normalizing: normalizing)
    }

    private func build(normalizing: Bool) -> Result<(AllocationRequest, [FieldError]), ValidationFailure> {
        var errors: [FieldError] = []
        if let why = Identifier.check(connectionId, what: "connection_id") {
            errors.append(FieldError(.connectionId, why, kind: connectionId.isEmpty ? .missing : .invalid))
        }
        let a = Validate.party(aparty, side: .a, normalizing: normalizing)
        let b = Validate.party(bparty, side: .b, normalizing: normalizing)
        errors += a.errors + b.errors
        errors += Validate.crossSide(a.party.numbers, b.party.numbers)
        let usageValue = Validate.usage(usage, required: true, into: &errors)
        let prefs = Validate.preferences(greenvn: greenvn, region: region, pinCode: pinCode, type: type,
                                         normalizing: normalizing, into: &errors)
        if let vn = prefs.greenvn, (a.party.numbers + b.party.numbers).contains(vn) {
            errors.append(FieldError(.greenvn, "\(vn) is one of the parties' numbers: the VN must be a different number", kind: .sameOnBothSides))
        }
        var dur: DeallocationDuration?
        if !Text.trimmed(duration).isEmpty {
            switch DeallocationDuration.parse(duration) {
            case .success(let d): dur = d
            case .failure(let why): errors.append(FieldError(.duration, why))
            }
        }
        if !flowId.isEmpty, let why = Identifier.check(flowId, what: "flow_id") {
            errors.append(FieldError(.flowId, why))
        }
        if !errors.blocking.isEmpty { return .failure(ValidationFailure(errors.blocking)) }
        let request = AllocationRequest(
            connectionId: connectionId, aparty: a.party, bparty: b.party, usage: usageValue!,
            strictness: strictness ? true : nil, preferences: prefs, duration: dur,
            flowId: flowId.isEmpty ? nil : flowId)
        return .success((request, errors.warnings))
    }
}

/// Raw input for a swap (the `S` dialog, `greenvn swap` flags, a request body).
public struct SwapDraft: Equatable, Sendable {
    public var greenvn = ""
    public var region = ""
    public var pinCode = ""
    public var type = ""
    public var strictness = false

    public init(greenvn: String = "", region: String = "", pinCode: String = "", type: String = "", strictness: Bool = false) {
        self.greenvn = greenvn
        self.region = region
        self.pinCode = pinCode
        self.type = type
        self.strictness = strictness
    }

    public func validate(normalizing: Bool = true) -> Result<SwapRequest, ValidationFailure> {
        var errors: [FieldError] = []
        let prefs = Validate.preferences(greenvn: greenvn, region: region, pinCode: pinCode, type: type,
                                         normalizing: normalizing, into: &errors)
        if !errors.blocking.isEmpty { return .failure(ValidationFailure(errors.blocking)) }
        return .success(SwapRequest(strictness: strictness ? true : (prefs.isEmpty ? nil : false), preferences: prefs))
    }
}

/// Raw input for a call-party update: only the sides given are replaced.
public struct PartyDraft: Equatable, Sendable {
    public var aparty: Party.ChangeDraft
    public var bparty: Party.ChangeDraft
    public var usage: String?

    public init(aparty: Party.ChangeDraft = Party.ChangeDraft(), bparty: Party.ChangeDraft = Party.ChangeDraft(), usage: String? = nil) {
        self.aparty = aparty
        self.bparty = bparty
        self.usage = usage
    }

    /// `current` supplies the side that is not replaced, so "same number on both sides" is
    /// checked against what the allocation will hold afterwards.
    public func validate(against current: Allocation? = nil, normalizing: Bool = true) -> Result<PartyUpdate, ValidationFailure> {
        var errors: [FieldError] = []
        if aparty.numbers == nil && bparty.numbers == nil {
            errors.append(FieldError(.apartyNumbers, "give aparty_numbers or bparty_numbers (or both) to replace", kind: .missing))
        }
        let a = Validate.change(aparty, side: .a, normalizing: normalizing)
        let b = Validate.change(bparty, side: .b, normalizing: normalizing)
        errors += a.errors + b.errors
        errors += Validate.crossSide(a.change.numbers ?? current?.aparty.numbers ?? [], b.change.numbers ?? current?.bparty.numbers ?? [])
        var usageValue: Usage?
        if let u = usage { usageValue = Validate.usage(u, required: false, into: &errors) }
        if !errors.blocking.isEmpty { return .failure(ValidationFailure(errors.blocking)) }
        return .success(PartyUpdate(aparty: a.change, bparty: b.change, usage: usageValue))
    }
}

/// The rules shared by the drafts above.
public enum Validate {
    public static let maxNumbersPerSide = 100
    public static let maxPinsPerSide = 100

    /// One side of a create: its numbers (at least one) and pins.
    public static func party(_ d: Party.Draft, side: Side, normalizing: Bool) -> (party: Party, errors: [FieldError]) {
        let n = numbers(d.numbers, field: side.numbersField, normalizing: normalizing, required: true)
        let p = pins(d.pins, field: side.pinsField)
        return (Party(n.numbers, pins: p.pins), n.errors + p.errors)
    }

    /// One side of a call-party update: only what is given is checked (and replaced).
    public static func change(_ d: Party.ChangeDraft, side: Side, normalizing: Bool) -> (change: Party.Change, errors: [FieldError]) {
        let n = d.numbers.map { numbers($0, field: side.numbersField, normalizing: normalizing, required: true) }
        let p = d.pins.map { pins($0, field: side.pinsField) }
        return (Party.Change(numbers: n?.numbers, pins: p?.pins), (n?.errors ?? []) + (p?.errors ?? []))
    }

    public static func numbers(_ raw: [String], field: Field, normalizing: Bool, required: Bool) -> (numbers: [String], errors: [FieldError]) {
        let items = raw.flatMap { normalizing ? PhoneNumber.split($0) : [$0] }
        var errors: [FieldError] = []
        if items.isEmpty {
            if required { errors.append(FieldError(field, "at least one number is required, e.g. +919876543210", kind: .missing)) }
            return ([], errors)
        }
        if items.count > maxNumbersPerSide {
            errors.append(FieldError(field, "\(items.count) numbers: at most \(maxNumbersPerSide) on one side"))
        }
        var seen: Set<String> = []
        var result: [String] = []
        for item in items.prefix(maxNumbersPerSide) {
            let outcome = normalizing ? PhoneNumber.normalize(item) : strictE164(item)
            switch outcome {
            case .success(let n):
                if seen.contains(n) {
                    errors.append(FieldError(field, "\(n) is listed twice: list each number once", kind: .duplicate))
                } else {
                    seen.insert(n)
                    result.append(n)
                }
            case .failure(let why):
                errors.append(FieldError(field, why, kind: .invalidNumber))
            }
        }
        return (result, errors)
    }

    /// On the wire nothing is normalised: the number must already be E.164.
    static func strictE164(_ s: String) -> Result<String, RuleBroken> {
        guard s.hasPrefix("+") else { return .failure("\"\(Text.printable(s, limit: 24))\" is not E.164: it must start with +") }
        return PhoneNumber.normalize(s).flatMap { $0 == s ? .success(s) : .failure("\"\(Text.printable(s, limit: 24))\" is not E.164: + then 8–15 digits, nothing else") }
    }

    public static func crossSide(_ a: [String], _ b: [String]) -> [FieldError] {
        let both = Set(a).intersection(b)
        return a.filter(both.contains).map {
            FieldError(.bpartyNumbers, "\($0) is on both the A and the B side: keep it on one side", kind: .sameOnBothSides)
        }
    }

    public static func pins(_ raw: [String], field: Field) -> (pins: [Int], errors: [FieldError]) {
        let items = raw.flatMap(Pin.split)
        var errors: [FieldError] = []
        var result: [Int] = []
        if items.count > maxPinsPerSide {
            errors.append(FieldError(field, "\(items.count) pins: at most \(maxPinsPerSide) on one side"))
        }
        for item in items.prefix(maxPinsPerSide) {
            switch Pin.parse(item) {
            case .success(let p):
                if result.contains(p) {
                    errors.append(FieldError(field, "pin \(p) is listed twice: list each pin once", kind: .duplicate))
                    continue
                }
                if String(p).count > Pin.recommendedDigits {
                    errors.append(FieldError(field, "pin \(p) has \(String(p).count) digits: callers find \(Pin.recommendedDigits) or fewer easier to type", severity: .warning))
                }
                result.append(p)
            case .failure(let why):
                errors.append(FieldError(field, why))
            }
        }
        return (result, errors)
    }

    static func usage(_ raw: String, required: Bool, into errors: inout [FieldError]) -> Usage? {
        let s = Text.trimmed(raw).lowercased()
        if s.isEmpty {
            if required { errors.append(FieldError(.usage, "usage is required: oneway or twoway", kind: .missing)) }
            return nil
        }
        guard let u = Usage(rawValue: s) else {
            errors.append(FieldError(.usage, "\"\(Text.printable(raw, limit: 24))\" is not a usage: oneway or twoway"))
            return nil
        }
        return u
    }

    static func preferences(greenvn: String, region: String, pinCode: String, type: String,
                            normalizing: Bool, into errors: inout [FieldError]) -> Preferences {
        var prefs = Preferences()
        if !Text.trimmed(greenvn).isEmpty {
            switch normalizing ? PhoneNumber.normalize(greenvn) : strictE164(greenvn) {
            case .success(let n): prefs.greenvn = n
            case .failure(let why): errors.append(FieldError(.greenvn, why, kind: .invalidNumber))
            }
        }
        let r = Text.trimmed(region)
        if !r.isEmpty {
            if let value = Region(rawValue: r.uppercased()) { prefs.region = value }
            else {
                errors.append(FieldError(.region, "\"\(Text.printable(r, limit: 24))\" is not a region: one of \(Region.allCases.map(\.rawValue).joined(separator: " "))"))
            }
        }
        if !Text.trimmed(pinCode).isEmpty {
            switch PinCode.parse(pinCode) {
            case .success(let p): prefs.pinCode = p
            case .failure(let why): errors.append(FieldError(.pinCode, why))
            }
        }
        let t = Text.trimmed(type)
        if !t.isEmpty {
            if let value = NumberType(rawValue: t.lowercased()) { prefs.type = value }
            else { errors.append(FieldError(.type, "\"\(Text.printable(t, limit: 24))\" is not a number type: mobile or landline")) }
        }
        return prefs
    }
}
