/*
 * supplier_regs.c - the table of new-supplier registrations.  See
 * supplier_regs.h.  SQL both backends accept; every bind checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/store/supplier_regs.h"

static const char *const schema_v1 =
	"CREATE TABLE supplier_regs ("
	" id {id}, doc_id {int64} NOT NULL, state TEXT NOT NULL,"
	" org_no TEXT NOT NULL DEFAULT '', vat_no TEXT NOT NULL DEFAULT '',"
	" peppol_id TEXT NOT NULL DEFAULT '', data TEXT NOT NULL,"
	" four_eyes INTEGER NOT NULL DEFAULT 0,"
	" submitted_by TEXT NOT NULL DEFAULT '', submitted_at {int64} NOT NULL DEFAULT 0,"
	" approved_by TEXT NOT NULL DEFAULT '', approved_at {int64} NOT NULL DEFAULT 0,"
	" idem_key TEXT NOT NULL DEFAULT '', attempts {int64} NOT NULL DEFAULT 0,"
	" next_try {int64} NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',"
	" supplier_no TEXT NOT NULL DEFAULT '', registered_at {int64} NOT NULL DEFAULT 0,"
	" version {int64} NOT NULL DEFAULT 1, updated_at {int64} NOT NULL DEFAULT 0);"
	"CREATE INDEX supplier_regs_state ON supplier_regs(state);"
	"CREATE INDEX supplier_regs_doc ON supplier_regs(doc_id);";

#define COLS "id, doc_id, state, org_no, vat_no, peppol_id, data, four_eyes, submitted_by," \
	     " submitted_at, approved_by, approved_at, idem_key, attempts, next_try," \
	     " last_error, supplier_no, registered_at, version, updated_at"

int sreg_store_migrate(db *d, ulf_err *err)
{
	const char *const steps[] = { schema_v1 };

	return db_migrate(d, "supplier_regs", steps, sizeof(steps) / sizeof(steps[0]), err);
}

void sreg_rec_release(sreg_rec *r)
{
	if (!r)
		return;
	free(r->data);
	r->data = NULL;
}

void sreg_recs_free(sreg_rec *r, size_t n)
{
	size_t i;

	for (i = 0; r && i < n; i++)
		sreg_rec_release(&r[i]);
	free(r);
}

static void col_buf(char *dst, size_t n, db_stmt *st, int col)
{
	const char *v = db_col_text(st, col);

	snprintf(dst, n, "%s", v ? v : "");
}

/* The current row into *out (out->data malloc'd). */
static int read_row(sreg_rec *out, db_stmt *st, ulf_err *err)
{
	const char *data = db_col_text(st, 6);

	memset(out, 0, sizeof(*out));
	out->id = db_col_int(st, 0);
	out->doc_id = db_col_int(st, 1);
	col_buf(out->state, sizeof(out->state), st, 2);
	col_buf(out->org_no, sizeof(out->org_no), st, 3);
	col_buf(out->vat_no, sizeof(out->vat_no), st, 4);
	col_buf(out->peppol_id, sizeof(out->peppol_id), st, 5);
	out->data = strdup(data ? data : "{}");
	out->four_eyes = db_col_int(st, 7) != 0;
	col_buf(out->submitted_by, sizeof(out->submitted_by), st, 8);
	out->submitted_at = db_col_int(st, 9);
	col_buf(out->approved_by, sizeof(out->approved_by), st, 10);
	out->approved_at = db_col_int(st, 11);
	col_buf(out->idem_key, sizeof(out->idem_key), st, 12);
	out->attempts = db_col_int(st, 13);
	out->next_try = db_col_int(st, 14);
	col_buf(out->last_error, sizeof(out->last_error), st, 15);
	col_buf(out->supplier_no, sizeof(out->supplier_no), st, 16);
	out->registered_at = db_col_int(st, 17);
	out->version = db_col_int(st, 18);
	out->updated_at = db_col_int(st, 19);
	if (!out->data)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	return 0;
}

/* Binds the fields of r from parameter `at` on, in COLS order from state
 * (doc_id first when with_doc): 0 or the first failure, with err set. */
static int bind_fields(db_stmt *st, int at, const sreg_rec *r, bool with_doc, ulf_err *err)
{
	int rc = 0;

#define B(call) do { if (rc == 0) rc = (call); } while (0)
	if (with_doc)
		B(db_bind_int(st, at++, r->doc_id));
	B(db_bind_text(st, at++, r->state));
	B(db_bind_text(st, at++, r->org_no));
	B(db_bind_text(st, at++, r->vat_no));
	B(db_bind_text(st, at++, r->peppol_id));
	B(db_bind_text(st, at++, r->data ? r->data : "{}"));
	B(db_bind_int(st, at++, r->four_eyes));
	B(db_bind_text(st, at++, r->submitted_by));
	B(db_bind_int(st, at++, r->submitted_at));
	B(db_bind_text(st, at++, r->approved_by));
	B(db_bind_int(st, at++, r->approved_at));
	B(db_bind_text(st, at++, r->idem_key));
	B(db_bind_int(st, at++, r->attempts));
	B(db_bind_int(st, at++, r->next_try));
	B(db_bind_text(st, at++, r->last_error));
	B(db_bind_text(st, at++, r->supplier_no));
	B(db_bind_int(st, at++, r->registered_at));
	B(db_bind_int(st, at++, r->updated_at));
#undef B
	if (rc)
		return ulf_err_set(err, rc < 0 ? rc : ULF_ESTORE,
				   "supplier registration: a value could not be bound");
	return 0;
}

int sreg_store_insert(int64_t *out_id, db *d, const sreg_rec *r, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out_id = 0;
	rc = db_prepare(&st, d, "INSERT INTO supplier_regs (doc_id, state, org_no, vat_no,"
			" peppol_id, data, four_eyes, submitted_by, submitted_at, approved_by,"
			" approved_at, idem_key, attempts, next_try, last_error, supplier_no,"
			" registered_at, updated_at, version)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
			err);
	if (rc)
		return rc;
	rc = bind_fields(st, 1, r, true, err);
	if (rc == 0) {
		rc = db_step(st, err);
		if (rc == 1) {
			*out_id = db_col_int(st, 0);
			rc = 0;
		} else if (rc == 0) {
			rc = ulf_err_set(err, ULF_ESTORE, "supplier registration: insert gave no id");
		}
	}
	db_finalize(st);
	return rc;
}

int sreg_store_get(sreg_rec *out, db *d, int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_prepare(&st, d, "SELECT " COLS " FROM supplier_regs WHERE id = ?", err);
	if (rc)
		return rc;
	if (db_bind_int(st, 1, id) != 0) {
		db_finalize(st);
		return ulf_err_set(err, ULF_ESTORE, "supplier registration: a value could not be bound");
	}
	rc = db_step(st, err);
	if (rc == 1)
		rc = read_row(out, st, err);
	else if (rc == 0)
		rc = ulf_err_set(err, ULF_ENOTFOUND, "no supplier registration %lld", (long long)id);
	db_finalize(st);
	if (rc)
		sreg_rec_release(out);
	return rc;
}

int sreg_store_update(db *d, const sreg_rec *r, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	rc = db_prepare(&st, d, "UPDATE supplier_regs SET state = ?, org_no = ?, vat_no = ?,"
			" peppol_id = ?, data = ?, four_eyes = ?, submitted_by = ?, submitted_at = ?,"
			" approved_by = ?, approved_at = ?, idem_key = ?, attempts = ?, next_try = ?,"
			" last_error = ?, supplier_no = ?, registered_at = ?, updated_at = ?,"
			" version = version + 1 WHERE id = ? AND version = ?", err);
	if (rc)
		return rc;
	rc = bind_fields(st, 1, r, false, err);
	if (rc == 0 && (db_bind_int(st, 18, r->id) != 0 || db_bind_int(st, 19, r->version) != 0))
		rc = ulf_err_set(err, ULF_ESTORE, "supplier registration: a value could not be bound");
	if (rc) {
		db_finalize(st);
		return rc;
	}
	rc = db_run(st, err);
	if (rc == 0 && db_changes(d) != 1)
		rc = ulf_err_set(err, ULF_ECONFLICT,
				 "supplier registration %lld was changed by someone else - reload",
				 (long long)r->id);
	return rc;
}

typedef struct list_ctx {
	sreg_rec *v;
	size_t n, cap, max;
} list_ctx;

static int list_row(db_stmt *st, void *ctx, ulf_err *err)
{
	list_ctx *l = ctx;
	int rc;

	if (l->n == l->max)
		return 1;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		sreg_rec *nv;
		if (cap > l->max)
			cap = l->max;
		nv = realloc(l->v, cap * sizeof(*nv));
		if (!nv)
			return ulf_err_set(err, ULF_ENOMEM, "out of memory");
		l->v = nv;
		l->cap = cap;
	}
	rc = read_row(&l->v[l->n], st, err);
	if (rc) {
		sreg_rec_release(&l->v[l->n]);
		return rc;
	}
	l->n++;
	return 0;
}

static int list_where(sreg_rec **out, size_t *out_n, db *d, const char *sql, const char *text,
		      int64_t num, bool by_num, size_t max, ulf_err *err)
{
	list_ctx l = { NULL, 0, 0, max ? max : 1 };
	db_stmt *st = NULL;
	int rc;

	*out = NULL;
	*out_n = 0;
	rc = db_prepare(&st, d, sql, err);
	if (rc)
		return rc;
	if ((by_num && db_bind_int(st, 1, num) != 0) || (text && db_bind_text(st, 1, text) != 0)) {
		db_finalize(st);
		return ulf_err_set(err, ULF_ESTORE, "supplier registration: a value could not be bound");
	}
	rc = db_each(st, list_row, &l, err);
	db_finalize(st);
	if (rc < 0) {
		sreg_recs_free(l.v, l.n);
		return rc;
	}
	*out = l.v;
	*out_n = l.n;
	return 0;
}

int sreg_store_list(sreg_rec **out, size_t *out_n, db *d, const char *state, size_t max,
		    ulf_err *err)
{
	if (state)
		return list_where(out, out_n, d, "SELECT " COLS " FROM supplier_regs"
				  " WHERE state = ? ORDER BY id", state, 0, false, max, err);
	return list_where(out, out_n, d, "SELECT " COLS " FROM supplier_regs ORDER BY id", NULL,
			  0, false, max, err);
}

int sreg_store_for_doc(sreg_rec *out, bool *found, db *d, int64_t doc_id, ulf_err *err)
{
	sreg_rec *v = NULL;
	size_t n = 0;
	int rc;

	*found = false;
	memset(out, 0, sizeof(*out));
	rc = list_where(&v, &n, d, "SELECT " COLS " FROM supplier_regs WHERE doc_id = ?"
			" ORDER BY id DESC LIMIT 1", NULL, doc_id, true, 1, err);
	if (rc)
		return rc;
	if (n == 1) {
		*out = v[0];
		*found = true;
		free(v);
		return 0;
	}
	sreg_recs_free(v, n);
	return 0;
}

int sreg_store_registered(int64_t **out, size_t *out_n, db *d, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out = NULL;
	*out_n = 0;
	rc = db_prepare(&st, d, "SELECT registered_at FROM supplier_regs"
			" WHERE state = 'registered' ORDER BY registered_at", err);
	if (rc)
		return rc;
	rc = db_collect_ids(out, out_n, st, 1000000, err);
	db_finalize(st);
	return rc;
}
