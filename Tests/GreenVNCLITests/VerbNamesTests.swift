import Testing
@testable import greenvn

/// How a mistyped verb is recognised, and the one suggestion made.
@Suite struct VerbNames {
    @Test(arguments: [(["lsit"], "lsit"), (["frobnicate", "--json"], "frobnicate"), (["--read-only"], nil), (["list"], nil),
                      (["help", "swap"], nil), ([], nil), (["webhook"], "webhook")] as [([String], String?)])
    func unknownVerb(_ c: ([String], String?)) { #expect(Verbs.unknown(in: c.0) == c.1) }

    @Test func suggestsTheNearestVerbOnly() {
        #expect(Verbs.distance("list", "lsit") == 1)
        #expect(Verbs.message(for: "lsit").contains("Did you mean `greenvn list`?"))
        #expect(Verbs.message(for: "alocate").contains("Did you mean `greenvn allocate`?"))
        #expect(!Verbs.message(for: "frobnicate").contains("Did you mean"))
        #expect(Verbs.message(for: "x\u{1B}[2J").contains("\u{1B}") == false)
    }
}
