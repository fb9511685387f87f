import CNcurses

/// A key press (or terminal event) as the app sees it.
public enum Key: Sendable, Equatable, Hashable {
    /// A printable grapheme, including " ".
    case char(Character)
    /// Ctrl-a … ctrl-z as the lowercase letter, e.g. `.ctrl("s")`. Ctrl-h, -i, -j and -m are the
    /// same bytes as Backspace, Tab and Enter and arrive as those; ctrl-c and ctrl-z raise
    /// SIGINT and SIGTSTP and never arrive at all.
    case ctrl(Character)
    case enter, tab, backTab, escape, backspace, delete
    case up, down, left, right, home, end, pageUp, pageDown, insert
    case f(Int)
    case wheelUp, wheelDown
    /// The left button pressed at column `x`, row `y` (0-based, the screen's top left is 0, 0).
    case click(x: Int, y: Int)
    /// The terminal changed size (or came back from Ctrl-Z): re-render at `Terminal.size`.
    case resize
    /// Text pasted with the terminal's bracketed paste; line breaks are "\n".
    case paste(String)
}

/// Turns what curses' get_wch reports into keys. Pure, so every key family is unit-tested.
public enum KeyDecoder {
    /// One get_wch result: `isKeyCode` when it returned KEY_CODE_YES (`code` is a KEY_*
    /// constant), else `code` is a Unicode scalar value. KEY_MOUSE yields nil (the Terminal
    /// reads the mouse event itself), as do keys with no meaning here.
    public static func decode(code: Int32, isKeyCode: Bool) -> Key? {
        isKeyCode ? decodeKeyCode(code) : decodeCharacter(code)
    }

    private static func decodeKeyCode(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_HOME, KEY_A1, KEY_FIND: return .home     // vt220 keypads send Find/Select
        case KEY_END, KEY_C1, KEY_SELECT: return .end      // for the Home/End positions
        case KEY_PPAGE, KEY_A3: return .pageUp
        case KEY_NPAGE, KEY_C3: return .pageDown
        case KEY_IC: return .insert
        case KEY_DC: return .delete
        case KEY_BACKSPACE: return .backspace
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        case KEY_RESIZE: return .resize
        case (KEY_F0 + 1)...(KEY_F0 + 63): return .f(Int(code - KEY_F0))
        default: return nil
        }
    }

    private static func decodeCharacter(_ code: Int32) -> Key? {
        switch code {
        case 13, 10: return .enter
        case 9: return .tab
        case 27: return .escape
        case 127, 8: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(0x60 + code))))
        case ..<32, 0x80...0x9F: return nil
        default:
            guard let scalar = Unicode.Scalar(UInt32(bitPattern: code)) else { return nil }
            return .char(Character(scalar))
        }
    }

    /// What an escape sequence that curses did not recognise (its terminfo lacks it) means.
    enum Sequence: Equatable {
        case key(Key)
        case pasteStart, pasteEnd
        case ignored
    }

    /// A CSI sequence `ESC [ params final`: the xterm, vt220 and rxvt forms of the cursor,
    /// editing and function keys, bracketed-paste markers and SGR/X10 mouse reports.
    /// Modifiers (`1;5A` for ctrl-up) are ignored.
    static func csi(params: String, final: Character) -> Sequence {
        if params.hasPrefix("<") {  // SGR mouse: ESC [ < button ; x ; y M|m
            let fields = params.dropFirst().split(separator: ";").map { Int($0) }
            guard final == "M", fields.count == 3, let button = fields[0], let x = fields[1], let y = fields[2] else {
                return .ignored
            }
            return mouse(button: button, x: x - 1, y: y - 1)
        }
        let numbers = params.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        let first = numbers.first.flatMap { $0 } ?? 1
        if final == "~" {
            switch first {
            case 1, 7: return .key(.home)
            case 2: return .key(.insert)
            case 3: return .key(.delete)
            case 4, 8: return .key(.end)
            case 5: return .key(.pageUp)
            case 6: return .key(.pageDown)
            case 11...15: return .key(.f(first - 10))
            case 17...21: return .key(.f(first - 11))
            case 23, 24: return .key(.f(first - 12))
            case 200: return .pasteStart
            case 201: return .pasteEnd
            default: return .ignored
            }
        }
        if final == "Z" { return .key(.backTab) }
        return finalLetters[final].map(Sequence.key) ?? .ignored
    }

    /// An SS3 sequence `ESC O final` (application cursor keys, F1–F4, keypad Enter).
    static func ss3(final: Character) -> Sequence {
        if final == "M" { return .key(.enter) }
        return finalLetters[final].map(Sequence.key) ?? .ignored
    }

    /// The final letters CSI (`ESC [ A`) and SS3 (`ESC O A`) share: cursor keys, Home/End, F1–F4.
    static let finalLetters: [Character: Key] = [
        "A": .up, "B": .down, "C": .right, "D": .left, "H": .home, "F": .end,
        "P": .f(1), "Q": .f(2), "R": .f(3), "S": .f(4),
    ]

    /// A mouse report as xterm numbers its buttons: 0 the left button pressed, 64 wheel up,
    /// 65 wheel down; (x, y) 0-based. Other buttons, drags (32) and releases are ignored.
    static func mouse(button: Int, x: Int, y: Int) -> Sequence {
        switch button & ~(4 | 8 | 16) {  // strip shift/meta/ctrl
        case 0: return x >= 0 && y >= 0 ? .key(.click(x: x, y: y)) : .ignored
        case 64: return .key(.wheelUp)
        case 65: return .key(.wheelDown)
        default: return .ignored
        }
    }
}
