import Testing
@testable import TerminalKit

@Suite struct PaletteTests {
    @Test func colourNumbers() {
        #expect(ColorPalette.number(for: .default, colorCount: 256) == (-1, false))
        #expect(ColorPalette.number(for: .red, colorCount: 8) == (1, false))
        #expect(ColorPalette.number(for: .white, colorCount: 16) == (7, false))
        #expect(ColorPalette.number(for: .brightRed, colorCount: 16) == (9, false))
        #expect(ColorPalette.number(for: .brightWhite, colorCount: 256) == (15, false))
    }

    @Test func brightColoursFallBackToBoldOnEightColourTerminals() {
        #expect(ColorPalette.number(for: .brightRed, colorCount: 8) == (1, true))
        #expect(ColorPalette.number(for: .brightBlack, colorCount: 8) == (0, true))
        var palette = ColorPalette(colorCount: 8, pairLimit: 64)
        #expect(palette.resolve(Style(fg: .brightGreen)).extraBold)
        #expect(!palette.resolve(Style(fg: .green)).extraBold)
    }

    @Test func pairsAreAllocatedLazilyAndReused() {
        var palette = ColorPalette(colorCount: 256, pairLimit: 256)
        let plain = palette.resolve(.plain)
        #expect(plain.pair == 0 && plain.new == nil)

        let red = palette.resolve(Style(fg: .red, bold: true))
        #expect(red.pair == 1)
        #expect(red.new?.1 == ColorPalette.Pair(fg: 1, bg: -1))

        let redAgain = palette.resolve(Style(fg: .red, underline: true))
        #expect(redAgain.pair == 1 && redAgain.new == nil)

        let onBlue = palette.resolve(Style(fg: .brightYellow, bg: .blue))
        #expect(onBlue.pair == 2)
        #expect(onBlue.new?.1 == ColorPalette.Pair(fg: 11, bg: 4))
    }

    @Test func runningOutOfPairsFallsBackToTheDefault() {
        var palette = ColorPalette(colorCount: 8, pairLimit: 2)
        #expect(palette.resolve(Style(fg: .red)).pair == 1)
        #expect(palette.resolve(Style(fg: .green)).pair == 0)
        #expect(palette.resolve(Style(fg: .red)).pair == 1)
    }

    @Test func withoutDefaultColoursDefaultIsWhiteOnBlack() {
        var palette = ColorPalette(colorCount: 8, pairLimit: 64, hasDefaultColors: false)
        #expect(palette.resolve(.plain).pair == 0)
        let red = palette.resolve(Style(fg: .red))
        #expect(red.new?.1 == ColorPalette.Pair(fg: 1, bg: 0))
    }
}

@Suite struct ClipboardTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func base64MatchesRFC4648() {
        #expect(text(OSC52.base64(Array("".utf8))) == "")
        #expect(text(OSC52.base64(Array("f".utf8))) == "Zg==")
        #expect(text(OSC52.base64(Array("fo".utf8))) == "Zm8=")
        #expect(text(OSC52.base64(Array("foo".utf8))) == "Zm9v")
        #expect(text(OSC52.base64(Array("foobar".utf8))) == "Zm9vYmFy")
        #expect(text(OSC52.base64(Array("₹".utf8))) == "4oK5")
        #expect(text(OSC52.base64([0xFF, 0xFE, 0xFD])) == "//79")
    }

    @Test func osc52Sequence() {
        #expect(text(OSC52.sequence(for: "foo", tmux: false)) == "\u{1B}]52;c;Zm9v\u{7}")
    }

    @Test func osc52InsideTmuxIsAlsoSentForPassthrough() {
        let bytes = text(OSC52.sequence(for: "foo", tmux: true))
        #expect(bytes.hasPrefix("\u{1B}]52;c;Zm9v\u{7}"))
        #expect(bytes.hasSuffix("\u{1B}Ptmux;\u{1B}\u{1B}]52;c;Zm9v\u{7}\u{1B}\\"))
    }
}
