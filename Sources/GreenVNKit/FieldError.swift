/// One broken rule on one field. Validation returns all of them at once.
public struct FieldError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    /// Which rule broke; the simulator maps it to Lead Assist's error code.
    public enum Kind: String, Sendable { case missing, invalidNumber, duplicate, sameOnBothSides, invalid }
    public var field: Field
    public var message: String
    public var severity: Severity
    public var kind: Kind

    public init(_ field: Field, _ message: String, kind: Kind = .invalid, severity: Severity = .error) {
        self.field = field
        self.message = message
        self.kind = kind
        self.severity = severity
    }

    public var description: String { "\(field.rawValue): \(message)" }
}

/// Every invalid field of a request; thrown so nothing is sent.
public struct ValidationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var errors: [FieldError]
    public init(_ errors: [FieldError]) { self.errors = errors }
    public var description: String {
        errors.map { "  \($0.field.rawValue): \($0.message)" }.joined(separator: "\n")
    }
}

extension Array where Element == FieldError {
    public var blocking: [FieldError] { filter { $0.severity == .error } }
    public var warnings: [FieldError] { filter { $0.severity == .warning } }
    public func on(_ field: Field) -> [FieldError] { filter { $0.field == field } }
}

/// Why one value breaks a rule ("\"12ab\" is not E.164 …"); a string literal is one.
public struct RuleBroken: Error, Equatable, Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public let message: String
    public init(stringLiteral value: String) { message = value }
    public init(stringInterpolation: DefaultStringInterpolation) { message = String(stringInterpolation: stringInterpolation) }
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension FieldError {
    public init(_ field: Field, _ broken: RuleBroken, kind: Kind = .invalid) {
        self.init(field, broken.message, kind: kind)
    }
}
