import Foundation

/// The bytes on the wire, per call, exactly as the public docs show them.
public enum Wire {
    // MARK: encoding (client → Lead Assist)

    /// Create: `preferences.type`, a boolean `strictness`, optional fields absent (never null).
    public static func body(_ r: AllocationRequest) -> Data {
        var o: [String: JSONValue] = [
            "connection_id": .string(r.connectionId),
            "usage": .string(r.usage.rawValue),
        ]
        put(r.aparty, .a, into: &o)
        put(r.bparty, .b, into: &o)
        if let s = r.strictness { o["strictness"] = .bool(s) }
        if let p = preferences(r.preferences, typeKey: "type") { o["preferences"] = p }
        if let d = r.duration { o["deallocation_policy"] = .object(["duration": .string(d.text)]) }
        if let f = r.flowId { o["flow_id"] = .string(f) }
        return JSONValue.object(o).serialized()
    }

    /// Swap: `preferences.number_type` and `strictness` as the string the swap example sends.
    /// Nil when there is nothing to ask for: the PUT then goes without a body.
    public static func body(_ r: SwapRequest) -> Data? {
        if r.isEmpty { return nil }
        var o: [String: JSONValue] = [:]
        if let s = r.strictness { o["strictness"] = .string(s ? "true" : "false") }
        if let p = preferences(r.preferences, typeKey: "number_type") { o["preferences"] = p }
        return JSONValue.object(o).serialized()
    }

    public static func body(_ u: PartyUpdate) -> Data {
        var o: [String: JSONValue] = [:]
        for (side, change) in [(Side.a, u.aparty), (.b, u.bparty)] {
            if let n = change.numbers { o[side.numbersField.rawValue] = jsonArray(n) }
            if let p = change.pins { o[side.pinsField.rawValue] = jsonArray(p) }
        }
        if let us = u.usage { o["usage"] = .string(us.rawValue) }
        return JSONValue.object(o).serialized()
    }

    /// A side's numbers, and its pins when it has any (absent, never an empty list).
    private static func put(_ p: Party, _ side: Side, into o: inout [String: JSONValue]) {
        o[side.numbersField.rawValue] = jsonArray(p.numbers)
        if !p.pins.isEmpty { o[side.pinsField.rawValue] = jsonArray(p.pins) }
    }

    private static func jsonArray(_ items: [String]) -> JSONValue { .array(items.map(JSONValue.string)) }
    private static func jsonArray(_ items: [Int]) -> JSONValue { .array(items.map { .int(Int64($0)) }) }

    /// The preferences object as the create (`typeKey` "type") or swap ("number_type") call spells it; nil when empty.
    public static func preferences(_ p: Preferences, typeKey: String) -> JSONValue? {
        if p.isEmpty { return nil }
        var o: [String: JSONValue] = [:]
        if let v = p.greenvn { o["greenvn"] = .string(v) }
        if let v = p.region { o["region"] = .string(v.rawValue) }
        if let v = p.pinCode { o["pin_code"] = .string(v) }
        if let v = p.type { o[typeKey] = .string(v.rawValue) }
        return .object(o)
    }

    /// The allocation object as `--json` prints it and the simulator answers it: `green_vn`.
    public static func json(_ a: Allocation, vnKey: String = "green_vn") -> JSONValue {
        var o: [String: JSONValue] = [
            "greenvn_id": .string(a.greenvnId),
            "connection_id": .string(a.connectionId),
            "usage": .string(a.usage.rawValue),
            "state": .string(a.state.rawValue),
            vnKey: .string(a.greenVN),
        ]
        put(a.aparty, .a, into: &o)
        put(a.bparty, .b, into: &o)
        if let f = a.flowId { o["flow_id"] = .string(f) }
        return .object(o)
    }

    // MARK: decoding (Lead Assist → client)

    /// Largest answer body read; anything bigger is not an allocation.
    public static let maxBodyBytes = 1 << 20

    /// Reads an answer: the envelope as an object or an array holding one, `green_vn` or
    /// `greenvn`, ids as strings or numbers, unknown fields ignored. Never traps.
    public static func decodeAnswer(httpStatus: Int, body: Data) -> Result<Allocation, GreenVNError> {
        envelopeData(httpStatus: httpStatus, body: body).flatMap { data in
            allocation(from: data).map { .success($0) } ?? .failure(.badResponse(httpStatus: httpStatus, snippet: Self.snippet(body)))
        }
    }

    /// The `data` of a successful envelope (object or one-element array), or the typed refusal
    /// it carries; shared by every call's answer.
    static func envelopeData(httpStatus: Int, body: Data) -> Result<JSONValue, GreenVNError> {
        var snippet: String { Self.snippet(body) }   // only a failure shows it
        guard !body.isEmpty else { return .failure(.badResponse(httpStatus: httpStatus, snippet: "(empty body)")) }
        guard body.count <= maxBodyBytes, let root = try? JSONValue.parse(body) else {
            return .failure(.badResponse(httpStatus: httpStatus, snippet: snippet))
        }
        var envelope = root
        if let items = root.arrayValue {
            guard items.count == 1, case .object = items[0] else { return .failure(.badResponse(httpStatus: httpStatus, snippet: snippet)) }
            envelope = items[0]
        }
        guard case .object = envelope else { return .failure(.badResponse(httpStatus: httpStatus, snippet: snippet)) }
        let success = envelope["success"]?.boolValue
        let status = envelope["status"]?.stringValue.flatMap { Int($0) } ?? httpStatus
        let code = envelope["code"]?.stringValue.flatMap { Int($0) }
        if success == false || !(200...299).contains(httpStatus) || code != nil && success != true {
            let message = envelope["message"]?.stringValue ?? ""
            let refusal = APIRefusal(httpStatus: (200...299).contains(httpStatus) ? status : httpStatus, code: code, message: message)
            return .failure(classify(refusal))
        }
        guard let data = envelope["data"] else { return .failure(.badResponse(httpStatus: httpStatus, snippet: snippet)) }
        return .success(data)
    }

    /// Throttling, timeouts and server faults are `unavailable` (retryable); the rest are refusals.
    static func classify(_ r: APIRefusal) -> GreenVNError {
        if r.httpStatus == 429 || r.httpStatus == 499 || r.httpStatus >= 500 || r.code == 0 { return .unavailable(r) }
        return .refused(r)
    }

    public static func allocation(from data: JSONValue) -> Allocation? {
        guard case .object = data,
              let id = data["greenvn_id"]?.stringValue, !id.isEmpty,
              let vn = (data["green_vn"] ?? data["greenvn"])?.stringValue,
              let usageText = data["usage"]?.stringValue, let usage = Usage(rawValue: usageText.lowercased()),
              let a = strings(data["aparty_numbers"]), let b = strings(data["bparty_numbers"])
        else { return nil }
        let state = data["state"]?.stringValue.flatMap { AllocationState(rawValue: $0.lowercased()) } ?? .active
        return Allocation(
            greenvnId: Text.printable(id, limit: 128), connectionId: Text.printable(data["connection_id"]?.stringValue ?? "", limit: 128),
            aparty: Party(a, pins: ints(data["aparty_pins"])), bparty: Party(b, pins: ints(data["bparty_pins"])),
            usage: usage, state: state, greenVN: Text.printable(vn, limit: 32),
            flowId: data["flow_id"]?.stringValue.map { Text.printable($0, limit: 128) })
    }

    private static func strings(_ v: JSONValue?) -> [String]? {
        guard let items = v?.arrayValue else { return nil }
        return items.compactMap { $0.stringValue.map { Text.printable($0, limit: 32) } }
    }

    private static func ints(_ v: JSONValue?) -> [Int] {
        (v?.arrayValue ?? []).compactMap { $0.stringValue.flatMap { Int($0) } }
    }

    /// A short, printable piece of a body for error messages.
    public static func snippet(_ body: Data) -> String {
        let text = String(decoding: body.prefix(120), as: UTF8.self)
        let collapsed = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return Text.printable(collapsed, limit: 80)
    }

    // MARK: decoding requests (the simulator's side)

    /// A create body as the raw draft the shared validation checks. Lenient on spelling
    /// (`type`/`number_type`, bool/string strictness, numeric/string pins).
    /// A request body must be one JSON object.
    /// Throws only GreenVNError (not the decoder's DecodingError), like `decodeAnswer`.
    static func object(_ body: Data) throws -> JSONValue {
        guard let root = try? JSONValue.parse(body) else {
            throw GreenVNError.badResponse(httpStatus: 400, snippet: "body is not JSON: \(snippet(body))")
        }
        guard case .object = root else { throw GreenVNError.badResponse(httpStatus: 400, snippet: "body is not a JSON object") }
        return root
    }

    public static func draft(fromCreate body: Data) throws -> AllocationDraft {
        let root = try object(body)
        var d = AllocationDraft()
        d.connectionId = root["connection_id"]?.stringValue ?? ""
        d.aparty = Party.Draft(rawList(root["aparty_numbers"]), pins: rawList(root["aparty_pins"]))
        d.bparty = Party.Draft(rawList(root["bparty_numbers"]), pins: rawList(root["bparty_pins"]))
        d.usage = root["usage"]?.stringValue ?? ""
        d.strictness = root["strictness"]?.boolValue ?? false
        let prefs = root["preferences"]
        d.greenvn = prefs?["greenvn"]?.stringValue ?? ""
        d.region = prefs?["region"]?.stringValue ?? ""
        d.pinCode = prefs?["pin_code"]?.stringValue ?? ""
        d.type = (prefs?["type"] ?? prefs?["number_type"])?.stringValue ?? ""
        d.duration = root["deallocation_policy"]?["duration"]?.stringValue ?? ""
        d.flowId = root["flow_id"]?.stringValue ?? ""
        return d
    }

    public static func draft(fromSwap body: Data) throws -> SwapDraft {
        if body.isEmpty { return SwapDraft() }
        let root = try object(body)
        let prefs = root["preferences"]
        return SwapDraft(greenvn: prefs?["greenvn"]?.stringValue ?? "",
                         region: prefs?["region"]?.stringValue ?? "",
                         pinCode: prefs?["pin_code"]?.stringValue ?? "",
                         type: (prefs?["number_type"] ?? prefs?["type"])?.stringValue ?? "",
                         strictness: root["strictness"]?.boolValue ?? false)
    }

    public static func draft(fromPartyUpdate body: Data) throws -> PartyDraft {
        let root = try object(body)
        func list(_ key: String) -> [String]? { root[key].map(rawList) }
        return PartyDraft(aparty: Party.ChangeDraft(numbers: list("aparty_numbers"), pins: list("aparty_pins")),
                          bparty: Party.ChangeDraft(numbers: list("bparty_numbers"), pins: list("bparty_pins")),
                          usage: root["usage"]?.stringValue)
    }

    private static func rawList(_ v: JSONValue?) -> [String] {
        guard let v else { return [] }
        if let items = v.arrayValue { return items.map { $0.stringValue ?? "\u{FFFD}" } }
        return v.stringValue.map { [$0] } ?? ["\u{FFFD}"]
    }

    /// The envelope Lead Assist answers with.
    public static func envelope(status: Int, data: JSONValue) -> Data {
        JSONValue.object(["success": .bool(true), "status": .int(Int64(status)), "data": data]).serialized()
    }

    /// An error envelope, array-wrapped as in the create document.
    public static func errorEnvelope(status: Int, code: Int, message: String, arrayWrapped: Bool = true) -> Data {
        let o = JSONValue.object(["success": .bool(false), "status": .int(Int64(status)), "code": .int(Int64(code)),
                                  "message": .string(message), "data": .null])
        return (arrayWrapped ? JSONValue.array([o]) : o).serialized()
    }
}
