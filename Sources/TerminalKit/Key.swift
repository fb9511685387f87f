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
    /// editing and function keys, bracketed-paste markers and SGR/X10 mouse wheel reports.
    /// Modifiers (`1;5A` for ctrl-up) are ignored.
    static func csi(params: String, final: Character) -> Sequence {
        if params.hasPrefix("<") {  // SGR mouse: ESC [ < button ; x ; y M|m
            guard final == "M", let button = Int(params.dropFirst().split(separator: ";").first ?? "") else {
                return .ignored
            }
            return wheel(button: button)
        }
        let numbers = params.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        let first = numbers.first.flatMap { $0 } ?? 1
        switch final {
        case "A": return .key(.up)
        case "B": return .key(.down)
        case "C": return .key(.right)
        case "D": return .key(.left)
        case "H": return .key(.home)
        case "F": return .key(.end)
        case "Z": return .key(.backTab)
        case "P": return .key(.f(1))
        case "Q": return .key(.f(2))
        case "R": return .key(.f(3))
        case "S": return .key(.f(4))
        case "~":
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
        default: return .ignored
        }
    }

    /// An SS3 sequence `ESC O final` (application cursor keys, F1–F4, keypad Enter).
    static func ss3(final: Character) -> Sequence {
        switch final {
        case "A": return .key(.up)
        case "B": return .key(.down)
        case "C": return .key(.right)
        case "D": return .key(.left)
        case "H": return .key(.home)
        case "F": return .key(.end)
        case "M": return .key(.enter)
        case "P": return .key(.f(1))
        case "Q": return .key(.f(2))
        case "R": return .key(.f(3))
        case "S": return .key(.f(4))
        default: return .ignored
        }
    }

    /// Mouse button numbers as xterm reports them: 64 is wheel up, 65 wheel down.
    static func wheel(button: Int) -> Sequence {
        switch button & ~(4 | 8 | 16) {  // strip shift/meta/ctrl
        case 64: return .key(.wheelUp)
        case 65: return .key(.wheelDown)
        default: return .ignored
        }
    }
}
