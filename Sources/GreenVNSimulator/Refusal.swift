import GreenVNKit

/// A documented error answer: code, message, and the HTTP status the code travels with.
struct Refusal: Error, Equatable, Sendable {
    let code: Int
    let message: String
    /// Set only where the status is not the code's own (throttling, injected failures).
    var statusOverride: Int?

    init(code: Int, message: String, statusOverride: Int? = nil) {
        self.code = code
        self.message = message
        self.statusOverride = statusOverride
    }

    var httpStatus: Int { statusOverride ?? APIErrorCode.lookup(code)?.httpStatus ?? 400 }

    var body: [UInt8] { Array(Wire.errorEnvelope(status: httpStatus, code: code, message: message)) }

    static let notFound = Refusal(code: 1, message: "GreenVN not found")
    static let alreadyDeleted = Refusal(code: 22, message: "GreenVN already deleted")
    static let duplicateConnection = Refusal(code: 18, message: "Allocation exists for this connection id.")
    static let noFreeVN = Refusal(code: 4, message: "No free green VN unable allocate")
    static let unauthenticated = Refusal(code: 7, message: "Authentication failed or not provided")
    static let forbidden = Refusal(code: 8, message: "Permission denied to do this operation")
    static let tooLarge = Refusal(code: 17, message: "Too many requests: the request body is over 1 MiB")
    static func internalError(_ status: Int = 500) -> Refusal {
        Refusal(code: 0, message: "Internal Service Error", statusOverride: status == 500 ? nil : status)
    }

    static func badRequest(_ why: String) -> Refusal {
        Refusal(code: 5, message: "Bad or missing parameters in request: \(why)")
    }

    static func invalidFlow(_ flowId: String) -> Refusal {
        Refusal(code: 50, message: "Invalid call flow: flow_id \"\(Text.printable(flowId, limit: 64))\" is not a call flow of this account")
    }

    static func strictMiss(_ wish: Wish) -> Refusal {
        Refusal(code: 4, message: "No free green VN unable allocate: none free matches \(wish.summary) (strictness is on)")
    }

    /// One answer for all the broken rules: the code of the first missing field, else of the
    /// first error; the message names every field (FieldError's "field: why" form).
    init(_ failure: ValidationFailure) {
        let errors = failure.errors.isEmpty ? [FieldError(.connectionId, "invalid request")] : failure.errors
        let primary = errors.first { $0.kind == .missing } ?? errors[0]
        self.init(code: Self.code(for: primary), message: errors.map(\.description).joined(separator: "; "))
    }

    static func code(for e: FieldError) -> Int {
        switch e.kind {
        case .missing: return 3
        case .invalidNumber: return 16
        case .sameOnBothSides: return 14
        case .duplicate: return 13
        case .invalid:
            switch e.field {
            case .region: return 15
            case .duration: return 23
            default: return 5
            }
        }
    }
}
