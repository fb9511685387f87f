import Foundation
import GreenVNKit
import Testing
@testable import GreenVNStore

/// fuzz/corpus/csv (the seeds and every crash the fuzzer found), replayed at unit-test speed with
/// the fuzz harness's invariants (Sources/GreenVNFuzz/Fuzz.swift).
@Suite struct CSVCorpusTests {
    static let dir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus/csv")

    static var names: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() }

    @Test func corpusIsPresent() { #expect(Self.names.count >= 10) }

    @Test(arguments: names)
    func csvCorpus(_ name: String) throws {
        let data = try Data(contentsOf: Self.dir.appendingPathComponent(name))
        let records = CSVReader.records(data)
        var lastLine = 0
        for r in records {
            #expect(r.line > lastLine)
            lastLine = r.line
            #expect(!r.fields.isEmpty)
            #expect(r.invalidUTF8Fields.allSatisfy { $0 < r.fields.count })
        }
        // Written back with every field quoted (quotes doubled byte by byte: `"` then a combining
        // mark is one Character, see quote-combining-mark.csv), the records read the same.
        var rewritten = Data()
        for (n, r) in records.enumerated() {
            if n > 0 { rewritten.append(contentsOf: [0x0D, 0x0A]) }
            for (i, field) in r.fields.enumerated() {
                if i > 0 { rewritten.append(0x2C) }
                rewritten.append(0x22)
                for b in field.utf8 { if b == 0x22 { rewritten.append(b) }; rewritten.append(b) }
                rewritten.append(0x22)
            }
        }
        #expect(CSVReader.records(rewritten).map { $0.fields.map { Array($0.utf8) } } == records.map { $0.fields.map { Array($0.utf8) } })

        let (rows, invalid) = BulkImport.parse(csv: data)
        for (line, r) in rows {
            #expect(line >= 1 && line <= lastLine)
            for s in [r.connectionId, r.flowId ?? ""] + r.aparty.numbers + r.bparty.numbers { #expect(!Text.hasControl(s)) }
        }
        for (line, errors) in invalid {
            #expect(!errors.isEmpty, "line \(line)")
            for e in errors { #expect(!Text.hasControl(e.message), "line \(line): \(e.message.debugDescription)") }
        }
    }
}
