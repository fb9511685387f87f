import Foundation
import GreenVNStore

/// The team registry's tables: the SQLite registry's tables and columns (the recipes and
/// `RegistryCopy` use them as they are), plus what PostgreSQL needs to stay fast at a million
/// rows. Times are bigint milliseconds and lists JSON text, as in SQLite, so both backends sort
/// and compare alike; every sorted or searched text column is `COLLATE "C"` (byte order, as
/// SQLite's BINARY, whatever the server's locale). A migration, once shipped, is never edited.
enum PostgresSchema {
    static let latest = 1

    /// Each migration is a list of statements run in one transaction.
    static let migrations: [Int: [String]] = [1: version1 + tallies + changeFeed]

    static let version1 = [
        """
        CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, value text NOT NULL)
        """,
        """
        CREATE TABLE allocation (
          id bigserial PRIMARY KEY,
          greenvn_id text COLLATE "C" NOT NULL UNIQUE,
          connection_id text COLLATE "C" UNIQUE,
          -- the sort key of connection_id: '' (never stored) sorts first ascending, as NULL does in SQLite
          connection_sort text COLLATE "C" GENERATED ALWAYS AS (coalesce(connection_id, '')) STORED,
          aparty_numbers text COLLATE "C" NOT NULL DEFAULT '[]',
          bparty_numbers text COLLATE "C" NOT NULL DEFAULT '[]',
          aparty_pins text NOT NULL DEFAULT '[]',
          bparty_pins text NOT NULL DEFAULT '[]',
          usage text COLLATE "C" NOT NULL,
          state text COLLATE "C" NOT NULL,
          green_vn text COLLATE "C" NOT NULL,
          flow_id text,
          pref_greenvn text,
          pref_region text,
          pref_pin_code text,
          pref_type text,
          strictness bigint NOT NULL DEFAULT 0,
          duration text,
          created_at bigint NOT NULL,
          updated_at bigint NOT NULL,
          last_synced_at bigint,
          expires_at bigint NOT NULL,
          status text COLLATE "C" NOT NULL DEFAULT 'known',
          search text COLLATE "C" NOT NULL DEFAULT '',
          -- pg_trgm splits words at + - : _ . — mapped to letters here so "order-12" or "gvn-a1"
          -- stay one word and their trigrams stay selective (a prefilter: strpos on search decides)
          search_trgm text COLLATE "C" GENERATED ALWAYS AS (translate(search, '+-:_.', 'qzjkx')) STORED,
          released_at bigint,
          released_by text
        )
        """,
        // One btree per sort order, the tie-break id next, then the tab's columns as key
        // columns: the tab condition is checked inside the index, without a heap visit.
        // Read backwards for descending orders.
        "CREATE INDEX allocation_created ON allocation (created_at, id, state, expires_at)",
        "CREATE INDEX allocation_green_vn ON allocation (green_vn, id, state, expires_at)",
        "CREATE INDEX allocation_conn ON allocation (connection_sort, id, state, expires_at)",
        "CREATE INDEX allocation_aparty ON allocation (aparty_numbers, id, state, expires_at)",
        "CREATE INDEX allocation_bparty ON allocation (bparty_numbers, id, state, expires_at)",
        "CREATE INDEX allocation_usage ON allocation (usage, id, state, expires_at)",
        "CREATE INDEX allocation_state ON allocation (state, created_at, id, expires_at)",
        "CREATE INDEX allocation_expires ON allocation (expires_at, id, state)",
        "CREATE INDEX allocation_state_expires ON allocation (state, expires_at, id)",
        "CREATE INDEX allocation_unsettled ON allocation (created_at) WHERE status <> 'known'",
        "CREATE INDEX allocation_released ON allocation (released_at) WHERE released_at IS NOT NULL",
        "CREATE INDEX allocation_search_trgm ON allocation USING gin (search_trgm gin_trgm_ops)",
        """
        CREATE TABLE vn_history (
          id bigserial PRIMARY KEY,
          greenvn_id text COLLATE "C" NOT NULL,
          old_vn text,
          new_vn text NOT NULL,
          at bigint NOT NULL,
          how text NOT NULL
        )
        """,
        "CREATE INDEX vn_history_greenvn_id ON vn_history (greenvn_id, at)",
        """
        CREATE TABLE audit (
          id bigserial PRIMARY KEY,
          at bigint NOT NULL,
          operator text NOT NULL,
          host text NOT NULL DEFAULT '',
          action text NOT NULL,
          target text COLLATE "C" NOT NULL,
          connection_id text COLLATE "C",
          outcome text NOT NULL
        )
        """,
        "CREATE INDEX audit_target ON audit (target)",
        "CREATE INDEX audit_connection_id ON audit (connection_id) WHERE connection_id IS NOT NULL",
        """
        CREATE TABLE outbox (
          connection_id text COLLATE "C" PRIMARY KEY,
          request text NOT NULL,
          created_at bigint NOT NULL,
          attempts bigint NOT NULL DEFAULT 0,
          last_error text,
          sent_at bigint,
          owner_token bigint,
          owner_operator text,
          owner_host text
        )
        """,
        """
        CREATE TABLE call_event (
          id bigserial PRIMARY KEY,
          call_sid text COLLATE "C" NOT NULL UNIQUE,
          greenvn_id text COLLATE "C" NOT NULL,
          connection_id text NOT NULL DEFAULT '',
          green_vn text NOT NULL DEFAULT '',
          from_number text NOT NULL DEFAULT '',
          to_number text NOT NULL DEFAULT '',
          direction text NOT NULL DEFAULT '',
          call_type text NOT NULL DEFAULT '',
          status text NOT NULL DEFAULT '',
          started_at bigint,
          dial_seconds bigint,
          talk_seconds bigint,
          recording_url text,
          received_at bigint NOT NULL
        )
        """,
        "CREATE INDEX call_event_greenvn_id ON call_event (greenvn_id, started_at)",
    ]

    /// The tab counters, kept by triggers as append-only deltas: a single row every writer
    /// updated (SQLite's tally) would serialise the team's writes through each commit's fsync.
    /// Keys active/vault/unsettled use hour -1; key exp is the hourly histogram of active rows'
    /// expiry. `tally_fold` sums the deltas into the base, one caller at a time.
    static let tallies = [
        """
        CREATE TABLE tally_base (key text COLLATE "C" NOT NULL, hour bigint NOT NULL, n bigint NOT NULL, PRIMARY KEY (key, hour))
        """,
        """
        CREATE TABLE tally_delta (seq bigserial PRIMARY KEY, key text COLLATE "C" NOT NULL, hour bigint NOT NULL, n bigint NOT NULL)
        """,
        """
        CREATE FUNCTION allocation_tally() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP IN ('UPDATE', 'DELETE') THEN
            INSERT INTO tally_delta (key, hour, n) VALUES (OLD.state, -1, -1);
            IF OLD.status <> 'known' THEN INSERT INTO tally_delta (key, hour, n) VALUES ('unsettled', -1, -1); END IF;
            IF OLD.state = 'active' THEN INSERT INTO tally_delta (key, hour, n) VALUES ('exp', OLD.expires_at / 3600000, -1); END IF;
          END IF;
          IF TG_OP IN ('UPDATE', 'INSERT') THEN
            INSERT INTO tally_delta (key, hour, n) VALUES (NEW.state, -1, 1);
            IF NEW.status <> 'known' THEN INSERT INTO tally_delta (key, hour, n) VALUES ('unsettled', -1, 1); END IF;
            IF NEW.state = 'active' THEN INSERT INTO tally_delta (key, hour, n) VALUES ('exp', NEW.expires_at / 3600000, 1); END IF;
          END IF;
          RETURN NULL;
        END $$
        """,
        "CREATE TRIGGER allocation_tally_insert AFTER INSERT ON allocation FOR EACH ROW EXECUTE FUNCTION allocation_tally()",
        "CREATE TRIGGER allocation_tally_delete AFTER DELETE ON allocation FOR EACH ROW EXECUTE FUNCTION allocation_tally()",
        """
        CREATE TRIGGER allocation_tally_update AFTER UPDATE OF state, status, expires_at ON allocation FOR EACH ROW
          WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.status IS DISTINCT FROM NEW.status
                OR OLD.expires_at IS DISTINCT FROM NEW.expires_at)
          EXECUTE FUNCTION allocation_tally()
        """,
        """
        CREATE FUNCTION tally_fold() RETURNS bigint LANGUAGE plpgsql AS $$
        DECLARE folded bigint;
        BEGIN
          IF NOT pg_try_advisory_xact_lock(\(LockSpace.schema), 1) THEN RETURN 0; END IF;
          WITH d AS (DELETE FROM tally_delta RETURNING key, hour, n),
               s AS (SELECT key, hour, sum(n)::bigint AS n FROM d GROUP BY key, hour),
               u AS (INSERT INTO tally_base AS b (key, hour, n) SELECT key, hour, n FROM s
                     ON CONFLICT (key, hour) DO UPDATE SET n = b.n + excluded.n RETURNING 1)
          SELECT count(*) INTO folded FROM u;
          DELETE FROM tally_base WHERE key = 'exp' AND n = 0;
          RETURN folded;
        END $$
        """,
        // plpgsql: its plans are cached per session (a LANGUAGE sql function is planned at every call)
        """
        CREATE FUNCTION tab_counts(now_ms bigint, OUT active bigint, OUT expired bigint, OUT vault bigint, OUT pending bigint)
        LANGUAGE plpgsql STABLE AS $$
        DECLARE a bigint; v bigint; u bigint; later bigint; this_hour bigint; h bigint := now_ms / 3600000;
        BEGIN
          SELECT coalesce(sum(n) FILTER (WHERE key = 'active'), 0)::bigint, coalesce(sum(n) FILTER (WHERE key = 'vault'), 0)::bigint,
                 coalesce(sum(n) FILTER (WHERE key = 'unsettled'), 0)::bigint, coalesce(sum(n) FILTER (WHERE key = 'exp'), 0)::bigint
            INTO a, v, u, later
            FROM (SELECT key, n FROM tally_base WHERE hour = -1 OR (key = 'exp' AND hour > h)
                  UNION ALL
                  SELECT key, n FROM tally_delta WHERE hour = -1 OR (key = 'exp' AND hour > h)) t;
          SELECT count(*) INTO this_hour FROM allocation
            WHERE state = 'active' AND expires_at > now_ms AND expires_at < (h + 1) * 3600000;
          active := later + this_hour;
          expired := a - active;
          vault := v + expired;
          pending := u;
        END $$
        """,
    ]

    /// Bumped by every write transaction, before and after its commit (a sequence: never a row
    /// lock). Readers key their caches (tallies, anchors, filter lists) by it.
    static let changeFeed = [
        "CREATE SEQUENCE registry_change",
    ]

    /// The LISTEN/NOTIFY channel every write transaction notifies at commit.
    static let channel = "greenvn_registry"
}
