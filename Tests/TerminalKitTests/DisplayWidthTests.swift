import Testing
@testable import TerminalKit

@Suite struct DisplayWidthTests {
    @Test func asciiIsOneColumnPerCharacter() {
        #expect(DisplayWidth.of("hello") == 5)
        #expect(DisplayWidth.of(" ") == 1)
        #expect(DisplayWidth.of("") == 0)
    }

    @Test func rupeeSignIsNarrow() {
        #expect(DisplayWidth.of(Character("₹")) == 1)
        #expect(DisplayWidth.of("₹1,500") == 6)
    }

    @Test func accentedLetterIsOneColumnComposedOrDecomposed() {
        let composed = "\u{E9}"
        let decomposed = "e\u{301}"
        #expect(DisplayWidth.of(composed) == 1)
        #expect(DisplayWidth.of(decomposed) == 1)
        #expect(DisplayWidth.of("Jos\u{E9} Ren\u{65}\u{301}") == 9)
    }

    @Test func cjkAndFullwidthAreTwoColumns() {
        #expect(DisplayWidth.of(Character("中")) == 2)
        #expect(DisplayWidth.of("中文") == 4)
        #expect(DisplayWidth.of(Character("한")) == 2)
        #expect(DisplayWidth.of(Character("Ａ")) == 2)  // U+FF21 fullwidth A
        #expect(DisplayWidth.of(Character("ｱ")) == 1)   // U+FF71 halfwidth katakana
    }

    @Test func emojiAreTwoColumns() {
        #expect(DisplayWidth.of(Character("😀")) == 2)
        #expect(DisplayWidth.of(Character("✅")) == 2)
        #expect(DisplayWidth.of(Character("🇮🇳")) == 2)        // a flag: two regional indicators
        #expect(DisplayWidth.of(Character("👍🏽")) == 2)        // skin-tone modifier
        #expect(DisplayWidth.of(Character("👨‍👩‍👧")) == 2)  // ZWJ sequence counts as its first emoji
    }

    @Test func zeroWidthScalarsTakeNoColumn() {
        #expect(DisplayWidth.of(Character("\u{301}")) == 0)   // combining acute on its own
        #expect(DisplayWidth.of(Character("\u{200D}")) == 0)  // ZWJ
        #expect(DisplayWidth.of(Character("\u{200B}")) == 0)  // zero-width space
        #expect(DisplayWidth.of(Character("\u{FE0F}")) == 0)  // variation selector 16
        #expect(DisplayWidth.scalarWidth(0x0301) == 0)
    }

    @Test func controlCharactersAreZero() {
        #expect(DisplayWidth.of(Character("\u{1B}")) == 0)
        #expect(DisplayWidth.of(Character("\t")) == 0)
        #expect(DisplayWidth.of(Character("\u{7F}")) == 0)
        #expect(DisplayWidth.of(Character("\u{9B}")) == 0)
        #expect(DisplayWidth.of("a\u{1B}b") == 2)
    }

    @Test func truncateLeavesShortStringsAlone() {
        #expect(DisplayWidth.truncate("hello", to: 5) == "hello")
        #expect(DisplayWidth.truncate("₹99", to: 10) == "₹99")
    }

    @Test func truncateCutsWithEllipsis() {
        #expect(DisplayWidth.truncate("hello world", to: 8) == "hello w…")
        #expect(DisplayWidth.truncate("abc", to: 1) == "…")
        #expect(DisplayWidth.truncate("abc", to: 0) == "")
        #expect(DisplayWidth.truncate("abcdef", to: 2, ellipsis: "...") == "ab")
    }

    @Test func truncateNeverSplitsAWideCharacter() {
        #expect(DisplayWidth.truncate("中文字", to: 5) == "中文…")
        #expect(DisplayWidth.truncate("中文字", to: 4) == "中…")
        #expect(DisplayWidth.of(DisplayWidth.truncate("中文字", to: 4)) == 3)
    }

    @Test func padGivesExactWidth() {
        #expect(DisplayWidth.pad("ab", to: 4) == "ab  ")
        #expect(DisplayWidth.pad("₹99", to: 5) == "₹99  ")
        #expect(DisplayWidth.pad("中文字", to: 4) == "中… ")
        #expect(DisplayWidth.pad("中文字", to: 5) == "中文…")
        #expect(DisplayWidth.pad("abc", to: 0) == "")
        for width in 1...8 {
            #expect(DisplayWidth.of(DisplayWidth.pad("x中y文z", to: width)) == width)
        }
    }

    @Test func piecesSplitAGraphemeIntoCursesCells() {
        let decomposed = DisplayWidth.pieces(of: Character("e\u{301}"))
        #expect(decomposed.map { $0.map(\.value) } == [[0x65, 0x301]])
        let flag = DisplayWidth.pieces(of: Character("🇮🇳"))
        #expect(flag.count == 2)
        let family = DisplayWidth.pieces(of: Character("👨‍👩‍👧"))
        #expect(family.map { $0.map(\.value) } == [[0x1F468]])
    }
}
