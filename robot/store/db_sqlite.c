/*
 * db_sqlite.c - the embedded store backend.  The only file that includes
 * <sqlite3.h>.
 *
 * The database runs in WAL mode, so readers (the dashboard, `ulf queue
 * list`) never block the robot's writes, and a busy timeout lets several
 * processes share the file.  A durable commit ("stored durably before it
 * is acknowledged") is written like any other (synchronous=NORMAL) and
 * then made durable by syncing the WAL file, in sq_sync, after the
 * process's write lock is given up: the next writer does not wait for
 * this one's disk.  That is what synchronous=FULL would do under the lock:
 * the WAL only grows until a checkpoint, and a checkpoint syncs the WAL
 * before it copies anything out of it.  Where WAL mode is not available,
 * synchronous=FULL does it the usual way.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "robot/store/db.h"

typedef struct sq_conn {
	sqlite3 *h;
	int last_rc;
	bool wal;          /* in WAL mode: durable commits sync the WAL after */
	bool durable;      /* commits must be on disk when sq_sync returns */
	bool dir_synced;   /* the WAL's directory entry is on disk */
} sq_conn;

typedef struct sq_stmt {
	sq_conn *c;
	sqlite3_stmt *st;
} sq_stmt;

static int fail(sq_conn *c, int rc, ulf_err *err, const char *what)
{
	int code;

	c->last_rc = rc;
	switch (rc & 0xff) {
	case SQLITE_FULL:     code = ULF_EIO; break;
	case SQLITE_IOERR:    code = ULF_EIO; break;
	case SQLITE_READONLY: code = ULF_EIO; break;
	case SQLITE_NOMEM:    code = ULF_ENOMEM; break;
	case SQLITE_CONSTRAINT: code = ULF_EEXISTS; break;
	default:              code = ULF_ESTORE; break;
	}
	/* "disk I/O error" alone does not tell an operator where to look */
	if (c->h && ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_FULL))
		return ulf_err_set(err, code, "sqlite: %s: %s: the store cannot write"
				   " (disk full, quota, file size limit or a failing disk?)",
				   what, sqlite3_errmsg(c->h));
	return ulf_err_set(err, code, "sqlite: %s: %s", what,
			   c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc));
}

/*
 * SQLite counts its memory under one process-wide mutex by default; the
 * robot's threads, each with its own connection, then queue on it for
 * every allocation.  Nothing here reads the counts.
 */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static void configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int journal_mode_is_wal(bool *out, sqlite3 *h)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL);

	*out = false;
	if (rc != SQLITE_OK)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(st, 0);
		*out = mode && strcmp(mode, "wal") == 0;
	}
	return sqlite3_finalize(st);
}

/*
 * Creates a new store file readable and writable by its owner only, before
 * SQLite would create it with 0644: the store holds invoices, bank details
 * and patient data.  SQLite gives the -wal and -shm files it makes the
 * database file's mode, so they are private too.  An existing file is left
 * as it is (its mode is the operator's), and so are names SQLite does not
 * read as a path (":memory:", "", "file:" URIs).  A failure here is left
 * to sqlite3_open_v2 to report, as it did before.
 */
static void create_private(const char *target)
{
	int fd;

	if (!*target || strcmp(target, ":memory:") == 0 || strncmp(target, "file:", 5) == 0)
		return;
	fd = open(target, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		close(fd);
}

static int sq_open(void **out, const char *target, ulf_err *err)
{
	sq_conn *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (!c)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	pthread_once(&config_once, configure);
	create_private(target);
	rc = sqlite3_open_v2(target, &c->h,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = fail(c, rc, err, target);
		goto out;
	}
	sqlite3_busy_timeout(c->h, 10000);
	sqlite3_extended_result_codes(c->h, 1);
	/* a checkpoint after every 1000 pages (SQLite's default) came every
	 * few dozen invoices, each under the write lock of the commit that
	 * crossed the line; the service checkpoints once a second outside
	 * it (sq_checkpoint), and this is the backstop */
	rc = sqlite3_exec(c->h, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
			  " PRAGMA wal_autocheckpoint=10000;",
			  NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = journal_mode_is_wal(&c->wal, c->h);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(c->h, c->wal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL",
				  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		rc = fail(c, rc, err, target);
		goto out;
	}
	c->durable = true;
	*out = c;
	return 0;
out:
	sqlite3_close(c->h);
	free(c);
	return rc;
}

static void sq_close(void *conn)
{
	sq_conn *c = conn;

	if (!c)
		return;
	sqlite3_close(c->h);
	free(c);
}

static int sq_exec(void *conn, const char *sql, ulf_err *err)
{
	sq_conn *c = conn;
	int rc = sqlite3_exec(c->h, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return fail(c, rc, err, "exec");
	c->last_rc = rc;
	return 0;
}

static int sq_prepare(void **out, void *conn, const char *sql, ulf_err *err)
{
	sq_conn *c = conn;
	sq_stmt *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	s->c = c;
	rc = sqlite3_prepare_v2(c->h, sql, -1, &s->st, NULL);
	if (rc != SQLITE_OK) {
		free(s);
		return fail(c, rc, err, "prepare");
	}
	*out = s;
	return 0;
}

static int bind_rc(int rc)
{
	return rc == SQLITE_OK ? 0 : ULF_ESTORE;
}

static int sq_bind_text(void *st, int idx, const char *s)
{
	return bind_rc(sqlite3_bind_text(((sq_stmt *)st)->st, idx, s, -1, SQLITE_TRANSIENT));
}

static int sq_bind_int(void *st, int idx, int64_t v)
{
	return bind_rc(sqlite3_bind_int64(((sq_stmt *)st)->st, idx, v));
}

static int sq_bind_blob(void *st, int idx, const void *p, size_t n)
{
	return bind_rc(sqlite3_bind_blob64(((sq_stmt *)st)->st, idx, p ? p : "",
					   n, SQLITE_TRANSIENT));
}

static int sq_bind_null(void *st, int idx)
{
	return bind_rc(sqlite3_bind_null(((sq_stmt *)st)->st, idx));
}

static int sq_step(void *st, ulf_err *err)
{
	sq_stmt *s = st;
	int rc = sqlite3_step(s->st);

	s->c->last_rc = rc;
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return fail(s->c, rc, err, "step");
}

static bool sq_col_null(void *st, int col)
{
	return sqlite3_column_type(((sq_stmt *)st)->st, col) == SQLITE_NULL;
}

static const char *sq_col_text(void *st, int col)
{
	return (const char *)sqlite3_column_text(((sq_stmt *)st)->st, col);
}

static int64_t sq_col_int(void *st, int col)
{
	return sqlite3_column_int64(((sq_stmt *)st)->st, col);
}

static const void *sq_col_blob(void *st, int col, size_t *len)
{
	sqlite3_stmt *s = ((sq_stmt *)st)->st;
	const void *p = sqlite3_column_blob(s, col);

	*len = (size_t)sqlite3_column_bytes(s, col);
	return p;
}

static int sq_reset(void *st)
{
	sq_stmt *s = st;

	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	return 0;
}

static void sq_finalize(void *st)
{
	sq_stmt *s = st;

	if (!s)
		return;
	sqlite3_finalize(s->st);
	free(s);
}

static int64_t sq_changes(void *conn)
{
	return sqlite3_changes(((sq_conn *)conn)->h);
}

static bool sq_is_conflict(void *conn)
{
	int rc = ((sq_conn *)conn)->last_rc;

	return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

/* Non-durable commits are written in order and reach the disk with the
 * next durable commit's sync or a checkpoint: a crash of the process loses
 * nothing, a power cut may lose the newest of them. */
static int sq_set_durable(void *conn, bool durable, ulf_err *err)
{
	sq_conn *c = conn;

	c->durable = durable;
	if (c->wal)
		return 0;
	return sq_exec(conn, durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
		       err);
}

static int sync_path(const char *path, bool dir, ulf_err *err)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return ulf_err_set(err, ULF_EIO, "sqlite: %s: cannot open to sync: %s", path,
				   strerror(errno));
	if ((dir ? fsync(fd) : fdatasync(fd)) < 0)
		rc = ulf_err_set(err, ULF_EIO, "sqlite: %s: sync failed: %s: the store cannot"
				 " write (disk full, quota or a failing disk?)", path, strerror(errno));
	close(fd);
	return rc;
}

/* After a commit, outside the write lock: a durable commit's WAL frames
 * (and every earlier commit's) to disk. */
static int sq_sync(void *conn, ulf_err *err)
{
	sq_conn *c = conn;
	const char *file = sqlite3_db_filename(c->h, "main");
	const char *wal;
	char dir[4096];
	const char *slash;
	int rc;

	if (!c->wal || !c->durable || !file || !*file)
		return 0;
	wal = sqlite3_filename_wal(file);
	rc = sync_path(wal, false, err);
	if (rc == 0 && !c->dir_synced) {
		/* once per connection: the WAL file's own name, if it is new */
		slash = strrchr(wal, '/');
		if (!slash)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == wal)
			snprintf(dir, sizeof(dir), "/");
		else
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - wal), wal);
		rc = sync_path(dir, true, err);
		c->dir_synced = rc == 0;
	}
	return rc;
}

/* Copies what it can of the WAL into the database without waiting for
 * readers or writers (which go on meanwhile). */
static int sq_checkpoint(void *conn, ulf_err *err)
{
	sq_conn *c = conn;
	int rc;

	if (!c->wal)
		return 0;
	rc = sqlite3_wal_checkpoint_v2(c->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return fail(c, rc, err, "checkpoint");
	return 0;
}

/* SQLite has no statement-level trigger for two events: one each. */
static int sq_append_only(char *buf, size_t n, const char *t)
{
	return snprintf(buf, n,
		"CREATE TRIGGER %s_no_update BEFORE UPDATE ON %s"
		" BEGIN SELECT RAISE(ABORT, 'the %s trail is append-only'); END;"
		"CREATE TRIGGER %s_no_delete BEFORE DELETE ON %s"
		" BEGIN SELECT RAISE(ABORT, 'the %s trail is append-only'); END;",
		t, t, t, t, t, t);
}

static int sq_drop_append_only(char *buf, size_t n, const char *t)
{
	return snprintf(buf, n, "DROP TRIGGER IF EXISTS %s_no_update;"
			"DROP TRIGGER IF EXISTS %s_no_delete;", t, t);
}

const db_backend db_sqlite_backend = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind_text = sq_bind_text,
	.bind_int = sq_bind_int,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.col_null = sq_col_null,
	.col_text = sq_col_text,
	.col_int = sq_col_int,
	.col_blob = sq_col_blob,
	.reset = sq_reset,
	.finalize = sq_finalize,
	.changes = sq_changes,
	.is_conflict = sq_is_conflict,
	.set_durable = sq_set_durable,
	.sync = sq_sync,
	.checkpoint = sq_checkpoint,
	/* IMMEDIATE: the write lock at once, so two robots never deadlock
	 * upgrading a read lock */
	.begin = "BEGIN IMMEDIATE",
	.id_type = "INTEGER PRIMARY KEY",   /* the rowid itself */
	.int64_type = "INTEGER",
	.blob_type = "BLOB",
	.clustered = " WITHOUT ROWID",
	.append_only = sq_append_only,
	.drop_append_only = sq_drop_append_only,
};
