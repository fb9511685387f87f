import Foundation

/// Which side of an allocation: A-parties call B-parties through the VN (and, two-way, back).
public enum Side: String, Sendable, CaseIterable, Codable {
    case a, b

    /// "A-party", as forms, lists and the detail pane name it.
    public var label: String { self == .a ? "A-party" : "B-party" }
    public var numbersField: Field { self == .a ? .apartyNumbers : .bpartyNumbers }
    public var pinsField: Field { self == .a ? .apartyPins : .bpartyPins }
}

/// One side of an allocation: the numbers on it, and the pins an unknown caller on that side
/// types to get through.
public struct Party: Equatable, Hashable, Sendable {
    public var numbers: [String]
    public var pins: [Int]

    public init(_ numbers: [String] = [], pins: [Int] = []) {
        self.numbers = numbers
        self.pins = pins
    }

    /// "+919876543210 (+2)": the first number and how many more (a count in brackets, not a
    /// number's "+"), for list cells; "—" for no number.
    public var summary: String {
        guard let first = numbers.first else { return "—" }
        return numbers.count > 1 ? "\(first) (+\(numbers.count - 1))" : first
    }

    /// Raw input for one side, as typed, given as flags, read from CSV or a request body.
    public struct Draft: Equatable, Sendable {
        public var numbers: [String]
        public var pins: [String]
        public init(_ numbers: [String] = [], pins: [String] = []) {
            self.numbers = numbers
            self.pins = pins
        }
    }

    /// What a call-party update replaces on one side: nil keeps what the allocation has.
    public struct Change: Equatable, Hashable, Sendable {
        public var numbers: [String]?
        public var pins: [Int]?
        public init(numbers: [String]? = nil, pins: [Int]? = nil) {
            self.numbers = numbers
            self.pins = pins
        }
        public var isEmpty: Bool { numbers == nil && pins == nil }
        /// True when `party` already holds everything this change asks for.
        public func isApplied(to party: Party) -> Bool {
            (numbers.map { $0 == party.numbers } ?? true) && (pins.map { $0 == party.pins } ?? true)
        }
    }

    /// Raw input for a `Change`.
    public struct ChangeDraft: Equatable, Sendable {
        public var numbers: [String]?
        public var pins: [String]?
        public init(numbers: [String]? = nil, pins: [String]? = nil) {
            self.numbers = numbers
            self.pins = pins
        }
    }
}
