/*
 * store_care.c - the store's side of care and of documents that wait for a
 * partner: care claims' bytes in their own table (care_claims, kept apart
 * so access to patient data can be restricted on its own), a claim taken
 * into it when read, the invoice and claim (or envelope) that wait for
 * each other, and joining them.  See store.h; split from store.c, whose
 * private helpers it shares through store_int.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/dynbuf.h"
#include "core/pnr.h"
#include "robot/store/keep.h"
#include "robot/store/store.h"
#include "robot/store/store_int.h"

/* What store_care_take's transaction takes. */
struct care_take {
	int64_t id;
	const store_care_keys *k;
	int64_t now;
};

static int care_take_tx(db *d, void *ctx, ulf_err *err)
{
	const struct care_take *c = ctx;
	db_stmt *st = NULL;
	int rc;

	/* bytes holding identities in clear were kept there when received */
	rc = db_prepare(&st, d, "UPDATE care_claims SET claim_id = ?, invoice_number = ?,"
			" seller_org = ?, state = 'waiting' WHERE doc_id = ? AND state = 'kept'",
			err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(c->k->claim_id), DBV_TEXT(c->k->invoice_number),
			 DBV_TEXT(c->k->seller_org), DBV_INT(c->id));
	if (rc == 0)
		rc = db_run(st, err);
	else
		db_finalize(st);
	if (rc)
		return rc;
	if (db_changes(d) != 1) {
		rc = db_prepare(&st, d, "INSERT INTO care_claims (doc_id, claim_id, invoice_number,"
				" seller_org, received_at, state, sha256, bytes)"
				" SELECT d.id, ?, ?, ?, d.received_at, 'waiting', d.sha256, b.bytes"
				" FROM documents d JOIN bodies b ON b.doc_id = d.id WHERE d.id = ?",
				err);
		if (rc)
			return rc;
		rc = db_bind_row(st, err, DBV_TEXT(c->k->claim_id),
				 DBV_TEXT(c->k->invoice_number),
				 DBV_TEXT(c->k->seller_org), DBV_INT(c->id));
		if (rc == 0)
			rc = db_run(st, err);
		else
			db_finalize(st);
		if (rc)
			return rc;
		if (db_changes(d) != 1)
			return ulf_err_set(err, ULF_ENOTFOUND, "document %lld has no bytes to take",
					   (long long)c->id);
		/* the patient data now lives only in care_claims */
		rc = db_prepare(&st, d, "DELETE FROM bodies WHERE doc_id = ?", err);
		if (rc)
			return rc;
		rc = db_bind_row(st, err, DBV_INT(c->id));
		if (rc == 0)
			rc = db_run(st, err);
		else
			db_finalize(st);
		if (rc)
			return rc;
	}
	rc = db_exec_row(d, err, "UPDATE documents SET size = 0, kind = 'care-claim',"
			" flow = 'care', invoice_number = ?, seller_org = ?, care_key = ?"
			" WHERE id = ?",
			 DBV_TEXT(c->k->invoice_number), DBV_TEXT(c->k->seller_org),
			 DBV_TEXT(c->k->claim_id), DBV_INT(c->id));
	if (rc)
		return rc;
	return store_tx_transition_unchecked(d, c->id, ST_RECEIVED, ST_WAITING, "read", 0,
				 "{\"kind\":\"care-claim\"}", c->now, err);
}

int store_care_take(store *s, int64_t id, const store_care_keys *k, int64_t now,
		    ulf_err *err)
{
	struct care_take c = { id, k, now };

	return db_tx(store_db(s), care_take_tx, &c, err);
}

int store_care_bytes(void **out, size_t *out_len, store *s, int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	const void *p;
	size_t n = 0;
	int rc;

	*out = NULL;
	*out_len = 0;
	rc = store_select_by_id(&st, s, "SELECT bytes FROM care_claims WHERE doc_id = ?", id,
			  "has no care claim", err);
	if (rc)
		return rc;
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

/* The document's bytes from the general table to the care table. */
static int care_keep_tx(db *d, void *ctx, ulf_err *err)
{
	const int64_t *id = ctx;
	db_stmt *st = NULL;
	int rc;

	rc = db_exec_row(d, err, "INSERT INTO care_claims (doc_id, received_at, state, sha256,"
			" bytes) SELECT d.id, d.received_at, 'kept', d.sha256, b.bytes"
			" FROM documents d JOIN bodies b ON b.doc_id = d.id WHERE d.id = ?",
			 DBV_INT(*id));
	if (rc || db_changes(d) == 0)
		return rc;    /* kept there already */
	rc = db_prepare(&st, d, "DELETE FROM bodies WHERE doc_id = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(*id));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

int store_care_keep(store *s, int64_t id, ulf_err *err)
{
	return db_tx(store_db(s), care_keep_tx, &id, err);
}

int store_load_kept(void **out_data, size_t *out_len, char **out_name, bool *out_care,
		    store *s, int64_t id, ulf_err *err)
{
	int rc = store_load(out_data, out_len, out_name, s, id, err);

	*out_care = false;
	if (rc || *out_len)
		return rc;
	/* none in the general table: they are kept with the care claims */
	free(*out_data);
	*out_data = NULL;
	rc = store_care_bytes(out_data, out_len, s, id, err);
	if (rc) {
		free(*out_name);
		*out_name = NULL;
		return rc;
	}
	*out_care = true;
	return 0;
}

int store_care_duplicate(int64_t *out_first, store *s, int64_t id, const char *claim_id,
			 ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out_first = 0;
	if (!claim_id || !*claim_id)
		return 0;
	rc = db_prepare(&st, store_db(s), "SELECT doc_id FROM care_claims WHERE claim_id = ?"
			" AND doc_id <> ? ORDER BY id LIMIT 1", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(claim_id), DBV_INT(id));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1)
		*out_first = db_col_int(st, 0);
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

int store_find_waiting(int64_t **out, size_t *out_n, store *s, store_partner kind,
		       const store_care_keys *k, ulf_err *err)
{
	static const char *const sql[] = {
		[PARTNER_CLAIM] =
			"SELECT doc_id FROM care_claims WHERE state = 'waiting' AND"
			" ((claim_id <> '' AND claim_id = ?) OR"
			"  (invoice_number = ? AND seller_org = ?)) ORDER BY id LIMIT 100",
		[PARTNER_CARE_INVOICE] =
			"SELECT id FROM documents WHERE state = 'waiting' AND flow = 'care'"
			" AND kind <> 'care-claim' AND ((care_key <> '' AND care_key = ?) OR"
			"  (invoice_number = ? AND seller_org = ?)) ORDER BY id LIMIT 100",
		[PARTNER_ENVELOPE] =
			"SELECT id FROM documents WHERE state = 'waiting' AND kind = 'object-envelope'"
			" AND CAST(? AS TEXT) IS NOT NULL AND invoice_number = ? AND seller_org = ?"
			" ORDER BY id LIMIT 100",
	};
	db_stmt *st = NULL;
	int rc;

	*out = NULL;
	*out_n = 0;
	rc = db_prepare(&st, store_db(s), sql[kind], err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(k->claim_id ? k->claim_id : ""),
			 DBV_TEXT(k->invoice_number ? k->invoice_number : ""),
			 DBV_TEXT(k->seller_org ? k->seller_org : ""));
	if (rc == 0)
		rc = db_collect_ids(out, out_n, st, 100, err);   /* the statements' LIMIT */
	db_finalize(st);
	return rc;
}

/* store_waiting_pairs' two arrays, filled side by side. */
struct pairs {
	int64_t *claims, *invoices;
	size_t n, limit;
};

static int pair_row(db_stmt *st, void *ctx, ulf_err *err)
{
	struct pairs *p = ctx;

	(void)err;
	if (p->n == p->limit)
		return 1;
	p->claims[p->n] = db_col_int(st, 0);
	p->invoices[p->n] = db_col_int(st, 1);
	p->n++;
	return 0;
}

int store_waiting_pairs(int64_t **out_claims, int64_t **out_invoices, size_t *out_n,
			store *s, size_t limit, ulf_err *err)
{
	struct pairs p = { NULL, NULL, 0, limit };
	db_stmt *st = NULL;
	int rc;

	*out_claims = *out_invoices = NULL;
	*out_n = 0;
	if (limit == 0)
		return 0;
	p.claims = calloc(limit, sizeof(*p.claims));
	p.invoices = calloc(limit, sizeof(*p.invoices));
	if (!p.claims || !p.invoices) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	rc = db_prepare(&st, store_db(s),
			"SELECT c.doc_id, d.id FROM care_claims c"
			" JOIN documents cd ON cd.id = c.doc_id AND cd.state = 'waiting'"
			" JOIN documents d ON d.state = 'waiting' AND d.flow = 'care' AND d.kind <> 'care-claim'"
			" AND ((c.claim_id <> '' AND d.care_key = c.claim_id) OR"
			"  (d.invoice_number = c.invoice_number AND d.seller_org = c.seller_org))"
			" WHERE c.state = 'waiting' ORDER BY c.doc_id, d.id LIMIT ?", err);
	if (rc)
		goto out;
	rc = db_bind_row(st, err, DBV_INT((int64_t)limit));
	if (rc == 0)
		rc = db_each(st, pair_row, &p, err);
	db_finalize(st);
out:
	if (rc) {
		free(p.claims);
		free(p.invoices);
		return rc;
	}
	*out_claims = p.claims;
	*out_invoices = p.invoices;
	*out_n = p.n;
	return 0;
}

int store_find_invoice(int64_t *out, store *s, const char *invoice_number,
		       const char *seller_org, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out = 0;
	rc = db_prepare(&st, store_db(s), "SELECT id FROM documents WHERE invoice_number = ?"
			" AND seller_org = ? AND kind IN ('invoice', 'credit-note')"
			" AND state <> 'rejected' ORDER BY id LIMIT 1", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(invoice_number ? invoice_number : ""),
			 DBV_TEXT(seller_org ? seller_org : ""));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1)
		*out = db_col_int(st, 0);
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

/* What store_attach's transaction joins. */
struct attach {
	int64_t id, invoice_id, now;
};

static int attach_tx(db *d, void *ctx, ulf_err *err)
{
	const struct attach *a = ctx;
	char detail[64];
	int rc;

	rc = db_exec_row(d, err, "UPDATE care_claims SET state = 'joined', partner_doc = ?"
			" WHERE doc_id = ?",
			 DBV_INT(a->invoice_id), DBV_INT(a->id));
	if (rc)
		return rc;
	snprintf(detail, sizeof(detail), "{\"attached_to\":%lld}", (long long)a->invoice_id);
	return store_tx_transition_unchecked(d, a->id, ST_WAITING, ST_ATTACHED, "join", 0, detail, a->now,
				 err);
}

int store_attach(store *s, int64_t id, int64_t invoice_id, int64_t now, ulf_err *err)
{
	struct attach a = { id, invoice_id, now };

	return db_tx(store_db(s), attach_tx, &a, err);
}

int store_care_partner(int64_t *out, store *s, int64_t invoice_id, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out = 0;
	rc = db_prepare(&st, store_db(s), "SELECT doc_id FROM care_claims WHERE partner_doc = ?"
			" AND doc_id IS NOT NULL ORDER BY id LIMIT 1", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(invoice_id));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1)
		*out = db_col_int(st, 0);
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

int store_set_care_key(store *s, int64_t id, const char *claim_id, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc = db_prepare(&st, store_db(s), "UPDATE documents SET care_key = ?, flow = 'care'"
			    " WHERE id = ?", err);

	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(claim_id), DBV_INT(id));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

int store_waiting_since(int64_t **out, size_t *out_n, store *s, int64_t before,
			ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out = NULL;
	*out_n = 0;
	rc = db_prepare(&st, store_db(s), "SELECT id FROM documents WHERE state = 'waiting'"
			" AND received_at < ? ORDER BY id LIMIT 10000", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(before));
	if (rc == 0)
		rc = db_collect_ids(out, out_n, st, 10000, err);   /* the statement's LIMIT */
	db_finalize(st);
	return rc;
}

