import Foundation

/// Where Lead Assist posts each kind of event (`*_webhook` in the account settings); nil: not sent.
public struct WebhookEndpoints: Equatable, Hashable, Sendable {
    public var callComplete: String?
    public var callerVerified: String?
    public var verificationFailed: String?
    public var deallocated: String?

    public init(callComplete: String? = nil, callerVerified: String? = nil,
                verificationFailed: String? = nil, deallocated: String? = nil) {
        self.callComplete = callComplete
        self.callerVerified = callerVerified
        self.verificationFailed = verificationFailed
        self.deallocated = deallocated
    }

    /// Every event to one receiver (it tells the kinds apart by their keys: `Webhooks.decode`).
    public init(all url: String) {
        self.init(callComplete: url, callerVerified: url, verificationFailed: url, deallocated: url)
    }

    public subscript(kind: WebhookKind) -> String? {
        get {
            switch kind {
            case .callComplete: return callComplete
            case .callerVerified: return callerVerified
            case .verificationFailed: return verificationFailed
            case .deallocated: return deallocated
            }
        }
        set {
            switch kind {
            case .callComplete: callComplete = newValue
            case .callerVerified: callerVerified = newValue
            case .verificationFailed: verificationFailed = newValue
            case .deallocated: deallocated = newValue
            }
        }
    }

    public var isEmpty: Bool { WebhookKind.allCases.allSatisfy { self[$0] == nil } }
}

/// The account settings of `GET/PUT /settings`. Nil means not set (the account's default applies).
public struct AccountSettings: Equatable, Hashable, Sendable {
    public var webhooks: WebhookEndpoints
    /// The call flow of an allocation created without `flow_id`.
    public var defaultFlowId: String?
    /// How long an allocation lives at most; also the lifetime of one created without a policy.
    public var maxDeallocationTime: DeallocationDuration?
    /// The region a VN is taken from when a create or swap asks for none.
    public var defaultRegion: Region?

    public init(webhooks: WebhookEndpoints = WebhookEndpoints(), defaultFlowId: String? = nil,
                maxDeallocationTime: DeallocationDuration? = nil, defaultRegion: Region? = nil) {
        self.webhooks = webhooks
        self.defaultFlowId = defaultFlowId
        self.maxDeallocationTime = maxDeallocationTime
        self.defaultRegion = defaultRegion
    }

    /// The settings' fields, in the order forms and messages list them.
    public static let fields: [Field] = [.callCompleteWebhook, .callerVerifiedWebhook, .verificationFailedWebhook,
                                         .deallocatedWebhook, .defaultFlowId, .maxDeallocationTime, .defaultRegion]
}

/// Raw input for the settings (the console's `:settings` screen, a PUT body): one string per
/// field, "" for not set. `validate()` applies the rules, naming every bad field.
public struct AccountSettingsDraft: Equatable, Sendable {
    public var callCompleteWebhook = ""
    public var callerVerifiedWebhook = ""
    public var verificationFailedWebhook = ""
    public var deallocatedWebhook = ""
    public var defaultFlowId = ""
    public var maxDeallocationTime = ""
    public var defaultRegion = ""

    public init() {}

    /// The draft that shows `s` for editing.
    public init(_ s: AccountSettings) {
        for field in AccountSettings.fields { self[field] = Self.text(field, of: s) }
    }

    /// The text of a settings field; "" for fields that are not settings.
    public subscript(field: Field) -> String {
        get {
            switch field {
            case .callCompleteWebhook: return callCompleteWebhook
            case .callerVerifiedWebhook: return callerVerifiedWebhook
            case .verificationFailedWebhook: return verificationFailedWebhook
            case .deallocatedWebhook: return deallocatedWebhook
            case .defaultFlowId: return defaultFlowId
            case .maxDeallocationTime: return maxDeallocationTime
            case .defaultRegion: return defaultRegion
            default: return ""
            }
        }
        set {
            switch field {
            case .callCompleteWebhook: callCompleteWebhook = newValue
            case .callerVerifiedWebhook: callerVerifiedWebhook = newValue
            case .verificationFailedWebhook: verificationFailedWebhook = newValue
            case .deallocatedWebhook: deallocatedWebhook = newValue
            case .defaultFlowId: defaultFlowId = newValue
            case .maxDeallocationTime: maxDeallocationTime = newValue
            case .defaultRegion: defaultRegion = newValue
            default: break
            }
        }
    }

    public func fieldErrors() -> [FieldError] {
        switch validate() {
        case .success: return []
        case .failure(let f): return f.errors
        }
    }

    public func validate() -> Result<AccountSettings, ValidationFailure> {
        var errors: [FieldError] = []
        var s = AccountSettings()
        for kind in WebhookKind.allCases {
            let raw = self[kind.settingsField]
            guard !Self.blank(raw) else { continue }
            switch WebhookURL.parse(raw) {
            case .success(let url): s.webhooks[kind] = url
            case .failure(let why): errors.append(FieldError(kind.settingsField, why))
            }
        }
        if !Self.blank(defaultFlowId) {
            let flow = defaultFlowId.trimmingCharacters(in: .whitespaces)
            if let why = Identifier.check(flow, what: "default_flow_id") { errors.append(FieldError(.defaultFlowId, why)) }
            else { s.defaultFlowId = flow }
        }
        if !Self.blank(maxDeallocationTime) {
            switch DeallocationDuration.parse(maxDeallocationTime) {
            case .success(let d): s.maxDeallocationTime = d
            case .failure(let why): errors.append(FieldError(.maxDeallocationTime, why))
            }
        }
        if !Self.blank(defaultRegion) {
            let r = defaultRegion.trimmingCharacters(in: .whitespaces)
            if let region = Region(rawValue: r.uppercased()) { s.defaultRegion = region }
            else {
                errors.append(FieldError(.defaultRegion, "\"\(Text.printable(r, limit: 24))\" is not a region: one of \(Region.allCases.map(\.rawValue).joined(separator: " ")), or empty for none"))
            }
        }
        return errors.isEmpty ? .success(s) : .failure(ValidationFailure(errors))
    }

    private static func blank(_ s: String) -> Bool { s.trimmingCharacters(in: .whitespaces).isEmpty }

    static func text(_ field: Field, of s: AccountSettings) -> String {
        switch field {
        case .defaultFlowId: return s.defaultFlowId ?? ""
        case .maxDeallocationTime: return s.maxDeallocationTime?.text ?? ""
        case .defaultRegion: return s.defaultRegion?.rawValue ?? ""
        default: return WebhookKind(settingsField: field).flatMap { s.webhooks[$0] } ?? ""
        }
    }
}

/// A webhook endpoint: an absolute http(s) URL that a server can post to.
public enum WebhookURL {
    public static let maxLength = 2_048

    public static func parse(_ raw: String) -> Result<String, RuleBroken> {
        let s = raw.trimmingCharacters(in: .whitespaces)
        let shown = Text.printable(s, limit: 60)
        if Text.hasControl(s) { return .failure("contains a control character: a URL has visible characters only") }
        if s.count > maxLength { return .failure("is \(s.count) characters long: at most \(maxLength)") }
        if s.contains(where: { $0 == " " || $0 == "\t" }) { return .failure("\"\(shown)\" has a space: percent-encode it as %20") }
        guard let c = URLComponents(string: s), let scheme = c.scheme?.lowercased() else {
            return .failure("\"\(shown)\" is not a URL: write an absolute http(s) URL, e.g. https://hooks.example.com/greenvn")
        }
        guard scheme == "http" || scheme == "https" else {
            return .failure("\"\(shown)\" is not http(s): a webhook goes to an http:// or https:// URL")
        }
        guard let host = c.host, !host.isEmpty else {
            return .failure("\"\(shown)\" has no host: write an absolute URL, e.g. https://hooks.example.com/greenvn")
        }
        return .success(s)
    }
}

/// What is wrong with a `PUT /settings` body, before or besides the field rules.
public enum SettingsUpdateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not a JSON object (or empty): nothing is changed.
    case notAnObject(snippet: String)
    /// Keys that are not settings (a typo would otherwise be silently ignored).
    case unknownKeys([String])
    /// Values that break a field's rule, every one named.
    case invalid(ValidationFailure)

    public var description: String {
        switch self {
        case .notAnObject(let snippet):
            return snippet.isEmpty ? "the body is empty: send a JSON object of settings"
                : "the body is not a JSON object (\(snippet)): send {\"default_region\": \"KA\", …}"
        case .unknownKeys(let keys):
            return "unknown setting\(keys.count == 1 ? "" : "s") \(keys.map { "\"\(Text.printable($0, limit: 40))\"" }.joined(separator: ", ")): the settings are \(AccountSettings.fields.map(\.rawValue).joined(separator: ", "))"
        case .invalid(let f):
            return f.errors.map(\.description).joined(separator: "; ")
        }
    }
}

extension Wire {
    /// The settings object: every key, `null` where not set (so a PUT of it clears what is unset).
    public static func json(_ s: AccountSettings) -> JSONValue {
        var o: [String: JSONValue] = [:]
        for field in AccountSettings.fields {
            let text = AccountSettingsDraft.text(field, of: s)
            o[field.rawValue] = text.isEmpty ? .null : .string(text)
        }
        return .object(o)
    }

    /// `PUT /settings` as the client sends it: the whole settings, a full replacement.
    public static func body(_ s: AccountSettings) -> Data { json(s).serialized() }

    /// A `PUT /settings` body over the settings in force: keys present replace (null or "" clears),
    /// keys absent keep their value. Unknown keys and wrong types are refused, each named.
    public static func settings(fromUpdate body: Data, over current: AccountSettings) -> Result<AccountSettings, SettingsUpdateError> {
        guard !body.isEmpty, body.count <= maxBodyBytes, let root = try? JSONValue.parse(body), case .object(let o) = root else {
            return .failure(.notAnObject(snippet: snippet(body)))
        }
        let known = Set(AccountSettings.fields.map(\.rawValue))
        let unknown = o.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty { return .failure(.unknownKeys(unknown)) }
        return apply(o, over: current).mapError { .invalid($0) }
    }

    /// The `data` of a settings answer. Lenient like the allocation decoder: unknown keys are
    /// ignored, numbers accepted where text is expected; a value breaking a rule is a failure.
    public static func settings(from data: JSONValue) -> Result<AccountSettings, ValidationFailure> {
        guard case .object(let o) = data else {
            return .failure(ValidationFailure([FieldError(.callCompleteWebhook, "the settings are not a JSON object")]))
        }
        return apply(o.filter { key, _ in AccountSettings.fields.contains { $0.rawValue == key } }, over: AccountSettings())
    }

    /// Reads a settings answer: the envelope as `decodeAnswer` reads it, then `data`.
    public static func decodeSettingsAnswer(httpStatus: Int, body: Data) -> Result<AccountSettings, GreenVNError> {
        envelopeData(httpStatus: httpStatus, body: body).flatMap { data in
            settings(from: data).mapError { f in
                .badResponse(httpStatus: httpStatus, snippet: "settings: " + Text.printable(f.errors.map(\.description).joined(separator: "; "), limit: 200))
            }
        }
    }

    private static func apply(_ o: [String: JSONValue], over current: AccountSettings) -> Result<AccountSettings, ValidationFailure> {
        var draft = AccountSettingsDraft(current)
        var typeErrors: [FieldError] = []
        for field in AccountSettings.fields {
            guard let value = o[field.rawValue] else { continue }
            switch value {
            case .null: draft[field] = ""
            case .string(let s): draft[field] = s
            case .int, .double:
                if let s = value.stringValue { draft[field] = s }
                else { typeErrors.append(FieldError(field, "must be a string or null, not a fractional number")) }
            case .bool, .array, .object:
                typeErrors.append(FieldError(field, "must be a string or null, not \(kindName(value))"))
            }
        }
        switch draft.validate() {
        case .success(let s): return typeErrors.isEmpty ? .success(s) : .failure(ValidationFailure(typeErrors))
        case .failure(let f):
            let typed = Set(typeErrors.map(\.field))
            return .failure(ValidationFailure(typeErrors + f.errors.filter { !typed.contains($0.field) }))
        }
    }

    static func kindName(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
