/*
 * db.h - a small SQL interface with pluggable backends.
 *
 * The store, the reference data and the care table are written once, in
 * SQL that SQLite and PostgreSQL both accept, against this interface.  A
 * backend is a table of function pointers (as OpenSMTPD's table_backend),
 * chosen by name from the configuration: "sqlite" (embedded, the default)
 * or "postgresql" (several robots sharing one store).  Each backend is the
 * only file that includes its library's header.
 *
 * Statements use '?' placeholders numbered from 1; a backend that wants
 * another style rewrites them.  Columns are numbered from 0.
 */
#ifndef ULF_DB_H
#define ULF_DB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct db db;
typedef struct db_stmt db_stmt;

typedef struct db_backend {
	const char *name;
	int (*open)(void **out, const char *target, ulf_err *err);
	void (*close)(void *conn);
	int (*exec)(void *conn, const char *sql, ulf_err *err);
	int (*prepare)(void **out, void *conn, const char *sql, ulf_err *err);
	int (*bind_text)(void *st, int idx, const char *s);
	int (*bind_int)(void *st, int idx, int64_t v);
	int (*bind_blob)(void *st, int idx, const void *p, size_t n);
	int (*bind_null)(void *st, int idx);
	int (*step)(void *st, ulf_err *err);
	bool (*col_null)(void *st, int col);
	const char *(*col_text)(void *st, int col);
	int64_t (*col_int)(void *st, int col);
	const void *(*col_blob)(void *st, int col, size_t *len);
	int (*reset)(void *st);
	void (*finalize)(void *st);
	int64_t (*changes)(void *conn);
	bool (*is_conflict)(void *conn);   /* last failure was a unique violation */
	int (*set_durable)(void *conn, bool durable, ulf_err *err);
	/* after each commit, outside the write lock; NULL: nothing to do */
	int (*sync)(void *conn, ulf_err *err);
	/* moves the write-ahead log into the database; NULL: nothing to do */
	int (*checkpoint)(void *conn, ulf_err *err);

	/*
	 * The dialect, where the two differ; nobody else compares backend
	 * names.  The type names fill db_migrate's schema tokens.
	 */
	const char *begin;        /* starts a transaction that writes, lock taken at once */
	const char *id_type;      /* {id}: an integer primary key the database numbers */
	const char *int64_type;   /* {int64}: a 64-bit integer */
	const char *blob_type;    /* {blob}: bytes */
	/* {clustered}: after a table's closing parenthesis, its rows kept in
	 * primary-key order where the database can (rollups read in ranges) */
	const char *clustered;
	/* {append_only:T}: the statements that make table T refuse UPDATE and
	 * DELETE, into buf; returns the length as snprintf does */
	int (*append_only)(char *buf, size_t n, const char *table);
	/* {drop_append_only:T}: the statements that remove what append_only
	 * made, so that a migration can rewrite the rows once; likewise */
	int (*drop_append_only)(char *buf, size_t n, const char *table);
} db_backend;

/* The backend registered under `name`, or NULL. */
const db_backend *db_backend_find(const char *name);
/* The i-th registered backend, NULL past the last: to list them. */
const db_backend *db_backend_at(size_t i);

/* Opens `target` (a file for sqlite, a conninfo string for postgresql). */
int db_open(db **out, const char *backend, const char *target, ulf_err *err);
void db_close(db *d);
const char *db_backend_name(const db *d);

/* Runs one or more statements without results. */
int db_exec(db *d, const char *sql, ulf_err *err);

/* Transactions.  db_begin takes the write lock at once (SQLite: BEGIN
 * IMMEDIATE) so two robots never deadlock upgrading a read lock.  They
 * nest: inside an open transaction begin and commit only count, and a
 * rollback makes the outermost commit fail and roll everything back. */
int db_begin(db *d, ulf_err *err);

/*
 * Connections of one process that write to one database may share a lock
 * (the caller owns it and outlives them), held from each outermost
 * db_begin to its commit or rollback: they take turns at once instead of
 * sleeping in SQLite's busy handler.  NULL: none.
 */
void db_set_write_lock(db *d, pthread_mutex_t *lock);
int db_commit(db *d, ulf_err *err);
void db_rollback(db *d);

/*
 * Runs fn(d, ctx, err) inside db_begin .. db_commit: everything fn writes
 * reaches the database or nothing does.  fn returns 0 or a negative code;
 * when it fails the transaction is rolled back and its code returned
 * unchanged.  A failed commit ends the transaction as well.  Nests like
 * db_begin: inside a caller's transaction a failing fn dooms that one.
 */
typedef int (*db_tx_fn)(db *d, void *ctx, ulf_err *err);
int db_tx(db *d, db_tx_fn fn, void *ctx, ulf_err *err);

/*
 * Prepares `sql`, or hands out the connection's cached statement for the
 * same text when it is not in use.  db_finalize gives it back: reset, its
 * parameters unbound.  A statement is used by one caller at a time.
 */
int db_prepare(db_stmt **out, db *d, const char *sql, ulf_err *err);
/* One parameter; 0 or a negative code (no message: err is not taken). */
ULF_MUST_CHECK int db_bind_text(db_stmt *st, int idx, const char *s);   /* NULL binds NULL */
ULF_MUST_CHECK int db_bind_int(db_stmt *st, int idx, int64_t v);
ULF_MUST_CHECK int db_bind_blob(db_stmt *st, int idx, const void *p, size_t n);
ULF_MUST_CHECK int db_bind_null(db_stmt *st, int idx);

/*
 * A parameter's value for db_bind_values, made with the DBV_* macros:
 * DBV_TEXT(s) (NULL binds NULL), DBV_INT(i), DBV_BLOB(p, n), DBV_NULL.
 */
enum { DB_V_NULL = 0, DB_V_TEXT, DB_V_INT, DB_V_BLOB };

typedef struct db_value {
	int type;        /* DB_V_* */
	const char *s;   /* DB_V_TEXT */
	int64_t i;       /* DB_V_INT */
	const void *p;   /* DB_V_BLOB: n bytes at p */
	size_t n;
} db_value;

#define DBV_TEXT(x) ((db_value){ .type = DB_V_TEXT, .s = (x) })
#define DBV_INT(x) ((db_value){ .type = DB_V_INT, .i = (x) })
#define DBV_BLOB(p_, n_) ((db_value){ .type = DB_V_BLOB, .p = (p_), .n = (n_) })
#define DBV_NULL ((db_value){ .type = DB_V_NULL })

/*
 * Binds v[0..n-1] to parameters 1..n in order: 0, or the first failure
 * with err set ("cannot bind parameter N").  Parameters already bound
 * before the failing one stay bound; the caller resets or finalizes.
 */
ULF_MUST_CHECK int db_bind_values(db_stmt *st, const db_value *v, size_t n, ulf_err *err);

/*
 * A whole row at once, checked:
 *   rc = db_bind_row(st, err, DBV_TEXT(name), DBV_INT(n));
 */
#define db_bind_row(st, err, ...)                                              \
	db_bind_values((st), (const db_value[]){ __VA_ARGS__ },                \
		       sizeof((const db_value[]){ __VA_ARGS__ }) / sizeof(db_value), (err))
/* 1: a row is ready; 0: done; negative: error (err set). */
int db_step(db_stmt *st, ulf_err *err);
bool db_col_null(db_stmt *st, int col);
const char *db_col_text(db_stmt *st, int col);   /* NULL for SQL NULL */
int64_t db_col_int(db_stmt *st, int col);
const void *db_col_blob(db_stmt *st, int col, size_t *len);
/* Ready to run again, every parameter unbound (NULL). */
int db_reset(db_stmt *st);
void db_finalize(db_stmt *st);

/*
 * Runs a bound statement whose rows are not wanted (INSERT, UPDATE,
 * DELETE) and finalizes it, whatever happened: 0 or negative.
 */
int db_run(db_stmt *st, ulf_err *err);

/*
 * Prepares `sql`, binds v[0..n-1] and runs it (db_run): one statement whose
 * rows are not wanted, in one call.  0 or negative, err set.
 */
int db_exec_values(db *d, const char *sql, const db_value *v, size_t n, ulf_err *err);
#define db_exec_row(d, err, sql, ...)                                          \
	db_exec_values((d), (sql), (const db_value[]){ __VA_ARGS__ },          \
		       sizeof((const db_value[]){ __VA_ARGS__ }) / sizeof(db_value), (err))

/*
 * Called for each row by db_each: 0 goes on, 1 stops early (not an
 * error), negative stops with that error (fn sets err).
 */
typedef int (*db_row_fn)(db_stmt *st, void *ctx, ulf_err *err);

/*
 * Steps a bound statement to its end, calling fn for each row: 0 or
 * negative.  st is neither reset nor finalized: it stays the caller's
 * (a cached statement is reset, a prepared one finalized, as before).
 */
int db_each(db_stmt *st, db_row_fn fn, void *ctx, ulf_err *err);

/* Fills one element (zeroed) of db_collect's array from the current row:
 * 0 keeps it, 1 stops before it (not an error), negative stops with that
 * error (fn sets err). */
typedef int (*db_fill_fn)(void *elem, db_stmt *st, void *ctx, ulf_err *err);

/*
 * Collects the rows of a bound statement into a malloc'd array of
 * elements of `size` bytes (the caller frees *out), one per row, filled
 * by fn.  The array grows as rows come, to at most `max` elements: rows
 * past max are not read (let the statement's LIMIT say the same).  On
 * failure *out is NULL, *out_n 0 and nothing is kept, so elements must
 * not own memory of their own (use db_each for those).  st is neither
 * reset nor finalized.
 */
int db_collect(void **out, size_t *out_n, db_stmt *st, size_t size, size_t max,
	       db_fill_fn fn, void *ctx, ulf_err *err);

/* db_collect of the first column as integers: ids. */
int db_collect_ids(int64_t **out, size_t *out_n, db_stmt *st, size_t max, ulf_err *err);

/*
 * Whether the next commits must be on disk when they return (durable) or
 * may reach it a moment later, in order, with the next durable commit or
 * checkpoint.  A commit that acknowledges something to the outside (a
 * received document) must be durable; a state change that can be redone
 * from what is stored need not be.  Default: durable.
 */
int db_set_durable(db *d, bool durable, ulf_err *err);

/*
 * Moves what it can of the write-ahead log into the database, outside any
 * transaction and without the write lock: writers go on meanwhile.  A
 * long-running process calls it now and then, so that no commit pays for
 * it.  Not in a transaction.
 */
int db_checkpoint(db *d, ulf_err *err);

/* Rows changed by the last statement. */
int64_t db_changes(db *d);
/* True when the last failed step broke a UNIQUE / PRIMARY KEY constraint. */
bool db_is_conflict(db *d);

/*
 * Brings module `module`'s tables to the newest of `steps` (an array of SQL
 * scripts; step i takes version i to i+1), each in its own transaction,
 * recording the version in table schema_version.  Idempotent.
 *
 * A script is written once for both dialects: the tokens {id}, {int64},
 * {blob}, {clustered}, {append_only:TABLE} and {drop_append_only:TABLE} become the
 * backend's words for them (see struct db_backend); any other "{name}" or
 * "{name:...}" is an error, other braces are left alone.
 */
int db_migrate(db *d, const char *module, const char *const *steps, size_t nsteps,
	       ulf_err *err);

/*
 * A step of db_migrate_steps: the script `sql` (NULL: none), then fn(d,
 * ctx, err) (NULL: none), in the step's one transaction.  For the work SQL
 * cannot do alike in both dialects, such as hashing the rows there are.
 */
typedef struct db_migration {
	const char *sql;
	db_tx_fn fn;
} db_migration;

/* db_migrate with steps that may run C; ctx is passed to each fn. */
int db_migrate_steps(db *d, const char *module, const db_migration *steps, size_t nsteps,
		     void *ctx, ulf_err *err);

/* Runs a schema script with its tokens in the backend's words, as
 * db_migrate does: for a db_migration's fn. */
int db_exec_schema(db *d, const char *script, ulf_err *err);

#endif
