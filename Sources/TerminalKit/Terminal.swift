#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcurses

/// The screen and the keyboard, through ncursesw. One thread owns it: every method except
/// `wake()` must be called from the thread that created it (curses is not thread-safe).
/// That thread loops: `nextEvents` (sleeps in poll() on the tty and a wake-up pipe), update,
/// render into a Canvas, `draw`.
public final class Terminal: @unchecked Sendable {
    static let inputFD: Int32 = 0
    static let outputFD: Int32 = 1
    static let pasteOn = "\u{1b}[?2004h"
    static let pasteOff = "\u{1b}[?2004l"

    let options: TerminalOptions
    /// Whether colours are drawn (false under --no-color, NO_COLOR or a monochrome terminal).
    public let usesColor: Bool
    private let screen: OpaquePointer
    /// Input is read through a 1×1 pad: wget_wch on stdscr would first refresh it, repainting
    /// a stale frame (e.g. right after a resize) before `draw` paints the new one.
    private let input: UnsafeMutablePointer<WINDOW>
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var savedTermios: termios
    var palette: ColorPalette
    var attributeCache: [Style: (attr_t, Int16)] = [:]
    private var decoder = InputDecoder()
    /// The last frame drawn, to diff against; nil forces a full repaint.
    var previous: Canvas?
    var needsFullRepaint = true
    var paintedSize = (width: 0, height: 0)
    var cursor = (x: 0, y: 0, visible: false)
    var cursorShown = false
    private(set) var stopped = false
    /// A target known to take copies; an unsure one is asked again at the next copy (the
    /// operator may have just fixed tmux's set-clipboard).
    private var clipboardTarget: ClipboardReport?
    /// The last read stopped at its batch limit: more input may wait inside curses.
    private var moreInput = false

    /// Starts curses on the terminal: UTF-8 locale, alternate screen, cbreak with flow control
    /// off (ctrl-s/ctrl-q reach the app; ctrl-c/ctrl-z still raise SIGINT/SIGTSTP), no echo,
    /// keypad, ESCDELAY 25 ms, hidden cursor, terminal default colours, mouse (wheel and left clicks),
    /// bracketed paste, and the signal handlers that restore the terminal on any exit.
    public init(options: TerminalOptions) throws {
        guard isatty(Self.inputFD) == 1, isatty(Self.outputFD) == 1 else { throw TerminalError.notATerminal }
        let term = getenv("TERM").map { String(cString: $0) } ?? ""
        guard !term.isEmpty, term != "dumb" else {
            throw TerminalError.initFailed(term.isEmpty ? "TERM is not set" : "TERM=dumb cannot draw a full-screen UI")
        }
        Self.selectUTF8Locale()

        var fds: [Int32] = [-1, -1]
        guard gv_pipe_nonblocking(&fds) == 0 else { throw TerminalError.initFailed("cannot create the wake-up pipe") }
        var saved = termios()
        _ = tcgetattr(Self.inputFD, &saved)
        TerminalSignals.install(ttyFD: Self.outputFD, wakeFD: fds[1], saved: saved)
        guard let screen = newterm(nil, stdout, stdin) else {
            TerminalSignals.uninstall()
            close(fds[0])
            close(fds[1])
            throw TerminalError.initFailed("curses does not know TERM=\(term)")
        }
        self.options = options
        self.screen = screen
        self.wakeRead = fds[0]
        self.wakeWrite = fds[1]
        self.savedTermios = saved
        TerminalSignals.activate()  // curses owns the tty from here: restore it on any exit

        let win = gv_stdscr()
        guard let input = newpad(1, 1) else {
            endwin()
            delscreen(screen)
            TerminalSignals.uninstall()
            close(fds[0])
            close(fds[1])
            throw TerminalError.initFailed("curses could not allocate a window")
        }
        self.input = input
        cbreak()
        noecho()
        nonl()
        intrflush(win, false)
        keypad(win, true)
        keypad(input, true)
        nodelay(input, true)
        set_escdelay(25)
        curs_set(0)
        Self.disableFlowControl()

        let noColorEnv = getenv("NO_COLOR").map { $0.pointee != 0 } ?? false
        var colors = false
        var defaults = false
        if !options.noColor && !noColorEnv && has_colors() && start_color() == OK {
            colors = true
            defaults = use_default_colors() == OK
        }
        usesColor = colors
        palette = ColorPalette(colorCount: colors ? Int(gv_colors()) : 0,
                               pairLimit: colors ? Int(gv_color_pairs()) : 0,
                               hasDefaultColors: defaults)

        if options.mouse {
            mousemask(gv_wheel_up_mask() | gv_wheel_down_mask() | gv_button1_mask(), nil)
            mouseinterval(0)
        }
        decoder.pasteStartCode = Self.keyCode(for: "\u{1b}[200~", fallback: 0x3F00)
        decoder.pasteEndCode = Self.keyCode(for: "\u{1b}[201~", fallback: 0x3F01)

        werase(win)
        wnoutrefresh(win)
        doupdate()
        writeToTTY(Self.pasteOn)
        paintedSize = size
    }

    deinit {
        stop()
        close(wakeRead)
        close(wakeWrite)
    }

    /// Columns and rows of the screen.
    public var size: (width: Int, height: Int) {
        guard !stopped else { return paintedSize }
        let win = gv_stdscr()
        return (Int(gv_getmaxx(win)), Int(gv_getmaxy(win)))
    }

    /// Waits up to `timeoutMs` (negative: forever) for input or a `wake()`, then returns every
    /// key that has arrived (possibly none). `.resize` means re-render at `size`; it is also
    /// returned after Ctrl-Z/fg, when the last frame has already been repainted.
    public func nextEvents(timeoutMs: Int32) -> [Key] {
        guard !stopped else { return [] }
        var keys = handleSignals()
        if keys.isEmpty {
            var fds = [pollfd(fd: Self.inputFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, moreInput ? 0 : timeoutMs)
            if fds[1].revents != 0 { drainWakePipe() }
            keys += handleSignals()
        }
        keys += readInput()
        var sawResize = false
        return keys.filter { key in
            guard key == .resize else { return true }
            defer { sawResize = true }
            return !sawResize
        }
    }

    /// Makes a `nextEvents` that is waiting (or the next one) return. Safe from any thread.
    public func wake() {
        var byte: UInt8 = 0x21
        _ = write(wakeWrite, &byte, 1)
    }

    /// Puts text on the clipboard of the operator's terminal (OSC 52), also over SSH, and
    /// says whether the terminal is known to have taken it.
    public func copyToClipboard(_ text: String) -> ClipboardReport {
        guard !stopped else { return .failed("the terminal is not in use") }
        writeToTTY(OSC52.sequence(for: text, tmux: getenv("TMUX") != nil))
        if let known = clipboardTarget { return known }
        var env: [String: String] = [:]
        for name in ["TMUX", "STY", "TERM", "TERM_PROGRAM", "KITTY_WINDOW_ID", "WEZTERM_PANE", "ALACRITTY_WINDOW_ID"] {
            if let v = getenv(name) { env[name] = String(cString: v) }
        }
        let report = ClipboardTarget.report(environment: env, tmuxOption: TmuxOption.value(of:))
        if case .copied = report { clipboardTarget = report }
        return report
    }

    /// Shows the cursor at (x, y) for a text field, or hides it. Kept across draws.
    public func setCursor(x: Int, y: Int, visible: Bool) {
        cursor = (x, y, visible)
        guard !stopped else { return }
        applyCursor()
        wnoutrefresh(gv_stdscr())
        doupdate()
    }

    /// Leaves curses and restores the terminal as it was. Idempotent; also done by deinit.
    public func stop() {
        guard !stopped else { return }
        paintedSize = size
        stopped = true
        writeToTTY(Self.pasteOff)
        if options.mouse { mousemask(0, nil) }
        curs_set(1)
        endwin()
        _ = tcsetattr(Self.inputFD, TCSANOW, &savedTermios)
        TerminalSignals.uninstall()
        delwin(input)
        delscreen(screen)
    }

    // MARK: - Input

    private func readInput() -> [Key] {
        var raws: [InputDecoder.Raw] = []
        moreInput = true
        while raws.count < 4096 {
            var wc: wint_t = 0
            let result = wget_wch(input, &wc)
            if result == ERR {
                moreInput = false
                break
            }
            let code = Int32(bitPattern: UInt32(wc))
            if result == KEY_CODE_YES && code == KEY_MOUSE {
                var event = MEVENT()
                if getmouse(&event) == OK {
                    if event.bstate & gv_wheel_up_mask() != 0 { raws.append(.key(.wheelUp)) }
                    if event.bstate & gv_button1_mask() != 0 { raws.append(.key(.click(x: Int(event.x), y: Int(event.y)))) }
                    if gv_wheel_down_mask() != 0 && event.bstate & gv_wheel_down_mask() != 0 { raws.append(.key(.wheelDown)) }
                }
                continue
            }
            if result == KEY_CODE_YES && code == KEY_RESIZE { needsFullRepaint = true }
            raws.append(.code(code, isKeyCode: result == KEY_CODE_YES))
        }
        return decoder.feed(raws)
    }

    /// Acts on what the signal handlers flagged: SIGCONT (re-enter curses, repaint) and
    /// SIGWINCH (tell curses the new size).
    private func handleSignals() -> [Key] {
        var keys: [Key] = []
        let resumed = TerminalSignals.takeResumed()
        if resumed {
            endwin()  // curses now knows it is out; the next doupdate re-enters and resets modes
            TerminalSignals.activate()
        }
        if TerminalSignals.takeResized() || resumed {
            var rows: Int32 = 0, cols: Int32 = 0
            if gv_winsize(Self.outputFD, &rows, &cols) == 0 { resizeterm(rows, cols) }
            needsFullRepaint = true
            keys.append(.resize)
        }
        if resumed {
            if let previous { draw(previous) } else { wnoutrefresh(gv_stdscr()); doupdate() }
            writeToTTY(Self.pasteOn)
        }
        return keys
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    // MARK: - Setup helpers

    /// curses needs a UTF-8 LC_CTYPE for wide characters; fall back to C.UTF-8 when the
    /// environment names none. LC_NUMERIC stays "C" so no C formatting code sees a decimal comma.
    private static func selectUTF8Locale() {
        setlocale(LC_ALL, "")
        setlocale(LC_NUMERIC, "C")
        guard gv_locale_is_utf8() == 0 else { return }
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, name) != nil {
            if gv_locale_is_utf8() != 0 { return }
        }
    }

    /// Turns off XON/XOFF (ctrl-s, ctrl-q) and IEXTEN (ctrl-v, ctrl-o) so those keys reach the
    /// app, and makes curses remember it as the program mode it restores after Ctrl-Z.
    private static func disableFlowControl() {
        var t = termios()
        guard tcgetattr(inputFD, &t) == 0 else { return }
        t.c_iflag &= ~tcflag_t(IXON | IXOFF)
        t.c_lflag &= ~tcflag_t(IEXTEN)
        _ = tcsetattr(inputFD, TCSANOW, &t)
        def_prog_mode()
    }

    /// The key code curses reports for an escape sequence, teaching it `fallback` if needed.
    private static func keyCode(for sequence: String, fallback: Int32) -> Int32 {
        let existing = key_defined(sequence)
        if existing > 0 { return existing }
        _ = define_key(sequence, fallback)
        return fallback
    }

    func writeToTTY(_ text: String) { writeToTTY(Array(text.utf8)) }

    func writeToTTY(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(Self.outputFD, $0.baseAddress, $0.count) }
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && errno == EAGAIN {
                var out = [pollfd(fd: Self.outputFD, events: Int16(POLLOUT), revents: 0)]
                if poll(&out, 1, 1000) <= 0 { return }
            } else {
                return
            }
        }
    }
}
