// Fuzz harness for the bytes greenvn reads from outside: Lead Assist's answers
// (`Wire.decodeAnswer`), request bodies as the simulator reads them (`Wire.draft(from…)`),
// and bulk CSV files (`CSVReader`, `BulkImport.parse`).
//
// Built with `-DFUZZING -sanitize=fuzzer` (fuzz/run.sh) it is a libFuzzer target: `main` hands argv
// to libFuzzer's driver with `LLVMFuzzerTestOneInput`, and `GREENVN_FUZZ=decoder|request|csv` picks
// the target. In a normal build it is a replayer that runs files through the same code:
//
//     swift run greenvn-fuzz all                      every file under fuzz/corpus/<target>/
//     swift run greenvn-fuzz csv path/to/a.csv dir/   given files, directories one level deep
//
// A broken invariant aborts (libFuzzer records the input as a crash); the replayer names the file.
import Foundation
import GreenVNKit
import GreenVNStore

enum FuzzTarget: String, CaseIterable {
    case decoder, request, csv
}

enum Fuzz {
    /// The file being replayed, named when an invariant breaks.
    nonisolated(unsafe) static var current = ""

    static func run(_ target: FuzzTarget, _ data: Data) {
        switch target {
        case .decoder: decoder(data)
        case .request: request(data)
        case .csv: csv(data)
        }
    }

    static func require(_ condition: @autoclosure () -> Bool, _ what: @autoclosure () -> String) {
        if condition() { return }
        let input = current.isEmpty ? "" : " (input: \(current))"
        FileHandle.standardError.write(Data("greenvn-fuzz: invariant broken: \(what())\(input)\n".utf8))
        abort()
    }

    static func clean(_ s: String, _ what: String) {
        require(!Text.hasControl(s), "\(what) holds a control character: \(s.debugDescription)")
    }

    // MARK: decoder: Lead Assist → client

    static let statuses = [200, 201, 409, 452, 500, 302]

    static func decoder(_ body: Data) {
        _ = Wire.snippet(body)
        // One status that reads as success, one refusal, one server fault, one chosen by the input.
        let extra = statuses[body.count % statuses.count]
        for status in [200, 409, 503, extra] {
            let result = Wire.decodeAnswer(httpStatus: status, body: body)
            switch result {
            case .success(let a):
                require((200...299).contains(status), "success on HTTP \(status)")
                checkAllocation(a)
                // What we decoded, answered back in our own words, decodes to the same thing
                // (the simulator's answers and `--json` go through `Wire.json`).
                for key in ["green_vn", "greenvn"] {
                    let again = Wire.decodeAnswer(httpStatus: status, body: Wire.envelope(status: status, data: Wire.json(a, vnKey: key)))
                    require(again == .success(a), "round trip via \(key): \(a) became \(again)")
                }
            case .failure(let e):
                switch e {
                case .refused(let r), .unavailable(let r):
                    clean(r.message, "refusal message")
                    require(r.message.unicodeScalars.count <= 301, "refusal message is \(r.message.unicodeScalars.count) scalars")
                    if case .unavailable = e {
                        require(r.httpStatus == 429 || r.httpStatus == 499 || r.httpStatus >= 500 || r.code == 0, "unavailable for \(r)")
                    }
                case .badResponse(_, let snippet):
                    clean(snippet, "snippet")
                    require(snippet.unicodeScalars.count <= 81, "snippet is \(snippet.unicodeScalars.count) scalars")
                default:
                    require(false, "decodeAnswer failed with \(e), which is not an answer-level error")
                }
                clean(e.description, "error description")
            }
        }
    }

    static func checkAllocation(_ a: Allocation) {
        require(!a.greenvnId.isEmpty, "empty greenvn_id")
        for (name, s) in [("greenvn_id", a.greenvnId), ("connection_id", a.connectionId), ("green_vn", a.greenVN),
                          ("flow_id", a.flowId ?? "")] {
            clean(s, name)
        }
        for s in a.aparty.numbers + a.bparty.numbers { clean(s, "party number") }
        require(a.greenvnId.unicodeScalars.count <= 129 && a.greenVN.unicodeScalars.count <= 33, "unbounded field in \(a)")
    }

    // MARK: request: client → simulator (the same bytes the outbox stores)

    static func request(_ body: Data) {
        for decode in [{ _ = try Wire.draft(fromCreate: body) }, { _ = try Wire.draft(fromSwap: body) },
                       { _ = try Wire.draft(fromPartyUpdate: body) }] {
            do { try decode() } catch is GreenVNError {} catch { require(false, "untyped error \(type(of: error)): \(error)") }
        }
        if let d = try? Wire.draft(fromCreate: body) {
            // What the simulator accepts as sent (strict E.164), the form and CLI accept unchanged.
            if case .success(let (strict, _)) = d.validate(normalizing: false) {
                guard case .success(let (lenient, _)) = d.validate(normalizing: true) else {
                    require(false, "create valid strictly but not when normalizing: \(d)"); return
                }
                require(lenient == strict, "normalizing changed a strictly valid create: \(strict) became \(lenient)")
            }
            for normalizing in [false, true] {
                guard case .success(let (r, _)) = d.validate(normalizing: normalizing) else { continue }
                checkCreate(r)
                // The outbox stores Wire.body(r) and restores it with draft(fromCreate:) +
                // validate(normalizing: false); the simulator reads it the same way.
                let again = Result { try Wire.draft(fromCreate: Wire.body(r)) }
                    .map { $0.validate(normalizing: false).map(\.0) }
                guard case .success(.success(let r2)) = again else {
                    require(false, "create round trip failed: \(r) became \(again)"); return
                }
                require(r2 == r, "create round trip: \(r) became \(r2)")
            }
        }
        if let d = try? Wire.draft(fromSwap: body) {
            if case .success(let strict) = d.validate(normalizing: false) {
                require(d.validate(normalizing: true) == .success(strict), "normalizing changed a strictly valid swap: \(d)")
            }
            for normalizing in [false, true] {
                guard case .success(let r) = d.validate(normalizing: normalizing) else { continue }
                let wire = Wire.body(r) ?? Data()
                let again = Result { try Wire.draft(fromSwap: wire) }.map { $0.validate(normalizing: false) }
                guard case .success(.success(let r2)) = again else {
                    require(false, "swap round trip failed: \(r) became \(again)"); return
                }
                require(r2 == r, "swap round trip: \(r) became \(r2)")
            }
        }
        if let d = try? Wire.draft(fromPartyUpdate: body) {
            if case .success(let strict) = d.validate(normalizing: false) {
                require(d.validate(normalizing: true) == .success(strict), "normalizing changed a strictly valid party update: \(d)")
            }
            for normalizing in [false, true] {
                guard case .success(let u) = d.validate(normalizing: normalizing) else { continue }
                for s in (u.aparty.numbers ?? []) + (u.bparty.numbers ?? []) { clean(s, "party number") }
                let again = Result { try Wire.draft(fromPartyUpdate: Wire.body(u)) }.map { $0.validate(normalizing: false) }
                guard case .success(.success(let u2)) = again else {
                    require(false, "party round trip failed: \(u) became \(again)"); return
                }
                require(u2 == u, "party round trip: \(u) became \(u2)")
            }
        }
    }

    static func checkCreate(_ r: AllocationRequest) {
        clean(r.connectionId, "connection_id")
        clean(r.flowId ?? "", "flow_id")
        for s in r.aparty.numbers + r.bparty.numbers + [r.preferences.greenvn ?? "", r.preferences.pinCode ?? ""] {
            clean(s, "number")
        }
        require(r.aparty.pins.allSatisfy { $0 > 0 } && r.bparty.pins.allSatisfy { $0 > 0 }, "pin not positive in \(r)")
    }

    // MARK: csv: bulk files

    /// RFC 4180 with every field quoted. Quotes are doubled per Unicode scalar, not per Character:
    /// `"` followed by a combining mark is one Character, and `replacingOccurrences(of: "\"", …)`
    /// would leave it alone (the first crash this harness found was that bug in its own writer).
    static func rewrite(_ records: [CSVRecord]) -> Data {
        var out = Data()
        for (n, r) in records.enumerated() {
            if n > 0 { out.append(contentsOf: [0x0D, 0x0A]) }
            for (i, field) in r.fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\""))
                for b in field.utf8 {
                    if b == UInt8(ascii: "\"") { out.append(b) }
                    out.append(b)
                }
                out.append(UInt8(ascii: "\""))
            }
        }
        return out
    }

    static func csv(_ data: Data) {
        let records = CSVReader.records(data)
        var lastLine = 0
        for r in records {
            require(r.line > lastLine, "record lines not increasing: \(r.line) after \(lastLine)")
            lastLine = r.line
            require(!r.fields.isEmpty, "a record without fields")
            require(r.invalidUTF8Fields.allSatisfy { $0 >= 0 && $0 < r.fields.count }, "invalidUTF8Fields out of range: \(r)")
        }
        if let last = records.last?.line {
            let breaks = data.reduce(0) { $0 + ($1 == 0x0A || $1 == 0x0D ? 1 : 0) }
            require(last <= breaks + 1, "record on line \(last) of a file with \(breaks) line breaks")
        }
        // Written back with every field quoted, the records read the same, byte for byte.
        let reread = CSVReader.records(rewrite(records))
        require(reread.map { $0.fields.map { Array($0.utf8) } } == records.map { $0.fields.map { Array($0.utf8) } },
                "rewritten CSV reads differently")
        require(reread.allSatisfy { $0.invalidUTF8Fields.isEmpty && !$0.unterminatedQuote }, "rewritten CSV flagged")

        let (rows, invalid) = BulkImport.parse(csv: data)
        for (line, r) in rows {
            require(line >= 1 && line <= lastLine, "row line \(line) outside 1...\(lastLine)")
            checkCreate(r)
        }
        require(Set(rows.map(\.line)).count == rows.count, "two valid rows on one line")
        for (_, errors) in invalid {
            require(!errors.isEmpty, "an invalid row without errors")
            for e in errors { clean(e.message, "error message") }
        }
    }
}

// MARK: entry points

#if FUZZING
private let fuzzTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["GREENVN_FUZZ"] ?? "decoder"
    guard let t = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("GREENVN_FUZZ must be one of \(FuzzTarget.allCases.map(\.rawValue)), not \(name)\n".utf8))
        exit(2)
    }
    return t
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Data(bytes: $0, count: size) } ?? Data()
    Fuzz.run(fuzzTarget, bytes)
    return 0
}

/// libFuzzer's driver (FuzzerDriver.cpp, in libclang_rt.fuzzer linked by -sanitize=fuzzer).
/// SwiftPM links an executable target with `--defsym main=<module>_main`, so libFuzzer's own
/// `main` cannot be the entry point: ours hands argv over to the driver instead.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif

@main
struct Main {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        _ = fuzzTarget   // an unknown GREENVN_FUZZ stops here, before libFuzzer starts
        exit(LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput))
        #else
        replay()
        #endif
    }

    static func replay() {
        var args = Array(CommandLine.arguments.dropFirst())
        let usage = "usage: greenvn-fuzz decoder|request|csv|all [FILE|DIR …]   (default: fuzz/corpus/<target>)"
        guard let first = args.first, first == "all" || FuzzTarget(rawValue: first) != nil else {
            print(usage)
            exit(args.first == "-h" || args.first == "--help" ? 0 : 2)
        }
        args.removeFirst()
        let targets = first == "all" ? FuzzTarget.allCases : [FuzzTarget(rawValue: first)!]
        if first == "all" && !args.isEmpty { print(usage); exit(2) }
        for target in targets {
            let paths = args.isEmpty ? ["fuzz/corpus/\(target.rawValue)"] : args
            let files = paths.flatMap(expand)
            if files.isEmpty {
                FileHandle.standardError.write(Data("greenvn-fuzz: no input files in \(paths.joined(separator: " "))\n".utf8))
                exit(2)
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("greenvn-fuzz: cannot read \(file)\n".utf8))
                    exit(2)
                }
                Fuzz.current = file
                Fuzz.run(target, data)
            }
            Fuzz.current = ""
            print("\(target.rawValue): \(files.count) inputs replayed, 0 failures")
        }
    }

    /// A file, or the regular files in a directory (sorted, not recursive).
    static func expand(_ path: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return [] }
        guard isDir.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { (path as NSString).appendingPathComponent($0) }.filter {
            var d: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue
        }
    }
}
