import Foundation
import Testing
import GreenVNKit

/// The documents' examples (Fixtures/, verbatim) and what an operator does with them.
enum DocumentExamples {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
    }

    /// An example answer as JSON. The swap answer's trailing comma (`"+918136966620",` before
    /// `]`) is a typo of the document, not JSON: it is dropped here, and only here.
    static func answer(_ name: String) throws -> JSONValue {
        var t = try text(name)
        t = t.replacingOccurrences(of: #",\s*\]"#, with: "]", options: .regularExpression)
        return try JSONValue.parse(Data(t.utf8))
    }
}

/// A curl command as a document prints it, read the way curl reads it.
struct CurlCommand {
    var method: String
    var url: String
    var headers: [(String, String)]
    var body: String?

    /// Shell words (quotes, backslash-newline continuations), then curl's options.
    init(_ command: String) throws {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var chars = Array(command.replacingOccurrences(of: "\\\n", with: " "))[...]
        while let c = chars.popFirst() {
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c
                inWord = true
            } else if c == " " || c == "\t" || c == "\n" {
                if inWord { words.append(word); word = ""; inWord = false }
            } else {
                word.append(c)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        guard words.first == "curl" else { throw CurlError(why: "not a curl command") }
        var method: String?
        var url: String?
        var headers: [(String, String)] = []
        var body: String?
        var rest = words.dropFirst()
        while let w = rest.popFirst() {
            switch w {
            case "-X", "--request": method = rest.popFirst()
            case "-H", "--header":
                guard let h = rest.popFirst(), let colon = h.firstIndex(of: ":") else { throw CurlError(why: "bad header") }
                headers.append((String(h[..<colon]), h[h.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            case "-d", "--data", "--data-raw": body = rest.popFirst()
            case "--location", "-L": continue
            default:
                guard !w.hasPrefix("-") else { throw CurlError(why: "unexpected option \(w)") }
                url = w
            }
        }
        guard let url else { throw CurlError(why: "no URL") }
        self.method = method ?? (body == nil ? "GET" : "POST")
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// Replaces each `<placeholder>` in the URL and the headers; an unknown one is an error.
    mutating func fill(_ values: (String) -> String?) throws {
        func filled(_ s: String) throws -> String {
            var out = ""
            var rest = s[...]
            while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
                out += rest[..<open]
                let name = String(rest[open...close])
                guard let v = values(name) else { throw CurlError(why: "no value for \(name)") }
                out += v
                rest = rest[rest.index(after: close)...]
            }
            return out + rest
        }
        url = try filled(url)
        headers = try headers.map { ($0.0, try filled($0.1)) }
    }

    /// Sent to the simulator instead of leadassist.exotel.in, as curl would send it: credentials
    /// in the URL become a Basic Authorization header, and curl's own Accept and User-Agent go too.
    func send(to h: Harness) async throws -> RawResponse {
        guard var c = URLComponents(string: url) else { throw CurlError(why: "bad URL \(url)") }
        var sent: [String: String] = ["Accept": "*/*", "User-Agent": "curl/7.88.1"]
        if let user = c.user {
            sent["Authorization"] = Harness.basic(user, c.password ?? "")
            c.user = nil
            c.password = nil
        }
        for (name, value) in headers { sent[name] = value }
        let target = c.percentEncodedPath + (c.percentEncodedQuery.map { "?" + $0 } ?? "")
        let o = try await h.outcome(method, target, auth: .none, headers: sent, rawBody: body.map { Data($0.utf8) })
        guard let r = o.response else { throw CurlError(why: "no complete answer") }
        return r
    }
}

struct CurlError: Error { let why: String }

/// The JSON type of every value, keys and nesting kept: two answers "look the same" when their
/// shapes are equal (array elements as a set of shapes, numbers as one type).
indirect enum Shape: Hashable, CustomStringConvertible {
    case null, bool, number, string
    case array(Set<Shape>)
    case object([String: Shape])

    init(_ v: JSONValue) {
        switch v {
        case .null: self = .null
        case .bool: self = .bool
        case .int, .double: self = .number
        case .string: self = .string
        case .array(let items): self = .array(Set(items.map(Shape.init)))
        case .object(let o): self = .object(o.mapValues(Shape.init))
        }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .number: return "number"
        case .string: return "string"
        case .array(let s): return "[" + s.map(\.description).sorted().joined(separator: "|") + "]"
        case .object(let o): return "{" + o.keys.sorted().map { "\($0): \(o[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}
