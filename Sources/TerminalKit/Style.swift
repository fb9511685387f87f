/// One of the terminal's own 16 colours, or its default foreground/background.
/// The theme never names RGB values: the operator's terminal palette decides what "red" is.
public enum Color: Sendable, Equatable, Hashable {
    case `default`
    case black, red, green, yellow, blue, magenta, cyan, white
    case brightBlack, brightRed, brightGreen, brightYellow, brightBlue, brightMagenta, brightCyan, brightWhite

    /// The ANSI index (0…15), or nil for the terminal default.
    public var ansiIndex: Int? {
        switch self {
        case .default: return nil
        case .black: return 0
        case .red: return 1
        case .green: return 2
        case .yellow: return 3
        case .blue: return 4
        case .magenta: return 5
        case .cyan: return 6
        case .white: return 7
        case .brightBlack: return 8
        case .brightRed: return 9
        case .brightGreen: return 10
        case .brightYellow: return 11
        case .brightBlue: return 12
        case .brightMagenta: return 13
        case .brightCyan: return 14
        case .brightWhite: return 15
        }
    }
}

/// How a cell looks. Under NO_COLOR / --no-color only the attributes are rendered.
public struct Style: Sendable, Equatable, Hashable {
    public var fg: Color
    public var bg: Color
    public var bold: Bool
    public var dim: Bool
    public var reverse: Bool
    public var underline: Bool

    public init(fg: Color = .default, bg: Color = .default, bold: Bool = false, dim: Bool = false,
                reverse: Bool = false, underline: Bool = false) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.dim = dim
        self.reverse = reverse
        self.underline = underline
    }

    public static let plain = Style()
}

/// Maps styles to curses colour numbers and hands out colour pairs lazily, one per (fg, bg).
/// Pure bookkeeping; the Terminal calls init_pair for each pair this reports as new.
struct ColorPalette {
    /// A curses colour number: -1 is the terminal default (use_default_colors).
    struct Pair: Hashable {
        var fg: Int16
        var bg: Int16
    }

    /// COLORS as reported by the terminal.
    let colorCount: Int
    /// COLOR_PAIRS as reported by the terminal; pair 0 is reserved for default/default.
    let pairLimit: Int
    /// False when use_default_colors failed: "default" then means white on black.
    let hasDefaultColors: Bool
    private(set) var assigned: [Pair: Int16] = [:]

    init(colorCount: Int, pairLimit: Int, hasDefaultColors: Bool = true) {
        self.colorCount = colorCount
        self.pairLimit = min(pairLimit, Int(Int16.max))
        self.hasDefaultColors = hasDefaultColors
    }

    /// The curses colour number for a colour, and whether bold must stand in for "bright"
    /// (terminals with fewer than 16 colours).
    static func number(for color: Color, colorCount: Int) -> (number: Int16, boldForBright: Bool) {
        guard let index = color.ansiIndex else { return (-1, false) }
        if index < 8 { return (Int16(index), false) }
        if colorCount >= 16 { return (Int16(index), false) }
        return (Int16(index - 8), true)
    }

    /// The pair for a style's colours, the extra bold needed for a bright foreground on an
    /// 8-colour terminal, and the pair to initialise if it was just allocated.
    /// When pairs run out, falls back to pair 0 (the terminal's default colours).
    mutating func resolve(_ style: Style) -> (pair: Int16, extraBold: Bool, new: (Int16, Pair)?) {
        let fg = Self.number(for: style.fg, colorCount: colorCount)
        let bg = Self.number(for: style.bg, colorCount: colorCount)
        var key = Pair(fg: fg.number, bg: bg.number)
        if !hasDefaultColors {
            if key.fg == -1 { key.fg = 7 }
            if key.bg == -1 { key.bg = 0 }
            if key == Pair(fg: 7, bg: 0) { return (0, fg.boldForBright, nil) }
        }
        if key.fg == -1 && key.bg == -1 { return (0, fg.boldForBright, nil) }
        if let existing = assigned[key] { return (existing, fg.boldForBright, nil) }
        let next = assigned.count + 1
        guard next < pairLimit else { return (0, fg.boldForBright, nil) }
        let pair = Int16(next)
        assigned[key] = pair
        return (pair, fg.boldForBright, (pair, key))
    }
}
