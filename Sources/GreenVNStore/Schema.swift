import GRDB

/// The registry's tables, created and evolved by one `DatabaseMigrator` from the first release on.
/// A migration, once shipped, is never edited: add "v2", "v3"… below it.
///
/// Times are INTEGER milliseconds since 1970 (exact round trips, cheap comparisons with `now`);
/// an unknown expiry is stored as `Expiry.unknown` (far future) so every tab is one index range.
/// Lists (numbers, pins) are JSON text.
enum Schema {
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
                -- expired: state = 'active' AND expires_at <= now) and the sort by expiry
                CREATE INDEX allocation_state_expires ON allocation(state, expires_at);
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
        return m
    }
}
