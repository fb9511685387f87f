#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcurses

/// Gives the terminal back to the shell however the process ends: quit, SIGINT/SIGTERM/SIGHUP
/// (exit 128+n), a crash (the previous handler, e.g. Swift's backtracer, then runs on a sane
/// screen), exit() without stop() (atexit), and Ctrl-Z (restored while stopped, repainted on
/// SIGCONT). SIGWINCH is caught here too and only wakes the UI thread.
///
/// Handlers do only async-signal-safe things: atomic flags, write(), tcsetattr(), sigaction(),
/// raise(), _exit(). They never call curses; the UI thread does that when woken.
enum TerminalSignals {
    private enum Slot: Int {
        case active, resumed, resized, ttyFD, wakeFD
    }

    /// Allocated once, never freed: a handler may run at any moment, even after stop().
    nonisolated(unsafe) private static var flags: UnsafeMutablePointer<Int32>?
    nonisolated(unsafe) private static var savedTermios: UnsafeMutablePointer<termios>?
    nonisolated(unsafe) private static var oldActions: UnsafeMutablePointer<sigaction>?
    nonisolated(unsafe) private static var atExitRegistered = false

    static let fatalSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGQUIT, SIGSYS]
    static let terminatingSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    private static let signalLimit = 65

    /// Installs every handler. Call before newterm so curses installs none of its own.
    static func install(ttyFD: Int32, wakeFD: Int32, saved: termios) {
        if flags == nil {
            flags = .allocate(capacity: 8)
            flags!.initialize(repeating: 0, count: 8)
            savedTermios = .allocate(capacity: 1)
            savedTermios!.initialize(to: termios())
            oldActions = .allocate(capacity: signalLimit)
            oldActions!.initialize(repeating: sigaction(), count: signalLimit)
        }
        savedTermios!.pointee = saved
        store(.ttyFD, ttyFD)
        store(.wakeFD, wakeFD)
        store(.resumed, 0)
        store(.resized, 0)
        gv_ensure_altstack()
        if !atExitRegistered {
            atExitRegistered = true
            atexit { _ = TerminalSignals.restoreTTY() }
        }
        for sig in fatalSignals {
            gv_signal_install(sig, { sig, info, _ in TerminalSignals.onFatal(sig, info) }, oldActions! + Int(sig))
        }
        for sig in terminatingSignals {
            gv_signal_install(sig, { sig, _, _ in TerminalSignals.onTerminate(sig) }, oldActions! + Int(sig))
        }
        installSuspendHandler(saveOld: true)
        // A signal the parent set to be ignored (nohup, a shell without job control) stays so.
        for sig in terminatingSignals + [SIGTSTP] where gv_signal_is_ignored(oldActions! + Int(sig)) != 0 {
            gv_signal_restore(sig, oldActions! + Int(sig))
        }
        gv_signal_install(SIGCONT, { _, _, _ in TerminalSignals.onWake(.resumed) }, oldActions! + Int(SIGCONT))
        gv_signal_install(SIGWINCH, { _, _, _ in TerminalSignals.onWake(.resized) }, oldActions! + Int(SIGWINCH))
    }

    /// The terminal is in curses mode: restore it if the process dies.
    static func activate() { store(.active, 1) }

    /// Puts back the handlers that were there before `install`.
    static func uninstall() {
        guard let old = oldActions else { return }
        store(.active, 0)
        for sig in fatalSignals + terminatingSignals + [SIGTSTP, SIGCONT, SIGWINCH] {
            gv_signal_restore(sig, old + Int(sig))
        }
    }

    /// True once after SIGCONT (the UI must re-enter curses mode and repaint everything).
    static func takeResumed() -> Bool { take(.resumed) }
    /// True once after SIGWINCH.
    static func takeResized() -> Bool { take(.resized) }

    // MARK: - Handlers

    /// Leaves the alternate screen, shows the cursor, turns off mouse reporting, bracketed
    /// paste and application keypad, and puts back the shell's tty modes. Runs at most once
    /// per activation. Returns whether it did anything.
    @discardableResult
    static func restoreTTY() -> Bool {
        guard let flags, gv_atomic_exchange(flags + Slot.active.rawValue, 0) == 1 else { return false }
        let fd = load(.ttyFD)
        let reset: StaticString = "\u{1b}[0m\u{1b}[?1000l\u{1b}[?1002l\u{1b}[?1003l\u{1b}[?1006l\u{1b}[?2004l\u{1b}[?1l\u{1b}>\u{1b}[?1049l\u{1b}[?25h\r"
        _ = write(fd, reset.utf8Start, reset.utf8CodeUnitCount)
        if let savedTermios { _ = tcsetattr(fd, TCSANOW, savedTermios) }
        return true
    }

    private static func onFatal(_ sig: Int32, _ info: UnsafeMutablePointer<siginfo_t>?) {
        restoreTTY()
        if let old = oldActions { gv_signal_restore(sig, old + Int(sig)) }
        // A real fault happens again when the handler returns, now reaching the previous
        // handler with its original siginfo; anything sent (kill, abort) is raised again.
        // (No arrays here: nothing that allocates runs in a handler.)
        let isFault = sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE
        if !isFault || gv_siginfo_is_sent(info) != 0 { raise(sig) }
    }

    private static func onTerminate(_ sig: Int32) {
        restoreTTY()
        _exit(128 + sig)
    }

    /// Ctrl-Z: give the screen back, stop, and once continued ask the UI to repaint.
    private static func onSuspend() {
        let wasActive = restoreTTY()
        gv_signal_default(SIGTSTP)
        gv_signal_unblock(SIGTSTP)
        raise(SIGTSTP)  // the process stops here until SIGCONT
        installSuspendHandler(saveOld: false)
        if wasActive { store(.active, 1) }
    }

    private static func installSuspendHandler(saveOld: Bool) {
        gv_signal_install(SIGTSTP, { _, _, _ in TerminalSignals.onSuspend() },
                          saveOld ? oldActions! + Int(SIGTSTP) : nil)
    }

    private static func onWake(_ slot: Slot) {
        let savedErrno = errno
        store(slot, 1)
        var byte: UInt8 = 0x21
        _ = write(load(.wakeFD), &byte, 1)
        errno = savedErrno
    }

    // MARK: - Flags

    private static func store(_ slot: Slot, _ value: Int32) {
        if let flags { gv_atomic_store(flags + slot.rawValue, value) }
    }

    private static func load(_ slot: Slot) -> Int32 {
        guard let flags else { return -1 }
        return gv_atomic_load(flags + slot.rawValue)
    }

    private static func take(_ slot: Slot) -> Bool {
        guard let flags else { return false }
        return gv_atomic_exchange(flags + slot.rawValue, 0) == 1
    }
}
