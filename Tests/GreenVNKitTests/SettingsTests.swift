import Foundation
import GreenVNKit
import Testing

func tempDir() -> String {
    let d = NSTemporaryDirectory() + "greenvn-test-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

@Test func noCredentialsMeansSimulator() throws {
    #expect(try SettingsResolver.resolve(SettingsSources(flags: [:], environment: [:], profilePath: "/nonexistent")) == nil)
}

@Test func flagsBeatEnvironmentBeatProfile() throws {
    let dir = tempDir()
    let profile = dir + "/config.toml"
    try "base_url = \"https://profile.example/v1\"\naccount_sid = \"P\"\napi_key = \"pkey\"\napi_token = \"ptoken\"\n".write(toFile: profile, atomically: true, encoding: .utf8)
    chmod(profile, 0o600)
    let env = ["EXOTEL_ACCOUNT_SID": "E", "EXOTEL_API_KEY": "ekey"]
    let s = try #require(try SettingsResolver.resolve(SettingsSources(flags: ["account-sid": "F"], environment: env, profilePath: profile)))
    #expect(s.accountSID == "F")
    #expect(s.apiKey == "ekey")
    #expect(s.apiToken == "ptoken")
    #expect(s.baseURL == "https://profile.example/v1")
    #expect(s.greenvnURL == "https://profile.example/v1/tenants/F/greenvn")
}

@Test func incompleteCredentialsNameWhatIsMissing() {
    #expect {
        try SettingsResolver.resolve(SettingsSources(flags: ["api-key": "k"], environment: [:], profilePath: "/nonexistent"))
    } throws: { error in
        "\(error)".contains("EXOTEL_ACCOUNT_SID") && "\(error)".contains("EXOTEL_API_TOKEN")
    }
}

@Test func readableProfileIsRefused() throws {
    let dir = tempDir()
    let profile = dir + "/config.toml"
    try "api_token = \"secret-token-value\"\n".write(toFile: profile, atomically: true, encoding: .utf8)
    chmod(profile, 0o644)
    #expect(throws: GreenVNError.self) { try Profile.load(path: profile) }
    chmod(profile, 0o600)
    #expect(try Profile.load(path: profile)?["api_token"] == "secret-token-value")
}

@Test func plainHTTPOnlyForLoopback() throws {
    for url in ["http://127.0.0.1:8080/v1", "http://localhost/v1", "http://[::1]:9/v1", "https://leadassist.exotel.in/v1"] {
        try ConnectionSettings(baseURL: url, accountSID: "a", apiKey: "k", apiToken: "t").checkTransport()
    }
    for url in ["http://leadassist.exotel.in/v1", "http://10.0.0.1/v1", "ftp://x/v1", "not a url"] {
        #expect(throws: GreenVNError.self) { try ConnectionSettings(baseURL: url, accountSID: "a", apiKey: "k", apiToken: "t").checkTransport() }
    }
}

@Test func descriptionNeverShowsTheToken() {
    let s = ConnectionSettings(accountSID: "acme", apiKey: "key-1234567890", apiToken: "tok-SECRET-0987654321")
    #expect(!s.description.contains("SECRET"))
    #expect(!s.description.contains("key-1234567890"))
    #expect(!"\(s)".contains("tok-"))
}

@Test func registryFilesAreSeparatePerTarget() {
    let a = ConnectionSettings(accountSID: "acme", apiKey: "k", apiToken: "t")
    let b = ConnectionSettings(accountSID: "other", apiKey: "k", apiToken: "t")
    let c = ConnectionSettings(baseURL: "https://staging.example/v1", accountSID: "acme", apiKey: "k", apiToken: "t")
    let files = Set([a, b, c].map { DataDirectory.registryFile(for: $0, in: "/d") } + [DataDirectory.registryFile(for: nil, in: "/d")])
    #expect(files.count == 4)
    #expect(DataDirectory.registryFile(for: a, in: "/d") == DataDirectory.registryFile(for: a, in: "/d"))
}

@Test func dataDirectoryPrecedence() {
    #expect(DataDirectory.path(environment: ["GREENVN_HOME": "/g", "XDG_DATA_HOME": "/x"]) == "/g")
    #expect(DataDirectory.path(environment: ["XDG_DATA_HOME": "/x", "HOME": "/h"]) == "/x/greenvn")
    #expect(DataDirectory.path(environment: ["HOME": "/h"]) == "/h/.local/share/greenvn")
}

@Test func retryScheduleGrowsWithJitterAndHonoursRetryAfter() {
    let p = RetryPolicy(maxAttempts: 5, baseDelay: 0.2, maxDelay: 2, maxRetryAfter: 10)
    #expect(p.delay(after: 1, retryAfter: nil, unit: 0) == 0.1)
    #expect(p.delay(after: 1, retryAfter: nil, unit: 0.999) < 0.2)
    #expect(p.delay(after: 3, retryAfter: nil, unit: 0) == 0.4)
    #expect(p.delay(after: 10, retryAfter: nil, unit: 1) <= 2)
    #expect(p.delay(after: 1, retryAfter: 3, unit: 0.5) == 3)
    #expect(p.delay(after: 1, retryAfter: 3600, unit: 0.5) == 10)
    #expect(RetryPolicy.parseRetryAfter("7") == 7)
    #expect(RetryPolicy.parseRetryAfter("garbage") == nil)
    let now = Date(timeIntervalSince1970: 1_000_000_000)
    #expect(RetryPolicy.parseRetryAfter("Sun, 09 Sep 2001 01:47:00 GMT", now: now) == 20)
}

@Test func timesReadAsOperatorsExpect() {
    let now = Date(timeIntervalSince1970: 1_000_000)
    #expect(TimeText.relative(now.addingTimeInterval(540), now: now) == "in 9m")
    #expect(TimeText.relative(now.addingTimeInterval(2 * 86_400 + 3 * 3_600), now: now) == "in 2d 3h")
    #expect(TimeText.relative(now.addingTimeInterval(-300), now: now) == "expired 5m ago")
}

/// Loopback means a loopback address, not a name that starts like one.
@Test(arguments: [("localhost", true), ("LOCALHOST", true), ("127.0.0.1", true), ("127.1.2.3", true), ("[::1]", true),
                  ("127.0.0.1.evil.com", false), ("127.evil.com", false), ("127.0.0.256", false), ("127.0.0", false),
                  ("localhost.evil.com", false), ("10.0.0.1", false), ("evil.com", false), ("", false)])
func loopbackIsAnAddressNotAPrefix(_ c: (String, Bool)) {
    #expect(ConnectionSettings.isLoopback(c.0) == c.1, "\(c.0)")
}
