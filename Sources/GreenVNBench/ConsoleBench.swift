import Foundation
import GreenVNApp
import GreenVNKit
import GreenVNStore
import TerminalKit

/// The console's own path (HeadlessConsole: AppState → update → the EffectRuntime →
/// PageLoader → render into a Canvas), against a real registry (a SQLite file, or a team
/// registry on a PostgreSQL server: open then means connecting and checking the schema), timed
/// from here.
enum ConsoleBench {
    /// One action's cost: the frame the operator waits for (update, the reads that frame
    /// needs, render), in wall and thread CPU time, and the reads ahead of the cursor after it.
    struct Timed {
        var frameMs: Double
        var frameCPUMs: Double
        var readAheadMs: Double?
    }

    static func timed(_ console: HeadlessConsole, _ act: (HeadlessConsole) -> Void) -> Timed {
        let start = nowNs(), startCPU = threadCPUNs()
        act(console)
        _ = console.render()
        let drawn = nowNs()
        let cpu = Double(threadCPUNs() - startCPU) / 1e6
        let ahead = console.readAhead()
        if ahead { _ = console.render() }
        return Timed(frameMs: Double(drawn - start) / 1e6, frameCPUMs: cpu,
                     readAheadMs: ahead ? Double(nowNs() - drawn) / 1e6 : nil)
    }

    static func run(path: String, width: Int, height: Int, presses: Int) throws {
        let target = TargetInfo(isSimulator: true, accountSID: "SIMULATOR", host: "127.0.0.1")

        // Launch → first full frame: open the registry, build the state, first page + detail, render.
        var console: HeadlessConsole!
        var registry: Registry!
        let openMs = try timeMs { registry = try BenchRegistry.open(path) }
        let firstMs = try timeMs {
            console = HeadlessConsole(registry: registry, target: target, width: width, height: height)
            console.start()
            _ = console.render()
        }
        let total = console.total ?? 0
        let rows = try registry.counts()
        print("\n## console, \(grouped(rows.active + rows.vault)) allocations, \(width)×\(height) (\(path))")
        report(BenchRegistry.isTeam(path) ? "open the registry (connect, schema check, listener)" : "open the registry (migration check)", ms(openMs))
        report("first full frame (state + first page + detail + render)", ms(firstMs), target: "≤ 50 ms @100k", ok: firstMs <= 50)
        report("  = launch → first frame, registry open included", ms(openMs + firstMs))
        guard total > 0, console.render().lines().contains(where: { $0.contains(" of \(total) ") }) else {
            fail("the first frame shows no rows (total \(total))")
        }

        // Cold again, to see the spread of the first frame (fresh Registry each time).
        var cold = Samples()
        for _ in 0..<10 {
            cold.add(try timeMs {
                let r = try BenchRegistry.open(path)
                let c = HeadlessConsole(registry: r, target: target, width: width, height: height)
                c.start()
                _ = c.render()
                withExtendedLifetime(c) { BenchRegistry.close(r) }
            })
        }
        report("  open + first frame, 10 more launches", samplesLine(cold))

        // Keypress → frame: the key, every read it causes (pages, detail), the render.
        var lastCPU = 0.0
        var all = Samples()
        var allCPU = Samples()
        var background = Samples()
        /// One key: its frame time (what the operator waits for), and the read-ahead after it.
        func press(_ key: Key) throws -> Double {
            let t = timed(console) { $0.press(key) }
            if let ahead = t.readAheadMs { background.add(ahead) }
            lastCPU = t.frameCPUMs
            return t.frameMs
        }
        func keys(_ label: String, _ key: Key, _ count: Int) throws {
            var s = Samples()
            for _ in 0..<count {
                let t = try press(key)
                s.add(t)
                all.add(t)
                allCPU.add(lastCPU)
            }
            report("  \(label) ×\(count)", samplesLine(s) + "  max \(ms(s.max))")
        }
        print("keypress → frame (update + page/detail reads + render)")
        try keys("j", .char("j"), presses)
        try keys("k", .char("k"), presses / 2)
        try keys("PgDn", .pageDown, presses / 4)
        try keys("PgUp", .pageUp, presses / 8)
        var jumps = Samples()
        for i in 0..<40 {
            let key: Key = i % 2 == 0 ? .char("G") : .char("g")
            let t = try press(key)
            jumps.add(t)
            all.add(t)
            allCPU.add(lastCPU)
            if i == 0 { try keys("k after G", .char("k"), 50) }
        }
        report("  G / g alternating ×40", samplesLine(jumps) + "  max \(ms(jumps.max))")
        try keys("3 (vault tab) / 1 (active tab)", .char("3"), 1)
        try keys("", .char("1"), 1)
        report("navigation, every key above", samplesLine(all) + "  max \(ms(all.max))", target: "p99 ≤ 2 ms", ok: all.p99 <= 2)
        report("  the same in thread CPU time (no preemption)", samplesLine(allCPU) + "  max \(ms(allCPU.max))")
        report("  reading ahead after a frame (off the UI thread)", samplesLine(background) + "  max \(ms(background.max))")

        // Filter as you type: "/" then each term a key at a time (each key's frame timed), then
        // ⌫ back to nothing; five terms, so no key is answered from the last one's work. Twice:
        // the first pass also reads the registry's pages from disk when the OS has not cached
        // them (a 1M-row registry is 740 MB), the second shows the keystroke's own cost.
        print("filter as you type (update + count + page + render per key)")
        for pass in ["first pass", "second pass"] {
            var typing = Samples()
            var typingCPU = Samples()
            var erase = Samples()
            var eraseCPU = Samples()
            for term in ["9876", "+9198", "gvn-a1", "5432", "order-12"] {
                console.press(.char("g"))
                console.readAhead()
                console.press(.char("/"))
                for ch in term {
                    let t = try press(.char(ch))
                    typing.add(t)
                    typingCPU.add(lastCPU)
                    report("  \(pass): \"\(console.filter)\" → \(grouped(console.total ?? 0))\(console.totalIsExact ? "" : "+") rows", "\(ms(t))  (CPU \(ms(lastCPU)))")
                }
                for _ in term {
                    let t = try press(.backspace)
                    erase.add(t)
                    eraseCPU.add(lastCPU)
                    report("  \(pass): ⌫ \"\(console.filter)\" → \(grouped(console.total ?? 0))\(console.totalIsExact ? "" : "+") rows", "\(ms(t))  (CPU \(ms(lastCPU)))")
                }
                console.press(.escape)
                console.readAhead()
            }
            report("filter, per keystroke typing (5 terms), \(pass)", samplesLine(typing) + "  max \(ms(typing.max))", target: "≤ 30 ms", ok: typing.max <= 30)
            report("  the same in thread CPU time", samplesLine(typingCPU) + "  max \(ms(typingCPU.max))")
            report("filter, per ⌫ back to \"\", \(pass)", samplesLine(erase) + "  max \(ms(erase.max))", target: "≤ 30 ms", ok: erase.max <= 30)
            report("  the same in thread CPU time", samplesLine(eraseCPU) + "  max \(ms(eraseCPU.max))")
        }

        let m = memory()
        report("RSS after the run (VmRSS / VmHWM)", String(format: "%.1f MiB / %.1f MiB", m.rss, m.hwm),
               target: "≤ 100 MB", ok: m.hwm * 1.048576 <= 100)
        withExtendedLifetime(console) { BenchRegistry.close(registry) }
    }
}
