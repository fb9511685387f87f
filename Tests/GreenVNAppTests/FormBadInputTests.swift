import Foundation
import Testing
@testable import GreenVNApp
import GreenVNKit
import GreenVNStore
import TerminalKit

/// Bad input typed or pasted into the form and the dialogs: each row puts one bad value into
/// one field (the rest valid), presses Ctrl-S, and expects the error beside that field, no
/// request, the typed text kept — and no control character or escape sequence ever stored.
@Suite struct FormBadInput {
    enum Place: Sendable { case allocate, swap, parties }
    enum Input: Sendable {
        /// Typed one key at a time (each Character a `.char`).
        case type(String)
        /// Pasted at once (bracketed paste).
        case paste(String)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let place: Place
        let field: Field
        let input: Input
        /// What the field must hold afterwards.
        let stored: String
        /// The field the error is expected on (the same field unless said).
        let errorOn: Field
        var testDescription: String { name }

        init(_ name: String, _ field: Field, _ input: Input, stored: String? = nil, errorOn: Field? = nil) {
            self.init(name, .allocate, field, input, stored: stored, errorOn: errorOn)
        }

        init(_ name: String, _ place: Place, _ field: Field, _ input: Input, stored: String? = nil, errorOn: Field? = nil) {
            self.name = name
            self.place = place
            self.field = field
            self.input = input
            if let stored { self.stored = stored }
            else if case .type(let t) = input { self.stored = t }
            else if case .paste(let t) = input { self.stored = t }
            else { self.stored = "" }
            self.errorOn = errorOn ?? field
        }
    }

    static let label: [Field: String] = [
        .apartyNumbers: "A-party numbers", .bpartyNumbers: "B-party numbers", .apartyPins: "A-party pins",
        .bpartyPins: "B-party pins", .connectionId: "connection_id", .greenvn: "greenvn (VN)", .pinCode: "pin code",
        .duration: "duration", .flowId: "flow_id",
    ]

    static let long65 = String(repeating: "x", count: 65)
    static let hundredAndOne = (0..<101).map { "+9190000\(String(format: "%05d", $0))" }.joined(separator: ", ")

    static let cases: [Case] = [
        // E.164 and the number lists
        Case("A: letters", .apartyNumbers, .type("12ab")),
        Case("A: too few digits", .apartyNumbers, .type("+9198")),
        Case("A: 16 digits", .apartyNumbers, .type("+9198765432101234")),
        Case("A: country code 0", .apartyNumbers, .type("+0198765432")),
        Case("A: short local number", .apartyNumbers, .type("98765")),
        Case("A: listed twice", .apartyNumbers, .type("9876543210, 9876543210")),
        Case("A: 101 numbers pasted", .apartyNumbers, .paste(hundredAndOne)),
        Case("A: empty", .apartyNumbers, .type("")),
        Case("A: 5000 digits pasted (kept to 2000)", .apartyNumbers, .paste(String(repeating: "9", count: 5_000)),
             stored: String(repeating: "9", count: TextField.maxLength)),
        Case("B: letter inside", .bpartyNumbers, .type("+91876543210x")),
        Case("B: same number as A", .bpartyNumbers, .type("+919876543210")),
        Case("B: same number as A once normalised", .bpartyNumbers, .type("+91 98765 43210")),
        // Pins
        Case("A pin 0", .apartyPins, .type("0")),
        Case("A pin negative", .apartyPins, .type("-5")),
        Case("A pin with letters", .apartyPins, .type("12x4")),
        Case("A pin leading zero", .apartyPins, .type("0123")),
        Case("B pin 16 digits", .bpartyPins, .type("1234567890123456")),
        Case("B pin twice", .bpartyPins, .type("1234 1234")),
        // Identifiers
        Case("connection_id empty", .connectionId, .type("")),
        Case("connection_id 65 characters", .connectionId, .type(long65)),
        Case("connection_id with a space", .connectionId, .type("order 1")),
        Case("connection_id non-ASCII", .connectionId, .type("órder-1")),
        Case("flow_id 65 characters", .flowId, .paste(long65)),
        Case("flow_id with a space", .flowId, .type("flow 1")),
        Case("flow_id non-ASCII", .flowId, .type("flöw")),
        // Preferences
        Case("VN not E.164", .greenvn, .type("12ab")),
        Case("VN is a party's number", .greenvn, .type("+919876543210")),
        Case("pin code 5 digits", .pinCode, .type("56001")),
        Case("pin code leading 0", .pinCode, .type("056001")),
        Case("pin code letters", .pinCode, .type("abcdef")),
        // Durations
        Case("duration in years", .duration, .type("1y")),
        Case("duration under 5 minutes", .duration, .type("299s")),
        Case("duration over 170 days", .duration, .type("171d")),
        Case("duration without unit", .duration, .type("600")),
        Case("duration negative", .duration, .type("-5m")),
        Case("duration fractional", .duration, .type("1.5h")),
        // Control characters and escape sequences, typed or pasted: never stored
        Case("A: pasted CSI clear screen", .apartyNumbers, .paste("\u{1B}[2J\u{1B}[H12ab"), stored: "12ab"),
        Case("A: typed ESC [ 3 1 m key by key", .apartyNumbers, .type("\u{1B}[31m12ab"), stored: "[31m12ab"),
        Case("A: pasted OSC 52 clipboard write", .apartyNumbers, .paste("\u{1B}]52;c;cHduZWQ=\u{07}12ab"), stored: "12ab"),
        Case("A: pasted bracketed-paste markers", .apartyNumbers, .paste("\u{1B}[200~12ab\u{1B}[201~"), stored: "12ab"),
        Case("B: pasted C1 CSI", .bpartyNumbers, .paste("+91876\u{9B}2J54321x"), stored: "+9187654321x"),
        Case("B: typed NEL (C1)", .bpartyNumbers, .type("\u{85}x"), stored: "x"),
        Case("A pins: pasted line breaks and cursor keys", .apartyPins, .paste("12\r\n34\u{1B}[Ax"), stored: "12, 34x"),
        Case("connection_id: pasted CSI", .connectionId, .paste("c1\u{1B}[2Jc2 x"), stored: "c1c2 x"),
        Case("connection_id: typed BEL", .connectionId, .type("\u{07}a b"), stored: "a b"),
        Case("connection_id: only NULs pasted", .connectionId, .paste("\u{0}\u{0}\u{0}"), stored: ""),
        Case("flow_id: pasted tab", .flowId, .paste("f\tlow"), stored: "f low"),
        Case("flow_id: pasted OSC title, over-long", .flowId, .paste("flow\u{1B}]0;pwned\u{07}" + String(repeating: "y", count: 61)),
             stored: "flow" + String(repeating: "y", count: 61)),
        Case("flow_id: typed DEL", .flowId, .type("fl\u{7F}ow x"), stored: "flow x"),
        Case("duration: pasted PageUp sequence", .duration, .paste("\u{1B}[5~1y"), stored: "1y"),
        Case("pin code: pasted NUL and DEL", .pinCode, .paste("5600\u{0}1\u{7F}"), stored: "56001"),
        Case("VN: pasted DCS", .greenvn, .paste("\u{1B}P+q544e\u{1B}\\12"), stored: "12"),
        Case("VN: pasted 8-bit OSC", .greenvn, .paste("\u{9D}0;x\u{9C}12"), stored: "12"),
        // The swap dialog
        Case("swap: VN not E.164", .swap, .greenvn, .type("12")),
        Case("swap: VN with pasted CSI", .swap, .greenvn, .paste("\u{1B}[2J+91"), stored: "+91"),
        // The call-party dialog
        Case("parties: A letters", .parties, .apartyNumbers, .type("12ab")),
        Case("parties: B same as A", .parties, .bpartyNumbers, .type("+919876543210")),
        Case("parties: A pin 0", .parties, .apartyPins, .type("0")),
        Case("parties: B pin with pasted escape", .parties, .bpartyPins, .paste("12\u{1B}[2Jab"), stored: "12ab"),
    ]

    /// Opens the place with valid values everywhere, focuses `field` and clears it.
    static func open(_ place: Place, focusing field: Field) -> Harness {
        let h = Harness()
        switch place {
        case .allocate:
            h.press(.char("n"))
            h.type("9876543210")
            h.press(.tab)
            h.type("+918765432109")
        case .swap:
            h.press(.char("S"))
        case .parties:
            h.press(.char("e"))
        }
        for _ in 0..<20 where h.state.form?.focused.field != field { h.press(.tab) }
        h.press(.ctrl("u"))
        _ = h.takeEffects()
        return h
    }

    @Test(arguments: cases)
    func refusedBesideTheFieldNothingSentTextKept(_ c: Case) throws {
        let h = Self.open(c.place, focusing: c.field)
        #expect(h.state.form?.focused.field == c.field)
        switch c.input {
        case .type(let t): h.type(t)
        case .paste(let t): h.press(.paste(t))
        }
        let typed = try #require(h.state.form).value(c.field)
        #expect(typed == c.stored)
        #expect(!Text.hasControl(typed), "a control character was stored: \(typed.debugDescription)")

        h.press(.ctrl("s"))
        let f = try #require(h.state.form, "the form stays open")
        #expect(h.operations.isEmpty, "a request was produced: \(h.operations)")
        #expect(!h.takeEffects().contains { if case .perform = $0 { return true } else { return false } })
        #expect(f.ticket == nil)
        #expect(f.value(c.field) == c.stored, "the typed text is kept")
        #expect(!f.visibleErrors.on(c.errorOn).blocking.isEmpty, "no error on \(c.errorOn.rawValue): \(f.visibleErrors)")
        #expect(f.focused.field == f.visibleErrors.blocking.first?.field, "the cursor goes to the first field to fix")

        let label = try #require(Self.label[c.errorOn])
        let frame = h.frame()
        let row = frame.first { line in
            guard let l = line.range(of: label), let x = line.range(of: "✗") else { return false }
            return l.upperBound <= x.lowerBound
        }
        #expect(row != nil, "no ✗ beside \(label):\n\(frame.joined(separator: "\n"))")
        #expect(h.screen().contains("nothing was sent"))
        #expect(!Text.hasControl(frame.joined()), "a control character reached the frame")
    }

    /// Choosers hold only their options: an unknown region or type cannot be typed in at all.
    @Test(arguments: [(Field.region, "ZZ\u{1B}[2J"), (Field.type, "fax"), (Field.usage, "both\u{07}"), (Field.strictness, "maybe")])
    func choosersAcceptOnlyTheirOptions(_ c: (Field, String)) throws {
        let h = Self.open(.allocate, focusing: c.0)
        let before = try #require(h.state.form).value(c.0)
        h.press(.paste(c.1))
        h.type(c.1)
        let f = try #require(h.state.form)
        let allowed = f.focused.options.map { $0 == Choice.any || $0 == Choice.off ? "" : $0 }
        #expect(allowed.contains(f.value(c.0)))
        if c.0 != .usage && c.0 != .strictness { #expect(f.value(c.0) == before, "an unknown value changed the choice") }
    }

    /// The filter and the command line take the same clean text.
    @Test func filterAndCommandLineNeverStoreControls() {
        let h = Harness()
        h.press(.char("/"))
        h.press(.paste("98\u{1B}[2J\u{1B}]52;c;eA==\u{07}76\u{9B}1m"))
        h.type("\u{1B}5\u{07}")
        guard case .filter(let t) = h.state.mode else { Issue.record("not filtering"); return }
        #expect(t.text == "98765")
        #expect(h.state.list.query.filter == "98765")
        h.press(.escape, .char(":"))
        h.press(.paste("q\u{1B}[2Juit\u{0}"))
        guard case .command(let c) = h.state.mode else { Issue.record("no command line"); return }
        #expect(c.text == "quit")
    }
}
