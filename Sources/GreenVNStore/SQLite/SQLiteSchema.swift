import GRDB

/// The registry's tables, created and evolved by one `DatabaseMigrator` from the first release on.
/// A migration, once shipped, is never edited: add "v2", "v3"… below it.
///
/// Times are INTEGER milliseconds since 1970 (exact round trips, cheap comparisons with `now`);
/// an unknown expiry is stored as `Expiry.unknown` (far future) so every tab is one index range.
/// Lists (numbers, pins) are JSON text.
enum Schema {
    /// Stamped into `PRAGMA user_version` once the migrations and the derived tables are in
    /// place, so an open reads one header field instead of running the migrator's checks.
    /// Bump `derivedVersion` when `ensureDerivedTables` gains something.
    static let derivedVersion = 1
    /// Migrations × 100 + `derivedVersion` (SQLiteRegistryTests checks the migrations' count).
    static let version = 201

    static func isCurrent(_ writer: any DatabaseWriter) throws -> Bool {
        try writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA user_version") } == version
    }

    /// WAL mode (kept in the file), the migrations, the derived tables, then the stamp. Run
    /// under the open lock (`OpenLock`).
    static func migrate(_ writer: any DatabaseWriter) throws {
        // Answers "memory" for an in-memory database, which stays so.
        _ = try writer.writeWithoutTransaction { try String.fetchOne($0, sql: "PRAGMA journal_mode = WAL") }
        try migrator.migrate(writer)
        try ensureDerivedTables(writer)
        try writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA user_version = \(version)") }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            // Every allocation we know of, plus placeholder rows: `pending` (a create in the
            // outbox, outcome unknown) and `id_unknown` (allocated, answer lost), whose
            // greenvn_id is "pending:<connection_id>" and green_vn is "".
            try db.execute(sql: """
                CREATE TABLE allocation (
                  id INTEGER PRIMARY KEY,
                  greenvn_id TEXT NOT NULL UNIQUE,
                  connection_id TEXT UNIQUE,            -- NULL when the API never said
                  aparty_numbers TEXT NOT NULL DEFAULT '[]',
                  bparty_numbers TEXT NOT NULL DEFAULT '[]',
                  aparty_pins TEXT NOT NULL DEFAULT '[]',
                  bparty_pins TEXT NOT NULL DEFAULT '[]',
                  usage TEXT NOT NULL,
                  state TEXT NOT NULL,
                  green_vn TEXT NOT NULL,
                  flow_id TEXT,
                  pref_greenvn TEXT,
                  pref_region TEXT,
                  pref_pin_code TEXT,
                  pref_type TEXT,
                  strictness INTEGER NOT NULL DEFAULT 0,
                  duration TEXT,
                  created_at INTEGER NOT NULL,
                  updated_at INTEGER NOT NULL,
                  last_synced_at INTEGER,
                  expires_at INTEGER NOT NULL,          -- Expiry.unknown when not known
                  status TEXT NOT NULL DEFAULT 'known',
                  search TEXT NOT NULL DEFAULT ''
                );
                -- Paging at 1M rows. Each ordering index also carries (state, expires_at), so the
                -- tab condition is checked inside the index, without reading the row:
                -- the active tab by creation (the default screen), every tab by creation, by VN.
                CREATE INDEX allocation_state_created ON allocation(state, created_at, expires_at);
                CREATE INDEX allocation_created ON allocation(created_at, state, expires_at);
                CREATE INDEX allocation_green_vn ON allocation(green_vn, state, expires_at);
                -- the tab conditions themselves (active: state = 'active' AND expires_at > now;
                -- expired: state = 'active' AND expires_at <= now), the active tab by expiry
                CREATE INDEX allocation_state_expires ON allocation(state, expires_at);
                -- the other sort columns (ordered by the column, then rowid: the tie-break)
                CREATE INDEX allocation_expires ON allocation(expires_at, state);
                CREATE INDEX allocation_aparty ON allocation(aparty_numbers);
                CREATE INDEX allocation_bparty ON allocation(bparty_numbers);
                CREATE INDEX allocation_usage ON allocation(usage);
                -- the few rows that need the operator (pending, id_unknown): a tiny partial index
                CREATE INDEX allocation_unsettled ON allocation(created_at) WHERE status != 'known';

                -- Row counts kept by triggers, so the tab counters never count a million rows.
                CREATE TABLE tally (key TEXT PRIMARY KEY NOT NULL, n INTEGER NOT NULL) WITHOUT ROWID;
                INSERT INTO tally (key, n) VALUES ('active', 0), ('vault', 0), ('unsettled', 0);
                CREATE TRIGGER allocation_tally_insert AFTER INSERT ON allocation BEGIN
                  UPDATE tally SET n = n + 1 WHERE key = NEW.state;
                  UPDATE tally SET n = n + 1 WHERE key = 'unsettled' AND NEW.status != 'known';
                END;
                CREATE TRIGGER allocation_tally_delete AFTER DELETE ON allocation BEGIN
                  UPDATE tally SET n = n - 1 WHERE key = OLD.state;
                  UPDATE tally SET n = n - 1 WHERE key = 'unsettled' AND OLD.status != 'known';
                END;
                CREATE TRIGGER allocation_tally_update AFTER UPDATE OF state, status ON allocation BEGIN
                  UPDATE tally SET n = n - 1 WHERE key = OLD.state;
                  UPDATE tally SET n = n + 1 WHERE key = NEW.state;
                  UPDATE tally SET n = n - 1 WHERE key = 'unsettled' AND OLD.status != 'known';
                  UPDATE tally SET n = n + 1 WHERE key = 'unsettled' AND NEW.status != 'known';
                END;

                CREATE TABLE vn_history (
                  id INTEGER PRIMARY KEY,
                  greenvn_id TEXT NOT NULL,
                  old_vn TEXT,
                  new_vn TEXT NOT NULL,
                  at INTEGER NOT NULL,
                  how TEXT NOT NULL
                );
                CREATE INDEX vn_history_greenvn_id ON vn_history(greenvn_id, at);

                -- Who did what to which allocation. Never a secret: outcomes are "ok" or a
                -- GreenVNError description.
                CREATE TABLE audit (
                  id INTEGER PRIMARY KEY,
                  at INTEGER NOT NULL,
                  user TEXT NOT NULL,
                  action TEXT NOT NULL,
                  target TEXT NOT NULL,
                  connection_id TEXT,
                  outcome TEXT NOT NULL
                );
                CREATE INDEX audit_target ON audit(target);
                CREATE INDEX audit_connection_id ON audit(connection_id) WHERE connection_id IS NOT NULL;

                -- Creates written before they are sent; removed in the transaction that records
                -- their outcome. owner_pid/sent_at lease a row to the process sending it.
                CREATE TABLE outbox (
                  connection_id TEXT PRIMARY KEY NOT NULL,
                  request TEXT NOT NULL,
                  created_at INTEGER NOT NULL,
                  attempts INTEGER NOT NULL DEFAULT 0,
                  last_error TEXT,
                  owner_pid INTEGER,
                  sent_at INTEGER
                );

                -- Bumped by every write transaction: observers poll it (cross-process liveness).
                CREATE TABLE change (
                  id INTEGER PRIMARY KEY CHECK (id = 1),
                  n INTEGER NOT NULL
                );
                INSERT INTO change (id, n) VALUES (1, 0);
                """)
        }
        m.registerMigration("v2") { db in
            // A team's registry names who did what from where; a release says when and by whom;
            // an outbox lease names its holder to a colleague; calls come from webhooks.
            try db.execute(sql: """
                ALTER TABLE audit RENAME COLUMN user TO operator;
                ALTER TABLE audit ADD COLUMN host TEXT NOT NULL DEFAULT '';
                ALTER TABLE allocation ADD COLUMN released_at INTEGER;
                ALTER TABLE allocation ADD COLUMN released_by TEXT;
                ALTER TABLE outbox ADD COLUMN owner_token INTEGER;
                ALTER TABLE outbox ADD COLUMN owner_operator TEXT;
                ALTER TABLE outbox ADD COLUMN owner_host TEXT;
                UPDATE outbox SET owner_token = owner_pid WHERE owner_pid IS NOT NULL;
                ALTER TABLE outbox DROP COLUMN owner_pid;
                CREATE INDEX allocation_released ON allocation(released_at) WHERE released_at IS NOT NULL;

                CREATE TABLE call_event (
                  id INTEGER PRIMARY KEY,
                  call_sid TEXT NOT NULL UNIQUE,
                  greenvn_id TEXT NOT NULL,
                  connection_id TEXT NOT NULL DEFAULT '',
                  green_vn TEXT NOT NULL DEFAULT '',
                  from_number TEXT NOT NULL DEFAULT '',
                  to_number TEXT NOT NULL DEFAULT '',
                  direction TEXT NOT NULL DEFAULT '',
                  call_type TEXT NOT NULL DEFAULT '',
                  status TEXT NOT NULL DEFAULT '',
                  started_at INTEGER,
                  dial_seconds INTEGER,
                  talk_seconds INTEGER,
                  recording_url TEXT,
                  received_at INTEGER NOT NULL
                );
                CREATE INDEX call_event_greenvn_id ON call_event(greenvn_id, started_at);
                """)
        }
        return m
    }

    /// Active rows counted by the hour of their expiry, kept by triggers: how many active rows
    /// have not expired at `now` is then the sum of the later hours plus one short index range
    /// (the current hour), not a count of every active row (17 ms at 1M rows on the first read
    /// of the tab counters, which the first frame waits for). Created at open, like the
    /// trigram index below, and filled from the rows once.
    static let expiryBucketMs: Int64 = 3_600_000

    static func ensureExpiryTally(_ db: Database) throws {
        let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'allocation_expiry_insert')") ?? false
        if exists { return }
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS expiry_tally (hour INTEGER PRIMARY KEY NOT NULL, n INTEGER NOT NULL) WITHOUT ROWID;
            DELETE FROM expiry_tally;
            INSERT INTO expiry_tally (hour, n)
              SELECT expires_at / 3600000, COUNT(*) FROM allocation WHERE state = 'active' GROUP BY 1;
            CREATE TRIGGER IF NOT EXISTS allocation_expiry_delete AFTER DELETE ON allocation WHEN OLD.state = 'active' BEGIN
              UPDATE expiry_tally SET n = n - 1 WHERE hour = OLD.expires_at / 3600000;
              DELETE FROM expiry_tally WHERE hour = OLD.expires_at / 3600000 AND n = 0;
            END;
            CREATE TRIGGER IF NOT EXISTS allocation_expiry_update AFTER UPDATE OF state, expires_at ON allocation
            WHEN (OLD.state = 'active') != (NEW.state = 'active') OR (NEW.state = 'active' AND OLD.expires_at != NEW.expires_at) BEGIN
              UPDATE expiry_tally SET n = n - 1 WHERE hour = OLD.expires_at / 3600000 AND OLD.state = 'active';
              DELETE FROM expiry_tally WHERE hour = OLD.expires_at / 3600000 AND n = 0;
              INSERT INTO expiry_tally (hour, n) SELECT NEW.expires_at / 3600000, 1 WHERE NEW.state = 'active'
                ON CONFLICT (hour) DO UPDATE SET n = n + 1;
            END;
            CREATE TRIGGER IF NOT EXISTS allocation_expiry_insert AFTER INSERT ON allocation WHEN NEW.state = 'active' BEGIN
              INSERT INTO expiry_tally (hour, n) VALUES (NEW.expires_at / 3600000, 1)
                ON CONFLICT (hour) DO UPDATE SET n = n + 1;
            END;
            """)
    }

    /// The expiry tally (above) and the trigram index of `allocation.search` that a text filter
    /// reads instead of scanning every row (substring search: a term of 3+ characters narrows to
    /// the rows holding all its trigrams). External content (the text lives once, in
    /// `allocation`), `detail=none` (no positions: half the size; the candidates are checked
    /// with instr anyway), kept in step by triggers. Created at open rather than by a migration
    /// so a registry made by an earlier build gains them too (built from its rows once, ~20 µs
    /// a row for the index).
    static func ensureDerivedTables(_ writer: any DatabaseWriter) throws {
        let present = try writer.writeWithoutTransaction { db in   // the writer's connection: no reader opened for this
            try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM sqlite_master WHERE name IN ('allocation_search_insert', 'allocation_expiry_insert')
                """) ?? 0
        }
        if present == 2 { return }
        try writer.write { db in
            try ensureExpiryTally(db)
            let searchExists = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'allocation_search_insert')") ?? false
            if searchExists { return }
            try db.execute(sql: """
                CREATE VIRTUAL TABLE IF NOT EXISTS allocation_search USING fts5(
                  search, content = 'allocation', content_rowid = 'id', tokenize = 'trigram', detail = 'none');
                CREATE TRIGGER IF NOT EXISTS allocation_search_delete AFTER DELETE ON allocation BEGIN
                  INSERT INTO allocation_search (allocation_search, rowid, search) VALUES ('delete', OLD.id, OLD.search);
                END;
                CREATE TRIGGER IF NOT EXISTS allocation_search_update AFTER UPDATE OF search ON allocation
                WHEN OLD.search IS NOT NEW.search BEGIN
                  INSERT INTO allocation_search (allocation_search, rowid, search) VALUES ('delete', OLD.id, OLD.search);
                  INSERT INTO allocation_search (rowid, search) VALUES (NEW.id, NEW.search);
                END;
                -- merge segments 16 at a time, not 4: a one-row transaction (every allocate) then
                -- costs ~0.3 ms more instead of ~2 ms at 1M rows; lookups read a few more segments
                INSERT INTO allocation_search (allocation_search, rank) VALUES ('automerge', 16);
                INSERT INTO allocation_search (allocation_search, rank) VALUES ('crisismerge', 64);
                INSERT INTO allocation_search (allocation_search) VALUES ('rebuild');
                CREATE TRIGGER IF NOT EXISTS allocation_search_insert AFTER INSERT ON allocation BEGIN
                  INSERT INTO allocation_search (rowid, search) VALUES (NEW.id, NEW.search);
                END;
                """)
        }
    }
}
