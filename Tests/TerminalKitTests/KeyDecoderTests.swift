import Testing
@testable import TerminalKit

// curses key codes, spelled out from the ncurses ABI (curses.h) so the tests do not depend on
// the constants the decoder itself uses.
private enum Code {
    static let down: Int32 = 0o402, up: Int32 = 0o403, left: Int32 = 0o404, right: Int32 = 0o405
    static let home: Int32 = 0o406, backspace: Int32 = 0o407, f0: Int32 = 0o410
    static let dc: Int32 = 0o512, ic: Int32 = 0o513, npage: Int32 = 0o522, ppage: Int32 = 0o523
    static let enter: Int32 = 0o527, a1: Int32 = 0o534, a3: Int32 = 0o535, c1: Int32 = 0o537, c3: Int32 = 0o540
    static let btab: Int32 = 0o541, end: Int32 = 0o550, find: Int32 = 0o552, select: Int32 = 0o601
    static let mouse: Int32 = 0o631, resize: Int32 = 0o632
}

private func raws(_ text: String) -> [InputDecoder.Raw] {
    text.unicodeScalars.map { .code(Int32($0.value), isKeyCode: false) }
}

private func decode(_ text: String) -> [Key] {
    var decoder = InputDecoder()
    return decoder.feed(raws(text))
}

@Suite struct KeyDecoderTests {
    @Test(arguments: [
        (Code.up, Key.up), (Code.down, .down), (Code.left, .left), (Code.right, .right),
        (Code.home, .home), (Code.end, .end), (Code.find, .home), (Code.select, .end),
        (Code.a1, .home), (Code.c1, .end), (Code.ppage, .pageUp), (Code.npage, .pageDown),
        (Code.a3, .pageUp), (Code.c3, .pageDown), (Code.ic, .insert), (Code.dc, .delete),
    ])
    func navigationKeyCodes(_ code: Int32, _ key: Key) {
        #expect(KeyDecoder.decode(code: code, isKeyCode: true) == key)
    }

    @Test(arguments: [
        (Code.backspace, Key.backspace), (Code.enter, .enter), (Code.btab, .backTab), (Code.resize, .resize),
    ])
    func editingKeyCodes(_ code: Int32, _ key: Key) {
        #expect(KeyDecoder.decode(code: code, isKeyCode: true) == key)
    }

    @Test func functionKeys() {
        for n in 1...12 {
            #expect(KeyDecoder.decode(code: Code.f0 + Int32(n), isKeyCode: true) == .f(n))
        }
    }

    @Test func mouseAndUnknownKeyCodesDecodeToNothing() {
        #expect(KeyDecoder.decode(code: Code.mouse, isKeyCode: true) == nil)
        #expect(KeyDecoder.decode(code: 0o777, isKeyCode: true) == nil)
    }

    @Test func keyCodesAreNotCharacters() {
        // 0o403 as a character is U+0103 "ă", not the up arrow.
        #expect(KeyDecoder.decode(code: Code.up, isKeyCode: false) == .char("ă"))
    }

    @Test(arguments: [
        (Int32(13), Key.enter), (10, .enter), (9, .tab), (27, .escape), (127, .backspace), (8, .backspace),
    ])
    func controlBytesWithNames(_ code: Int32, _ key: Key) {
        #expect(KeyDecoder.decode(code: code, isKeyCode: false) == key)
    }

    @Test func ctrlLetters() {
        #expect(KeyDecoder.decode(code: 1, isKeyCode: false) == .ctrl("a"))
        #expect(KeyDecoder.decode(code: 19, isKeyCode: false) == .ctrl("s"))
        #expect(KeyDecoder.decode(code: 26, isKeyCode: false) == .ctrl("z"))
        #expect(KeyDecoder.decode(code: 0, isKeyCode: false) == nil)
        #expect(KeyDecoder.decode(code: 28, isKeyCode: false) == nil)
    }

    @Test func printableCharacters() {
        #expect(KeyDecoder.decode(code: 0x20, isKeyCode: false) == .char(" "))
        #expect(KeyDecoder.decode(code: 0x6A, isKeyCode: false) == .char("j"))
        #expect(KeyDecoder.decode(code: 0x20B9, isKeyCode: false) == .char("₹"))
        #expect(KeyDecoder.decode(code: 0x4E2D, isKeyCode: false) == .char("中"))
        #expect(KeyDecoder.decode(code: 0x1F600, isKeyCode: false) == .char("😀"))
    }

    @Test func c1ControlsAndInvalidScalarsDecodeToNothing() {
        #expect(KeyDecoder.decode(code: 0x9B, isKeyCode: false) == nil)
        #expect(KeyDecoder.decode(code: 0xD800, isKeyCode: false) == nil)
        #expect(KeyDecoder.decode(code: -1, isKeyCode: false) == nil)
    }
}

@Suite struct EscapeSequenceTests {
    @Test(arguments: [
        ("\u{1B}[A", Key.up), ("\u{1B}[B", .down), ("\u{1B}[C", .right), ("\u{1B}[D", .left),
        ("\u{1B}OA", .up), ("\u{1B}OD", .left), ("\u{1B}[1;5C", .right),
        ("\u{1B}[H", .home), ("\u{1B}[F", .end), ("\u{1B}OH", .home), ("\u{1B}OF", .end),
        ("\u{1B}[1~", .home), ("\u{1B}[7~", .home), ("\u{1B}[4~", .end), ("\u{1B}[8~", .end),
        ("\u{1B}[5~", .pageUp), ("\u{1B}[6~", .pageDown), ("\u{1B}[2~", .insert), ("\u{1B}[3~", .delete),
        ("\u{1B}[Z", .backTab), ("\u{1B}OM", .enter),
        ("\u{1B}OP", .f(1)), ("\u{1B}OS", .f(4)), ("\u{1B}[[A", .f(1)), ("\u{1B}[[E", .f(5)),
        ("\u{1B}[11~", .f(1)), ("\u{1B}[15~", .f(5)), ("\u{1B}[17~", .f(6)), ("\u{1B}[21~", .f(10)),
        ("\u{1B}[23~", .f(11)), ("\u{1B}[24~", .f(12)),
        ("\u{1B}[<64;10;5M", .wheelUp), ("\u{1B}[<65;10;5M", .wheelDown), ("\u{1B}[M`!!", .wheelUp),
        ("\u{1B}[<0;3;4M", .click(x: 2, y: 3)), ("\u{1B}[<16;1;1M", .click(x: 0, y: 0)), ("\u{1B}[M !#", .click(x: 0, y: 2)),
    ])
    func sequencesCursesDidNotRecognise(_ sequence: String, _ key: Key) {
        #expect(decode(sequence) == [key])
    }

    @Test func escapeAloneIsEscape() {
        #expect(decode("\u{1B}") == [.escape])
        #expect(decode("\u{1B}\u{1B}") == [.escape, .escape])
    }

    @Test func altChordIsEscapeThenTheCharacter() {
        #expect(decode("\u{1B}x") == [.escape, .char("x")])
        #expect(decode("\u{1B}[") == [.escape, .char("[")])
    }

    @Test func unknownSequencesAreSwallowed() {
        #expect(decode("\u{1B}[99u") == [])
        #expect(decode("\u{1B}[<0;3;4m") == [])   // the release of a click
        #expect(decode("\u{1B}[<2;3;4M") == [])   // the right button
        #expect(decode("\u{1B}[<32;3;4M") == [])  // a drag
        #expect(decode("a\u{1B}[42~b") == [.char("a"), .char("b")])
    }

    @Test func sequencesMixWithOrdinaryKeys() {
        var decoder = InputDecoder()
        let keys = decoder.feed(raws("j\u{1B}[Bk") + [.key(.wheelDown), .code(Code.up, isKeyCode: true)])
        #expect(keys == [.char("j"), .down, .char("k"), .wheelDown, .up])
    }
}

@Suite struct PasteTests {
    @Test func bracketedPasteBecomesOneEvent() {
        #expect(decode("\u{1B}[200~+91 98765\u{1B}[201~") == [.paste("+91 98765")])
    }

    @Test func lineBreaksAreNormalised() {
        #expect(decode("\u{1B}[200~a\r\nb\rc\nd\u{1B}[201~") == [.paste("a\nb\nc\nd")])
    }

    @Test func controlsAndSequencesInsideAPasteAreDropped() {
        #expect(decode("\u{1B}[200~a\u{7}b\u{1B}[Ac\tq\u{1B}[201~") == [.paste("ab" + "c\tq")])
    }

    @Test func pasteUsesTheKeyCodesCursesWasTaught() {
        var decoder = InputDecoder()
        decoder.pasteStartCode = 0x3F00
        decoder.pasteEndCode = 0x3F01
        let keys = decoder.feed([.code(0x3F00, isKeyCode: true)] + raws("x中") + [.code(Code.enter, isKeyCode: true), .code(0x3F01, isKeyCode: true)] + raws("q"))
        #expect(keys == [.paste("x中\n"), .char("q")])
    }

    @Test func pasteCanSpanBatches() {
        var decoder = InputDecoder()
        #expect(decoder.feed(raws("\u{1B}[200~hel")) == [])
        #expect(decoder.isPasting)
        #expect(decoder.feed(raws("lo\u{1B}[201~j")) == [.paste("hello"), .char("j")])
        #expect(!decoder.isPasting)
    }

    @Test func pasteEndWithoutStartIsIgnored() {
        #expect(decode("\u{1B}[201~k") == [.char("k")])
    }
}
