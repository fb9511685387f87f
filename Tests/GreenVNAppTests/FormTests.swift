import Foundation
import Testing
@testable import GreenVNApp
import GreenVNKit
import GreenVNStore
import TerminalKit

@Suite struct FormTests {
    /// The line of the frame that shows `label`'s field.
    func line(_ h: Harness, _ label: String) -> String {
        h.frame().first { $0.contains(label) } ?? ""
    }

    @Test func opensOnTheAPartyFieldWithAFreshConnectionId() {
        let h = Harness()
        h.press(.char("n"))
        let f = try! #require(h.state.form)
        #expect(f.focused.field == .apartyNumbers)
        let id = f.value(.connectionId)
        // The one connection_id format (GreenVNKit's ConnectionID): gvn-<ms in base 36>-<8 hex>.
        let parts = id.split(separator: "-").map(String.init)
        #expect(parts.count == 3 && parts[0] == "gvn" && parts[2].count == 8 && UInt64(parts[2], radix: 16) != nil, "\(id)")
        #expect(parts.count == 3 && UInt64(parts[1], radix: 36) == UInt64(h.state.now.timeIntervalSince1970 * 1000), "made at the state's now: \(id)")
        h.press(.escape, .char("n"))
        #expect(h.state.form?.value(.connectionId) != id, "every form gets a new connection_id")
    }

    @Test func tabOrderIsTheDocumentedOne() {
        let h = Harness()
        h.press(.char("n"))
        var order: [Field] = []
        for _ in 0..<13 { order.append(h.state.form!.focused.field); h.press(.tab) }
        #expect(order == [.apartyNumbers, .bpartyNumbers, .usage, .apartyPins, .bpartyPins, .connectionId, .strictness,
                          .greenvn, .region, .pinCode, .type, .duration, .flowId])
        #expect(h.state.form!.focused.field == .apartyNumbers, "Tab wraps")
        h.press(.backTab)
        #expect(h.state.form!.focused.field == .flowId, "Shift-Tab goes back")
    }

    @Test func aBadNumberShowsItsErrorBesideTheFieldAndFixingItClearsIt() {
        let h = Harness()
        h.press(.char("n"))
        h.type("9876543210 12ab")
        #expect(line(h, "A-party numbers").contains("✗ \"12ab\" is not a phone number"))
        for _ in 0..<4 { h.press(.backspace) }
        #expect(line(h, "A-party numbers").contains("✓ +919876543210"))
        #expect(!line(h, "A-party numbers").contains("✗"))
        h.type("+9198")
        #expect(line(h, "A-party numbers").contains("✗ \"+9198\" is not E.164"))
        h.press(.ctrl("u"))
        h.type("9876543210, +919876543211")
        #expect(line(h, "A-party numbers").contains("✓ +919876543210, +919876543211"))
    }

    @Test func untouchedFieldsStayQuietUntilASubmit() {
        let h = Harness()
        h.press(.char("n"))
        #expect(!h.screen().contains("✗"), "nothing typed, nothing wrong yet")
        h.press(.tab)   // leaving an empty required field
        #expect(line(h, "A-party numbers").contains("✗ at least one number is required"))
        #expect(!line(h, "B-party numbers").contains("✗"))
    }

    @Test func ctrlSWithErrorsSendsNothingAndGoesToTheFirstBadField() {
        let h = Harness()
        h.press(.char("n"))
        h.type("9876543210")
        h.press(.tab, .tab, .tab, .ctrl("s"))
        #expect(h.operations.isEmpty)
        #expect(h.state.form?.focused.field == .bpartyNumbers)
        #expect(line(h, "B-party numbers").contains("✗ at least one number is required"))
        #expect(h.screen().contains("1 field(s) need attention: nothing was sent"))
    }

    @Test func ctrlSFromAnyFieldSendsTheNormalisedRequest() {
        let h = Harness()
        h.press(.char("n"))
        h.type("9876543210")
        h.press(.tab)
        h.type("+918765432109")
        h.press(.tab, .char(" "))   // usage: twoway → oneway
        h.press(.tab)
        h.type("1234")
        for _ in 0..<4 { h.press(.tab) }   // strictness, greenvn
        h.press(.ctrl("s"))
        let id = h.state.form!.value(.connectionId)
        #expect(h.operations == [.allocate(AllocationRequest(connectionId: id, aparty: Party(["+919876543210"], pins: [1234]), bparty: Party(["+918765432109"]), usage: .oneway))])
        #expect(h.state.form?.ticket != nil, "the form waits for the answer")
    }

    @Test func successClosesTheFormSelectsTheNewAllocationAndNamesItsVN() {
        let h = Harness()
        h.press(.char("2"), .char("n"))   // from the vault tab
        h.type("9876543210"); h.press(.tab); h.type("+918765432109"); h.press(.ctrl("s"))
        guard case .allocate(let r)? = h.operations.first else { Issue.record("nothing sent"); return }
        let created = StoredAllocation(allocation: Allocation(greenvnId: "new-1", connectionId: r.connectionId, aparty: Party(r.aparty.numbers), bparty: Party(r.bparty.numbers), usage: r.usage, state: .active, greenVN: "+918047100001"),
                                       createdAt: now, updatedAt: now, expiresAt: now.addingTimeInterval(86_400))
        h.registry.rows.append(created)
        h.send(.operationDone(ticket: h.lastTicket!, .success(created)))
        #expect(h.state.mode == .browse)
        #expect(h.state.list.query.state == .active)
        #expect(h.state.selected?.id == "new-1")
        #expect(h.state.toasts.last?.text == "Allocated +918047100001 for \(r.connectionId)")
    }

    @Test func aRefusalShowsInTheFormAndNothingTypedIsLost() {
        let h = Harness()
        h.press(.char("n"))
        h.type("9876543210"); h.press(.tab); h.type("+918765432109"); h.press(.ctrl("s"))
        let before = h.state.form!.fields.map(\.value)
        let refusal = GreenVNError.refused(APIRefusal(httpStatus: 409, code: 18, message: "connection_id exists"))
        h.send(.operationDone(ticket: h.lastTicket!, .failure(message: refusal.description, error: refusal)))
        let f = try! #require(h.state.form)
        #expect(f.fields.map(\.value) == before)
        #expect(f.serverError == Messages.failure(of: h.operations.last!, message: refusal.description, error: refusal))
        #expect(f.serverError?.contains("change the connection_id; if that allocation is yours, press i") == true, "the console's key, not a CLI line")
        #expect(f.ticket == nil)
        #expect(h.screen().contains("Lead Assist refused: connection_id exists"))
    }

    @Test func escAsksOnlyWhenSomethingWasTyped() {
        let h = Harness()
        h.press(.char("n"), .escape)
        #expect(h.state.mode == .browse, "an untouched form closes at once")
        h.press(.char("n"))
        h.type("98")
        h.press(.escape)
        #expect(h.state.confirm?.purpose == .discardForm)
        h.press(.char("n"))
        #expect(h.state.form?.value(.apartyNumbers) == "98", "n keeps the form and its text")
        h.press(.escape, .enter)
        #expect(h.state.confirm != nil, "Enter does not answer")
        h.press(.char("y"))
        #expect(h.state.mode == .browse)
    }

    @Test func choosersCycleWithArrowsSpaceAndLetters() {
        let h = Harness()
        h.press(.char("n"))
        for _ in 0..<8 { h.press(.tab) }   // region
        #expect(h.state.form!.focused.field == .region)
        h.press(.right)
        #expect(h.state.form!.value(.region) == "DL")
        h.press(.left, .left)
        #expect(h.state.form!.value(.region) == "MP", "wraps backwards past any")
        h.press(.char(" "))
        #expect(h.state.form!.value(.region) == "", "any")
        h.type("k")
        #expect(h.state.form!.value(.region) == "KA")
    }

    @Test func textEditingKeys() {
        let h = Harness()
        h.press(.char("n"))
        h.type("98765")
        h.press(.home, .delete)
        h.type("1")
        h.press(.end, .backspace, .left)
        h.type("x")
        #expect(h.state.form!.value(.apartyNumbers) == "187x6")
        h.press(.ctrl("u"))
        #expect(h.state.form!.value(.apartyNumbers) == "")
    }

    @Test func pastedControlCharactersAndEscapesNeverGetIn() {
        let h = Harness()
        h.press(.char("n"))
        h.press(.paste("98765\u{1B}[31m43210\n+919876543211\u{07}\u{1B}]52;c;ZXZpbA==\u{07}\r\n"))
        let text = h.state.form!.value(.apartyNumbers)
        #expect(text == "9876543210, +919876543211, ")
        #expect(!Text.hasControl(text))
        #expect(line(h, "A-party numbers").contains("✓ +919876543210, +919876543211"))
        h.press(.tab, .tab, .tab, .tab, .tab)   // connection_id: a plain text field
        h.press(.ctrl("u"), .paste("a\u{1B}cb\u{9B}2Jc\u{0}d"))
        #expect(h.state.form!.value(.connectionId) == "abcd")
    }

    @Test func swapDialogOpensWithTheAllocationsPreferencesAndSendsThem() {
        let h = Harness()
        h.press(.char("S"))
        // Pre-filled as the detail pane shows them: KA · mobile, not strict.
        #expect(h.state.form?.value(.region) == "KA" && h.state.form?.value(.type) == "mobile")
        #expect(h.screen().contains("KA Karnataka"), "a region reads with its name")
        h.type("12")
        #expect(h.screen().contains("✗ \"12\" needs its country code"))
        h.press(.ctrl("u"))
        h.type("+918047119000")
        h.press(.tab, .char("k"))
        #expect(h.state.form?.value(.region) == "KL", "a letter again goes on to the next region it starts")
        h.press(.char("k"), .tab)
        h.type("5600x1")                                   // pin code: six digits
        #expect(h.screen().contains("✗"), "a bad pin code is named beside its field")
        h.press(.ctrl("u"))
        h.type("560001")
        h.press(.tab, .tab, .char(" "), .enter)
        #expect(h.operations == [.swap(id: sample[0].id, SwapRequest(strictness: true, preferences:
            Preferences(greenvn: "+918047119000", region: .KA, pinCode: "560001", type: .mobile)))])
        h.send(.operationDone(ticket: h.lastTicket!, .success(sample[0])))
        #expect(h.state.mode == .browse)
        #expect(h.state.toasts.last?.text == "Swapped +918047112233 → +918047112233")
    }

    @Test func regionsChooseByCodeOrName() {
        let h = Harness()
        h.press(.char("n"))
        for _ in 0..<8 { h.press(.tab) }
        #expect(h.state.form?.focused.field == .region)
        h.press(.char("b"))
        #expect(h.state.form?.value(.region) == "WB", "b: West Bengal")
        h.press(.char("m"))
        #expect(h.state.form?.value(.region) == "MP", "after WB, the next one with an m: MP Madhya Pradesh")
        #expect(h.screen().contains("MP Madhya Pradesh"))
    }

    @Test func enterOnTheLastFieldSendsTheForm() {
        let h = Harness()
        h.press(.char("n"))
        h.type("9876543210")
        h.press(.enter)
        #expect(h.state.form?.focused.field == .bpartyNumbers, "Enter moves on")
        h.type("+918765432109")
        h.press(.backTab, .backTab)   // back round to flow_id, the last field
        #expect(h.state.form?.focused.field == .flowId)
        #expect(h.operations.isEmpty)
        h.press(.enter)
        guard case .allocate(let r)? = h.operations.first else { Issue.record("Enter on the last field sent nothing"); return }
        #expect(r.aparty.numbers == ["+919876543210"] && r.bparty.numbers == ["+918765432109"])
    }

    @Test func theDurationSaysTheAccountDefault() {
        let h = Harness()
        h.press(.char("n"))
        #expect(h.screen().contains("account default: 24h"))
    }

    @Test func everyExampleNumberTheFormGivesIsValid() {
        for typed in ["12", "98765", "0804711000", "8047110000", "123456789012345", "000"] {
            guard case .failure(let why) = PhoneNumber.normalize(typed) else { continue }
            guard let range = why.message.range(of: "e.g. ") else { continue }
            let example = String(why.message[range.upperBound...]).trimmingCharacters(in: .punctuationCharacters)
            #expect((try? PhoneNumber.normalize(example).get()) == example, "\(typed): example \(example) is not valid")
        }
        for field in FormState.allocation(connectionId: "c").fields where field.kind == .number || field.kind == .numbers {
            for example in PhoneNumber.split(field.placeholder.replacingOccurrences(of: "optional, e.g. ", with: "")
                .replacingOccurrences(of: "e.g. ", with: "")) {
                #expect((try? PhoneNumber.normalize(example).get()) != nil, "placeholder example \(example)")
            }
        }
    }

    @Test func callPartyDialogSendsOnlyTheChangedSide() {
        let h = Harness()
        h.press(.char("e"))
        h.press(.ctrl("s"))
        #expect(h.operations.isEmpty)
        #expect(h.state.toasts.last?.text == "Nothing to send: nothing changed")
        h.press(.tab, .end)
        h.type(", 9123456789")
        h.press(.enter)
        #expect(h.operations == [.updateParties(id: sample[0].id, PartyUpdate(bparty: Party.Change(numbers: ["+918765432109", "+919123456789"], pins: [])))])
    }

    @Test func callPartyDialogRefusesTheSameNumberOnBothSides() {
        let h = Harness()
        h.press(.char("e"), .tab, .ctrl("u"))
        h.type("+919876543210")
        h.press(.enter)
        #expect(h.operations.isEmpty)
        #expect(h.screen().contains("+919876543210 is on both the A and the B side"))
    }
}
