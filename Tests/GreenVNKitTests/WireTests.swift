import Foundation
import GreenVNKit
import Testing

func object(_ data: Data?) throws -> JSONValue {
    try JSONValue.parse(try #require(data))
}

// The create document's request, verbatim (curl example).
let documentedCreate = """
{
"aparty_numbers" : [
          "+919176226528", "+911234567891"
],
"bparty_numbers" : [
         "+918136966620"
],
"usage":"twoway",
"connection_id":"X1",
"deallocation_policy":{"duration":"600s"}
}
"""

@Test func createEncodesExactlyTheDocumentedRequest() throws {
    let r = AllocationRequest(connectionId: "X1", aparty: Party(["+919176226528", "+911234567891"]), bparty: Party(["+918136966620"]), usage: .twoway,
                              duration: try DeallocationDuration.parse("600s").get())
    #expect(try object(Wire.body(r)) == JSONValue.parse(Data(documentedCreate.utf8)))
}

@Test func createEncodesPreferencesTypeAndBooleanStrictness() throws {
    let r = AllocationRequest(connectionId: "c", aparty: Party(["+919176226528"], pins: [1234]), bparty: Party(["+918136966620"]), usage: .oneway, strictness: true,
                              preferences: Preferences(greenvn: "+918012345678", region: .KA, pinCode: "560001", type: .mobile),
                              flowId: "f1")
    let o = try object(Wire.body(r))
    #expect(o["strictness"] == .bool(true))
    #expect(o["preferences"]?["type"] == .string("mobile"))
    #expect(o["preferences"]?["number_type"] == nil)
    #expect(o["preferences"]?["pin_code"] == .string("560001"))
    #expect(o["aparty_pins"] == .array([.int(1234)]))
    #expect(o["bparty_pins"] == nil, "absent, not null")
    #expect(o["flow_id"] == .string("f1"))
    let text = String(decoding: Wire.body(r), as: UTF8.self)
    #expect(!text.contains("null"))
}

// The swap document's request, verbatim.
let documentedSwap = """
{
    "strictness": "false",
    "preferences": {
        "greenvn": "+917205827365",
        "region": "KA",
        "number_type": "landline"
    }
}
"""

@Test func swapEncodesNumberTypeAsTheSwapDocumentDoes() throws {
    let r = SwapRequest(strictness: false, preferences: Preferences(greenvn: "+917205827365", region: .KA, type: .landline))
    #expect(try object(Wire.body(r)) == JSONValue.parse(Data(documentedSwap.utf8)))
    #expect(Wire.body(SwapRequest()) == nil, "an empty swap goes without a body")
}

@Test func partyUpdateSendsOnlyWhatChanges() throws {
    let o = try object(Wire.body(PartyUpdate(bparty: Party.Change(numbers: ["+918136966620"]))))
    #expect(o == .object(["bparty_numbers": .array([.string("+918136966620")])]))
}

// The create document's answer, verbatim (VN as `green_vn`).
let documentedCreateAnswer = """
{
  "success": true,
  "status": 200,
  "data": {
    "connection_id": "abcd12345",
    "aparty_numbers": [
      "+918660592ZZ2"
    ],
    "bparty_numbers": [
      "+91XXX543210X"
    ],
    "usage": "oneway",
    "state": "active",
    "green_vn": "+918012345678",
    "greenvn_id": "123456"
  }
}
"""

@Test func decodesTheDocumentedAnswer() throws {
    let a = try Wire.decodeAnswer(httpStatus: 200, body: Data(documentedCreateAnswer.utf8)).get()
    #expect(a.greenVN == "+918012345678")
    #expect(a.greenvnId == "123456")
    #expect(a.connectionId == "abcd12345")
    #expect(a.state == .active && a.usage == .oneway)
}

@Test func acceptsGreenvnSpellingAndNumericIdAndUnknownFields() throws {
    let body = #"{"success":true,"status":200,"data":{"connection_id":"c","aparty_numbers":["+919176226528"],"bparty_numbers":["+918136966620"],"usage":"twoway","state":"vault","greenvn":"+917205827365","greenvn_id":123456,"aparty_pins":[1234,"5678"],"flow_id":"f","extra":{"x":1}}}"#
    let a = try Wire.decodeAnswer(httpStatus: 200, body: Data(body.utf8)).get()
    #expect(a.greenVN == "+917205827365")
    #expect(a.greenvnId == "123456")
    #expect(a.aparty.pins == [1234, 5678])
    #expect(a.state == .vault && a.flowId == "f")
}

// The create document's error, verbatim: an array holding one object.
let documentedError = """
[
    {
        "success": false,
        "status": 409,
        "code": 18,
        "message": "Allocation exists for this connection id.",
        "data": null
    }
]
"""

@Test func decodesErrorsAsArrayOrObject() throws {
    for body in [documentedError, #"{"success":false,"status":409,"code":18,"message":"Allocation exists for this connection id.","data":null}"#] {
        guard case .failure(.refused(let r)) = Wire.decodeAnswer(httpStatus: 409, body: Data(body.utf8)) else {
            Issue.record("not a refusal: \(body)"); continue
        }
        #expect(r.code == 18 && r.httpStatus == 409)
        #expect(r.description.contains("Allocation exists"))
        #expect(r.nextStep.contains("connection_id"))
    }
}

@Test func throttlingAndServerFaultsAreUnavailable() {
    for status in [429, 499, 500, 502, 503] {
        let body = Wire.errorEnvelope(status: status, code: 0, message: "x")
        guard case .failure(.unavailable) = Wire.decodeAnswer(httpStatus: status, body: body) else {
            Issue.record("\(status) not unavailable"); continue
        }
    }
    guard case .failure(.refused(let r)) = Wire.decodeAnswer(httpStatus: 452, body: Wire.errorEnvelope(status: 452, code: 4, message: "No free green VN")) else {
        Issue.record("452 not refused"); return
    }
    #expect(r.nextStep.contains("strictness"))
}

@Test(arguments: [
    ("<html><body>502 Bad Gateway</body></html>", 502),
    ("", 200),
    ("{\"success\":true,\"status\":200}", 200),
    ("[1,2]", 200),
    ("{\"data\":{\"greenvn_id\":[]}}", 200),
    ("null", 200),
    ("\"just a string\"", 200),
])
func nonLeadAssistBodiesAreTypedErrors(_ body: String, _ status: Int) {
    switch Wire.decodeAnswer(httpStatus: status, body: Data(body.utf8)) {
    case .failure(.badResponse(let s, let snippet)):
        #expect(s == status)
        #expect(!Text.hasControl(snippet))
    case let other:
        Issue.record("expected badResponse, got \(other)")
    }
}

@Test func hostileStringsNeverCarryEscapes() throws {
    let body = #"{"success":true,"status":200,"data":{"connection_id":"\u001b[2J","aparty_numbers":["+919176226528"],"bparty_numbers":["+918136966620"],"usage":"twoway","state":"active","green_vn":"+918012345678\u001b]52;c;aGk=\u0007","greenvn_id":"id\u009b"}}"#
    let a = try Wire.decodeAnswer(httpStatus: 200, body: Data(body.utf8)).get()
    for s in [a.connectionId, a.greenVN, a.greenvnId] { #expect(!Text.hasControl(s), "\(s)") }
}

@Test func deepNestingAndHugeBodiesDoNotCrash() {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    guard case .failure(.badResponse) = Wire.decodeAnswer(httpStatus: 200, body: Data(deep.utf8)) else { Issue.record("deep"); return }
    let huge = Data(repeating: 0x20, count: Wire.maxBodyBytes + 1)
    guard case .failure(.badResponse) = Wire.decodeAnswer(httpStatus: 200, body: huge) else { Issue.record("huge"); return }
}

@Test func serverSideDecodingIsLenientWhereTheDocsDisagree() throws {
    let d = try Wire.draft(fromCreate: Data(#"{"connection_id":"X1","aparty_numbers":["+919176226528"],"bparty_numbers":["+918136966620"],"usage":"twoway","strictness":"true","preferences":{"number_type":"landline"},"aparty_pins":[1234]}"#.utf8))
    #expect(d.strictness && d.type == "landline" && d.aparty.pins == ["1234"])
    let s = try Wire.draft(fromSwap: Data(documentedSwap.utf8))
    #expect(s == SwapDraft(greenvn: "+917205827365", region: "KA", type: "landline", strictness: false))
    #expect(try Wire.draft(fromSwap: Data()) == SwapDraft())
}

@Test func jsonOutputUsesGreenVNKey() throws {
    let a = Allocation(greenvnId: "g-1", connectionId: "c", aparty: Party(["+919176226528"]), bparty: Party(["+918136966620"]), usage: .twoway, state: .active, greenVN: "+918012345678")
    let o = Wire.json(a)
    #expect(o["green_vn"] == .string("+918012345678"))
    #expect(o["greenvn"] == nil)
    #expect(Wire.allocation(from: o) == a)
}

@Test func everyDocumentedErrorCodeHasAMeaningAndANextStep() {
    let documented = [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 14, 15, 16, 17, 18, 19, 20, 22, 23, 50]
    #expect(APIErrorCode.all.map(\.code) == documented)
    for c in APIErrorCode.all {
        #expect(!c.meaning.isEmpty && !c.nextStep.isEmpty)
    }
    #expect(APIErrorCode.lookup(4)?.httpStatus == 452)
    #expect(APIErrorCode.lookup(22)?.httpStatus == 410)
}
