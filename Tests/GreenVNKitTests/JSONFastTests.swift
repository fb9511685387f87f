import Foundation
@testable import GreenVNKit
import Testing

/// JSONFast must read and write exactly what Foundation's JSONDecoder/JSONEncoder would, or step
/// aside: random values, and random documents and mutations of them, against Foundation.
@Suite struct JSONFastParity {
    static let characters: [Character] = Array("abcXYZ_09 -+/\\\"\n\r\t\u{0}\u{1}\u{1f}\u{7f}é😀\u{2028}.:,{}[]")
    static let keyCharacters: [Character] = Array("abzAZ_09-~ .$")

    static func value(_ rng: inout SplitMix64, depth: Int = 0) -> JSONValue {
        func text(_ from: [Character], _ n: Int) -> String { String((0..<rng.below(n + 1)).map { _ in from[rng.below(from.count)] }) }
        switch rng.below(depth > 3 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(rng.below(2) == 0)
        case 2: return .int([0, 1, -1, .max, .min, Int64(rng.below(2_000_000)) - 1_000_000][rng.below(6)])
        case 3, 4: return .string(text(characters, 12))
        case 5: return .array((0..<rng.below(5)).map { _ in value(&rng, depth: depth + 1) })
        default:
            var o: [String: JSONValue] = [:]
            for _ in 0..<rng.below(6) { o[text(keyCharacters, 6)] = value(&rng, depth: depth + 1) }
            return .object(o)
        }
    }

    static func foundationBytes(_ v: JSONValue) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try e.encode(v)
    }

    @Test func writesWhatJSONEncoderWrites() throws {
        var rng = SplitMix64(seed: 11)
        var fast = 0
        for _ in 0..<3_000 {
            let v = Self.value(&rng)
            guard let bytes = JSONFast.write(v) else { continue }
            fast += 1
            #expect(Data(bytes) == (try Self.foundationBytes(v)))
        }
        #expect(fast > 2_900)
    }

    @Test func readsWhatJSONDecoderReadsOrStepsAside() throws {
        var rng = SplitMix64(seed: 12)
        var docs: [Data] = ["1.0", "-0", "1e2", "01", "-", "9223372036854775808", "-9223372036854775808",
                            "{\"a\":1,\"a\":2}", "\"\\u0041\"", " [1, 2 ] ", "[1,]", "\u{feff}{}", "tru", "\"a\\x\"", "[]x",
                            "{\u{a0}\"a\":1}", "[\"\u{a0}\"]"].map { Data($0.utf8) }
        for _ in 0..<2_000 {
            var bytes = [UInt8](try Self.foundationBytes(Self.value(&rng)))
            docs.append(Data(bytes))
            guard !bytes.isEmpty else { continue }
            let k = rng.below(bytes.count)
            switch rng.below(3) {
            case 0: bytes[k] = UInt8(rng.below(256))
            case 1: bytes.remove(at: k)
            default: bytes = Array(bytes[0..<k])
            }
            docs.append(Data(bytes))
        }
        for d in docs {
            guard let fast = d.withUnsafeBytes({ JSONFast.parse($0) }) else { continue }
            let foundation = try? JSONDecoder().decode(JSONValue.self, from: d)
            #expect(fast == foundation, "\(String(decoding: d, as: UTF8.self).debugDescription)")
        }
    }
}

extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
