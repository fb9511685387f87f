import Foundation

/// One row of Lead Assist's error table, with what it means to an operator and what to do next.
public struct APIErrorCode: Sendable, Equatable {
    public let code: Int
    public let httpStatus: Int
    public let meaning: String
    public let nextStep: String

    public static let all: [APIErrorCode] = [
        .init(code: 0, httpStatus: 500, meaning: "internal service error at Lead Assist", nextStep: "try again in a minute; if it persists contact Exotel support"),
        .init(code: 1, httpStatus: 404, meaning: "GreenVN not found", nextStep: "check the greenvn_id; `greenvn list` shows the ones you know"),
        .init(code: 2, httpStatus: 400, meaning: "unsupported search filters", nextStep: "remove the filter and retry"),
        .init(code: 3, httpStatus: 400, meaning: "mandatory parameters missing", nextStep: "give connection_id, A-party and B-party numbers and usage"),
        .init(code: 4, httpStatus: 452, meaning: "no free VN matches", nextStep: "relax the preferences or turn strictness off"),
        .init(code: 5, httpStatus: 400, meaning: "bad or missing parameters", nextStep: "correct the field named in the message and resend"),
        .init(code: 7, httpStatus: 401, meaning: "authentication failed or not provided", nextStep: "check EXOTEL_API_KEY and EXOTEL_API_TOKEN (or the profile file)"),
        .init(code: 8, httpStatus: 403, meaning: "permission denied", nextStep: "ask your Exotel admin to enable GreenVN for this API key"),
        .init(code: 9, httpStatus: 400, meaning: "unsupported API version", nextStep: "update greenvn or check GREENVN_BASE_URL ends in /v1"),
        .init(code: 13, httpStatus: 409, meaning: "all numbers in the group are duplicates", nextStep: "list each number once"),
        .init(code: 14, httpStatus: 409, meaning: "the same number is on the A and the B side", nextStep: "keep each number on one side only"),
        .init(code: 15, httpStatus: 403, meaning: "region not supported", nextStep: "choose one of DL MU MH WB AP TN GJ KA KL RJ MP, or drop the region"),
        .init(code: 16, httpStatus: 400, meaning: "invalid number", nextStep: "write numbers in E.164: + and 8–15 digits"),
        .init(code: 17, httpStatus: 413, meaning: "too many requests in one bulk call", nextStep: "lower --concurrency and retry"),
        .init(code: 18, httpStatus: 409, meaning: "an allocation exists for this connection_id", nextStep: "use a new connection_id, or `greenvn import GREENVN_ID` if it is yours"),
        .init(code: 19, httpStatus: 409, meaning: "number already registered with another pin", nextStep: "use the pin already registered, or another number"),
        .init(code: 20, httpStatus: 404, meaning: "group/number mapping does not exist", nextStep: "refresh the allocation (`greenvn show` it) and retry"),
        .init(code: 22, httpStatus: 410, meaning: "GreenVN already deleted", nextStep: "nothing to do: the allocation is in the vault"),
        .init(code: 23, httpStatus: 400, meaning: "invalid date range", nextStep: "use a duration between 5 minutes and 170 days"),
        .init(code: 50, httpStatus: 422, meaning: "invalid call flow", nextStep: "check flow_id against the call flows of your account"),
    ]

    public static func lookup(_ code: Int) -> APIErrorCode? { all.first { $0.code == code } }
}

/// The API answered and said no.
public struct APIRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public var httpStatus: Int
    public var code: Int?
    public var message: String

    public init(httpStatus: Int, code: Int?, message: String) {
        self.httpStatus = httpStatus
        self.code = code
        self.message = Text.printable(message, limit: 300)
    }

    public var known: APIErrorCode? { code.flatMap(APIErrorCode.lookup) }

    public var nextStep: String {
        if let k = known { return k.nextStep }
        switch httpStatus {
        case 401, 402: return "check EXOTEL_API_KEY and EXOTEL_API_TOKEN (or the profile file)"
        case 429: return "Lead Assist is throttling: wait a moment and retry"
        default: return "check the request and retry"
        }
    }

    public var description: String {
        let codeText = code.map { "code \($0), " } ?? ""
        let meaning = known.map { " (\($0.meaning))" } ?? ""
        let msg = message.isEmpty ? (known?.meaning ?? "refused") : message
        return "Lead Assist refused: \(msg) [\(codeText)HTTP \(httpStatus)]\(meaning == " (\(msg))" ? "" : meaning). Next: \(nextStep)."
    }
}

/// Everything that can go wrong talking to Lead Assist, by what the operator should do about it.
public enum GreenVNError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Bad input; nothing was sent. Exit 2.
    case invalid(ValidationFailure)
    /// Connection settings are unusable. Exit 2.
    case configuration(String)
    /// The API answered with a refusal. Exit 1.
    case refused(APIRefusal)
    /// A create was retried after a lost answer and Lead Assist says the connection_id exists:
    /// the first attempt allocated, but its greenvn_id never reached us. Exit 1.
    case allocatedResponseLost(connectionId: String)
    /// Transport failure (refused, reset, DNS, TLS) after every retry. Exit 3.
    case network(String)
    /// No answer within the timeout after every retry. Exit 3.
    case timeout(seconds: Double)
    /// The server answered with something that is not Lead Assist JSON (HTML, empty, wrong shape). Exit 3.
    case badResponse(httpStatus: Int, snippet: String)
    /// Throttled or failing server (429/499/5xx) after every retry. Exit 3.
    case unavailable(APIRefusal)
    /// A swap whose answer was lost and whose outcome could not be confirmed with a GET. Exit 3.
    case outcomeUnknown(String)
    /// A change whose every answer was lost, and a GET after shows it did not happen: nothing
    /// changed, safe to send again. `what`: "the swap", "the deallocation"… Exit 3.
    case notDone(what: String)

    public var exitCode: Int32 {
        switch self {
        case .invalid, .configuration: return 2
        case .refused, .allocatedResponseLost: return 1
        case .network, .timeout, .badResponse, .unavailable, .outcomeUnknown, .notDone: return 3
        }
    }

    public var description: String {
        switch self {
        case .invalid(let f):
            return "Invalid input, nothing was sent:\n\(f.description)"
        case .configuration(let why):
            return "Configuration problem: \(why)"
        case .refused(let r):
            return r.description
        case .allocatedResponseLost(let cid):
            return "Allocated, response lost: Lead Assist already holds an allocation for connection_id \(cid) (our first attempt succeeded but its answer never arrived). Its greenvn_id is unknown: find it in Exotel's dashboard or a webhook, then run `greenvn import GREENVN_ID`."
        case .network(let why):
            return "Network failure: \(why). Check the connection and GREENVN_BASE_URL, then retry; nothing is lost."
        case .timeout(let s):
            return "No answer from Lead Assist within \(String(format: "%.0f", s))s. Retry later; a create is retried with the same connection_id so it is never allocated twice."
        case .badResponse(let status, let snippet):
            return "Lead Assist answered HTTP \(status) with something that is not its JSON: \"\(snippet)\". Check GREENVN_BASE_URL points at the API; retry later."
        case .unavailable(let r):
            return "Lead Assist is unavailable (HTTP \(r.httpStatus)\(r.code.map { ", code \($0)" } ?? "")\(r.message.isEmpty ? "" : ": \(r.message)")) after every retry. Try again in a minute."
        case .outcomeUnknown(let why):
            return "Outcome unknown: \(why). Show the allocation (`greenvn show` with its greenvn_id, VN or connection_id) to see its current state."
        case .notDone(let what):
            return "Not done: \(what) did not happen (every answer was lost, and Lead Assist shows the allocation unchanged). Nothing changed: it is safe to try again."
        }
    }
}
