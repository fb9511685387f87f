/// The JSON of the wire, read and written without Foundation's Codable machinery (its decoder
/// tries each case of `JSONValue` in turn, throwing and catching on the way; its encoder boxes
/// every value): a create's body, an answer's envelope and the simulator's stored lists are
/// small, plain documents, and Foundation's JSON cost more than the rest of handling them.
/// Both sides are exact or step aside: `parse` returns nil for anything it does not read exactly
/// as `JSONDecoder` would (a fraction or exponent, an integer past Int64, a repeated key, an
/// escape it does not know, a byte that is not plain UTF-8, trailing text), and then the caller
/// uses the decoder; `write` returns nil for a value holding a Double or a key that is not plain
/// ASCII, and then the caller uses the encoder. Both are checked against Foundation's output.
enum JSONFast {
    // MARK: reading

    static func parse(_ bytes: UnsafeRawBufferPointer) -> JSONValue? {
        var p = Parser(bytes: bytes)
        p.skipSpace()
        guard let v = p.value() else { return nil }
        p.skipSpace()
        return p.i == bytes.count ? v : nil
    }

    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var i = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func skipSpace() {
            while i < bytes.count {
                let b = bytes[i]
                guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
                i += 1
            }
        }

        mutating func literal(_ text: StaticString) -> Bool {
            let n = text.utf8CodeUnitCount
            guard i + n <= bytes.count else { return false }
            let t = text.utf8Start
            for k in 0..<n where bytes[i + k] != t[k] { return false }
            i += n
            return true
        }

        mutating func value() -> JSONValue? {
            guard i < bytes.count else { return nil }
            switch bytes[i] {
            case 0x7B: return object()
            case 0x5B: return array()
            case 0x22: return string().map(JSONValue.string)
            case 0x74: return literal("true") ? .bool(true) : nil
            case 0x66: return literal("false") ? .bool(false) : nil
            case 0x6E: return literal("null") ? .null : nil
            case 0x2D, 0x30...0x39: return integer()
            default: return nil
            }
        }

        mutating func object() -> JSONValue? {
            i += 1
            var o: [String: JSONValue] = [:]
            skipSpace()
            if i < bytes.count, bytes[i] == 0x7D { i += 1; return .object(o) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == 0x22, let key = string() else { return nil }
                skipSpace()
                guard i < bytes.count, bytes[i] == 0x3A else { return nil }
                i += 1
                skipSpace()
                guard let v = value() else { return nil }
                guard o.updateValue(v, forKey: key) == nil else { return nil }   // a repeated key: the decoder's call
                skipSpace()
                guard i < bytes.count else { return nil }
                if bytes[i] == 0x2C { i += 1; continue }
                if bytes[i] == 0x7D { i += 1; return .object(o) }
                return nil
            }
        }

        mutating func array() -> JSONValue? {
            i += 1
            var a: [JSONValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == 0x5D { i += 1; return .array(a) }
            while true {
                skipSpace()
                guard let v = value() else { return nil }
                a.append(v)
                skipSpace()
                guard i < bytes.count else { return nil }
                if bytes[i] == 0x2C { i += 1; continue }
                if bytes[i] == 0x5D { i += 1; return .array(a) }
                return nil
            }
        }

        /// A plain integer that fits Int64: `-`? then `0` or a digit 1–9 and more digits, and no
        /// `.`, `e` or `E` after it (those go to the decoder, which has its own rules for them).
        mutating func integer() -> JSONValue? {
            var negative = false
            if bytes[i] == 0x2D { negative = true; i += 1 }
            guard i < bytes.count, (0x30...0x39).contains(bytes[i]) else { return nil }
            if bytes[i] == 0x30, i + 1 < bytes.count, (0x30...0x39).contains(bytes[i + 1]) { return nil }
            var magnitude: UInt64 = 0
            while i < bytes.count, (0x30...0x39).contains(bytes[i]) {
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(bytes[i] - 0x30))
                guard !o1, !o2 else { return nil }
                magnitude = s
                i += 1
            }
            if i < bytes.count, bytes[i] == 0x2E || bytes[i] == 0x65 || bytes[i] == 0x45 { return nil }
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
                return magnitude == UInt64(Int64.max) + 1 ? .int(.min) : .int(-Int64(magnitude))
            }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return .int(Int64(magnitude))
        }

        /// A string of ASCII and the simple escapes; nil at any non-ASCII byte or `\u` (the
        /// decoder then reads it, with its own handling of UTF-8 and surrogates).
        mutating func string() -> String? {
            i += 1
            var out: [UInt8] = []
            while i < bytes.count {
                let b = bytes[i]
                if b == 0x22 { i += 1; return String(decoding: out, as: UTF8.self) }
                if b < 0x20 || b >= 0x80 { return nil }
                if b == 0x5C {
                    guard i + 1 < bytes.count else { return nil }
                    switch bytes[i + 1] {
                    case 0x22: out.append(0x22)
                    case 0x5C: out.append(0x5C)
                    case 0x2F: out.append(0x2F)
                    case 0x62: out.append(0x08)
                    case 0x66: out.append(0x0C)
                    case 0x6E: out.append(0x0A)
                    case 0x72: out.append(0x0D)
                    case 0x74: out.append(0x09)
                    default: return nil
                    }
                    i += 2
                    continue
                }
                out.append(b)
                i += 1
            }
            return nil
        }
    }

    // MARK: writing

    /// Compact, keys sorted, `/` unescaped: `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]`.
    static func write(_ v: JSONValue) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        return write(v, into: &out) ? out : nil
    }

    private static func write(_ v: JSONValue, into out: inout [UInt8]) -> Bool {
        switch v {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let n): out.append(contentsOf: String(n).utf8)
        case .double: return false
        case .string(let s): quote(s, into: &out)
        case .array(let items):
            out.append(0x5B)
            for (k, item) in items.enumerated() {
                if k > 0 { out.append(0x2C) }
                guard write(item, into: &out) else { return false }
            }
            out.append(0x5D)
        case .object(let o):
            for key in o.keys where !key.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) { return false }
            out.append(0x7B)
            for (k, key) in o.keys.sorted().enumerated() {
                if k > 0 { out.append(0x2C) }
                out.append(0x22)
                out.append(contentsOf: key.utf8)
                out.append(0x22)
                out.append(0x3A)
                guard write(o[key]!, into: &out) else { return false }
            }
            out.append(0x7D)
        }
        return true
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        for b in s.utf8 {
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x09: out.append(0x5C); out.append(0x74)
            case 0x08: out.append(0x5C); out.append(0x62)
            case 0x0C: out.append(0x5C); out.append(0x66)
            case 0x00..<0x20:
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(0x22)
    }
}
