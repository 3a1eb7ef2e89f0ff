/*
 * ref_invoices.c - the robot's memory of invoices in the store: each
 * invoice recorded when posted (or imported from the ERP's history) with
 * its booked lines, what it invoiced against order lines, its content
 * fingerprint and content key (duplicates, recurring invoices), and the
 * booking history learnt from its lines.  See refdata.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "robot/store/ref_sql.h"

#define INV_COLS "supplier_key, invoice_number, kind, issue_date, currency, net_total," \
		 " order_no, flow, source, doc_id, refs FROM ref_invoices"

static const char *const sql[Q_COUNT_] = {
	[Q_INV_GET] = "SELECT " INV_COLS " WHERE supplier_key = ? AND invoice_number = ? AND kind = ?",
	[Q_INV_LINES] =
		"SELECT line_id, item_key, text_key, description, quantity, net, account,"
		" cost_centre, activity, project, vat_code, order_no, order_line_id"
		" FROM ref_invoice_lines WHERE supplier_key = ? AND invoice_number = ? AND kind = ?"
		" ORDER BY seq",
	[Q_INV_DEL] = "DELETE FROM ref_invoices WHERE supplier_key = ? AND invoice_number = ?"
		      " AND kind = ?",
	[Q_INV_DEL_LINES] = "DELETE FROM ref_invoice_lines WHERE supplier_key = ?"
			    " AND invoice_number = ? AND kind = ?",
	[Q_INV_DEL_INVOICED] = "DELETE FROM ref_invoiced WHERE supplier_key = ?"
			       " AND invoice_number = ? AND kind = ?",
	[Q_INV_PUT] =
		"INSERT INTO ref_invoices (supplier_key, invoice_number, kind, issue_date, currency,"
		" net_total, fingerprint, content_key, order_no, flow, doc_id, source, recorded_at,"
		" refs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[Q_INV_PUT_LINE] =
		"INSERT INTO ref_invoice_lines (supplier_key, invoice_number, kind, seq, line_id,"
		" item_key, text_key, description, quantity, net, account, cost_centre, activity,"
		" project, vat_code, order_no, order_line_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[Q_INV_PUT_INVOICED] =
		"INSERT INTO ref_invoiced (order_no, line_id, supplier_key, invoice_number, kind,"
		" quantity, net) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[Q_INV_FP] = "SELECT invoice_number FROM ref_invoices WHERE fingerprint = ? LIMIT 1",
	[Q_INV_FP_ALL] = "SELECT " INV_COLS " WHERE fingerprint = ?"
			 " ORDER BY recorded_at, invoice_number LIMIT ?",
	[Q_INV_RECURRING] =
		"SELECT " INV_COLS " WHERE supplier_key = ? AND content_key = ?"
		" AND (CAST(? AS TEXT) IS NULL OR issue_date < ?) ORDER BY issue_date DESC LIMIT ?",
	[Q_HIST_LEARN] =
		"INSERT INTO ref_booking_history (supplier_key, key_kind, hkey, account,"
		" cost_centre, activity, project, vat_code, n, last_date, learned_by, learned_on)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)"
		" ON CONFLICT (supplier_key, key_kind, hkey, account, cost_centre, activity,"
		" project, vat_code) DO UPDATE SET n = ref_booking_history.n + 1,"
		" last_date = excluded.last_date,"
		" learned_by = COALESCE(excluded.learned_by, ref_booking_history.learned_by),"
		" learned_on = COALESCE(excluded.learned_on, ref_booking_history.learned_on)",
	[Q_HIST_UNLEARN] =
		"UPDATE ref_booking_history SET n = n - 1 WHERE supplier_key = ? AND key_kind = ?"
		" AND hkey = ? AND account = ? AND cost_centre = ? AND activity = ? AND project = ?"
		" AND vat_code = ?",
	[Q_HIST_PURGE] =
		"DELETE FROM ref_booking_history WHERE supplier_key = ? AND key_kind = ?"
		" AND hkey = ? AND n <= 0",
	[Q_HIST_GET] =
		"SELECT account, cost_centre, activity, project, vat_code, n, last_date,"
		" learned_by, learned_on"
		" FROM ref_booking_history WHERE supplier_key = ? AND key_kind = ? AND hkey = ?"
		" ORDER BY (learned_on IS NULL), learned_on DESC, n DESC, last_date DESC LIMIT 64",
};

/* ---- fingerprints ------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A bounded text builder for the fingerprints. */
typedef struct sbuf {
	char *p;
	size_t len, cap;
} sbuf;

static void sb_add(sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (!b->p || b->len + n + 2 > b->cap)
		return;   /* capped: the hash covers a deterministic prefix */
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len++] = '\x1f';
	b->p[b->len] = '\0';
}

/* SHA-256 of head and the sorted items; `distinct` drops repeats (a set,
 * not a multiset). */
static void hash_sorted(char out[65], const char *head, const char **items, size_t n,
			bool distinct)
{
	sbuf b = { NULL, 0, 64 * 1024 };
	size_t i;

	b.p = malloc(b.cap);
	if (b.p)
		b.p[0] = '\0';
	sb_add(&b, head);
	qsort(items, n, sizeof(*items), cmp_str);
	for (i = 0; i < n; i++)
		if (!distinct || i == 0 || strcmp(items[i], items[i - 1]) != 0)
			sb_add(&b, items[i]);
	digest_sha256_hex(out, b.p ? b.p : "", b.p ? b.len : 0);
	free(b.p);
}

void refdata_fingerprint(char out[65], const ref_invoice *inv)
{
	char head[512], total[DEC_STR_MAX];
	const char **items = calloc(inv->nlines ? inv->nlines : 1, sizeof(*items));
	char (*nets)[DEC_STR_MAX] = calloc(inv->nlines ? inv->nlines : 1, DEC_STR_MAX);
	size_t i;
	dec t;

	if (dec_round(&t, inv->net_total, 2))
		t = inv->net_total;
	dec_format(total, sizeof(total), t, 2);
	snprintf(head, sizeof(head), "F1|%s|%s|%s|%s|%s", inv->supplier_key ? inv->supplier_key : "",
		 inv->kind ? inv->kind : "", inv->issue_date ? inv->issue_date : "",
		 inv->currency ? inv->currency : "", total);
	for (i = 0; items && nets && i < inv->nlines; i++) {
		if (dec_round(&t, inv->lines[i].net, 2))
			t = inv->lines[i].net;
		dec_format(nets[i], DEC_STR_MAX, t, 2);
		items[i] = nets[i];
	}
	hash_sorted(out, head, items, items && nets ? inv->nlines : 0, false);
	free(items);
	free(nets);
}

void refdata_content_key(char out[65], const ref_invoice *inv)
{
	const char **items = calloc(inv->nlines ? inv->nlines : 1, sizeof(*items));
	char head[256];
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; items && i < inv->nlines; i++) {
		const char *k = inv->lines[i].item_key && *inv->lines[i].item_key
			? inv->lines[i].item_key : inv->lines[i].text_key;
		if (k && *k)
			items[n++] = k;
	}
	if (n) {
		snprintf(head, sizeof(head), "C1|%s", inv->supplier_key ? inv->supplier_key : "");
		hash_sorted(out, head, items, n, true);
	}
	free(items);
}

/* ---- recording ---------------------------------------------------------- */

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* One more (or one less) observation of a line's booking, under each key
 * the line has. */
static int history_adjust(refdata *r, const char *supplier_key, const ref_invoice_line *l,
			  const char *date, bool learn, ulf_err *err)
{
	const char *kinds[3] = { "item", "text", "supplier" };
	const char *keys[3] = { l->item_key, l->text_key, "" };
	db_stmt *st;
	size_t k;
	int rc;

	if (!l->account || !*l->account)
		return 0;   /* nothing was booked: nothing to learn */
	for (k = 0; k < 3; k++) {
		if (!keys[k] || (k < 2 && !*keys[k]))
			continue;
		rc = ref_stmt(&st, r, sql, learn ? Q_HIST_LEARN : Q_HIST_UNLEARN, err);
		if (rc)
			return rc;
		if (learn)
			rc = db_bind_row(st, err, DBV_TEXT(supplier_key), DBV_TEXT(kinds[k]),
					 DBV_TEXT(keys[k]), DBV_TEXT(nz(l->account)),
					 DBV_TEXT(nz(l->cost_centre)), DBV_TEXT(nz(l->activity)),
					 DBV_TEXT(nz(l->project)), DBV_TEXT(nz(l->vat_code)),
					 ref_opt(date), ref_opt(l->learned_by),
					 ref_opt(l->learned_on));
		else
			rc = db_bind_row(st, err, DBV_TEXT(supplier_key), DBV_TEXT(kinds[k]),
					 DBV_TEXT(keys[k]), DBV_TEXT(nz(l->account)),
					 DBV_TEXT(nz(l->cost_centre)), DBV_TEXT(nz(l->activity)),
					 DBV_TEXT(nz(l->project)), DBV_TEXT(nz(l->vat_code)));
		if (rc) {
			db_reset(st);
			return rc;
		}
		if ((rc = ref_exec(st, err)) != 0)
			return rc;
		if (!learn) {
			rc = ref_stmt(&st, r, sql, Q_HIST_PURGE, err);
			if (rc)
				return rc;
			rc = db_bind_row(st, err, DBV_TEXT(supplier_key), DBV_TEXT(kinds[k]),
					 DBV_TEXT(keys[k]));
			if (rc) {
				db_reset(st);
				return rc;
			}
			if ((rc = ref_exec(st, err)) != 0)
				return rc;
		}
	}
	return 0;
}

/* Takes back everything an earlier record of the same invoice taught. */
static int forget_invoice(refdata *r, const ref_invoice *key, ulf_err *err)
{
	ref_invoice *old = NULL;
	db_stmt *st;
	size_t i;
	int rc, q;

	rc = refdata_invoice_get(&old, r, key->supplier_key, key->invoice_number, key->kind, err);
	if (rc == ULF_ENOTFOUND)
		return 0;
	if (rc)
		return rc;
	for (i = 0; i < old->nlines && !rc; i++)
		rc = history_adjust(r, old->supplier_key, &old->lines[i], NULL, false, err);
	refdata_invoice_free(old);
	for (q = Q_INV_DEL; q <= Q_INV_DEL_INVOICED && !rc; q++) {
		rc = ref_stmt(&st, r, sql, q, err);
		if (rc)
			break;
		rc = db_bind_row(st, err, DBV_TEXT(key->supplier_key),
				 DBV_TEXT(key->invoice_number), DBV_TEXT(key->kind));
		if (rc)
			db_reset(st);
		else
			rc = ref_exec(st, err);
	}
	return rc;
}

/* Quantities per order line, added up over the invoice's lines (two lines
 * may deliver against the same order line). */
static int record_invoiced(refdata *r, const ref_invoice *inv, ulf_err *err)
{
	char qbuf[DEC_STR_MAX], vbuf[DEC_STR_MAX];
	db_stmt *st;
	size_t i, j;
	int rc;

	for (i = 0; i < inv->nlines; i++) {
		const ref_invoice_line *l = &inv->lines[i];
		dec q = l->quantity, v = l->net;
		bool first = true;
		if (!l->order_no || !l->order_line_id)
			continue;
		for (j = 0; j < inv->nlines; j++) {
			const ref_invoice_line *m = &inv->lines[j];
			if (!m->order_no || !m->order_line_id || strcmp(m->order_no, l->order_no) ||
			    strcmp(m->order_line_id, l->order_line_id))
				continue;
			if (j < i) {
				first = false;
				break;
			}
			if (j > i && (dec_add(&q, q, m->quantity) || dec_add(&v, v, m->net)))
				return ulf_err_set(err, ULF_ERANGE, "invoice %s: quantities overflow",
						   inv->invoice_number);
		}
		if (!first)
			continue;
		rc = ref_stmt(&st, r, sql, Q_INV_PUT_INVOICED, err);
		if (rc)
			return rc;
		rc = db_bind_row(st, err, DBV_TEXT(l->order_no), DBV_TEXT(l->order_line_id),
				 DBV_TEXT(inv->supplier_key), DBV_TEXT(inv->invoice_number),
				 DBV_TEXT(inv->kind), ref_dec(qbuf, q, true),
				 ref_dec(vbuf, v, true));
		if (rc) {
			db_reset(st);
			return rc;
		}
		if ((rc = ref_exec(st, err)) != 0)
			return rc;
	}
	return 0;
}

static int record(refdata *r, const ref_invoice *inv, int64_t now, ulf_err *err)
{
	char fp[65], ck[65], net_total[DEC_STR_MAX], quantity[DEC_STR_MAX], net[DEC_STR_MAX];
	db_stmt *st;
	size_t i;
	int rc;

	if (!inv->supplier_key || !*inv->supplier_key || !inv->invoice_number ||
	    !*inv->invoice_number || !inv->kind)
		return ulf_err_set(err, ULF_EINVAL, "an invoice to record needs supplier, number"
				   " and kind");
	rc = forget_invoice(r, inv, err);
	if (rc)
		return rc;
	refdata_fingerprint(fp, inv);
	refdata_content_key(ck, inv);
	rc = ref_stmt(&st, r, sql, Q_INV_PUT, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(inv->supplier_key), DBV_TEXT(inv->invoice_number),
			 DBV_TEXT(inv->kind), ref_opt(inv->issue_date), ref_opt(inv->currency),
			 ref_dec(net_total, inv->net_total, true), DBV_TEXT(fp), DBV_TEXT(ck),
			 ref_opt(inv->order_no), ref_opt(inv->flow),
			 inv->doc_id ? DBV_INT(inv->doc_id) : DBV_NULL,
			 DBV_TEXT(inv->source ? inv->source : "posted"), DBV_INT(now));
	if (rc) {
		db_reset(st);
		return rc;
	}
	rc = db_bind_text(st, 14, inv->refs && *inv->refs ? inv->refs : NULL);
	if (rc) {
		db_reset(st);
		return ulf_err_set(err, rc, "invoice %s: cannot bind its references",
				   inv->invoice_number);
	}
	if ((rc = ref_exec(st, err)) != 0)
		return rc;
	for (i = 0; i < inv->nlines; i++) {
		const ref_invoice_line *l = &inv->lines[i];
		rc = ref_stmt(&st, r, sql, Q_INV_PUT_LINE, err);
		if (rc)
			return rc;
		rc = db_bind_row(st, err, DBV_TEXT(inv->supplier_key),
				 DBV_TEXT(inv->invoice_number), DBV_TEXT(inv->kind),
				 DBV_INT((int64_t)i), ref_opt(l->line_id), ref_opt(l->item_key),
				 ref_opt(l->text_key), ref_opt(l->description),
				 ref_dec(quantity, l->quantity, true), ref_dec(net, l->net, true),
				 ref_opt(l->account), ref_opt(l->cost_centre),
				 ref_opt(l->activity),
				 ref_opt(l->project), ref_opt(l->vat_code), ref_opt(l->order_no),
				 ref_opt(l->order_line_id));
		if (rc) {
			db_reset(st);
			return rc;
		}
		if ((rc = ref_exec(st, err)) != 0)
			return rc;
		rc = history_adjust(r, inv->supplier_key, l, inv->issue_date, true, err);
		if (rc)
			return rc;
	}
	return record_invoiced(r, inv, err);
}

typedef struct record_args {
	refdata *r;
	const ref_invoice *inv;
	int64_t now;
} record_args;

static int record_tx(db *d, void *ctx, ulf_err *err)
{
	record_args *a = ctx;

	(void)d;
	return record(a->r, a->inv, a->now, err);
}

int refdata_record_invoice(refdata *r, const ref_invoice *inv, int64_t now, ulf_err *err)
{
	record_args a = { r, inv, now };

	/* the invoice, its lines, what it invoiced and what it taught, or none */
	return db_tx(r->d, record_tx, &a, err);
}

/* ---- reading back ------------------------------------------------------- */

/* Reads the INV_COLS columns of the current row into a new record. */
static ref_invoice *invoice_from_row(db_stmt *st)
{
	ref_invoice *inv = refdata_invoice_new();

	if (!inv)
		return NULL;
	inv->supplier_key = ref_col_dup(&inv->mem, st, 0);
	inv->invoice_number = ref_col_dup(&inv->mem, st, 1);
	inv->kind = ref_col_dup(&inv->mem, st, 2);
	inv->issue_date = ref_col_dup(&inv->mem, st, 3);
	inv->currency = ref_col_dup(&inv->mem, st, 4);
	ref_col_dec(&inv->net_total, st, 5);
	inv->order_no = ref_col_dup(&inv->mem, st, 6);
	inv->flow = ref_col_dup(&inv->mem, st, 7);
	inv->source = ref_col_dup(&inv->mem, st, 8);
	inv->doc_id = db_col_null(st, 9) ? 0 : db_col_int(st, 9);
	inv->refs = ref_col_dup(&inv->mem, st, 10);
	if (!inv->supplier_key || !inv->invoice_number || !inv->kind) {
		refdata_invoice_free(inv);
		return NULL;
	}
	return inv;
}

/* One Q_INV_LINES row into a line of invoice ctx (ref_collect). */
static int line_row(void *elem, db_stmt *st, void *ctx, ulf_err *err)
{
	ref_invoice_line *l = elem;
	ref_invoice *inv = ctx;

	(void)err;
	l->line_id = ref_col_dup(&inv->mem, st, 0);
	l->item_key = ref_col_dup(&inv->mem, st, 1);
	l->text_key = ref_col_dup(&inv->mem, st, 2);
	l->description = ref_col_dup(&inv->mem, st, 3);
	ref_col_dec(&l->quantity, st, 4);
	ref_col_dec(&l->net, st, 5);
	l->account = ref_col_dup(&inv->mem, st, 6);
	l->cost_centre = ref_col_dup(&inv->mem, st, 7);
	l->activity = ref_col_dup(&inv->mem, st, 8);
	l->project = ref_col_dup(&inv->mem, st, 9);
	l->vat_code = ref_col_dup(&inv->mem, st, 10);
	l->order_no = ref_col_dup(&inv->mem, st, 11);
	l->order_line_id = ref_col_dup(&inv->mem, st, 12);
	return 0;
}

static int invoice_lines(ref_invoice *inv, refdata *r, ulf_err *err)
{
	void *lines;
	db_stmt *st;
	int rc;

	rc = ref_stmt(&st, r, sql, Q_INV_LINES, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(inv->supplier_key), DBV_TEXT(inv->invoice_number),
			 DBV_TEXT(inv->kind));
	if (rc) {
		db_reset(st);
		return rc;
	}
	rc = ref_collect(&lines, &inv->nlines, &inv->mem, st, sizeof(*inv->lines), line_row, inv,
			 "invoice", inv->invoice_number, err);
	inv->lines = lines;
	return rc;
}

int refdata_invoice_get(ref_invoice **out, refdata *r, const char *supplier_key,
			const char *number, const char *kind, ulf_err *err)
{
	ref_invoice *inv;
	db_stmt *st;
	int rc;

	*out = NULL;
	rc = ref_stmt(&st, r, sql, Q_INV_GET, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(supplier_key), DBV_TEXT(number), DBV_TEXT(kind));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc <= 0) {
		db_reset(st);
		return rc < 0 ? rc : ULF_ENOTFOUND;
	}
	inv = invoice_from_row(st);
	db_reset(st);
	if (!inv)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	rc = invoice_lines(inv, r, err);
	if (rc) {
		refdata_invoice_free(inv);
		return rc;
	}
	*out = inv;
	return 0;
}

int refdata_invoice_by_fingerprint(char *out_number, size_t n, bool *found, refdata *r,
				   const char *fingerprint, ulf_err *err)
{
	db_stmt *st;
	int rc;

	*found = false;
	if (n)
		out_number[0] = '\0';
	rc = ref_stmt(&st, r, sql, Q_INV_FP, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(fingerprint));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		*found = true;
		ref_col_buf(out_number, n, st, 0);
	}
	db_reset(st);
	return rc < 0 ? rc : 0;
}

/* Up to max recorded invoices, as Q_INV_RECURRING finds them. */
typedef struct recurring {
	ref_invoice **out;
	size_t n, max;
} recurring;

static int recurring_row(db_stmt *st, void *ctx, ulf_err *err)
{
	recurring *x = ctx;

	x->out[x->n] = invoice_from_row(st);
	if (!x->out[x->n])
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	return ++x->n == x->max;
}

int refdata_recurring(ref_invoice **out, size_t *out_n, size_t max, refdata *r,
		      const char *supplier_key, const char *content_key, const char *before,
		      ulf_err *err)
{
	recurring x = { out, 0, max };
	db_stmt *st;
	size_t i;
	int rc;

	*out_n = 0;
	if (!content_key || !*content_key || max == 0)
		return 0;
	rc = ref_stmt(&st, r, sql, Q_INV_RECURRING, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(supplier_key), DBV_TEXT(content_key), DBV_TEXT(before),
			 DBV_TEXT(before), DBV_INT((int64_t)max));
	if (rc == 0)
		rc = db_each(st, recurring_row, &x, err);
	db_reset(st);
	for (i = 0; !rc && i < x.n; i++)
		rc = invoice_lines(out[i], r, err);
	if (rc) {
		for (i = 0; i < x.n; i++)
			refdata_invoice_free(out[i]);
		return rc;
	}
	*out_n = x.n;
	return 0;
}

int refdata_invoices_by_fingerprint(ref_invoice **out, size_t *out_n, size_t max, refdata *r,
				    const char *fingerprint, ulf_err *err)
{
	recurring x = { out, 0, max };
	db_stmt *st;
	size_t i;
	int rc;

	*out_n = 0;
	if (!fingerprint || !*fingerprint || max == 0)
		return 0;
	rc = ref_stmt(&st, r, sql, Q_INV_FP_ALL, err);
	if (rc)
		return rc;
	rc = db_bind_text(st, 1, fingerprint);
	if (rc == 0)
		rc = db_bind_int(st, 2, (int64_t)max);
	if (rc) {
		db_reset(st);
		return ulf_err_set(err, rc, "invoices by fingerprint: cannot bind a parameter");
	}
	rc = db_each(st, recurring_row, &x, err);
	db_reset(st);
	for (i = 0; !rc && i < x.n; i++)
		rc = invoice_lines(out[i], r, err);
	if (rc) {
		for (i = 0; i < x.n; i++)
			refdata_invoice_free(out[i]);
		return rc;
	}
	*out_n = x.n;
	return 0;
}

/* ---- the booking history ------------------------------------------------ */

/* The most frequent booking (the first row) and how often anything was
 * booked (all rows). */
typedef struct history_sum {
	ref_history *out;
	bool found;
} history_sum;

static int history_row(db_stmt *st, void *ctx, ulf_err *err)
{
	history_sum *h = ctx;
	ref_history *out = h->out;
	int64_t n = db_col_int(st, 5);

	(void)err;
	if (!h->found) {
		ref_col_buf(out->account, sizeof(out->account), st, 0);
		ref_col_buf(out->cost_centre, sizeof(out->cost_centre), st, 1);
		ref_col_buf(out->activity, sizeof(out->activity), st, 2);
		ref_col_buf(out->project, sizeof(out->project), st, 3);
		ref_col_buf(out->vat_code, sizeof(out->vat_code), st, 4);
		ref_col_buf(out->last_date, sizeof(out->last_date), st, 6);
		ref_col_buf(out->learned_by, sizeof(out->learned_by), st, 7);
		ref_col_buf(out->learned_on, sizeof(out->learned_on), st, 8);
		out->n = n;
		h->found = true;
	}
	out->total += n;
	return 0;
}

int refdata_history(ref_history *out, bool *found, refdata *r, const char *supplier_key,
		    const char *key_kind, const char *key, ulf_err *err)
{
	history_sum h = { out, false };
	db_stmt *st;
	int rc;

	*found = false;
	memset(out, 0, sizeof(*out));
	rc = ref_stmt(&st, r, sql, Q_HIST_GET, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(supplier_key), DBV_TEXT(key_kind),
			 DBV_TEXT(key ? key : ""));
	if (rc == 0)
		rc = db_each(st, history_row, &h, err);
	db_reset(st);
	*found = h.found;
	return rc;
}
