import Foundation

/// One record of a CSV file.
public struct CSVRecord: Equatable, Sendable {
    /// The (1-based) line the record starts on; quoted line breaks make records span lines.
    public var line: Int
    public var fields: [String]
    /// Indexes of fields whose bytes were not UTF-8 (their text holds U+FFFD where they broke).
    public var invalidUTF8Fields: [Int] = []
    /// The file ended inside a quoted field.
    public var unterminatedQuote = false

    public init(line: Int, fields: [String], invalidUTF8Fields: [Int] = [], unterminatedQuote: Bool = false) {
        self.line = line
        self.fields = fields
        self.invalidUTF8Fields = invalidUTF8Fields
        self.unterminatedQuote = unterminatedQuote
    }
}

/// A small RFC 4180 reader, pure and tolerant of anything: quoted fields, doubled quotes, CRLF,
/// LF or lone CR line ends, a UTF-8 byte-order mark; invalid UTF-8 is flagged on the record,
/// never fatal. A stray quote inside an unquoted field, or text after a closing quote, is kept
/// as text. Blank lines are skipped.
public enum CSVReader {
    public static func rows(_ data: Data) -> [(line: Int, fields: [String])] {
        records(data).map { ($0.line, $0.fields) }
    }

    public static func records(_ data: Data) -> [CSVRecord] {
        let bytes = [UInt8](data)
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var out: [CSVRecord] = []
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var quoted = false          // the current field started with a quote
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0

        func endRecord(unterminated: Bool = false) {
            fields.append(field)
            let blank = fields.count == 1 && fields[0].isEmpty && !quoted
            if !blank {
                var record = CSVRecord(line: recordLine, fields: [], unterminatedQuote: unterminated)
                for (index, raw) in fields.enumerated() {
                    if let s = String(validating: raw, as: UTF8.self) {
                        record.fields.append(s)
                    } else {
                        record.fields.append(String(decoding: raw, as: UTF8.self))
                        record.invalidUTF8Fields.append(index)
                    }
                }
                out.append(record)
            }
            fields = []
            field = []
            quoted = false
        }

        while i < bytes.count {
            let b = bytes[i]
            if inQuotes {
                if b == quote {
                    if i + 1 < bytes.count && bytes[i + 1] == quote {
                        field.append(quote)
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    if b == lf || (b == cr && (i + 1 >= bytes.count || bytes[i + 1] != lf)) { line += 1 }
                    field.append(b)
                }
                i += 1
                continue
            }
            switch b {
            case comma:
                fields.append(field)
                field = []
                quoted = false
            case cr, lf:
                if b == cr, i + 1 < bytes.count, bytes[i + 1] == lf { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            case quote where field.isEmpty && !quoted:
                quoted = true
                inQuotes = true
            default:
                field.append(b)
            }
            i += 1
        }
        if inQuotes || !field.isEmpty || !fields.isEmpty || quoted {
            endRecord(unterminated: inQuotes)
        }
        return out
    }
}
