import Foundation
import GreenVNKit
import GreenVNSimulator
import Testing

/// Several processes writing one registry at the same moment: two `greenvn bulk` runs over
/// different files and a stream of `greenvn allocate` calls, all on one data dir and one server.
/// Every allocation lands once in the registry, and the registry equals the server afterwards.
@Suite struct TwoWriters {
    static func csv(_ n: Int, prefix: String, offset: Int) -> String {
        var lines = ["connection_id,aparty_numbers,bparty_numbers,usage"]
        for i in 0..<n {
            let k = offset + i
            lines.append("\(prefix)-\(i),+9198\(String(format: "%08d", k)),+9188\(String(format: "%08d", k)),\(i % 2 == 0 ? "twoway" : "oneway")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func twoBulkRunsAndSingleAllocatesShareOneRegistry() async throws {
        var config = SimulatorConfig()
        config.numbersPerRegionAndType = 30                   // 660 VNs for 320 allocations
        let sim = try Simulator(config: config)
        try await sim.start()
        let home = Binary.tempHome()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let env = Binary.apiEnvironment(home: home, settings: sim.settings)
        let (rows, singles) = (150, 20)
        let files = [home + "/a.csv", home + "/b.csv"]
        try Self.csv(rows, prefix: "wa", offset: 0).write(toFile: files[0], atomically: true, encoding: .utf8)
        try Self.csv(rows, prefix: "wb", offset: 10_000).write(toFile: files[1], atomically: true, encoding: .utf8)

        let bulks = try files.map { try Spawned(["bulk", $0, "--concurrency", "4"], env: env) }
        var allocated: [Binary.Result] = []
        for i in 0..<singles {
            allocated.append(try await Binary.runAsync([
                "allocate", "--a", "+9197\(String(format: "%08d", i))", "--b", "+9187\(String(format: "%08d", i))",
                "--usage", "twoway", "--connection-id", "single-\(i)", "--json"], env: env))
        }
        let bulkResults = await [bulks[0].wait(), bulks[1].wait()]

        for (file, r) in zip(files, bulkResults) {
            #expect(r.status == 0, "\(file): \(r.stderr)")
            #expect(r.stdout.contains("\(rows) allocated, 0 already known, 0 refused, 0 invalid"), "\(file): \(r.stdout)")
        }
        for (i, r) in allocated.enumerated() {
            #expect(r.status == 0, "allocate \(i): \(r.stderr)")
        }
        let server = try sim.allAllocations()
        #expect(server.count == 2 * rows + singles, "the server holds every allocation once")
        let report = try await Parity.expectEqual(env: env, server: server, strict: true, "three writers at once")
        #expect(report.known == 2 * rows + singles, "\(report)")
        await sim.stop()
    }
}
