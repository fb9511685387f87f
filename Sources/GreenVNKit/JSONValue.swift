import Foundation

/// A parsed JSON document. Decoding goes through this so the client and the simulator can be
/// lenient exactly where the docs disagree (bool or string, number or string, two key spellings).
public indirect enum JSONValue: Equatable, Hashable, Sendable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else if let o = try? c.decode([String: JSONValue].self) { self = .object(o) }
        else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value") }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Deepest nesting of arrays and objects accepted. Lead Assist's documents nest 3 deep.
    /// Foundation's decoder allows 512, and decoding that deep takes about 1.3 MB of stack
    /// (2.5 KB a level): fine on the main thread or a task, a crash on a thread with a small stack.
    public static let maxDepth = 64

    /// U+00A0 between tokens reads as a space: the Lead Assist documents indent their examples
    /// (the curl command's body included) with it, and what they show must be accepted.
    public static func parse(_ data: Data) throws -> JSONValue {
        guard nestingDepth(data, limit: maxDepth) <= maxDepth else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "nested deeper than \(maxDepth) levels"))
        }
        if let fast = data.withUnsafeBytes({ JSONFast.parse($0) }) { return fast }
        return try JSONDecoder().decode(JSONValue.self, from: noBreakSpacesAsSpaces(data))
    }

    /// Each UTF-8 U+00A0 (C2 A0) outside strings becomes two spaces; strings are left alone.
    static func noBreakSpacesAsSpaces(_ data: Data) -> Data {
        guard data.range(of: Data([0xC2, 0xA0])) != nil else { return data }
        var bytes = [UInt8](data)
        var inString = false, escaped = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if inString {
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
            } else if b == 0x22 {
                inString = true
            } else if b == 0xC2, i + 1 < bytes.count, bytes[i + 1] == 0xA0 {
                bytes[i] = 0x20
                bytes[i + 1] = 0x20
                i += 1
            }
            i += 1
        }
        return Data(bytes)
    }

    /// How deep `[` and `{` nest outside strings, counted up to `limit + 1` (a byte scan before
    /// decoding; whether the text is JSON at all is the decoder's business).
    static func nestingDepth(_ data: Data, limit: Int) -> Int {
        data.withUnsafeBytes { bytes in
            var depth = 0, deepest = 0
            var inString = false, escaped = false
            for b in bytes {
                if inString {
                    if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                    continue
                }
                switch b {
                case 0x22: inString = true
                case 0x5B, 0x7B:
                    depth += 1
                    if depth > deepest { deepest = depth; if deepest > limit { return deepest } }
                case 0x5D, 0x7D: depth -= 1
                default: break
                }
            }
            return deepest
        }
    }

    /// Compact JSON with sorted keys: deterministic bytes on the wire and in tests.
    public func serialized(pretty: Bool = false) -> Data {
        if !pretty, let fast = JSONFast.write(self) { return Data(fast) }
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return (try? e.encode(self)) ?? Data("null".utf8)
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d) where d.rounded() == d && abs(d) < 1e15: return String(Int64(d))
        default: return nil
        }
    }

    /// true/false, or the strings "true"/"false" (the swap example sends a string).
    public var boolValue: Bool? {
        switch self {
        case .bool(let b): return b
        case .string(let s):
            switch s.lowercased() { case "true": return true; case "false": return false; default: return nil }
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isNull: Bool { self == .null }
}
