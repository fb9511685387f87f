import Foundation
import GreenVNKit
import GreenVNStore

enum FieldKind: Equatable, Sendable {
    case text
    /// One phone number, shown normalised beside the field.
    case number
    /// Several numbers separated by commas or spaces, each shown validated.
    case numbers
    case pins
    /// Left/Right or Space cycle; the first option of an optional chooser means "not set".
    case choice([String])
}

struct FormField: Equatable, Sendable {
    let field: Field
    let label: String
    let kind: FieldKind
    let placeholder: String
    var input = TextField()
    var choice = 0

    init(_ field: Field, _ label: String, _ kind: FieldKind, placeholder: String = "", text: String = "", choice: Int = 0) {
        self.field = field
        self.label = label
        self.kind = kind
        self.placeholder = placeholder
        self.input = TextField(text)
        self.choice = choice
    }

    var isChoice: Bool { if case .choice = kind { return true } else { return false } }

    var options: [String] { if case .choice(let o) = kind { return o } else { return [] } }

    /// The raw value the Kit drafts take: "" for "any"/"off".
    var value: String {
        guard case .choice(let options) = kind else { return input.text }
        let v = options[min(max(choice, 0), options.count - 1)]
        return v == Choice.any || v == Choice.off ? "" : v
    }

    /// Each value of a numbers/pins field with Kit's verdict on it (normalised or why not).
    var items: [(raw: String, verdict: Result<String, RuleBroken>)] {
        switch kind {
        case .numbers: return PhoneNumber.split(input.text).map { ($0, PhoneNumber.normalize($0)) }
        case .pins: return Pin.split(input.text).map { ($0, Pin.parse($0).map { String($0) }) }
        case .number:
            let t = input.text.trimmingCharacters(in: .whitespaces)
            return t.isEmpty ? [] : [(t, PhoneNumber.normalize(t))]
        default: return []
        }
    }
}

enum Choice {
    static let any = "any"
    static let off = "off"
    static let on = "on"
    static let usage = Usage.allCases.map(\.rawValue)
    static let strictness = [off, on]
    static let region = [any] + Region.allCases.map(\.rawValue)
    static let type = [any] + NumberType.allCases.map(\.rawValue)

    /// How an option reads on screen: a region with its name ("KA Karnataka").
    static func label(_ field: Field, _ option: String) -> String {
        guard field == .region || field == .defaultRegion, let r = Region(rawValue: option) else { return option }
        return Format.region(r)
    }
}

/// What a form is for; the allocation it acts on travels with it.
enum FormPurpose: Equatable, Sendable {
    case allocate
    case swap(StoredAllocation)
    case parties(StoredAllocation)
    /// The account's settings as Lead Assist answered them.
    case accountSettings(AccountSettings)
}

enum SubmitProblem: Error, Equatable, Sendable {
    case invalid([FieldError])
    case nothingToSend(String)
}

/// The allocation form and the swap/call-party dialogs: fields, focus, and which errors
/// the operator has earned the right to see (touched fields, or all after a submit).
struct FormState: Equatable, Sendable {
    var purpose: FormPurpose
    var fields: [FormField]
    var focus = 0
    var touched: Set<Field> = []
    var submitAttempted = false
    /// The request in flight for this form; the form waits for its answer.
    var ticket: Int?
    /// The API's refusal of the last submit, shown in the form.
    var serverError: String?
    private let initialValues: [String]

    init(purpose: FormPurpose, fields: [FormField]) {
        self.purpose = purpose
        self.fields = fields
        self.initialValues = fields.map(\.value)
    }

    var title: String {
        switch purpose {
        case .allocate: return "New allocation"
        case .swap(let a): return "Swap \(Format.vn(a)) with preferences"
        case .parties(let a): return "Edit parties of \(Format.vn(a))"
        case .accountSettings: return "Account settings (Lead Assist)"
        }
    }

    var focused: FormField { fields[focus] }

    /// True once anything differs from what the form opened with.
    var isDirty: Bool { fields.map(\.value) != initialValues }

    func changed(_ f: Field) -> Bool {
        guard let i = fields.firstIndex(where: { $0.field == f }) else { return false }
        return fields[i].value != initialValues[i]
    }

    func value(_ f: Field) -> String { fields.first { $0.field == f }?.value ?? "" }

    /// Every error and warning Kit finds in the current values (one rule, one place).
    var allErrors: [FieldError] {
        switch submission() {
        case .success(let (_, warnings)): return warnings
        case .failure(.invalid(let errors)): return errors
        case .failure(.nothingToSend): return []
        }
    }

    /// The errors to show now: fields the operator has typed in or left, all after a submit.
    var visibleErrors: [FieldError] {
        allErrors.filter { submitAttempted || touched.contains($0.field) }
    }

    func submission() -> Result<(Job, [FieldError]), SubmitProblem> {
        switch purpose {
        case .allocate:
            switch allocationDraft.validate() {
            case .success(let (request, warnings)): return .success((.allocate(request), warnings))
            case .failure(let f): return .failure(.invalid(f.errors + pinWarnings))
            }
        case .swap(let a):
            let draft = SwapDraft(greenvn: value(.greenvn), region: value(.region), pinCode: value(.pinCode), type: value(.type),
                                  strictness: value(.strictness) == Choice.on)
            switch draft.validate() {
            case .success(let r): return .success((.swap(id: a.id, r), []))
            case .failure(let f): return .failure(.invalid(f.errors))
            }
        case .accountSettings(let was):
            guard isDirty else { return .failure(.nothingToSend("nothing changed")) }
            var draft = AccountSettingsDraft()
            for f in AccountSettings.fields { draft[f] = value(f) }
            switch draft.validate() {
            case .success(let s): return .success((.saveSettings(s, was: was), []))
            case .failure(let f): return .failure(.invalid(f.errors))
            }
        case .parties(let a):
            guard let draft = partyDraft else { return .failure(.nothingToSend("nothing changed")) }
            switch draft.validate(against: a.allocation) {
            case .success(let u): return .success((.updateParties(id: a.id, u), pinWarnings))
            case .failure(let f): return .failure(.invalid(f.errors + pinWarnings))
            }
        }
    }

    var allocationDraft: AllocationDraft {
        var d = AllocationDraft()
        d.aparty = side(.a)
        d.bparty = side(.b)
        d.usage = value(.usage)
        d.connectionId = value(.connectionId)
        d.strictness = value(.strictness) == Choice.on
        d.greenvn = value(.greenvn)
        d.region = value(.region)
        d.pinCode = value(.pinCode)
        d.type = value(.type)
        d.duration = value(.duration)
        d.flowId = value(.flowId)
        return d
    }

    /// Only the sides that changed are replaced; a side travels with its pins, and a usage
    /// change alone carries the A side (the call needs at least one side).
    var partyDraft: PartyDraft? {
        let aChanged = changed(Side.a.numbersField) || changed(Side.a.pinsField)
        let bChanged = changed(Side.b.numbersField) || changed(Side.b.pinsField)
        let usageChanged = changed(.usage)
        guard aChanged || bChanged || usageChanged else { return nil }
        var d = PartyDraft()
        if aChanged || (usageChanged && !bChanged) {
            let a = side(.a)
            d.aparty = Party.ChangeDraft(numbers: a.numbers, pins: a.pins)
        }
        if bChanged {
            let b = side(.b)
            d.bparty = Party.ChangeDraft(numbers: b.numbers, pins: b.pins)
        }
        if usageChanged { d.usage = value(.usage) }
        return d
    }

    /// One side as typed: its numbers field and its pins field.
    private func side(_ s: Side) -> Party.Draft {
        Party.Draft([value(s.numbersField)], pins: [value(s.pinsField)])
    }

    /// Validation stops at the first blocking error set, so pin warnings are gathered here
    /// too: the operator sees "7 digits" while fixing a number elsewhere.
    private var pinWarnings: [FieldError] {
        fields.filter { $0.kind == .pins }.flatMap { Validate.pins([$0.input.text], field: $0.field).errors.warnings }
    }
}

extension FormState {
    static func allocation(connectionId: String) -> FormState {
        FormState(purpose: .allocate, fields: [
            FormField(.apartyNumbers, "A-party numbers", .numbers, placeholder: "e.g. 9876543210, +919876543211"),
            FormField(.bpartyNumbers, "B-party numbers", .numbers, placeholder: "e.g. +918765432109"),
            FormField(.usage, "usage", .choice(Choice.usage), choice: Choice.usage.firstIndex(of: Usage.twoway.rawValue) ?? 0),
            FormField(.apartyPins, "A-party pins", .pins, placeholder: "optional, e.g. 1234 5678"),
            FormField(.bpartyPins, "B-party pins", .pins, placeholder: "optional"),
            FormField(.connectionId, "connection_id", .text, text: connectionId),
            FormField(.strictness, "strictness", .choice(Choice.strictness)),
            FormField(.greenvn, "greenvn (VN)", .number, placeholder: "optional, e.g. +918047110000"),
            FormField(.region, "region", .choice(Choice.region)),
            FormField(.pinCode, "pin code", .text, placeholder: "optional, e.g. 560001"),
            FormField(.type, "type", .choice(Choice.type)),
            FormField(.duration, "duration", .text, placeholder: "account default: \(Format.defaultLifetime)"),
            FormField(.flowId, "flow_id", .text, placeholder: "optional"),
        ])
    }

    /// Opens with the preferences the allocation was made with (what `s` keeps), to edit.
    static func swap(_ a: StoredAllocation) -> FormState {
        let p = a.preferences
        return FormState(purpose: .swap(a), fields: [
            FormField(.greenvn, "greenvn (VN)", .number, placeholder: "optional, e.g. +918047110000"),
            FormField(.region, "region", .choice(Choice.region), choice: p.region.flatMap { Choice.region.firstIndex(of: $0.rawValue) } ?? 0),
            FormField(.pinCode, "pin code", .text, placeholder: "optional, e.g. 560001", text: p.pinCode ?? ""),
            FormField(.type, "type", .choice(Choice.type), choice: p.type.flatMap { Choice.type.firstIndex(of: $0.rawValue) } ?? 0),
            FormField(.strictness, "strictness", .choice(Choice.strictness), choice: a.strictness ? 1 : 0),
        ])
    }

    /// Every setting, as Lead Assist holds it; an empty field clears it.
    static func accountSettings(_ s: AccountSettings) -> FormState {
        let d = AccountSettingsDraft(s)
        let url = "none, e.g. https://ops.example/webhooks"
        return FormState(purpose: .accountSettings(s), fields: [
            FormField(.callCompleteWebhook, "call complete", .text, placeholder: url, text: d[.callCompleteWebhook]),
            FormField(.callerVerifiedWebhook, "caller verified", .text, placeholder: url, text: d[.callerVerifiedWebhook]),
            FormField(.verificationFailedWebhook, "verify failed", .text, placeholder: url, text: d[.verificationFailedWebhook]),
            FormField(.deallocatedWebhook, "deallocated", .text, placeholder: url, text: d[.deallocatedWebhook]),
            FormField(.defaultFlowId, "default flow_id", .text, placeholder: "none", text: d[.defaultFlowId]),
            FormField(.maxDeallocationTime, "max lifetime", .text, placeholder: "no limit, e.g. 30d", text: d[.maxDeallocationTime]),
            FormField(.defaultRegion, "default region", .choice(Choice.region), choice: s.defaultRegion.flatMap { Choice.region.firstIndex(of: $0.rawValue) } ?? 0),
        ])
    }

    static func parties(_ a: StoredAllocation) -> FormState {
        let x = a.allocation
        return FormState(purpose: .parties(a), fields: [
            FormField(.apartyNumbers, "A-party numbers", .numbers, text: x.aparty.numbers.joined(separator: ", ")),
            FormField(.bpartyNumbers, "B-party numbers", .numbers, text: x.bparty.numbers.joined(separator: ", ")),
            FormField(.apartyPins, "A-party pins", .pins, placeholder: "none", text: x.aparty.pins.map(String.init).joined(separator: " ")),
            FormField(.bpartyPins, "B-party pins", .pins, placeholder: "none", text: x.bparty.pins.map(String.init).joined(separator: " ")),
            FormField(.usage, "usage", .choice(Choice.usage), choice: Choice.usage.firstIndex(of: x.usage.rawValue) ?? 0),
        ])
    }
}
