#ifndef CSQLITEKNOBS_H
#define CSQLITEKNOBS_H

typedef struct sqlite3 sqlite3;

/// sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, 0): the last connection to close
/// leaves the WAL as it is instead of checkpointing it (two fsyncs and a rewrite of the pages),
/// like a process that was killed. sqlite3_db_config is variadic, which Swift cannot call.
/// Returns SQLite's result code.
int greenvn_sqlite_no_checkpoint_on_close(sqlite3 *db);

/// Registers (once per process, as the default) a VFS that is SQLite's "unix" VFS except that
/// it opens a WAL file that already exists without O_CREAT. The unix VFS fsyncs the directory
/// on the first sync of every WAL it opened with O_CREAT — and it always asks for O_CREAT — so
/// each process that writes paid a directory fsync (on ext4 a journal commit) although the
/// directory entry was made durable by the process that created the file. A WAL that does not
/// exist yet is still created, and its directory synced, exactly as before.
int greenvn_sqlite_register_vfs(void);

#endif
