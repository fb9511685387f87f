import Foundation
import GreenVNKit
import GreenVNStore

/// greenvn-bench: the performance figures of BENCHMARKS.md, measured in process.
/// Build it in release: swift build -c release --scratch-path .build-release --product greenvn-bench
let usage = """
usage: greenvn-bench COMMAND [options]
  seed     --registry FILE|URL --rows N      a synthetic registry (replaces FILE, or drops and creates
                                             URL's database), prints the insert rate
  registry [--dir DIR] [--sizes 10000,100000,1000000] [--reuse]
                                             insert rate; page/count/filter p50/p99 at each size
  console  --registry FILE|URL [--width 120] [--height 36] [--presses 400]
                                             launch → first frame, keypress → frame, filter as you type, RSS
                                             (URL: postgres://user@host:port/db, a team registry)
  bulk     [--rows 10000] [--concurrency 8,32] [--pool 1000] [--dir DIR]
                                             BulkImport against the in-process simulator over loopback
  first-frame --out FILE                     reads a pane's output (tmux pipe-pane) on stdin; writes
                                             the time the console's first frame with rows arrived
  bulk-input --rows N --csv FILE --bodies FILE [--seed S]
                                             a bulk CSV and, one a line, the create bodies greenvn sends for it
                                             (what scripts/bench/bulk_peer.py sends)
"""

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { print(usage); exit(2) }
arguments.removeFirst()

func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: "--" + name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}
func flag(_ name: String) -> Bool { arguments.contains("--" + name) }
func int(_ name: String, _ fallback: Int) -> Int {
    guard let v = option(name) else { return fallback }
    guard let n = Int(v.replacingOccurrences(of: "_", with: "")) else { fail("--\(name) \(v) is not a number") }
    return n
}
func ints(_ name: String, _ fallback: [Int]) -> [Int] {
    guard let v = option(name) else { return fallback }
    return v.split(separator: ",").map { s in
        guard let n = Int(s.replacingOccurrences(of: "_", with: "")) else { fail("--\(name) \(v) is not a list of numbers") }
        return n
    }
}

do {
    switch command {
    case "seed":
        guard let path = option("registry") else { fail("seed needs --registry FILE or URL") }
        let rows = int("rows", 100_000)
        let t = nowNs()
        let rate = try Synthetic.seed(path: path, rows: rows, now: Date())
        report("seeded \(grouped(rows)) rows into \(path)",
               "\(grouped(Int(rate))) rows/s inserting, \(String(format: "%.1f", Double(nowNs() - t) / 1e9)) s in all")
    case "registry":
        try RegistryBench.run(dir: option("dir") ?? "/tmp/greenvn-bench", sizes: ints("sizes", [10_000, 100_000, 1_000_000]),
                              reuse: flag("reuse"))
    case "console":
        guard let path = option("registry") else { fail("console needs --registry FILE or URL") }
        try ConsoleBench.run(path: path, width: int("width", 120), height: int("height", 36), presses: int("presses", 400))
    case "first-frame":
        guard let path = option("out") else { fail("first-frame needs --out FILE") }
        FirstFrameWatch.run(out: path)
    case "bulk":
        let rows = int("rows", 10_000)
        let dir = option("dir") ?? "/tmp/greenvn-bench"
        let concurrency = ints("concurrency", [8, 32])
        let pool = int("pool", 1_000)
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await BulkBench.run(rows: rows, concurrency: concurrency, perRegionAndType: pool, dir: dir) }
            catch { fail("bulk: \(error)") }
            done.signal()
        }
        done.wait()
    case "bulk-input":
        guard let csvPath = option("csv"), let bodiesPath = option("bodies") else { fail("bulk-input needs --csv FILE --bodies FILE") }
        let csv = BulkBench.csv(rows: int("rows", 10_000), seed: UInt64(int("seed", 7)))
        let parsed = BulkImport.parse(csv: csv)
        guard parsed.invalid.isEmpty else { fail("the generated CSV has invalid rows: \(parsed.invalid.prefix(3))") }
        try csv.write(to: URL(fileURLWithPath: csvPath))
        let bodies = parsed.rows.map { String(decoding: Wire.body($0.request), as: UTF8.self) }.joined(separator: "\n") + "\n"
        try Data(bodies.utf8).write(to: URL(fileURLWithPath: bodiesPath))
    default:
        print(usage)
        exit(2)
    }
} catch {
    fail("\(command): \(error)")
}
