import Foundation
import Testing
import GreenVNKit
@testable import GreenVNSimulator

/// Each document's example, sent as an operator would send it (the curl command verbatim, only
/// its placeholders filled), answers with the shape the document shows: the same keys at every
/// level and the same JSON types.
@Suite("the documents' examples, verbatim")
struct DocumentExampleTests {
    /// The create document's curl command, its placeholders filled for this simulator.
    static func createCommand(_ h: Harness) throws -> CurlCommand {
        var curl = try CurlCommand(try DocumentExamples.text("create-curl.txt"))
        let (sid, key, token) = (h.sim.config.accountSID, h.sim.config.apiKey, h.sim.config.apiToken)
        try curl.fill { name in
            if name == "<your_sid>" { return sid }
            if name.hasPrefix("<your Auth string") { return Data("\(key):\(token)".utf8).base64EncodedString() }
            return nil
        }
        return curl
    }

    /// The swap document's curl command for allocation `id` (credentials in the URL).
    static func swapCommand(_ h: Harness, id: String) throws -> CurlCommand {
        var curl = try CurlCommand(try DocumentExamples.text("swap-curl.txt"))
        let values = ["<your_api_key>": h.sim.config.apiKey, "<your_api_token>": h.sim.config.apiToken,
                      "<account_sid>": h.sim.config.accountSID, "<greenvn_id>": id]
        try curl.fill { values[$0] }
        return curl
    }

    @Test func theCreateCurlCommandGetsTheDocumentedAnswer() async throws {
        try await withSimulator { h in
            let curl = try Self.createCommand(h)
            #expect(curl.method == "POST" && curl.headers.contains { $0 == ("cache-control", "no-cache") })
            #expect(curl.body?.contains("\u{00A0}") == true, "the document's body, no-break spaces and all")
            let r = try await curl.send(to: h)
            #expect(r.status == 200, "\(r.text)")
            let documented = try DocumentExamples.answer("create-response.json")
            let answer = try #require(r.json)
            #expect(Shape(answer) == Shape(documented), "answer \(Shape(answer)) vs document \(Shape(documented))")
            let data = try #require(answer["data"])
            #expect(data["connection_id"] == .string("X1") && data["usage"] == .string("twoway") && data["state"] == .string("active"))
            #expect(data["aparty_numbers"] == .array([.string("+919176226528"), .string("+911234567891")]))
            #expect(h.sim.poolNumbers.contains(data["green_vn"]?.stringValue ?? ""))
            let id = try #require(data["greenvn_id"]?.stringValue)
            let expiry = try #require(try h.sim.expiries()[id])
            #expect(abs(expiry - Int(Date().timeIntervalSince1970) - 600) <= 5, "the 600s deallocation policy applies")
        }
    }

    @Test func theCreateCurlCommandSentTwiceGetsTheDocumentedError() async throws {
        try await withSimulator { h in
            let curl = try Self.createCommand(h)
            #expect(try await curl.send(to: h).status == 200)
            let again = try await curl.send(to: h)
            #expect(again.status == 409)
            let documented = try DocumentExamples.answer("create-error.json")
            let answer = try #require(again.json)
            #expect(Shape(answer) == Shape(documented), "answer \(Shape(answer)) vs document \(Shape(documented))")
            #expect(answer == documented, "the document's exact values: success, status, code 18, message, data null")
        }
    }

    @Test func theSwapCurlCommandWithCredentialsInTheURLGetsTheDocumentedAnswer() async throws {
        try await withSimulator { h in
            let created = try #require(try await Self.createCommand(h).send(to: h).data.flatMap(Wire.allocation(from:)))
            let curl = try Self.swapCommand(h, id: created.greenvnId)
            #expect(curl.method == "PUT" && curl.url.contains("\(h.sim.config.apiKey):\(h.sim.config.apiToken)@"))
            #expect(curl.body?.contains(#""strictness": "false""#) == true)
            let r = try await curl.send(to: h)
            #expect(r.status == 200, "\(r.text)")
            let documented = try DocumentExamples.answer("swap-response.json")
            let answer = try #require(r.json)
            #expect(Shape(answer) == Shape(documented), "answer \(Shape(answer)) vs document \(Shape(documented))")
            let swapped = try #require(answer["data"].flatMap(Wire.allocation(from:)))
            #expect(swapped.greenvnId == created.greenvnId && swapped.connectionId == "X1")
            #expect(swapped.greenVN != created.greenVN)
            // +917205827365 is not in the pool and strictness is "false": the best other VN fits
            // the other preferences, a Karnataka landline.
            let n = try #require(Pool(perRegionAndType: 20).number(swapped.greenVN))
            #expect(n.region == .KA && n.type == .landline)
        }
    }

    @Test func theSwapCurlCommandWithoutABodyTakesAnyFreeVN() async throws {
        try await withSimulator { h in
            let created = try #require(try await Self.createCommand(h).send(to: h).data.flatMap(Wire.allocation(from:)))
            var curl = try Self.swapCommand(h, id: created.greenvnId)
            curl.body = nil
            let r = try await curl.send(to: h)
            #expect(r.status == 200, "\(r.text)")
            let answer = try #require(r.json)
            #expect(Shape(answer) == Shape(try DocumentExamples.answer("swap-response.json")))
            #expect(answer["data"]?["green_vn"] != .string(created.greenVN))
            #expect(try h.sim.allAllocations().map(\.state) == [.active])
        }
    }

    @Test func theSwapBodyOfTheOtherExamplesGetsTheVNItNames() async throws {
        try await withSimulator { h in
            let created = try #require(try await Self.createCommand(h).send(to: h).data.flatMap(Wire.allocation(from:)))
            let wanted = try #require(h.sim.poolNumbers.first { $0 != created.greenVN })
            // "+9172xxxxxx65" is a placeholder: the only change is a number the pool holds.
            let verbatim = try DocumentExamples.text("swap-node-body.json")
            #expect(verbatim.contains("+9172xxxxxx65"))
            var curl = try Self.swapCommand(h, id: created.greenvnId)
            curl.body = verbatim.replacingOccurrences(of: "+9172xxxxxx65", with: wanted)
            let r = try await curl.send(to: h)
            #expect(r.status == 200, "\(r.text)")
            let answer = try #require(r.json)
            #expect(Shape(answer) == Shape(try DocumentExamples.answer("swap-response.json")))
            #expect(answer["data"]?["green_vn"] == .string(wanted))
        }
    }

    @Test func theGreenvnSpellingIsAQuirkThatIsOffByDefault() async throws {
        try await withSimulator { h in
            #expect(h.sim.createVNKey == .greenVN)
            #expect(try await h.call("GET", "/_sim/quirks").json?["create_vn_key"] == .string("green_vn"))
            let on = try await h.call("PUT", "/_sim/quirks", #"{"create_vn_key":"greenvn"}"#)
            #expect(on.status == 200 && on.json?["create_vn_key"] == .string("greenvn"))
            let quirky = try await h.create("Q1")
            #expect(quirky.data?["greenvn"] != nil && quirky.data?["green_vn"] == nil)
            // Only the create: the other calls keep the documented key.
            let id = try #require(quirky.data?["greenvn_id"]?.stringValue)
            #expect(try await h.details(id).data?["green_vn"] != nil)
            // The client tolerates the quirk.
            let client = LeadAssistClient(settings: h.sim.settings)
            let read = try await client.create(AllocationRequest(connectionId: "Q2", aparty: Party(["+919000000001"]),
                                                                 bparty: Party(["+919000000002"]), usage: .oneway))
            #expect(h.sim.poolNumbers.contains(read.greenVN))
            #expect(try await h.call("PUT", "/_sim/quirks", #"{"create_vn_key":"vn"}"#).status == 400)
            #expect(try await h.call("PUT", "/_sim/quirks", #"{"create_vn_key":"green_vn"}"#).status == 200)
            #expect(try await h.create("Q3").data?["green_vn"] != nil)
        }
        try await withSimulator({ $0.createVNKey = .greenvn }) { h throws in
            #expect(try await h.create("Q4").data?["greenvn"] != nil)
        }
    }
}
