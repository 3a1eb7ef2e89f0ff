/*
 * store_seen.c - documents seen before: an earlier document with the same
 * number, or with the same content fingerprint (for the matcher, which
 * holds only the connection), an original's bytes to compare a re-issue
 * with, and the same bytes received again (resends).  See store.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "robot/store/store.h"

int store_find_duplicate(int64_t *out_id, doc_state *out_state, db *d, const char *kind,
			 int64_t id, const char *seller_a, const char *seller_b,
			 const char *number, ulf_err *err)
{
	db_stmt *st = NULL;
	ulf_err scratch;
	int rc;

	*out_id = 0;
	*out_state = 0;
	ulf_err_clear(&scratch);
	/* refused: no documents table, not a store */
	if (db_prepare(&st, d, "SELECT id, state FROM documents WHERE kind = ? AND id <> ?"
		       " AND state <> 'rejected' AND ((seller_org = ? AND invoice_number = ?)"
		       " OR (seller_org = ? AND invoice_number = ?)) ORDER BY id LIMIT 1",
		       &scratch))
		return ULF_ENOTFOUND;
	rc = db_bind_row(st, err, DBV_TEXT(kind), DBV_INT(id), DBV_TEXT(seller_a),
			 DBV_TEXT(number), DBV_TEXT(seller_b), DBV_TEXT(number));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		*out_id = db_col_int(st, 0);
		*out_state = store_state_parse(db_col_text(st, 1));
	}
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

/* A bind's failure, with its message: db_bind_* return only the code. */
static int bind_failed(int rc, ulf_err *err, const char *what)
{
	return rc ? ulf_err_set(err, rc, "%s: cannot bind a parameter", what) : 0;
}

void store_content_docs_free(store_content_doc *docs, size_t n)
{
	size_t i;

	for (i = 0; docs && i < n; i++) {
		free(docs[i].number);
		free(docs[i].refs);
	}
	free(docs);
}

/* store_find_same_content's rows. */
struct content_rows {
	store_content_doc *docs;
	size_t n, max;
};

static int content_row(db_stmt *st, void *ctx, ulf_err *err)
{
	struct content_rows *c = ctx;
	store_content_doc *d = &c->docs[c->n];
	const char *number = db_col_text(st, 2), *refs = db_col_text(st, 3);

	d->id = db_col_int(st, 0);
	d->state = store_state_parse(db_col_text(st, 1));
	d->number = strdup(number ? number : "");
	d->refs = refs ? strdup(refs) : NULL;
	if (!d->number || (refs && !d->refs)) {
		free(d->number);
		free(d->refs);
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	return ++c->n == c->max;
}

int store_find_same_content(store_content_doc **out, size_t *out_n, db *d, const char *kind,
			    int64_t id, const char *fingerprint, size_t max, ulf_err *err)
{
	struct content_rows c = { NULL, 0, max };
	db_stmt *st = NULL;
	ulf_err scratch;
	int rc;

	*out = NULL;
	*out_n = 0;
	if (!fingerprint || !*fingerprint || max == 0)
		return 0;
	ulf_err_clear(&scratch);
	/* refused: no documents table (or one from before version 7), not a store */
	if (db_prepare(&st, d, "SELECT id, state, invoice_number, refs FROM documents"
		       " WHERE fingerprint = ? AND kind = ? AND id <> ? AND state <> 'rejected'"
		       " ORDER BY id LIMIT ?", &scratch))
		return ULF_ENOTFOUND;
	rc = db_bind_text(st, 1, fingerprint);
	if (rc == 0)
		rc = db_bind_text(st, 2, kind);
	if (rc == 0)
		rc = db_bind_int(st, 3, id);
	if (rc == 0)
		rc = db_bind_int(st, 4, (int64_t)max);
	if (rc) {
		db_finalize(st);
		return bind_failed(rc, err, "documents of the same content");
	}
	c.docs = calloc(max, sizeof(*c.docs));
	if (!c.docs) {
		db_finalize(st);
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	rc = db_each(st, content_row, &c, err);
	db_finalize(st);
	if (rc || c.n == 0) {
		store_content_docs_free(c.docs, c.n);
		return rc;
	}
	*out = c.docs;
	*out_n = c.n;
	return 0;
}

int store_load_bytes(void **out, size_t *out_len, db *d, int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	const void *p;
	size_t n = 0;
	int rc;

	*out = NULL;
	*out_len = 0;
	rc = db_prepare(&st, d, "SELECT bytes FROM bodies WHERE doc_id = ?", err);
	if (rc)
		return rc;
	rc = db_bind_int(st, 1, id);
	if (rc) {
		db_finalize(st);
		return bind_failed(rc, err, "a document's bytes");
	}
	rc = db_step(st, err);
	if (rc <= 0) {
		db_finalize(st);
		return rc < 0 ? rc : ulf_err_set(err, ULF_ENOTFOUND, "document %lld has no bytes",
						 (long long)id);
	}
	p = db_col_blob(st, 0, &n);
	*out = malloc(n + 1);
	if (!*out) {
		db_finalize(st);
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	if (n)
		memcpy(*out, p, n);
	((char *)*out)[n] = '\0';
	*out_len = n;
	db_finalize(st);
	return 0;
}

/* What store_note_resend's transaction writes. */
struct resend {
	int64_t id;
	const char *detail;
	int64_t now;
};

static int resend_tx(db *d, void *ctx, ulf_err *err)
{
	const struct resend *r = ctx;
	db_stmt *st = NULL;
	char state[32];
	int rc;

	rc = db_prepare(&st, d, "SELECT state FROM documents WHERE id = ?", err);
	if (rc)
		return rc;
	rc = db_bind_int(st, 1, r->id);
	if (rc) {
		db_finalize(st);
		return bind_failed(rc, err, "a resend");
	}
	rc = db_step(st, err);
	if (rc == 1)
		snprintf(state, sizeof(state), "%s", db_col_text(st, 0) ? db_col_text(st, 0) : "");
	db_finalize(st);
	if (rc <= 0)
		return rc < 0 ? rc : ulf_err_set(err, ULF_ENOTFOUND, "document %lld not found",
						 (long long)r->id);
	/* the state as it was, on both sides: a resend moves nothing */
	rc = db_prepare(&st, d, "INSERT INTO events (doc_id, at, step, from_state, to_state,"
			" duration_us, detail) VALUES (?, ?, 'resend', ?, ?, 0, ?)", err);
	if (rc)
		return rc;
	rc = db_bind_int(st, 1, r->id);
	if (rc == 0)
		rc = db_bind_int(st, 2, r->now);
	if (rc == 0)
		rc = db_bind_text(st, 3, state);
	if (rc == 0)
		rc = db_bind_text(st, 4, state);
	if (rc == 0)
		rc = db_bind_text(st, 5, r->detail);
	if (rc) {
		db_finalize(st);
		return bind_failed(rc, err, "a resend");
	}
	return db_run(st, err);
}

int store_note_resend(store *s, int64_t id, const char *source, const char *sender,
		      const char *name, int64_t now, ulf_err *err)
{
	struct resend r = { id, NULL, now };
	ujson *o = ujson_object();
	char *detail = NULL, *msg = NULL;
	size_t n;
	FILE *f;
	int rc;

	/* what a person reads in the history, and its parts for a program */
	f = open_memstream(&msg, &n);
	if (f) {
		fputs("received again", f);
		if (source && !strcmp(source, "inbox"))
			fputs(" from the inbox", f);
		else if (source && (!strcmp(source, "http") || !strncmp(source, "http:", 5)))
			fputs(" over HTTP", f);
		else if (source && *source)
			fprintf(f, " from %s", source);
		if (sender && *sender)
			fprintf(f, " from sender %s", sender);
		if (name && *name)
			fprintf(f, " as %s", name);
		fputs(": the same bytes as this document, not stored again", f);
		if (fclose(f))
			msg = NULL;
	}
	if (!o || !msg || ujson_set_str(o, "message", msg) ||
	    (source && ujson_set_str(o, "source", source)) ||
	    (sender && ujson_set_str(o, "sender", sender)) ||
	    (name && ujson_set_str(o, "name", name)) ||
	    !(detail = ujson_dump(o, UJSON_COMPACT))) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	r.detail = detail;
	rc = db_tx(store_db(s), resend_tx, &r, err);
out:
	free(detail);
	free(msg);
	ujson_free(o);
	return rc;
}

int store_count_resends(int64_t *out, store *s, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out = 0;
	/* the partial index events_resends holds these rows and no others */
	rc = db_prepare(&st, store_db(s), "SELECT COUNT(*) FROM events WHERE step = 'resend'", err);
	if (rc)
		return rc;
	rc = db_step(st, err);
	if (rc == 1)
		*out = db_col_int(st, 0);
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

