import GreenVNKit
import Testing

/// One row: a draft change, and the field that must be refused (nil = valid).
struct Case: CustomStringConvertible, Sendable {
    let name: String
    let field: Field?
    let severity: FieldError.Severity
    let edit: @Sendable (inout AllocationDraft) -> Void
    var description: String { name }

    init(_ name: String, _ field: Field?, severity: FieldError.Severity = .error, _ edit: @escaping @Sendable (inout AllocationDraft) -> Void) {
        self.name = name
        self.field = field
        self.severity = severity
        self.edit = edit
    }
}

func validDraft() -> AllocationDraft {
    var d = AllocationDraft()
    d.connectionId = "X1"
    d.aparty.numbers = ["+919176226528", "+911234567891"]
    d.bparty.numbers = ["+918136966620"]
    d.usage = "twoway"
    return d
}

let cases: [Case] = [
    // valid
    Case("documented example", nil) { _ in },
    Case("oneway", nil) { $0.usage = "oneway" },
    Case("usage in capitals", nil) { $0.usage = "TWOWAY" },
    Case("spaces in number", nil) { $0.aparty.numbers = ["+91 91762 26528"] },
    Case("dashes and parentheses", nil) { $0.aparty.numbers = ["+91-(917)-622-6528"] },
    Case("bare Indian mobile", nil) { $0.bparty.numbers = ["9876543210"] },
    Case("comma separated in one field", nil) { $0.aparty.numbers = ["+919176226528, +911234567891"] },
    Case("8-digit international", nil) { $0.aparty.numbers = ["+12345678"] },
    Case("15-digit international", nil) { $0.aparty.numbers = ["+123456789012345"] },
    Case("pins", nil) { $0.aparty.pins = ["1234"]; $0.bparty.pins = ["5678", "9999"] },
    Case("6-digit pin", nil) { $0.aparty.pins = ["123456"] },
    Case("duration seconds", nil) { $0.duration = "600s" },
    Case("duration minutes", nil) { $0.duration = "5m" },
    Case("duration hours", nil) { $0.duration = "1h" },
    Case("duration days max", nil) { $0.duration = "170d" },
    Case("region", nil) { $0.region = "KA" },
    Case("region lowercase", nil) { $0.region = "ka" },
    Case("pin code", nil) { $0.pinCode = "560001" },
    Case("type landline", nil) { $0.type = "landline" },
    Case("preferred VN", nil) { $0.greenvn = "+918012345678" },
    Case("strict", nil) { $0.strictness = true },
    Case("flow id", nil) { $0.flowId = "flow-42" },
    Case("64-char connection_id", nil) { $0.connectionId = String(repeating: "x", count: 64) },
    // warnings (still valid)
    Case("7-digit pin warns", .apartyPins, severity: .warning) { $0.aparty.pins = ["1234567"] },
    Case("mobile number as pin warns", .bpartyPins, severity: .warning) { $0.bparty.pins = ["9876543210"] },
    // invalid
    Case("no A-party", .apartyNumbers) { $0.aparty.numbers = [] },
    Case("no B-party", .bpartyNumbers) { $0.bparty.numbers = [] },
    Case("letters in number", .apartyNumbers) { $0.aparty.numbers = ["+91abc6528"] },
    Case("7 digits", .apartyNumbers) { $0.aparty.numbers = ["+1234567"] },
    Case("16 digits", .bpartyNumbers) { $0.bparty.numbers = ["+1234567890123456"] },
    Case("country code 0", .apartyNumbers) { $0.aparty.numbers = ["+0123456789"] },
    Case("9 bare digits", .apartyNumbers) { $0.aparty.numbers = ["987654321"] },
    Case("bare 10 digits starting 5", .apartyNumbers) { $0.aparty.numbers = ["5876543210"] },
    Case("plus alone", .apartyNumbers) { $0.aparty.numbers = ["+"] },
    Case("number twice on a side", .apartyNumbers) { $0.aparty.numbers = ["+919176226528", "+91 9176226528"] },
    Case("same number both sides", .bpartyNumbers) { $0.bparty.numbers = ["+919176226528"] },
    Case("same number both sides after normalising", .bpartyNumbers) { $0.bparty.numbers = ["9176226528"] },
    Case("usage missing", .usage) { $0.usage = "" },
    Case("usage unknown", .usage) { $0.usage = "both" },
    Case("pin zero", .apartyPins) { $0.aparty.pins = ["0"] },
    Case("pin negative", .apartyPins) { $0.aparty.pins = ["-5"] },
    Case("pin with letters", .bpartyPins) { $0.bparty.pins = ["12a4"] },
    Case("pin leading zero", .bpartyPins) { $0.bparty.pins = ["0123"] },
    Case("pin 16 digits", .apartyPins) { $0.aparty.pins = ["1234567890123456"] },
    Case("pin twice", .apartyPins) { $0.aparty.pins = ["1234", "1234"] },
    Case("duration without unit", .duration) { $0.duration = "600" },
    Case("duration unknown unit", .duration) { $0.duration = "10w" },
    Case("duration too short", .duration) { $0.duration = "299s" },
    Case("duration too long", .duration) { $0.duration = "171d" },
    Case("duration negative", .duration) { $0.duration = "-5m" },
    Case("duration decimal", .duration) { $0.duration = "1.5h" },
    Case("region unknown", .region) { $0.region = "XX" },
    Case("pin code 5 digits", .pinCode) { $0.pinCode = "56001" },
    Case("pin code starting 0", .pinCode) { $0.pinCode = "060001" },
    Case("type unknown", .type) { $0.type = "satellite" },
    Case("preferred VN not E.164", .greenvn) { $0.greenvn = "12" },
    Case("preferred VN is a party", .greenvn) { $0.greenvn = "+918136966620" },
    Case("connection_id empty", .connectionId) { $0.connectionId = "" },
    Case("connection_id 65 chars", .connectionId) { $0.connectionId = String(repeating: "x", count: 65) },
    Case("connection_id with escape", .connectionId) { $0.connectionId = "ab\u{1b}[31m" },
    Case("connection_id with space", .connectionId) { $0.connectionId = "a b" },
    Case("flow_id with newline", .flowId) { $0.flowId = "f\nlow" },
    Case("101 numbers on a side", .apartyNumbers) { d in d.aparty.numbers = (0..<101).map { "+9190000\(String(format: "%05d", $0))" } },
]

@Test(arguments: cases)
func validationTable(_ c: Case) {
    var d = validDraft()
    c.edit(&d)
    let errors = d.fieldErrors()
    if let field = c.field {
        let hit = errors.filter { $0.field == field && $0.severity == c.severity }
        #expect(!hit.isEmpty, "\(c.name): expected a \(c.severity) on \(field.rawValue), got \(errors)")
        for e in hit { #expect(!e.message.isEmpty) }
        if c.severity == .error {
            if case .success = d.validate() { Issue.record("\(c.name): validate() accepted an invalid draft") }
        }
    } else {
        #expect(errors.blocking.isEmpty, "\(c.name): unexpected \(errors)")
        if case .failure(let f) = d.validate() { Issue.record("\(c.name): refused \(f)") }
    }
}

@Test func validationReturnsEveryBrokenFieldAtOnce() {
    var d = AllocationDraft()
    d.aparty.numbers = ["abc"]
    d.duration = "1y"
    d.region = "ZZ"
    let fields = Set(d.fieldErrors().map(\.field))
    #expect(fields == [.connectionId, .apartyNumbers, .bpartyNumbers, .usage, .duration, .region])
}

@Test func normalisedFormIsWhatIsSent() throws {
    var d = validDraft()
    d.aparty.numbers = ["98765 43210", "+91 (80) 1234-5678"]
    d.region = "ka"
    d.type = "Mobile"
    let (request, _) = try d.validate().get()
    #expect(request.aparty.numbers == ["+919876543210", "+918012345678"])
    #expect(request.preferences.region == .KA)
    #expect(request.preferences.type == .mobile)
}

@Test func splittingKeepsSpacedNumbersWhole() {
    #expect(PhoneNumber.split("+91 98765 43210") == ["+91 98765 43210"])
    #expect(PhoneNumber.split("+91 98765 43210 +91 87654 32109") == ["+91 98765 43210", "+91 87654 32109"])
    #expect(PhoneNumber.split("9876543210 8765432109") == ["9876543210", "8765432109"])
    #expect(PhoneNumber.split("+919876543210;+918765432109") == ["+919876543210", "+918765432109"])
}

/// Pasted from Windows: "\r\n" is one Character in Swift, and still separates values.
@Test func crlfSeparatesNumbersAndPins() {
    #expect(PhoneNumber.split("+919876543210\r\n+918765432109\r\n") == ["+919876543210", "+918765432109"])
    #expect(PhoneNumber.split("9876543210\r8765432109\n7654321098") == ["9876543210", "8765432109", "7654321098"])
    #expect(Pin.split("1234\r\n5678\r\n") == ["1234", "5678"])
    #expect(Pin.split("1\r\n2, 3;4\t5") == ["1", "2", "3", "4", "5"])
}

@Test func wireValidationDoesNotNormalise() {
    var d = validDraft()
    d.aparty.numbers = ["9876543210"]
    #expect(!d.fieldErrors(normalizing: false).on(.apartyNumbers).isEmpty)
    #expect(d.fieldErrors(normalizing: true).on(.apartyNumbers).isEmpty)
}

@Test func durationsConvertToSeconds() throws {
    #expect(try DeallocationDuration.parse("600s").get().seconds == 600)
    #expect(try DeallocationDuration.parse("30m").get().seconds == 1_800)
    // "2m" is seen in the wild, but m is minutes and 2 minutes is under the 5-minute floor.
    if case .success = DeallocationDuration.parse("2m") { Issue.record("2m accepted") }
    #expect(try DeallocationDuration.parse("1h").get().seconds == 3_600)
    #expect(try DeallocationDuration.parse("3d").get().seconds == 259_200)
    #expect(DeallocationDuration(seconds: 7_200).text == "2h")
}

@Test func swapAndPartyDrafts() throws {
    let empty = try SwapDraft().validate().get()
    #expect(empty.isEmpty)
    let prefs = try SwapDraft(greenvn: "+917205827365", region: "KA", type: "landline").validate().get()
    #expect(prefs.preferences == Preferences(greenvn: "+917205827365", region: .KA, type: .landline))
    if case .success = SwapDraft(region: "QQ").validate() { Issue.record("bad region accepted") }
    if case .success = PartyDraft().validate() { Issue.record("an update with no side accepted") }
    let current = Allocation(greenvnId: "g", connectionId: "c", aparty: Party(["+919176226528"]), bparty: Party(["+918136966620"]), usage: .twoway, state: .active, greenVN: "+918012345678")
    if case .success = PartyDraft(bparty: Party.ChangeDraft(numbers: ["+919176226528"])).validate(against: current) { Issue.record("cross-side duplicate accepted") }
    let ok = try PartyDraft(bparty: Party.ChangeDraft(numbers: ["+918888888888"]), usage: "oneway").validate(against: current).get()
    #expect(ok.bparty.numbers == ["+918888888888"] && ok.usage == .oneway && ok.aparty.numbers == nil)
}
