import ArgumentParser
import Testing
@testable import greenvn

/// `FastParse` fills the same command struct swift-argument-parser would, or steps aside.
@Suite struct FastParseTests {
    /// Every stored property of a command, as the parser left it (wrappers print their values).
    static func dump(_ c: Any) -> String { String(reflecting: c) }

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
        ["import", "abc", "--api-key=k"], ["show", "help"], ["swap", "allocate"],
    ]

    @Test(arguments: read)
    func sameCommandAsTheParser(_ args: [String]) throws {
        let fast = try #require(FastParse.command(args), "\(args) should be read here")
        let parsed = try Root.parseAsRoot(args)
        let built: Any
        switch fast {
        case .allocate(let c): built = c
        case .swap(let c): built = c
        case .show(let c): built = c
        case .deallocate(let c): built = c
        case .importing(let c): built = c
        }
        #expect(Self.dump(built) == Self.dump(parsed))
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
        #expect(FastParse.command(args) == nil)
    }
}
