import GRDB

// A library floor (BENCHMARKS.md): GRDB opens (and migrates) a small WAL database and writes one
// row durably (synchronous=FULL), as the outbox does, and nothing else. argv: PATH
@main struct GRDBWrite {
    static func main() throws {
        var c = Configuration()
        c.busyMode = .timeout(5)
        let pool = try DatabasePool(path: CommandLine.arguments[1], configuration: c)
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)") }
        try m.migrate(pool)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.inTransaction {
                try db.execute(sql: "INSERT INTO t (v) VALUES ('x')")
                return .commit
            }
        }
    }
}
