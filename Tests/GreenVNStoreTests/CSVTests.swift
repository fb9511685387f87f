import Foundation
import GreenVNKit
import Testing
@testable import GreenVNStore

@Suite struct CSVReaderTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let input: [UInt8]
        let expected: [CSVRecord]
        var testDescription: String { name }
        init(_ name: String, _ text: String, _ expected: [CSVRecord]) {
            self.init(name, Array(text.utf8), expected)
        }
        init(_ name: String, _ bytes: [UInt8], _ expected: [CSVRecord]) {
            self.name = name
            input = bytes
            self.expected = expected
        }
    }

    static func rec(_ line: Int, _ fields: [String], bad: [Int] = [], open: Bool = false) -> CSVRecord {
        CSVRecord(line: line, fields: fields, invalidUTF8Fields: bad, unterminatedQuote: open)
    }

    static let cases: [Case] = [
        Case("empty", "", []),
        Case("only line breaks", "\n\r\n\n", []),
        Case("simple LF", "a,b,c\n1,2,3\n", [rec(1, ["a", "b", "c"]), rec(2, ["1", "2", "3"])]),
        Case("CRLF, no final break", "a,b\r\n1,2", [rec(1, ["a", "b"]), rec(2, ["1", "2"])]),
        Case("lone CR", "a,b\r1,2\r", [rec(1, ["a", "b"]), rec(2, ["1", "2"])]),
        Case("empty fields", ",,\n", [rec(1, ["", "", ""])]),
        Case("quoted comma and doubled quotes", "\"a,b\",\"say \"\"hi\"\"\"\n", [rec(1, ["a,b", "say \"hi\""])]),
        Case("quoted line break spans lines", "x,\"1\n2\"\ny,3\n", [rec(1, ["x", "1\n2"]), rec(3, ["y", "3"])]),
        Case("quoted CRLF kept", "\"a\r\nb\"\r\nc\r\n", [rec(1, ["a\r\nb"]), rec(3, ["c"])]),
        Case("empty quoted field", "\"\",x\n\"\"\n", [rec(1, ["", "x"]), rec(2, [""])]),
        Case("stray quote inside a bare field is text", "ab\"c,d\n", [rec(1, ["ab\"c", "d"])]),
        Case("text after a closing quote is kept", "\"ab\"cd,e\n", [rec(1, ["abcd", "e"])]),
        Case("unterminated quote", "a,\"never closed\nstill", [rec(1, ["a", "never closed\nstill"], open: true)]),
        Case("BOM skipped", [0xEF, 0xBB, 0xBF] + Array("a,b\n".utf8), [rec(1, ["a", "b"])]),
        Case("BOM only at start", Array("x\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("y\n".utf8), [rec(1, ["x"]), rec(2, ["\u{FEFF}y"])]),
        Case("blank lines skipped, line numbers kept", "a\n\n\nb\n", [rec(1, ["a"]), rec(4, ["b"])]),
        Case("spaces preserved", " a , b \n", [rec(1, [" a ", " b "])]),
        Case("invalid UTF-8 flagged per field", Array("ok,".utf8) + [0xFF, 0xFE] + Array(",fine\nnext\n".utf8),
             [rec(1, ["ok", "\u{FFFD}\u{FFFD}", "fine"], bad: [1]), rec(2, ["next"])]),
        Case("truncated multibyte", [0x61, 0x2C, 0xE2, 0x82], [rec(1, ["a", "\u{FFFD}"], bad: [1])]),
        Case("NUL and controls are just bytes", [0x61, 0x00, 0x1B, 0x2C, 0x62], [rec(1, ["a\u{0}\u{1B}", "b"])]),
        Case("non-ASCII", "名前,☎︎\n", [rec(1, ["名前", "☎︎"])]),
    ]

    @Test(arguments: cases)
    func reads(_ c: Case) {
        #expect(CSVReader.records(Data(c.input)) == c.expected)
        #expect(CSVReader.rows(Data(c.input)).map(\.fields) == c.expected.map(\.fields))
    }

    @Test func neverTrapsOnRandomBytes() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x22, 0x2C, 0x0D, 0x0A, 0x61, 0xFF, 0xEF, 0xBB, 0xBF, 0xC3, 0x00]
        for _ in 0..<2_000 {
            let n = Int.random(in: 0..<64, using: &rng)
            let bytes = (0..<n).map { _ in Bool.random(using: &rng) ? alphabet.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng) }
            let records = CSVReader.records(Data(bytes))
            #expect(records.allSatisfy { $0.line >= 1 && !$0.fields.isEmpty })
            #expect(zip(records, records.dropFirst()).allSatisfy { $0.line < $1.line })
        }
    }
}

@Suite struct BulkParseTests {
    static let header = "connection_id,aparty_numbers,bparty_numbers,usage"

    func parse(_ text: String) -> (rows: [(line: Int, request: AllocationRequest)], invalid: [(line: Int, errors: [FieldError])]) {
        BulkImport.parse(csv: Data(text.utf8))
    }

    @Test func readsEveryColumnAndSemicolonLists() throws {
        let csv = """
            connection_id,aparty_numbers,bparty_numbers,usage,aparty_pins,bparty_pins,region,pin_code,type,duration,flow_id,strictness,greenvn\r
            c-1,+919876543210;+919876543211,+918765432109,twoway,1234;99,5678,KA,560001,mobile,600s,flow-1,true,+918000000001\r
            c-2,9876543212,+918765432108,ONEWAY,,,,,,,,,\r

            """
        let (rows, invalid) = parse(csv)
        #expect(invalid.isEmpty, "\(invalid)")
        #expect(rows.map(\.line) == [2, 3])
        let r1 = rows[0].request
        #expect(r1.aparty.numbers == ["+919876543210", "+919876543211"])
        #expect(r1.aparty.pins == [1234, 99] && r1.bparty.pins == [5678])
        #expect(r1.preferences == Preferences(greenvn: "+918000000001", region: .KA, pinCode: "560001", type: .mobile))
        #expect(r1.duration?.seconds == 600 && r1.flowId == "flow-1" && r1.strictness == true)
        let r2 = rows[1].request
        #expect(r2.aparty.numbers == ["+919876543212"] && r2.usage == .oneway && r2.strictness == nil)
    }

    @Test func headerNamesAreTrimmedCaseInsensitiveWithABOM() {
        let (rows, invalid) = BulkImport.parse(csv: Data([0xEF, 0xBB, 0xBF] + Array(" Connection_ID , aparty_numbers,BPARTY_NUMBERS,usage,number_type\nc,+919876543210,+918765432109,twoway,landline\n".utf8)))
        #expect(invalid.isEmpty)
        #expect(rows.first?.request.preferences.type == .landline)
    }

    @Test func anUnknownColumnIsNamed() {
        let (rows, invalid) = parse("connection_id,aparty_numbers,bparty_numbers,usage,colour\nc,+919876543210,+918765432109,twoway,red\n")
        #expect(rows.isEmpty)
        #expect(invalid.count == 1 && invalid[0].line == 1)
        #expect(invalid[0].errors.contains { $0.message.contains("unknown column \"colour\"") })
    }

    @Test func aMissingRequiredColumnIsNamed() {
        let (rows, invalid) = parse("connection_id,aparty_numbers,usage\nc,+919876543210,twoway\n")
        #expect(rows.isEmpty)
        #expect(invalid.first?.errors.map(\.field) == [.bpartyNumbers])
        #expect(invalid.first?.errors.first?.kind == .missing)
    }

    @Test func aRepeatedColumnAndAnEmptyFileAreErrors() {
        #expect(parse("connection_id,connection_id,aparty_numbers,bparty_numbers,usage\n").invalid.first?.errors.first?.kind == .duplicate)
        let empty = parse("")
        #expect(empty.rows.isEmpty && empty.invalid.count == 1)
    }

    @Test func badRowsAreReportedWithTheirLinesAndNothingElseIsLost() {
        let csv = """
            \(Self.header)
            ok-1,+919876543210,+918765432109,twoway
            ,+919876543210,+918765432109,twoway
            bad-number,12ab,+918765432109,twoway
            bad-usage,+919876543210,+918765432109,sometimes
            same-sides,+919876543210,+919876543210,twoway
            ok-1,+919876543211,+918765432109,twoway
            "quoted,comma",+919876543212,+918765432109,oneway
            too-many,+919876543213,+918765432109,twoway,extra
            trailing-empty,+919876543214,+918765432109,twoway,,
            short,+919876543215
            plain,+919876543216,+918765432109,twoway

            """
        let (rows, invalid) = parse(csv)
        #expect(rows.map(\.line) == [2, 8, 10, 12])
        #expect(rows.map(\.request.connectionId) == ["ok-1", "quoted,comma", "trailing-empty", "plain"])
        let byLine = Dictionary(uniqueKeysWithValues: invalid.map { ($0.line, $0.errors) })
        #expect(Set(byLine.keys) == [3, 4, 5, 6, 7, 9, 11])
        #expect(byLine[3]?.contains { $0.field == .connectionId } == true)
        #expect(byLine[4]?.contains { $0.field == .apartyNumbers } == true)
        #expect(byLine[5]?.contains { $0.field == .usage } == true)
        #expect(byLine[6]?.contains { $0.kind == .sameOnBothSides } == true)
        #expect(byLine[7]?.contains { $0.kind == .duplicate && $0.message.contains("line 2") } == true)
        #expect(byLine[9]?.contains { $0.message.contains("5 fields") } == true)
        #expect(byLine[11]?.contains { $0.field == .bpartyNumbers && $0.kind == .missing } == true)
    }

    @Test func strictnessAndInvalidUTF8AreRowErrors() {
        var data = Data("\(Self.header),strictness\nc-1,+919876543210,+918765432109,twoway,maybe\nc-2,".utf8)
        data.append(contentsOf: [0xFF])
        data.append(contentsOf: Array(",+918765432109,twoway,false\nc-3,+919876543211,+918765432109,twoway,yes\n".utf8))
        let (rows, invalid) = BulkImport.parse(csv: data)
        #expect(rows.map(\.line) == [4])
        #expect(invalid.map(\.line) == [2, 3])
        #expect(invalid[0].errors.contains { $0.field == .strictness })
        #expect(invalid[1].errors.contains { $0.field == .apartyNumbers && $0.message.contains("UTF-8") })
    }
}
