#include <sqlite3.h>
#include <pthread.h>
#include <unistd.h>
#include "CSQLiteKnobs.h"

int greenvn_sqlite_no_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

static sqlite3_vfs shim;
static sqlite3_vfs *unix_vfs;
static int registered = SQLITE_ERROR;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags) {
    (void)vfs;
    if ((flags & SQLITE_OPEN_WAL) && (flags & SQLITE_OPEN_CREATE) && name && access(name, F_OK) == 0) {
        int rc = unix_vfs->xOpen(unix_vfs, name, file, flags & ~SQLITE_OPEN_CREATE, out_flags);
        if (rc == SQLITE_OK) return rc;
        /* gone meanwhile (another process deleted it): create it the ordinary way */
    }
    return unix_vfs->xOpen(unix_vfs, name, file, flags, out_flags);
}

static void register_once(void) {
    unix_vfs = sqlite3_vfs_find("unix");
    if (!unix_vfs) return;
    shim = *unix_vfs;
    shim.zName = "greenvn-unix";
    shim.pNext = 0;
    shim.xOpen = shim_open;
    registered = sqlite3_vfs_register(&shim, 1);
}

int greenvn_sqlite_register_vfs(void) {
    pthread_once(&once, register_once);
    return registered;
}
