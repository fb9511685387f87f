import Testing
@testable import TerminalKit

@Suite struct CanvasTests {
    @Test func putWritesTextAndReturnsColumns() {
        var canvas = Canvas(width: 10, height: 2)
        #expect(canvas.put("hi ₹5", x: 1, y: 1) == 5)
        #expect(canvas.lines() == ["", " hi ₹5"])
        #expect(canvas[x: 4, y: 1].text == "₹")
    }

    @Test func putClipsAtTheRightEdge() {
        var canvas = Canvas(width: 5, height: 1)
        #expect(canvas.put("abcdefg", x: 2, y: 0) == 3)
        #expect(canvas.lines() == ["  abc"])
    }

    @Test func putHonoursMaxWidth() {
        var canvas = Canvas(width: 10, height: 1)
        #expect(canvas.put("abcdef", x: 1, y: 0, maxWidth: 3) == 3)
        #expect(canvas.lines() == [" abc"])
        #expect(canvas.put("zzz", x: 0, y: 0, maxWidth: 0) == 0)
    }

    @Test func putClipsAtTheLeftEdge() {
        var canvas = Canvas(width: 6, height: 1)
        #expect(canvas.put("abcdef", x: -2, y: 0) == 4)
        #expect(canvas.lines() == ["cdef"])
    }

    @Test func putOutsideTheCanvasWritesNothing() {
        var canvas = Canvas(width: 4, height: 2)
        #expect(canvas.put("x", x: 0, y: 2) == 0)
        #expect(canvas.put("x", x: 0, y: -1) == 0)
        #expect(canvas.put("x", x: 4, y: 0) == 0)
        #expect(canvas == Canvas(width: 4, height: 2))
    }

    @Test func wideCharacterTakesTwoCells() {
        var canvas = Canvas(width: 6, height: 1)
        #expect(canvas.put("中a", x: 0, y: 0) == 3)
        #expect(canvas[x: 0, y: 0].text == "中")
        #expect(canvas[x: 1, y: 0].text == "")
        #expect(canvas[x: 2, y: 0].text == "a")
        #expect(canvas.lines() == ["中a"])
    }

    @Test func wideCharacterAtTheLastColumnBecomesASpace() {
        var canvas = Canvas(width: 4, height: 1)
        #expect(canvas.put("abc中", x: 0, y: 0, style: Style(bold: true)) == 4)
        #expect(canvas[x: 3, y: 0].text == " ")
        #expect(canvas[x: 3, y: 0].style.bold)
        #expect(canvas.lines() == ["abc"])
    }

    @Test func wideCharacterCutByMaxWidthBecomesASpace() {
        var canvas = Canvas(width: 8, height: 1)
        canvas.put("xxxxxxxx", x: 0, y: 0)
        #expect(canvas.put("a中b", x: 0, y: 0, maxWidth: 2) == 2)
        #expect(canvas.lines() == ["a xxxxxx"])
    }

    @Test func wideCharacterCutByTheLeftEdgeBecomesASpace() {
        var canvas = Canvas(width: 4, height: 1)
        canvas.put("zzzz", x: 0, y: 0)
        #expect(canvas.put("中a", x: -1, y: 0) == 2)
        #expect(canvas.lines() == [" azz"])
    }

    @Test func overwritingHalfOfAWideCharacterBlanksTheOtherHalf() {
        var right = Canvas(width: 6, height: 1)
        right.put("中文", x: 0, y: 0)
        right.put("x", x: 1, y: 0)
        #expect(right.lines() == [" x文"])
        #expect(right[x: 0, y: 0].text == " ")

        var left = Canvas(width: 6, height: 1)
        left.put("中文", x: 0, y: 0)
        left.put("y", x: 2, y: 0)
        #expect(left.lines() == ["中y"])
        #expect(left[x: 3, y: 0].text == " ")
    }

    @Test func combiningMarksStayWithTheirBase() {
        var canvas = Canvas(width: 4, height: 1)
        #expect(canvas.put("e\u{301}x", x: 0, y: 0) == 2)
        #expect(canvas[x: 0, y: 0].text == "e\u{301}")
        #expect(canvas[x: 1, y: 0].text == "x")
    }

    @Test func strayZeroWidthCharactersAreDropped() {
        var canvas = Canvas(width: 4, height: 1)
        #expect(canvas.put("\u{200B}ab", x: 0, y: 0) == 2)
        #expect(canvas.lines() == ["ab"])
    }

    @Test(arguments: ["\u{1B}", "\u{1B}[31m", "\n", "\r\n", "\t", "\u{7F}", "\u{9B}", "\u{0}", "\u{7}", "\u{85}", "\u{2028}"])
    func controlCharactersAreNeverStored(_ control: String) {
        var canvas = Canvas(width: 20, height: 1)
        canvas.put("a" + control + "b", x: 0, y: 0)
        for x in 0..<canvas.width {
            for scalar in canvas[x: x, y: 0].text.unicodeScalars {
                #expect(!DisplayWidth.isControl(scalar.value), "cell \(x) holds U+\(String(scalar.value, radix: 16))")
            }
        }
        #expect(canvas.lines()[0].hasPrefix("a\u{FFFD}"))
    }

    @Test func escapeSequenceIsNeutralised() {
        var canvas = Canvas(width: 20, height: 1)
        canvas.put("x\u{1B}]52;c;Zm9v\u{7}y", x: 0, y: 0)
        #expect(canvas.lines() == ["x\u{FFFD}]52;c;Zm9v\u{FFFD}y"])
    }

    @Test func fillSetsSpacesAndStyle() {
        var canvas = Canvas(width: 5, height: 3)
        canvas.put("abcde", x: 0, y: 1)
        let blue = Style(bg: .blue)
        canvas.fill(Rect(x: 1, y: 1, width: 2, height: 5), style: blue)
        #expect(canvas.lines() == ["", "a  de", ""])
        #expect(canvas[x: 1, y: 2].style == blue)
        #expect(canvas[x: 0, y: 1].style == .plain)
        #expect(canvas[x: 3, y: 1].style == .plain)
    }

    @Test func linesAreDrawnWithBoxCharacters() {
        var canvas = Canvas(width: 4, height: 3)
        canvas.hline(x: 0, y: 0, width: 10)
        canvas.vline(x: 1, y: 0, height: 3)
        #expect(canvas.lines() == ["─│──", " │", " │"])
    }

    @Test func boxWithTitle() {
        var canvas = Canvas(width: 12, height: 3)
        canvas.box(Rect(x: 0, y: 0, width: 12, height: 3), title: "Hi")
        #expect(canvas.lines() == [
            "┌─ Hi ─────┐",
            "│          │",
            "└──────────┘",
        ])
    }

    @Test func boxTitleIsTruncatedToFit() {
        var canvas = Canvas(width: 10, height: 2)
        canvas.box(Rect(x: 0, y: 0, width: 10, height: 2), title: "Allocations")
        #expect(canvas.lines() == ["┌─ All… ─┐", "└────────┘"])
    }

    @Test func boxLeavesTheInsideAlone() {
        var canvas = Canvas(width: 5, height: 3)
        canvas.put("xxxxx", x: 0, y: 1)
        canvas.box(Rect(x: 0, y: 0, width: 5, height: 3), title: nil, style: Style(fg: .cyan), titleStyle: .plain)
        #expect(canvas.lines() == ["┌───┐", "│xxx│", "└───┘"])
        #expect(canvas[x: 0, y: 0].style.fg == .cyan)
    }

    @Test func boxTooSmallDrawsNothing() {
        var canvas = Canvas(width: 5, height: 5)
        canvas.box(Rect(x: 0, y: 0, width: 1, height: 5))
        #expect(canvas == Canvas(width: 5, height: 5))
    }

    @Test func styleRestylesARowKeepingText() {
        var canvas = Canvas(width: 4, height: 2)
        canvas.put("ab", x: 0, y: 0)
        canvas.put("cd", x: 0, y: 1, style: Style(fg: .red))
        canvas.style(Rect(x: 0, y: 1, width: 4, height: 1)) { $0.reverse = true }
        #expect(canvas[x: 0, y: 1].style == Style(fg: .red, reverse: true))
        #expect(canvas[x: 3, y: 1].style.reverse)
        #expect(!canvas[x: 0, y: 0].style.reverse)
        #expect(canvas.lines() == ["ab", "cd"])
    }

    @Test func linesOmitContinuationsAndTrimTrailingSpaces() {
        var canvas = Canvas(width: 10, height: 2)
        canvas.put("中 a  ", x: 0, y: 0)
        #expect(canvas.lines() == ["中 a", ""])
    }

    @Test func blitCopiesAndClips() {
        var dialog = Canvas(width: 4, height: 2)
        dialog.put("中ok", x: 0, y: 0)
        dialog.put("ab", x: 0, y: 1)
        var screen = Canvas(width: 5, height: 2)
        screen.put("....", x: 0, y: 0)
        screen.blit(dialog, x: 2, y: 1)  // only the first row fits; "k" is cut
        #expect(screen.lines() == ["....", "  中o"])
        screen.blit(dialog, x: -1, y: 0)  // 中 cut by the left edge; the overlay is opaque
        #expect(screen.lines() == [" ok.", "b   o"])
        screen.blit(dialog, x: 2, y: 0)
        #expect(screen.lines() == [" o中o", "b ab"])
    }

    @Test func changedSpanCoversOnlyWhatDiffers() {
        var old = Canvas(width: 8, height: 2)
        old.put("abcdefgh", x: 0, y: 0)
        var new = old
        #expect(Terminal.changedSpan(old: old, new: new, y: 0, limit: 8) == nil)
        new.put("X", x: 3, y: 0)
        #expect(Terminal.changedSpan(old: old, new: new, y: 0, limit: 8)! == (3, 3))
        new.put("中", x: 5, y: 0)
        #expect(Terminal.changedSpan(old: old, new: new, y: 0, limit: 8)! == (3, 6))
        #expect(Terminal.changedSpan(old: old, new: new, y: 1, limit: 8) == nil)
    }

    @Test func changedSpanWidensOverAWideCharacterThatWasThere() {
        var old = Canvas(width: 6, height: 1)
        old.put("a中b", x: 0, y: 0)
        var new = old
        new.put("x", x: 2, y: 0)  // right half of 中 replaced; its left half becomes a space
        let span = Terminal.changedSpan(old: old, new: new, y: 0, limit: 6)!
        #expect(span.from <= 1 && span.through >= 2)
    }
}
