import Foundation

/// Monotonic nanoseconds.
func nowNs() -> UInt64 { clockNs(CLOCK_MONOTONIC) }

/// This thread's CPU time in nanoseconds: what work costs when no other process takes the
/// core meanwhile (a shared 2-core machine preempts a thread for milliseconds).
func threadCPUNs() -> UInt64 { clockNs(CLOCK_THREAD_CPUTIME_ID) }

private func clockNs(_ clock: clockid_t) -> UInt64 {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Runs `body` once and returns its duration in milliseconds.
@discardableResult
func timeMs(_ body: () throws -> Void) rethrows -> Double {
    let t = nowNs()
    try body()
    return Double(nowNs() - t) / 1e6
}

/// Durations (ms) of one measured operation, summarised as the table prints them.
struct Samples {
    var values: [Double] = []

    mutating func add(_ ms: Double) { values.append(ms) }

    /// Nearest-rank percentile (p in 0…100).
    func percentile(_ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }

    var p50: Double { percentile(50) }
    var p99: Double { percentile(99) }
    var max: Double { values.max() ?? .nan }
    var count: Int { values.count }
}

func ms(_ v: Double) -> String {
    if v.isNaN { return "—" }
    if v >= 100 { return String(format: "%.0f ms", v) }
    if v >= 10 { return String(format: "%.1f ms", v) }
    return String(format: "%.2f ms", v)
}

func grouped(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, c) in s.reversed().enumerated() {
        if i > 0 && i % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return String(out.reversed())
}

/// One line of the report: what, the figure, the target and whether it is met.
func report(_ what: String, _ figure: String, target: String = "", ok: Bool? = nil) {
    let verdict = ok.map { $0 ? "ok" : "MISS" } ?? ""
    var line = [what.padding(toLength: 58, withPad: " ", startingAt: 0),
                figure.padding(toLength: 52, withPad: " ", startingAt: 0),
                target.padding(toLength: 14, withPad: " ", startingAt: 0), verdict].joined(separator: " ")
    while line.last == " " { line.removeLast() }
    print(line)
    fflush(stdout)
}

func samplesLine(_ s: Samples) -> String {
    "p50 \(ms(s.p50))  p99 \(ms(s.p99))  (n=\(s.count))"
}

/// VmRSS and VmHWM of this process in MiB, from /proc/self/status.
func memory() -> (rss: Double, hwm: Double) {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (.nan, .nan) }
    func kib(_ key: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let digits = line.dropFirst(key.count + 1).filter(\.isNumber)
            return (Double(String(digits)) ?? .nan) / 1024
        }
        return .nan
    }
    return (kib("VmRSS"), kib("VmHWM"))
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("greenvn-bench: \(message)\n".utf8))
    exit(2)
}

/// CPU time (user + system) of the whole process so far, in milliseconds.
func processCPUMs() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3
}

/// Runs async work to the end from the bench's main thread (not one of the cooperative pool's).
func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, Error>?
    Task {
        do { result = .success(try await work()) } catch { result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try result!.get()
}
