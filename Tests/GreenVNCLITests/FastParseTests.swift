import ArgumentParser
import Testing
@testable import greenvn

/// `FastParse` reads the same values swift-argument-parser would, or steps aside.
@Suite struct FastParseTests {
    static let read: [[String]] = [
        ["allocate", "--a", "+919876543210", "--b", "+918765432109", "--usage", "twoway"],
        ["allocate", "--a=+919876543210", "--a", "9876543211", "--b", "+918765432109", "--b-pin", "1234", "--a-pin", "99",
         "--usage", "oneway", "--connection-id", "c-1", "--strict", "--greenvn", "+917000000001", "--region", "KA",
         "--pin-code", "560001", "--type", "mobile", "--duration", "30m", "--flow-id", "f1", "--json",
         "--base-url", "http://127.0.0.1:1/v1", "--account-sid", "S", "--api-key", "k", "--api-token", "t"],
        ["allocate", "--usage=twoway", "--connection-id=a=b"],
        ["allocate"],
        ["swap", "abc-123", "--region", "DL", "--strict"],
        ["swap", "--json", "+917000000001"],
        ["show", "abc"], ["show"], ["show", "--connection-id", "c-9", "--json"], ["show", "abc", "--connection-id", "c-9"],
        ["deallocate", "abc", "--yes", "--json"], ["deallocate", "abc"],
        ["swap", "abc", "--registry", "postgres://asha@db.example.com/greenvn"], ["show", "abc", "--registry=postgres://db/team"],
        ["import", "abc", "--api-key=k"], ["show", "help"], ["swap", "allocate"],
    ]

    @Test(arguments: read)
    func sameValuesAsTheParser(_ args: [String]) throws {
        let fast = try #require(FastParse.invocation(args), "\(args) should be read here")
        let parsed = try Root.parseAsRoot(args)
        let expected: FastParse.Invocation
        switch parsed {
        case let c as Allocate: expected = .allocate(c.args)
        case let c as Swap: expected = .swap(c.args)
        case let c as Show: expected = .show(c.args)
        case let c as Deallocate: expected = .deallocate(c.args)
        case let c as Import: expected = .importing(c.args)
        default: Issue.record("\(args) parsed as \(type(of: parsed))"); return
        }
        #expect(fast == expected)
        #expect(fast.name == type(of: parsed).configuration.commandName)
    }

    /// Left to the parser, whose messages (and help) stay exactly as they were.
    static let leftToTheParser: [[String]] = [
        ["allocate", "--help"], ["allocate", "-h"], ["allocate", "--usage"], ["allocate", "--usage", "--json"],
        ["allocate", "--usage", "a", "--usage", "b"], ["allocate", "--json", "--json"], ["allocate", "--json=1"],
        ["allocate", "--a", ""], ["allocate", "--a", "-919876543210"], ["allocate", "--", "--a"], ["allocate", "x"],
        ["allocate", "--colour", "red"], ["allocate", "-a", "1"], ["swap"], ["swap", "a", "b"], ["swap", ""],
        ["show", "a", "b"], ["deallocate"], ["import", "--generate-completion-script", "bash"], ["list"], ["help", "show"],
        ["bulk", "f.csv"], [], ["--version"],
    ]

    @Test(arguments: leftToTheParser)
    func unusualFormsGoToTheParser(_ args: [String]) {
        #expect(FastParse.invocation(args) == nil)
    }
}
