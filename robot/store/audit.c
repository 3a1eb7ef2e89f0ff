/*
 * audit.c - the audit trail's rows, their hash chain, its migration and
 * its verification.  See audit.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/digest.h"
#include "core/text.h"
#include "robot/store/audit.h"
#include "robot/store/keep.h"
#include "robot/store/rollup.h"

/* The first row's predecessor. */
static const char genesis[] =
	"0000000000000000000000000000000000000000000000000000000000000000";

/* The longest row that is hashed (its serialisation): far past any note or
 * booking, a cap on what one row may make us allocate. */
#define AUDIT_ROW_MAX (64u * 1024 * 1024)

/*
 * Version 1: the authenticated user's id, the values before and after,
 * and the chain.  The guard comes off while the rows there are get their
 * hashes (chain_existing), and goes on again in the same transaction.
 */
static const char *const v1 =
	"{drop_append_only:audit}"
	"ALTER TABLE audit ADD COLUMN user_id {int64};"
	"ALTER TABLE audit ADD COLUMN before_json TEXT;"
	"ALTER TABLE audit ADD COLUMN after_json TEXT;"
	"ALTER TABLE audit ADD COLUMN prev_hash TEXT;"
	"ALTER TABLE audit ADD COLUMN hash TEXT;"
	"CREATE TABLE audit_head ("
	" k INTEGER PRIMARY KEY, n {int64} NOT NULL, last_id {int64} NOT NULL,"
	" hash TEXT NOT NULL);"
	"INSERT INTO audit_head (k, n, last_id, hash) VALUES (1, 0, 0,"
	" '0000000000000000000000000000000000000000000000000000000000000000');";

/* The columns a row's hash is made of, in the serialisation's order, then
 * its links: the same list for every statement that reads rows. */
#define ROW_COLS "id, doc_id, at, who, user_id, action, detail, before_json, after_json," \
	" prev_hash, hash"

/* A row's fields, as the serialisation takes them. */
typedef struct fields {
	const char *prev;
	bool doc_null;
	int64_t doc_id;
	int64_t at;
	const char *who;
	bool user_null;
	int64_t user_id;
	const char *action, *detail, *before, *after;
} fields;

static void fields_from_row(fields *f, db_stmt *st, const char *prev)
{
	f->prev = prev;
	f->doc_null = db_col_null(st, 1);
	f->doc_id = db_col_int(st, 1);
	f->at = db_col_int(st, 2);
	f->who = db_col_text(st, 3);
	f->user_null = db_col_null(st, 4);
	f->user_id = db_col_int(st, 4);
	f->action = db_col_text(st, 5);
	f->detail = db_col_text(st, 6);
	f->before = db_col_text(st, 7);
	f->after = db_col_text(st, 8);
}

/* One field of the serialisation into buf at *n (cap bytes; only counted
 * when buf is NULL): "-\n" for NULL, "<length>:<bytes>\n" for text. */
static void put(char *buf, size_t *n, const char *s)
{
	char head[32];
	size_t len, hl;

	if (!s) {
		if (buf)
			memcpy(buf + *n, "-\n", 2);
		*n += 2;
		return;
	}
	len = strlen(s);
	hl = (size_t)snprintf(head, sizeof(head), "%zu:", len);
	if (buf) {
		memcpy(buf + *n, head, hl);
		memcpy(buf + *n + hl, s, len);
		buf[*n + hl + len] = '\n';
	}
	*n += hl + len + 1;
}

static void put_int(char *buf, size_t *n, bool null, int64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRId64, v);
	put(buf, n, null ? NULL : num);
}

/* The serialisation of f (audit.h), into buf when not NULL; its length. */
static size_t serialise(char *buf, const fields *f)
{
	static const char tag[] = "ulf-audit-1\n";
	size_t n = 0;

	if (buf)
		memcpy(buf, tag, sizeof(tag) - 1);
	n += sizeof(tag) - 1;
	if (buf) {
		memcpy(buf + n, f->prev, strlen(f->prev));
		buf[n + strlen(f->prev)] = '\n';
	}
	n += strlen(f->prev) + 1;
	put_int(buf, &n, f->doc_null, f->doc_id);
	put_int(buf, &n, false, f->at);
	put(buf, &n, f->who);
	put_int(buf, &n, f->user_null, f->user_id);
	put(buf, &n, f->action);
	put(buf, &n, f->detail);
	put(buf, &n, f->before);
	put(buf, &n, f->after);
	return n;
}

/* The row's hash, given its predecessor's (in f->prev). */
static int row_hash(char out[DIGEST_HEX_LEN + 1], const fields *f, ulf_err *err)
{
	size_t n = serialise(NULL, f);
	char *buf;
	int rc = 0;

	out[0] = '\0';
	if (n > AUDIT_ROW_MAX)
		return ulf_err_set(err, ULF_ELIMIT, "audit row too large to hash (%zu bytes)", n);
	buf = malloc(n);
	if (!buf)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	serialise(buf, f);
	if (digest_sha256_hex(out, buf, n))
		rc = ulf_err_set(err, ULF_ERROR, "audit: SHA-256 failed");
	free(buf);
	return rc;
}

/* ---- migration: chaining the rows an older store holds ---------------- */

/* One row's new links, collected before they are written (not "link":
 * that is unistd.h's link(), which <signal.h> brings in under _GNU_SOURCE). */
typedef struct chain_link {
	int64_t id;
	char prev[DIGEST_HEX_LEN + 1];
	char hash[DIGEST_HEX_LEN + 1];
} chain_link;

/* The chain so far, while rows are collected. */
struct chaining {
	char prev[DIGEST_HEX_LEN + 1];
	int64_t last_id, n;
};

static int link_fill(void *elem, db_stmt *st, void *ctx, ulf_err *err)
{
	struct chaining *c = ctx;
	chain_link *l = elem;
	fields f;
	int rc;

	l->id = db_col_int(st, 0);
	snprintf(l->prev, sizeof(l->prev), "%s", c->prev);
	fields_from_row(&f, st, l->prev);
	rc = row_hash(l->hash, &f, err);
	if (rc)
		return rc;
	snprintf(c->prev, sizeof(c->prev), "%s", l->hash);
	c->last_id = l->id;
	c->n++;
	return 0;
}

#define CHAIN_BATCH 1000

static int chain_existing(db *d, void *ctx, ulf_err *err)
{
	struct chaining c = { .n = 0 };
	db_stmt *st = NULL;
	chain_link *links = NULL;
	size_t n, i;
	int rc;

	(void)ctx;
	snprintf(c.prev, sizeof(c.prev), "%s", genesis);
	do {
		rc = db_prepare(&st, d, "SELECT " ROW_COLS " FROM audit WHERE id > ?"
				" ORDER BY id LIMIT 1000", err);
		if (rc)
			return rc;
		rc = db_bind_row(st, err, DBV_INT(c.last_id));
		if (rc == 0)
			rc = db_collect((void **)&links, &n, st, sizeof(chain_link), CHAIN_BATCH,
					link_fill, &c, err);
		db_finalize(st);
		if (rc)
			return rc;
		for (i = 0; i < n && rc == 0; i++) {
			rc = db_prepare(&st, d, "UPDATE audit SET prev_hash = ?, hash = ?"
					" WHERE id = ?", err);
			if (rc)
				break;
			rc = db_bind_row(st, err, DBV_TEXT(links[i].prev),
					 DBV_TEXT(links[i].hash), DBV_INT(links[i].id));
			if (rc == 0)
				rc = db_run(st, err);
			else
				db_finalize(st);
		}
		free(links);
		links = NULL;
		if (rc)
			return rc;
	} while (n == CHAIN_BATCH);
	rc = db_exec_row(d, err, "UPDATE audit_head SET n = ?, last_id = ?, hash = ?"
			" WHERE k = 1",
			 DBV_INT(c.n), DBV_INT(c.last_id), DBV_TEXT(c.prev));
	if (rc)
		return rc;
	return db_exec_schema(d, "{append_only:audit}", err);
}

int audit_migrate(db *d, ulf_err *err)
{
	static const db_migration steps[] = {
		{ v1, chain_existing },
	};

	return db_migrate_steps(d, "audit", steps, sizeof(steps) / sizeof(steps[0]), NULL,
				err);
}

/* ---- appending -------------------------------------------------------- */

/* What audit_append's transaction appends. */
struct append {
	const audit_entry *e;
	int64_t id;
};

static int append_tx(db *d, void *ctx, ulf_err *err)
{
	struct append *a = ctx;
	const audit_entry *e = a->e;
	char prev[DIGEST_HEX_LEN + 1], hash[DIGEST_HEX_LEN + 1];
	db_stmt *st = NULL;
	fields f;
	int rc;

	/* the head row first: its lock is the writers' turn on the chain (on
	 * PostgreSQL the others wait here and then read this row's hash) */
	rc = db_prepare(&st, d, "UPDATE audit_head SET n = n + 1 WHERE k = 1 RETURNING hash",
			err);
	if (rc)
		return rc;
	rc = db_step(st, err);
	if (rc == 1)
		snprintf(prev, sizeof(prev), "%s", db_col_text(st, 0) ? db_col_text(st, 0) : "");
	db_finalize(st);
	if (rc == 0)
		return ulf_err_set(err, ULF_ESTORE, "the audit trail has no head row");
	if (rc < 0)
		return rc;
	f = (fields){
		.prev = prev, .doc_null = e->doc_id <= 0, .doc_id = e->doc_id, .at = e->at,
		.who = e->who, .user_null = e->user_id <= 0, .user_id = e->user_id,
		.action = e->action, .detail = e->detail, .before = e->before, .after = e->after,
	};
	rc = row_hash(hash, &f, err);
	if (rc)
		return rc;
	rc = db_prepare(&st, d, "INSERT INTO audit (doc_id, at, who, user_id, action, detail,"
			" before_json, after_json, prev_hash, hash)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, e->doc_id > 0 ? DBV_INT(e->doc_id) : DBV_NULL, DBV_INT(e->at),
			 DBV_TEXT(e->who), e->user_id > 0 ? DBV_INT(e->user_id) : DBV_NULL,
			 DBV_TEXT(e->action), DBV_TEXT(e->detail), DBV_TEXT(e->before),
			 DBV_TEXT(e->after), DBV_TEXT(prev), DBV_TEXT(hash));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1)
		a->id = db_col_int(st, 0);
	db_finalize(st);
	if (rc == 0)
		return ulf_err_set(err, ULF_ESTORE, "audit: insert returned no id");
	if (rc < 0)
		return rc;
	rc = db_prepare(&st, d, "UPDATE audit_head SET last_id = ?, hash = ? WHERE k = 1", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(a->id), DBV_TEXT(hash));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	rc = db_run(st, err);
	/* a person's action on a document counts on the dashboard */
	return rc ? rc : rollup_action(d, e, err);
}

int audit_append(int64_t *out_id, db *d, const audit_entry *e, ulf_err *err)
{
	/* notes and values are kept (and hashed) with personal identity
	 * numbers masked, like every text in the general tables */
	char *detail = NULL, *before = NULL, *after = NULL;
	audit_entry m = *e;
	struct append a = { &m, 0 };
	int rc;

	if (out_id)
		*out_id = 0;
	if (!e->who || !*e->who || !e->action || !*e->action)
		return ulf_err_set(err, ULF_EINVAL, "audit: who and what must be named");
	rc = store_keep_masked(&detail, e->detail, err);
	if (rc == 0)
		rc = store_keep_masked(&before, e->before, err);
	if (rc == 0)
		rc = store_keep_masked(&after, e->after, err);
	if (rc == 0) {
		m.detail = store_keep_text(detail, e->detail);
		m.before = store_keep_text(before, e->before);
		m.after = store_keep_text(after, e->after);
		rc = db_tx(d, append_tx, &a, err);
	}
	if (rc == 0 && out_id)
		*out_id = a.id;
	free(detail);
	free(before);
	free(after);
	return rc;
}

/* ---- verification ----------------------------------------------------- */

/* The walk so far. */
struct walk {
	audit_report *r;
	char prev[DIGEST_HEX_LEN + 1];
	int64_t prev_id;
};

/* "row 7 (document 3, anna, reject, 2024-05-01 10:00:00 UTC)" */
static void describe(char *out, size_t n, db_stmt *st)
{
	char when[32] = "?", doc[32] = "no document";
	const char *who = db_col_text(st, 3) ? db_col_text(st, 3) : "-";
	const char *action = db_col_text(st, 5) ? db_col_text(st, 5) : "-";
	time_t t = (time_t)db_col_int(st, 2);
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (!db_col_null(st, 1))
		snprintf(doc, sizeof(doc), "document %" PRId64, db_col_int(st, 1));
	snprintf(out, n, "row %" PRId64 " (%s, %.*s, %.*s, %s)", db_col_int(st, 0), doc,
		 text_quote_len(who, 64), who, text_quote_len(action, 64), action, when);
}

static int walk_row(db_stmt *st, void *ctx, ulf_err *err)
{
	struct walk *w = ctx;
	audit_report *r = w->r;
	const char *prev = db_col_text(st, 9), *hash = db_col_text(st, 10);
	char computed[DIGEST_HEX_LEN + 1], row[256];
	int64_t id = db_col_int(st, 0);
	fields f;
	int rc;

	describe(row, sizeof(row), st);
	r->bad_id = id;
	if (!prev || !hash) {
		snprintf(r->what, sizeof(r->what), "%s has no hash: it was written behind"
			 " ulf's back", row);
		return 1;
	}
	if (strcmp(prev, w->prev) != 0) {
		if (w->prev_id == 0)
			snprintf(r->what, sizeof(r->what), "%s is the first row but does not link"
				 " to the start of the trail: rows before it were deleted", row);
		else
			snprintf(r->what, sizeof(r->what), "%s does not link to row %" PRId64
				 ", the row before it (it names hash %.*s..., row %" PRId64
				 " has %.12s...): a row between them was deleted, or row %" PRId64
				 "'s hash was changed", row, w->prev_id, text_quote_len(prev, 12), prev,
				 w->prev_id, w->prev, w->prev_id);
		return 1;
	}
	fields_from_row(&f, st, w->prev);
	rc = row_hash(computed, &f, err);
	if (rc)
		return rc;
	if (strcmp(computed, hash) != 0) {
		snprintf(r->what, sizeof(r->what), "%s was changed after it was written: its"
			 " fields give hash %.12s..., it was written with %.*s...", row, computed,
			 text_quote_len(hash, 12), hash);
		return 1;
	}
	snprintf(w->prev, sizeof(w->prev), "%s", hash);
	w->prev_id = id;
	r->bad_id = 0;
	r->rows++;
	r->last_id = id;
	snprintf(r->last_hash, sizeof(r->last_hash), "%s", hash);
	return 0;
}

/* The head against the last row: rows cut off at the end leave every link
 * before them intact. */
static int check_head(audit_report *r, db *d, const struct walk *w, ulf_err *err)
{
	db_stmt *st = NULL;
	int64_t n = 0, last = 0;
	char hash[DIGEST_HEX_LEN + 1] = "";
	int rc;

	rc = db_prepare(&st, d, "SELECT n, last_id, hash FROM audit_head WHERE k = 1", err);
	if (rc)
		return rc;
	rc = db_step(st, err);
	if (rc == 1) {
		n = db_col_int(st, 0);
		last = db_col_int(st, 1);
		snprintf(hash, sizeof(hash), "%s", db_col_text(st, 2) ? db_col_text(st, 2) : "");
	}
	db_finalize(st);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		snprintf(r->what, sizeof(r->what), "the trail's head row is missing");
		return 0;
	}
	if (last != w->prev_id || strcmp(hash, w->prev) != 0) {
		if (last > w->prev_id)
			snprintf(r->what, sizeof(r->what), "the trail ends at row %" PRId64
				 ", but row %" PRId64 " was the last one written: rows at the end"
				 " were deleted", w->prev_id, last);
		else
			snprintf(r->what, sizeof(r->what), "the trail ends at row %" PRId64
				 " with hash %.12s..., but its head names row %" PRId64
				 " with hash %.*s...: the head or the last rows were changed",
				 w->prev_id, w->prev, last, text_quote_len(hash, 12), hash);
		return 0;
	}
	if (n != r->rows) {
		snprintf(r->what, sizeof(r->what), "%" PRId64 " rows were written, %" PRId64
			 " are there", n, r->rows);
		return 0;
	}
	r->ok = true;
	return 0;
}

int audit_verify(audit_report *out, db *d, ulf_err *err)
{
	struct walk w = { .r = out };
	db_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(w.prev, sizeof(w.prev), "%s", genesis);
	rc = db_prepare(&st, d, "SELECT " ROW_COLS " FROM audit ORDER BY id", err);
	if (rc)
		return rc;
	rc = db_each(st, walk_row, &w, err);
	db_finalize(st);
	if (rc)
		return rc;
	if (out->what[0])
		return 0;
	return check_head(out, d, &w, err);
}
