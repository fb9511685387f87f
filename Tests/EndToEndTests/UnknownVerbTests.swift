import Foundation
import Testing

/// Unknown verbs are named and the verbs listed; the console never sees them.
@Suite struct UnknownVerb {
    @Test(arguments: [("lsit", "list"), ("alocate", "allocate"), ("frobnicate", nil)] as [(String, String?)])
    func anUnknownVerbIsRefusedWithTheVerbs(_ c: (String, String?)) throws {
        let r = try Binary.run([c.0, "--json"], env: Binary.environment(home: Binary.tempHome()))
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("unknown verb \"\(c.0)\""), "\(r.stderr)")
        for verb in ["allocate", "swap", "show", "list", "deallocate", "import", "bulk", "sim", "webhooks", "tui"] {
            #expect(r.stderr.contains(verb), "\(verb) not listed: \(r.stderr)")
        }
        if let near = c.1 { #expect(r.stderr.contains("Did you mean `greenvn \(near)`"), "\(r.stderr)") }
        else { #expect(!r.stderr.contains("Did you mean")) }
        #expect(r.stdout.isEmpty)
    }

    @Test func theConsoleStillTakesItsOptionsWithoutAVerb() throws {
        // Off a terminal the console refuses to start: it was reached, not refused as a verb.
        let r = try Binary.run(["--read-only"], env: Binary.environment(home: Binary.tempHome()))
        #expect(r.status == 2)
        #expect(r.stderr.contains("needs a terminal") && !r.stderr.contains("unknown verb"), "\(r.stderr)")
    }
}
