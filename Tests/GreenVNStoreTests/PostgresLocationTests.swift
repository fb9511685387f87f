import Foundation
import Testing
@testable import GreenVNPostgres

/// `--registry URL` / `GREENVN_REGISTRY_URL`: what is accepted, what is refused (naming the
/// part at fault), where the password comes from, and that no description shows it.
@Suite struct PostgresLocationTests {
    struct Good: Sendable, CustomTestStringConvertible {
        let url: String
        let user, host, database: String
        let port: Int
        let tls: PostgresLocation.TLS
        let password: String?
        var testDescription: String { url }
    }

    static let good: [Good] = [
        Good(url: "postgres://asha:s3cret@db.example.com:6432/team?sslmode=require", user: "asha", host: "db.example.com",
             database: "team", port: 6432, tls: .require, password: "s3cret"),
        Good(url: "postgresql://asha@10.0.0.7/team", user: "asha", host: "10.0.0.7", database: "team", port: 5432, tls: .prefer, password: nil),
        Good(url: "postgres://ops%40team:p%3Aw%2Fd@127.0.0.1:5433/my%20registry?sslmode=disable", user: "ops@team", host: "127.0.0.1",
             database: "my registry", port: 5433, tls: .disable, password: "p:w/d"),
        Good(url: "postgres://asha:pw@[::1]:5434/team", user: "asha", host: "::1", database: "team", port: 5434, tls: .prefer, password: "pw"),
        Good(url: "POSTGRES://asha:@db/team", user: "asha", host: "db", database: "team", port: 5432, tls: .prefer, password: ""),
    ]

    @Test(arguments: good) func acceptedURLs(_ g: Good) throws {
        let l = try PostgresLocation.parse(g.url, environment: [:], pgpassFile: "/nonexistent")
        #expect(l.user == g.user && l.host == g.host && l.port == g.port && l.database == g.database && l.tls == g.tls)
        #expect(l.password == g.password)
        if let p = g.password, !p.isEmpty {
            #expect(!l.description.contains(p) && !l.urlWithoutPassword.contains(p) && !"\(l)".contains(p))
            #expect(l.passwordSource == .url)
        }
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let url: String
        let names: String
        var testDescription: String { url }
    }

    static let bad: [Bad] = [
        Bad(url: "mysql://asha@db/team", names: "postgres://"),
        Bad(url: "postgres://asha@db", names: "no database"),
        Bad(url: "postgres://asha@db/", names: "no database"),
        Bad(url: "postgres://db/team", names: "no user"),
        Bad(url: "postgres://:pw@db/team", names: "no user"),
        Bad(url: "postgres://asha@/team", names: "no host"),
        Bad(url: "postgres://asha@db:0/team", names: "port"),
        Bad(url: "postgres://asha@db:70000/team", names: "port"),
        Bad(url: "postgres://asha@db:54x/team", names: "port"),
        Bad(url: "postgres://asha@db/team?sslmode=verify-full", names: "sslmode must be require or disable, not \"verify-full\""),
        Bad(url: "postgres://asha@db/team?sslmode=prefer", names: "sslmode"),
        Bad(url: "postgres://asha@db/team?connect_timeout=5", names: "unknown parameter \"connect_timeout\""),
        Bad(url: "postgres://asha@db/a/b", names: "database name"),
        Bad(url: "postgres://asha:pw@[::1/team", names: "closing ]"),
        Bad(url: "postgres://asha@db;rm -rf/team", names: "host"),
    ]

    @Test(arguments: bad) func refusedURLsNameWhatIsWrong(_ b: Bad) {
        do {
            _ = try PostgresLocation.parse(b.url, environment: [:], pgpassFile: "/nonexistent")
            Issue.record("accepted \(b.url)")
        } catch let e as PostgresRegistryError {
            #expect(e.kind == .badURL)
            #expect(e.message.contains(b.names), "\(e.message)")
            #expect(e.message.contains("postgres://user[:password]@host[:port]/database"), "says how to write it")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func theURLsPasswordWinsOverPGPASSWORDWhichWinsOverThePasswordFile() throws {
        let dir = TempDir()
        let file = dir.path + "/pgpass"
        try "db:5432:team:asha:from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let env = ["PGPASSWORD": "from-env"]
        #expect(try PostgresLocation.parse("postgres://asha:from-url@db/team", environment: env, pgpassFile: file).password == "from-url")
        let fromEnv = try PostgresLocation.parse("postgres://asha@db/team", environment: env, pgpassFile: file)
        #expect(fromEnv.password == "from-env" && fromEnv.passwordSource == .environment)
        let fromFile = try PostgresLocation.parse("postgres://asha@db/team", environment: [:], pgpassFile: file)
        #expect(fromFile.password == "from-file" && fromFile.passwordSource == .passwordFile(file))
        #expect(try PostgresLocation.parse("postgres://asha@db/team", environment: ["PGPASSFILE": file, "HOME": "/nonexistent"]).password == "from-file")
    }

    @Test func thePasswordFileFollowsLibpqsRules() throws {
        let dir = TempDir()
        let file = dir.path + "/pgpass"
        try """
            # comment lines are skipped
            other:5432:team:asha:wrong-host
            db:6432:team:asha:wrong-port
            db:5432:*:bob:bobs
            db:*:team:asha:first-match
            we\\:ird:5432:team:asha:esc\\:aped\\\\pw:with:colons
            *:*:*:*:later-line

            """.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        func password(_ url: String) throws -> String? { try PostgresLocation.parse(url, environment: [:], pgpassFile: file).password }
        #expect(try password("postgres://asha@db/team") == "first-match")
        #expect(try password("postgres://asha@db:6432/team") == "wrong-port", "the first matching line wins")
        #expect(try password("postgres://bob@db/anything") == "bobs")
        #expect(try password("postgres://carol@elsewhere:1234/x") == "later-line")
        #expect(PasswordFile.lookup(file, host: "we:ird", port: 5432, database: "team", user: "asha") == .found("esc:aped\\pw:with:colons"))
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660]) func aPasswordFileOthersMayReadIsIgnoredAndSaysSo(_ mode: Int) throws {
        let dir = TempDir()
        let file = dir.path + "/pgpass"
        try "*:*:*:*:secret\n".write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, mode_t(mode))
        let l = try PostgresLocation.parse("postgres://asha@db/team", environment: [:], pgpassFile: file)
        #expect(l.password == nil)
        #expect(l.passwordFileIgnored?.contains("chmod 600") == true)
        // and a refused login then says why the file was not used
        let refused = PGFailure.opening(state: "28P01", detail: "password authentication failed for user \"asha\"", lost: false, l)
        #expect(refused.kind == .authentication && refused.message.contains("chmod 600"), "\(refused.message)")
        #expect(!refused.message.contains("secret"))
    }

    @Test func theSameLocationWithAnotherDatabaseKeepsEverythingElse() throws {
        let l = try PostgresLocation.parse("postgres://asha:pw@db:6432/team?sslmode=require", environment: [:], pgpassFile: "/nonexistent")
        let m = l.with(database: "postgres")
        #expect(m.database == "postgres" && m.user == "asha" && m.port == 6432 && m.tls == .require && m.password == "pw")
        #expect(l.urlWithoutPassword == "postgres://asha@db:6432/team?sslmode=require")
    }
}
