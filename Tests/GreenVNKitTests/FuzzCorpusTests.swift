import Foundation
@testable import GreenVNKit
import Testing

/// The fuzz seeds and every crash the fuzzer ever found (fuzz/corpus/decoder, fuzz/corpus/request),
/// replayed at unit-test speed with the fuzz harness's invariants (Sources/GreenVNFuzz/Fuzz.swift):
/// nothing traps, a failure is a typed GreenVNError, decoded text holds no control character, and
/// what is decoded survives being encoded and decoded again.
enum FuzzCorpus {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus")

    static func names(_ target: String) -> [String] {
        let dir = root.appendingPathComponent(target)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    static func data(_ target: String, _ name: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(target).appendingPathComponent(name))
    }
}

@Suite struct FuzzCorpusTests {
    @Test func corporaArePresent() {
        #expect(FuzzCorpus.names("decoder").count >= 10)
        #expect(FuzzCorpus.names("request").count >= 10)
    }

    @Test(arguments: FuzzCorpus.names("decoder"))
    func decoderCorpus(_ name: String) throws {
        let body = try FuzzCorpus.data("decoder", name)
        for status in [200, 409, 503] {
            switch Wire.decodeAnswer(httpStatus: status, body: body) {
            case .success(let a):
                #expect((200...299).contains(status))
                #expect(!a.greenvnId.isEmpty)
                for s in [a.greenvnId, a.connectionId, a.greenVN, a.flowId ?? ""] + a.aparty.numbers + a.bparty.numbers {
                    #expect(!Text.hasControl(s), "\(s.debugDescription)")
                }
                for key in ["green_vn", "greenvn"] {
                    let again = Wire.decodeAnswer(httpStatus: status, body: Wire.envelope(status: status, data: Wire.json(a, vnKey: key)))
                    #expect(again == .success(a), "round trip via \(key)")
                }
            case .failure(let e):
                switch e {
                case .refused(let r), .unavailable(let r): #expect(!Text.hasControl(r.message), "\(r.message.debugDescription)")
                case .badResponse(_, let snippet): #expect(!Text.hasControl(snippet), "\(snippet.debugDescription)")
                default: Issue.record("decodeAnswer failed with \(e), not an answer-level error")
                }
                #expect(!Text.hasControl(e.description))
            }
        }
    }

    @Test(arguments: FuzzCorpus.names("request"))
    func requestCorpus(_ name: String) throws {
        let body = try FuzzCorpus.data("request", name)
        func typed(_ decode: () throws -> Void) {
            do { try decode() } catch is GreenVNError {} catch { Issue.record("untyped error \(type(of: error)): \(error)") }
        }
        typed {
            let d = try Wire.draft(fromCreate: body)
            for normalizing in [false, true] {
                guard case .success(let (r, _)) = d.validate(normalizing: normalizing) else { continue }
                for s in [r.connectionId, r.flowId ?? ""] + r.aparty.numbers + r.bparty.numbers { #expect(!Text.hasControl(s)) }
                // The outbox's round trip: Wire.body, then draft(fromCreate:) + validate(normalizing: false).
                let again = try Wire.draft(fromCreate: Wire.body(r)).validate(normalizing: false).map(\.0)
                #expect(again == .success(r))
            }
        }
        typed {
            let d = try Wire.draft(fromSwap: body)
            for normalizing in [false, true] {
                guard case .success(let r) = d.validate(normalizing: normalizing) else { continue }
                #expect(try Wire.draft(fromSwap: Wire.body(r) ?? Data()).validate(normalizing: false) == .success(r))
            }
        }
        typed {
            let d = try Wire.draft(fromPartyUpdate: body)
            for normalizing in [false, true] {
                guard case .success(let u) = d.validate(normalizing: normalizing) else { continue }
                #expect(try Wire.draft(fromPartyUpdate: Wire.body(u)).validate(normalizing: false) == .success(u))
            }
        }
    }
}

/// Found while fuzzing: Foundation's decoder accepts 512 levels of nesting, and decoding that deep
/// needs ~1.3 MB of stack, which overflows a thread with a small stack. JSONValue.parse stops at 64.
@Suite struct NestingDepthTests {
    @Test func sixtyFourLevelsDecodeSixtyFiveAreRefused() throws {
        #expect(throws: Never.self) { try Wire.decodeAnswer(httpStatus: 200, body: FuzzCorpus.data("decoder", "deep-64-ok.json")).get() }
        guard case .failure(.badResponse) = Wire.decodeAnswer(httpStatus: 200, body: try FuzzCorpus.data("decoder", "deep-65-refused.json")) else {
            Issue.record("65 levels should be a bad response"); return
        }
        #expect(throws: GreenVNError.self) { try Wire.draft(fromCreate: Data(("{\"a\":" + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "}").utf8)) }
    }

    @Test func bracketsInsideStringsDoNotCount() {
        #expect(JSONValue.nestingDepth(Data(#"{"a":"[[[{{\"[[","b":[1]}"#.utf8), limit: 64) == 2)
    }

    @Test func theDeepestAcceptedBodyDecodesOnASmallStack() throws {
        let body = try FuzzCorpus.data("decoder", "deep-64-ok.json")
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var ok = false
        let thread = Thread {
            ok = (try? Wire.decodeAnswer(httpStatus: 200, body: body).get()) != nil
            done.signal()
        }
        thread.stackSize = 512 * 1024
        thread.start()
        done.wait()
        #expect(ok)
    }
}
