import CNcurses

/// Decodes batches of get_wch results into keys: curses' own key codes, the escape sequences
/// curses passed through because the terminfo entry lacks them, Alt-chords (ESC then a char,
/// reported as `.escape` then the char) and bracketed paste, which may span batches.
///
/// A batch is everything read in one wake-up. curses waits ESCDELAY after an ESC before giving
/// up on a sequence, so a sequence never straddles two batches; a paste can.
struct InputDecoder {
    enum Raw: Equatable {
        /// One get_wch result (see `KeyDecoder.decode(code:isKeyCode:)`).
        case code(Int32, isKeyCode: Bool)
        /// Already decoded by the Terminal (the mouse, from getmouse).
        case key(Key)
    }

    /// The key codes curses was taught (define_key) for `ESC [200~` and `ESC [201~`.
    var pasteStartCode: Int32 = 0x3F00
    var pasteEndCode: Int32 = 0x3F01
    private var pasteBuffer: String?
    private var pasteLastWasCR = false

    var isPasting: Bool { pasteBuffer != nil }

    mutating func feed(_ raws: [Raw]) -> [Key] {
        var keys: [Key] = []
        var i = 0
        while i < raws.count {
            let raw = raws[i]
            i += 1
            if raw == .code(27, isKeyCode: false), let (sequence, used) = Self.escapeSequence(raws, at: i) {
                i += used
                switch sequence {
                case .pasteStart: startPaste()
                case .pasteEnd: finishPaste(into: &keys)
                case .key(let key): if !isPasting { keys.append(key) }
                case .ignored: break
                }
                continue
            }
            if case .code(let code, true) = raw, code == pasteStartCode { startPaste(); continue }
            if case .code(let code, true) = raw, code == pasteEndCode { finishPaste(into: &keys); continue }
            if isPasting { appendToPaste(raw); continue }
            switch raw {
            case .key(let key): keys.append(key)
            case .code(let code, let isKeyCode):
                if let key = KeyDecoder.decode(code: code, isKeyCode: isKeyCode) { keys.append(key) }
            }
        }
        return keys
    }

    private mutating func startPaste() {
        if pasteBuffer == nil { pasteBuffer = "" }
        pasteLastWasCR = false
    }

    private mutating func finishPaste(into keys: inout [Key]) {
        if let text = pasteBuffer { keys.append(.paste(text)) }
        pasteBuffer = nil
    }

    /// Pasted text keeps its printable characters, tabs and line breaks (CR, LF, CRLF → "\n").
    private mutating func appendToPaste(_ raw: Raw) {
        let wasCR = pasteLastWasCR
        pasteLastWasCR = false
        switch raw {
        case .code(13, false):
            pasteBuffer?.append("\n")
            pasteLastWasCR = true
        case .code(10, false):
            if !wasCR { pasteBuffer?.append("\n") }
        case .code(9, false):
            pasteBuffer?.append("\t")
        case .code(let code, false):
            let value = UInt32(bitPattern: code)
            guard !DisplayWidth.isControl(value), let scalar = Unicode.Scalar(value) else { return }
            pasteBuffer?.unicodeScalars.append(scalar)
        case .code(let code, true):
            if code == KEY_ENTER { pasteBuffer?.append("\n") }
        case .key:
            break
        }
    }

    /// The sequence starting right after an ESC at `start`, and how many raws it used; nil if
    /// what follows is not a complete CSI/SS3 sequence (then the ESC is a key on its own).
    static func escapeSequence(_ raws: [Raw], at start: Int) -> (KeyDecoder.Sequence, Int)? {
        func char(_ j: Int) -> UInt32? {
            guard j < raws.count, case .code(let code, false) = raws[j] else { return nil }
            return UInt32(bitPattern: code)
        }
        func character(_ v: UInt32) -> Character { Character(Unicode.Scalar(UInt8(v))) }

        guard let introducer = char(start) else { return nil }
        if introducer == 0x4F {  // "O": SS3
            guard let final = char(start + 1), (0x40...0x7E).contains(final) else { return nil }
            return (KeyDecoder.ss3(final: character(final)), 2)
        }
        guard introducer == 0x5B else { return nil }  // "["
        if char(start + 1) == 0x5B {  // Linux console F1–F5: ESC [ [ A…E
            guard let final = char(start + 2), (0x41...0x45).contains(final) else { return nil }
            return (.key(.f(Int(final) - 0x40)), 3)
        }
        var params = ""
        var j = start + 1
        while let c = char(j) {
            if (0x20...0x3F).contains(c) {
                params.append(character(c))
                j += 1
                continue
            }
            guard (0x40...0x7E).contains(c) else { return nil }
            if c == 0x4D && params.isEmpty {  // X10 mouse: ESC [ M button x y, each + 32, 1-based
                guard let button = char(j + 1), let x = char(j + 2), let y = char(j + 3) else { return nil }
                return (KeyDecoder.mouse(button: Int(button) - 32, x: Int(x) - 33, y: Int(y) - 33), j + 4 - start)
            }
            return (KeyDecoder.csi(params: params, final: character(c)), j + 1 - start)
        }
        return nil
    }
}
