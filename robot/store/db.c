/*
 * db.c - backend dispatch, the statement cache and schema migrations.
 * See db.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dynbuf.h"
#include "robot/store/db.h"

extern const db_backend db_sqlite_backend;
extern const db_backend db_postgresql_backend;

static const db_backend *const backends[] = {
	&db_sqlite_backend,
	&db_postgresql_backend,
};

/*
 * Prepared statements are kept per connection and handed out again for the
 * same SQL text: the robot runs a few dozen statements thousands of times,
 * and preparing them was a fifth of its time.  A statement in use is never
 * handed out twice; when every slot is taken, statements are prepared and
 * finalized as they come.
 */
#define DB_CACHE_SLOTS 128

struct db_stmt {
	db *d;
	void *st;
	char *sql;        /* cached: the text it was prepared from, else NULL */
	uint64_t hash;
	bool busy;
};

struct db {
	const db_backend *be;
	void *conn;
	bool durable;
	int depth;      /* db_begin calls not yet matched by commit or rollback */
	bool doomed;    /* an inner transaction rolled back: the outer one must too */
	pthread_mutex_t *write_lock;   /* shared with the process's other connections */
	bool locked;
	db_stmt cache[DB_CACHE_SLOTS];
};

const db_backend *db_backend_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}

const db_backend *db_backend_at(size_t i)
{
	return i < sizeof(backends) / sizeof(backends[0]) ? backends[i] : NULL;
}

int db_open(db **out, const char *backend, const char *target, ulf_err *err)
{
	const db_backend *be = db_backend_find(backend);
	db *d;
	int rc;

	*out = NULL;
	if (!be)
		return ulf_err_set(err, ULF_EINVAL, "unknown store backend '%s'", backend);
	d = calloc(1, sizeof(*d));
	if (!d)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	d->be = be;
	d->durable = true;
	rc = be->open(&d->conn, target, err);
	if (rc) {
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void db_close(db *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < DB_CACHE_SLOTS && d->cache[i].sql; i++) {
		d->be->finalize(d->cache[i].st);
		free(d->cache[i].sql);
	}
	d->be->close(d->conn);
	free(d);
}

const char *db_backend_name(const db *d)
{
	return d->be->name;
}

int db_exec(db *d, const char *sql, ulf_err *err)
{
	return d->be->exec(d->conn, sql, err);
}

/*
 * Transactions nest: only the outermost begin and commit reach the
 * database, so a module that makes one change atomic on its own can be
 * called inside a caller's larger transaction (a care claim joined to its
 * invoice: the reconciliation and the attachment commit together or not at
 * all).  An inner rollback dooms the outer transaction.
 */
void db_set_write_lock(db *d, pthread_mutex_t *lock)
{
	d->write_lock = lock;
}

static void unlock(db *d)
{
	if (d->locked) {
		d->locked = false;
		pthread_mutex_unlock(d->write_lock);
	}
}

/* Transaction control through the statement cache, like everything else. */
static int run(db *d, const char *sql, ulf_err *err)
{
	db_stmt *st;
	int rc = db_prepare(&st, d, sql, err);

	if (rc)
		return rc;
	return db_run(st, err);
}

int db_begin(db *d, ulf_err *err)
{
	int rc;

	if (d->depth > 0) {
		d->depth++;
		return 0;
	}
	if (d->write_lock) {
		pthread_mutex_lock(d->write_lock);
		d->locked = true;
	}
	rc = run(d, d->be->begin, err);
	if (rc) {
		unlock(d);
		return rc;
	}
	d->depth = 1;
	d->doomed = false;
	return 0;
}

int db_commit(db *d, ulf_err *err)
{
	int rc;

	if (d->depth > 1) {
		d->depth--;
		return 0;
	}
	if (d->depth == 0)
		return ulf_err_set(err, ULF_ESTORE, "commit without a transaction");
	if (d->doomed) {
		db_rollback(d);
		return ulf_err_set(err, ULF_EIO, "transaction rolled back: a step inside it failed");
	}
	rc = run(d, "COMMIT", err);
	if (rc) {
		/* the transaction ends here either way, and so does the lock */
		run(d, "ROLLBACK", NULL);
	}
	d->depth = 0;
	unlock(d);
	/* the wait for the disk, if the backend leaves it to here, holds up
	 * no other writer */
	if (rc == 0 && d->be->sync)
		rc = d->be->sync(d->conn, err);
	return rc;
}

void db_rollback(db *d)
{
	if (d->depth > 1) {
		d->depth--;
		d->doomed = true;
		return;
	}
	if (d->depth == 1)
		run(d, "ROLLBACK", NULL);
	d->depth = 0;
	d->doomed = false;
	unlock(d);
}

int db_tx(db *d, db_tx_fn fn, void *ctx, ulf_err *err)
{
	int rc = db_begin(d, err);

	if (rc)
		return rc;
	rc = fn(d, ctx, err);
	if (rc) {
		db_rollback(d);
		return rc;
	}
	/* a commit that fails has rolled back already */
	return db_commit(d, err);
}

static uint64_t sql_hash(const char *sql)
{
	uint64_t h = 14695981039346656037u;   /* FNV-1a */

	for (; *sql; sql++)
		h = (h ^ (unsigned char)*sql) * 1099511628211u;
	return h;
}

int db_prepare(db_stmt **out, db *d, const char *sql, ulf_err *err)
{
	uint64_t h = sql_hash(sql);
	db_stmt *s, *slot = NULL;
	size_t i;
	int rc;

	*out = NULL;
	/* slots fill from the front and are never emptied while open */
	for (i = 0; i < DB_CACHE_SLOTS; i++) {
		s = &d->cache[i];
		if (!s->sql) {
			slot = s;
			break;
		}
		if (!s->busy && s->hash == h && strcmp(s->sql, sql) == 0) {
			s->busy = true;
			*out = s;
			return 0;
		}
	}
	if (slot) {
		s = slot;
		s->sql = strdup(sql);
		if (!s->sql)
			return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	} else {
		s = calloc(1, sizeof(*s));
		if (!s)
			return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	s->d = d;
	rc = d->be->prepare(&s->st, d->conn, sql, err);
	if (rc) {
		if (slot) {
			free(s->sql);
			s->sql = NULL;
		} else {
			free(s);
		}
		return rc;
	}
	s->hash = h;
	s->busy = true;
	*out = s;
	return 0;
}

int db_bind_text(db_stmt *st, int idx, const char *s)
{
	return s ? st->d->be->bind_text(st->st, idx, s) : st->d->be->bind_null(st->st, idx);
}

int db_bind_int(db_stmt *st, int idx, int64_t v)
{
	return st->d->be->bind_int(st->st, idx, v);
}

int db_bind_blob(db_stmt *st, int idx, const void *p, size_t n)
{
	return st->d->be->bind_blob(st->st, idx, p, n);
}

int db_bind_null(db_stmt *st, int idx)
{
	return st->d->be->bind_null(st->st, idx);
}

int db_bind_values(db_stmt *st, const db_value *v, size_t n, ulf_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		int idx = (int)(i + 1);

		switch (v[i].type) {
		case DB_V_TEXT:
			rc = db_bind_text(st, idx, v[i].s);
			break;
		case DB_V_INT:
			rc = db_bind_int(st, idx, v[i].i);
			break;
		case DB_V_BLOB:
			rc = db_bind_blob(st, idx, v[i].p, v[i].n);
			break;
		case DB_V_NULL:
			rc = db_bind_null(st, idx);
			break;
		default:
			rc = ULF_EINVAL;
			break;
		}
		if (rc)
			return ulf_err_set(err, rc < 0 ? rc : ULF_ESTORE,
					   "cannot bind parameter %zu", i + 1);
	}
	return 0;
}

int db_step(db_stmt *st, ulf_err *err)
{
	return st->d->be->step(st->st, err);
}

bool db_col_null(db_stmt *st, int col)
{
	return st->d->be->col_null(st->st, col);
}

const char *db_col_text(db_stmt *st, int col)
{
	return st->d->be->col_text(st->st, col);
}

int64_t db_col_int(db_stmt *st, int col)
{
	return st->d->be->col_int(st->st, col);
}

const void *db_col_blob(db_stmt *st, int col, size_t *len)
{
	return st->d->be->col_blob(st->st, col, len);
}

int db_reset(db_stmt *st)
{
	return st->d->be->reset(st->st);
}

void db_finalize(db_stmt *st)
{
	if (!st)
		return;
	if (st->sql) {
		/* back to the cache, unbound and holding no lock */
		st->d->be->reset(st->st);
		st->busy = false;
		return;
	}
	st->d->be->finalize(st->st);
	free(st);
}

int db_run(db_stmt *st, ulf_err *err)
{
	int rc = db_step(st, err);

	db_finalize(st);
	return rc < 0 ? rc : 0;
}

int db_exec_values(db *d, const char *sql, const db_value *v, size_t n, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc = db_prepare(&st, d, sql, err);

	if (rc)
		return rc;
	rc = db_bind_values(st, v, n, err);
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

int db_each(db_stmt *st, db_row_fn fn, void *ctx, ulf_err *err)
{
	int rc;

	while ((rc = db_step(st, err)) == 1) {
		rc = fn(st, ctx, err);
		if (rc)
			break;
	}
	return rc < 0 ? rc : 0;
}

int db_collect(void **out, size_t *out_n, db_stmt *st, size_t size, size_t max,
	       db_fill_fn fn, void *ctx, ulf_err *err)
{
	dynbuf v;
	void *elem;
	char *mem = NULL;
	size_t n = 0;
	int rc = 0;

	*out = NULL;
	*out_n = 0;
	if (size == 0)
		return ulf_err_set(err, ULF_EINVAL, "db_collect: elements of no size");
	/* max elements; more than memory can hold fails as out of memory */
	dynbuf_init(&v, max < (SIZE_MAX - 1) / size ? max * size : SIZE_MAX - 1);
	while (n < max && (rc = db_step(st, err)) == 1) {
		if (dynbuf_add_item(&elem, &v, size) != 0) {
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
			break;
		}
		rc = fn(elem, st, ctx, err);
		if (rc)
			break;
		n++;
	}
	if (rc < 0) {
		dynbuf_release(&v);
		return rc;
	}
	if (n == 0)
		dynbuf_release(&v);   /* no row: *out stays NULL */
	else if (dynbuf_take(&mem, NULL, &v) != 0)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");   /* v is not empty: never */
	*out = mem;
	*out_n = n;
	return 0;
}

static int fill_id(void *elem, db_stmt *st, void *ctx, ulf_err *err)
{
	(void)ctx;
	(void)err;
	*(int64_t *)elem = db_col_int(st, 0);
	return 0;
}

int db_collect_ids(int64_t **out, size_t *out_n, db_stmt *st, size_t max, ulf_err *err)
{
	void *v;
	int rc = db_collect(&v, out_n, st, sizeof(int64_t), max, fill_id, NULL, err);

	*out = v;
	return rc;
}

int db_set_durable(db *d, bool durable, ulf_err *err)
{
	int rc;

	if (d->durable == durable)
		return 0;
	rc = d->be->set_durable(d->conn, durable, err);
	if (rc == 0)
		d->durable = durable;
	return rc;
}

int db_checkpoint(db *d, ulf_err *err)
{
	if (d->depth > 0)
		return ulf_err_set(err, ULF_ESTORE, "checkpoint inside a transaction");
	return d->be->checkpoint ? d->be->checkpoint(d->conn, err) : 0;
}

int64_t db_changes(db *d)
{
	return d->be->changes(d->conn);
}

bool db_is_conflict(db *d)
{
	return d->be->is_conflict(d->conn);
}

static int current_version(int64_t *out, db *d, const char *module, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out = 0;
	rc = db_prepare(&st, d, "SELECT version FROM schema_version WHERE module = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(module));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		*out = db_col_int(st, 0);
		rc = 0;
	}
	db_finalize(st);
	return rc;
}

/* A schema script with its tokens filled in is never longer than this. */
#define DB_SCHEMA_MAX (1024u * 1024)

static bool token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* The closing '}' when p starts a token ("{name}" or "{name:arg}"), else NULL. */
static const char *token_end(const char *p)
{
	if (p[0] != '{' || !token_char(p[1]))
		return NULL;
	for (p++; token_char(*p); p++)
		;
	if (*p == ':')
		p = strchr(p, '}');
	return p && *p == '}' ? p : NULL;
}

/* The backend's words for the token name[0..len), like snprintf; -1 for
 * a token db_migrate does not know. */
static int token_words(char *buf, size_t n, const db_backend *be, const char *name,
		       size_t len)
{
	static const char ao[] = "append_only:", dao[] = "drop_append_only:";
	char table[64];

	if (len == 2 && memcmp(name, "id", 2) == 0)
		return snprintf(buf, n, "%s", be->id_type);
	if (len == 5 && memcmp(name, "int64", 5) == 0)
		return snprintf(buf, n, "%s", be->int64_type);
	if (len == 4 && memcmp(name, "blob", 4) == 0)
		return snprintf(buf, n, "%s", be->blob_type);
	if (len == 9 && memcmp(name, "clustered", 9) == 0)
		return snprintf(buf, n, "%s", be->clustered);
	if (len > sizeof(ao) - 1 && memcmp(name, ao, sizeof(ao) - 1) == 0 &&
	    len - (sizeof(ao) - 1) < sizeof(table)) {
		memcpy(table, name + sizeof(ao) - 1, len - (sizeof(ao) - 1));
		table[len - (sizeof(ao) - 1)] = '\0';
		return be->append_only(buf, n, table);
	}
	if (len > sizeof(dao) - 1 && memcmp(name, dao, sizeof(dao) - 1) == 0 &&
	    len - (sizeof(dao) - 1) < sizeof(table)) {
		memcpy(table, name + sizeof(dao) - 1, len - (sizeof(dao) - 1));
		table[len - (sizeof(dao) - 1)] = '\0';
		return be->drop_append_only(buf, n, table);
	}
	return -1;
}

/*
 * `tmpl` with its tokens in the backend's words into buf (cap bytes, NUL
 * terminated when cap > 0).  Like snprintf, the whole length is returned;
 * negative, with *bad at it, for an unknown token.
 */
static long expand(char *buf, size_t cap, const db_backend *be, const char *tmpl,
		   const char **bad)
{
	const char *p, *end;
	size_t n = 0;
	int w;

	for (p = tmpl; *p; p++) {
		end = token_end(p);
		if (!end) {
			if (n + 1 < cap)
				buf[n] = *p;
			n++;
			continue;
		}
		w = token_words(n < cap ? buf + n : NULL, n < cap ? cap - n : 0, be, p + 1,
				(size_t)(end - p - 1));
		if (w < 0) {
			*bad = p;
			return -1;
		}
		n += (size_t)w;
		p = end;
	}
	if (cap)
		buf[n < cap ? n : cap - 1] = '\0';
	return (long)n;
}

/* `tmpl` in the backend's dialect (see db_migrate), malloc'd. */
static int dialect(char **out, const db_backend *be, const char *tmpl, ulf_err *err)
{
	const char *bad = NULL;
	long len = expand(NULL, 0, be, tmpl, &bad);

	*out = NULL;
	if (len < 0)
		return ulf_err_set(err, ULF_EINVAL, "schema: unknown token '%.*s'",
				   (int)(token_end(bad) - bad + 1), bad);
	if ((unsigned long)len >= DB_SCHEMA_MAX)
		return ulf_err_set(err, ULF_ELIMIT, "schema script too long");
	*out = malloc((size_t)len + 1);
	if (!*out)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	expand(*out, (size_t)len + 1, be, tmpl, &bad);
	return 0;
}

int db_exec_schema(db *d, const char *script, ulf_err *err)
{
	char *sql;
	int rc = dialect(&sql, d->be, script, err);

	if (rc)
		return rc;
	rc = db_exec(d, sql, err);
	free(sql);
	return rc;
}

/* db_migrate's module, and whether its newest version is reached. */
struct migration {
	const char *module;
	const db_migration *steps;
	size_t nsteps;
	void *ctx;
	bool done;
};

/* One step up, in its own transaction: the version is read inside the
 * write transaction, for another robot may migrate too. */
static int migrate_one(db *d, void *ctx, ulf_err *err)
{
	struct migration *m = ctx;
	db_stmt *st = NULL;
	int64_t v;
	int rc;

	rc = current_version(&v, d, m->module, err);
	if (rc)
		return rc;
	if (v >= (int64_t)m->nsteps) {
		m->done = true;
		return 0;
	}
	if (m->steps[v].sql) {
		rc = db_exec_schema(d, m->steps[v].sql, err);
		if (rc)
			return rc;
	}
	if (m->steps[v].fn) {
		rc = m->steps[v].fn(d, m->ctx, err);
		if (rc)
			return rc;
	}
	rc = db_prepare(&st, d, v == 0
		? "INSERT INTO schema_version (module, version) VALUES (?, ?)"
		: "UPDATE schema_version SET version = ? WHERE module = ?", err);
	if (rc)
		return rc;
	if (v == 0)
		rc = db_bind_row(st, err, DBV_TEXT(m->module), DBV_INT(v + 1));
	else
		rc = db_bind_row(st, err, DBV_INT(v + 1), DBV_TEXT(m->module));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

int db_migrate(db *d, const char *module, const char *const *steps, size_t nsteps,
	       ulf_err *err)
{
	db_migration *m;
	size_t i;
	int rc;

	m = calloc(nsteps ? nsteps : 1, sizeof(*m));
	if (!m)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	for (i = 0; i < nsteps; i++)
		m[i].sql = steps[i];
	rc = db_migrate_steps(d, module, m, nsteps, NULL, err);
	free(m);
	return rc;
}

int db_migrate_steps(db *d, const char *module, const db_migration *steps, size_t nsteps,
		     void *ctx, ulf_err *err)
{
	struct migration m = { module, steps, nsteps, ctx, false };
	int rc;

	rc = db_exec(d, "CREATE TABLE IF NOT EXISTS schema_version ("
			" module TEXT PRIMARY KEY, version INTEGER NOT NULL)", err);
	while (rc == 0 && !m.done)
		rc = db_tx(d, migrate_one, &m, err);
	return rc;
}
