/*
 * ref_orders.c - purchase orders in the store: an order and its lines put
 * together, read back with what recorded invoices and goods receipts say
 * about each line; and the goods receipts themselves.  See refdata.h.
 */
#include <string.h>

#include "robot/store/ref_sql.h"

static const char *const sql[Q_COUNT_] = {
	[Q_ORD_EXISTS] = "SELECT 1 FROM ref_orders WHERE order_no = ?",
	[Q_ORD_PUT] =
		"INSERT INTO ref_orders (order_no, buyer, supplier_no, supplier_org, supplier_peppol,"
		" supplier_vat, supplier_name, issue_date, currency, buyer_reference, contract_id,"
		" status, requires_receipt, accounting_cost, account, cost_centre, activity, project,"
		" charges, source, updated_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (order_no) DO UPDATE SET buyer = excluded.buyer,"
		" supplier_no = excluded.supplier_no, supplier_org = excluded.supplier_org,"
		" supplier_peppol = excluded.supplier_peppol, supplier_vat = excluded.supplier_vat,"
		" supplier_name = excluded.supplier_name, issue_date = excluded.issue_date,"
		" currency = excluded.currency, buyer_reference = excluded.buyer_reference,"
		" contract_id = excluded.contract_id, status = excluded.status,"
		" requires_receipt = excluded.requires_receipt,"
		" accounting_cost = excluded.accounting_cost, account = excluded.account,"
		" cost_centre = excluded.cost_centre, activity = excluded.activity,"
		" project = excluded.project, charges = excluded.charges, source = excluded.source,"
		" updated_at = excluded.updated_at",
	[Q_ORD_DEL_LINES] = "DELETE FROM ref_order_lines WHERE order_no = ?",
	[Q_ORD_PUT_LINE] =
		"INSERT INTO ref_order_lines (order_no, line_id, seq, item_id, buyer_item_id,"
		" std_item_id, name, classification, note, quantity, unit, price, base_qty, net,"
		" vat_category, vat_rate, accounting_cost, account, cost_centre, activity, project,"
		" vat_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[Q_ORD_GET] =
		"SELECT order_no, buyer, supplier_no, supplier_org, supplier_peppol, supplier_vat,"
		" supplier_name, issue_date, currency, buyer_reference, contract_id, status,"
		" requires_receipt, accounting_cost, account, cost_centre, activity, project,"
		" charges, source FROM ref_orders WHERE order_no = ?",
	[Q_ORD_LINES] =
		"SELECT line_id, item_id, buyer_item_id, std_item_id, name, classification, note,"
		" quantity, unit, price, base_qty, net, vat_category, vat_rate, accounting_cost,"
		" account, cost_centre, activity, project, vat_code FROM ref_order_lines"
		" WHERE order_no = ? ORDER BY seq",
	[Q_ORD_INVOICED] = "SELECT line_id, quantity, net FROM ref_invoiced WHERE order_no = ?",
	[Q_ORD_RECEIVED] = "SELECT order_line_id, quantity FROM ref_receipts WHERE order_no = ?",
	[Q_RCP_LIST] =
		"SELECT order_no, receipt_id, line_id, order_line_id, quantity, unit, receipt_date,"
		" source FROM ref_receipts WHERE order_no = ?"
		" ORDER BY receipt_date, receipt_id, line_id LIMIT 100000",
	[Q_RCP_EXISTS] =
		"SELECT 1 FROM ref_receipts WHERE order_no = ? AND receipt_id = ? AND line_id = ?",
	[Q_RCP_KNOWN] = "SELECT 1 FROM ref_receipts WHERE order_no = ? AND receipt_id = ? LIMIT 1",
	[Q_RCP_PUT] =
		"INSERT INTO ref_receipts (order_no, receipt_id, line_id, order_line_id, quantity,"
		" unit, receipt_date, source, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (order_no, receipt_id, line_id) DO UPDATE SET"
		" order_line_id = excluded.order_line_id, quantity = excluded.quantity,"
		" unit = excluded.unit, receipt_date = excluded.receipt_date,"
		" source = excluded.source, updated_at = excluded.updated_at",
};

/* ---- orders ------------------------------------------------------------- */

static int write_order(bool *out_updated, refdata *r, const ref_order *o, int64_t now,
		       ulf_err *err)
{
	char charges[DEC_STR_MAX], quantity[DEC_STR_MAX], price[DEC_STR_MAX];
	char base_qty[DEC_STR_MAX], net[DEC_STR_MAX], vat_rate[DEC_STR_MAX];
	db_stmt *st;
	size_t i;
	int rc;

	rc = ref_exists(out_updated, r, sql, Q_ORD_EXISTS, o->order_no, NULL, NULL,
			err);
	if (rc)
		return rc;
	rc = ref_stmt(&st, r, sql, Q_ORD_PUT, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(o->order_no), ref_opt(o->buyer),
			 ref_opt(o->supplier_no), ref_opt(o->supplier_org),
			 ref_opt(o->supplier_peppol), ref_opt(o->supplier_vat),
			 ref_opt(o->supplier_name), ref_opt(o->issue_date), ref_opt(o->currency),
			 ref_opt(o->buyer_reference), ref_opt(o->contract_id),
			 DBV_TEXT(o->status && *o->status ? o->status : "open"),
			 o->requires_receipt < 0 ? DBV_NULL : DBV_INT(o->requires_receipt),
			 ref_opt(o->accounting_cost), ref_opt(o->account),
			 ref_opt(o->cost_centre), ref_opt(o->activity), ref_opt(o->project),
			 ref_dec(charges, o->charges, o->charges_set),
			 DBV_TEXT(o->source ? o->source : "api"), DBV_INT(now));
	if (rc) {
		db_reset(st);
		return rc;
	}
	if ((rc = ref_exec(st, err)) != 0)
		return rc;
	rc = ref_stmt(&st, r, sql, Q_ORD_DEL_LINES, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(o->order_no));
	if (rc) {
		db_reset(st);
		return rc;
	}
	if ((rc = ref_exec(st, err)) != 0)
		return rc;
	rc = ref_stmt(&st, r, sql, Q_ORD_PUT_LINE, err);
	if (rc)
		return rc;
	for (i = 0; i < o->nlines; i++) {
		const ref_order_line *l = &o->lines[i];
		db_reset(st);
		rc = db_bind_row(st, err, DBV_TEXT(o->order_no), DBV_TEXT(l->line_id),
				 DBV_INT((int64_t)i), ref_opt(l->item_id),
				 ref_opt(l->buyer_item_id),
				 ref_opt(l->std_item_id), ref_opt(l->name),
				 ref_opt(l->classification), ref_opt(l->note),
				 ref_dec(quantity, l->quantity, l->quantity_set), ref_opt(l->unit),
				 ref_dec(price, l->price, l->price_set),
				 ref_dec(base_qty, l->base_qty, l->base_set),
				 ref_dec(net, l->net, l->net_set), ref_opt(l->vat_category),
				 ref_dec(vat_rate, l->vat_rate, l->vat_rate_set),
				 ref_opt(l->accounting_cost), ref_opt(l->account),
				 ref_opt(l->cost_centre), ref_opt(l->activity),
				 ref_opt(l->project),
				 ref_opt(l->vat_code));
		if (rc) {
			db_reset(st);
			return rc;
		}
		if ((rc = ref_exec(st, err)) != 0) {
			if (rc == ULF_EEXISTS)
				return ulf_err_set(err, ULF_EEXISTS, "order %s: line id %s used twice",
						   o->order_no, l->line_id);
			return rc;
		}
	}
	return 0;
}

typedef struct put_order_args {
	bool *out_updated;
	refdata *r;
	const ref_order *o;
	int64_t now;
} put_order_args;

static int put_order_tx(db *d, void *ctx, ulf_err *err)
{
	put_order_args *a = ctx;

	(void)d;
	return write_order(a->out_updated, a->r, a->o, a->now, err);
}

int refdata_put_order(bool *out_updated, refdata *r, const ref_order *o, int64_t now,
		      ulf_err *err)
{
	put_order_args a = { out_updated, r, o, now };

	/* an order and its lines change together or not at all */
	return db_tx(r->d, put_order_tx, &a, err);
}

static ref_order_line *find_line(ref_order *o, const char *line_id)
{
	size_t i;

	for (i = 0; line_id && i < o->nlines; i++)
		if (strcmp(o->lines[i].line_id, line_id) == 0)
			return &o->lines[i];
	return NULL;
}

/* One Q_ORD_LINES row into a line of order ctx (ref_collect). */
static int line_row(void *elem, db_stmt *st, void *ctx, ulf_err *err)
{
	ref_order_line *l = elem;
	ref_order *o = ctx;

	l->line_id = ref_col_dup(&o->mem, st, 0);
	l->item_id = ref_col_dup(&o->mem, st, 1);
	l->buyer_item_id = ref_col_dup(&o->mem, st, 2);
	l->std_item_id = ref_col_dup(&o->mem, st, 3);
	l->name = ref_col_dup(&o->mem, st, 4);
	l->classification = ref_col_dup(&o->mem, st, 5);
	l->note = ref_col_dup(&o->mem, st, 6);
	l->quantity_set = ref_col_dec(&l->quantity, st, 7);
	l->unit = ref_col_dup(&o->mem, st, 8);
	l->price_set = ref_col_dec(&l->price, st, 9);
	l->base_set = ref_col_dec(&l->base_qty, st, 10);
	l->net_set = ref_col_dec(&l->net, st, 11);
	l->vat_category = ref_col_dup(&o->mem, st, 12);
	l->vat_rate_set = ref_col_dec(&l->vat_rate, st, 13);
	l->accounting_cost = ref_col_dup(&o->mem, st, 14);
	l->account = ref_col_dup(&o->mem, st, 15);
	l->cost_centre = ref_col_dup(&o->mem, st, 16);
	l->activity = ref_col_dup(&o->mem, st, 17);
	l->project = ref_col_dup(&o->mem, st, 18);
	l->vat_code = ref_col_dup(&o->mem, st, 19);
	l->invoiced_qty = l->invoiced_net = l->received_qty = dec_make(0, 0);
	if (!l->line_id)
		return ulf_err_set(err, ULF_ESTORE, "order %s: a line without id", o->order_no);
	return 0;
}

static int order_lines(ref_order *o, refdata *r, ulf_err *err)
{
	void *lines;
	db_stmt *st;
	int rc;

	rc = ref_stmt(&st, r, sql, Q_ORD_LINES, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(o->order_no));
	if (rc) {
		db_reset(st);
		return rc;
	}
	rc = ref_collect(&lines, &o->nlines, &o->mem, st, sizeof(*o->lines), line_row, o,
			 "order", o->order_no, err);
	o->lines = lines;
	return rc;
}

/* One Q_ORD_INVOICED row added to its line of order ctx. */
static int invoiced_row(db_stmt *st, void *ctx, ulf_err *err)
{
	ref_order *o = ctx;
	ref_order_line *l = find_line(o, db_col_text(st, 0));
	dec q, v;

	if (!l)
		return 0;   /* the order was re-imported without that line */
	if ((ref_col_dec(&q, st, 1) && dec_add(&l->invoiced_qty, l->invoiced_qty, q)) ||
	    (ref_col_dec(&v, st, 2) && dec_add(&l->invoiced_net, l->invoiced_net, v)))
		return ulf_err_set(err, ULF_ERANGE, "order %s: invoiced amounts overflow",
				   o->order_no);
	return 0;
}

/* One Q_ORD_RECEIVED row added to its line of order ctx. */
static int received_row(db_stmt *st, void *ctx, ulf_err *err)
{
	ref_order *o = ctx;
	ref_order_line *l = find_line(o, db_col_text(st, 0));
	dec q;

	if (!l || !ref_col_dec(&q, st, 1))
		return 0;
	if (dec_add(&l->received_qty, l->received_qty, q))
		return ulf_err_set(err, ULF_ERANGE, "order %s: received quantities overflow",
				   o->order_no);
	l->nreceipts++;
	return 0;
}

/* Adds what recorded invoices and goods receipts say, per line, in C:
 * the amounts are exact decimal text. */
static int order_progress(ref_order *o, refdata *r, ulf_err *err)
{
	static const struct {
		int q;
		db_row_fn fn;
	} sums[] = { { Q_ORD_INVOICED, invoiced_row }, { Q_ORD_RECEIVED, received_row } };
	db_stmt *st;
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof(sums) / sizeof(sums[0]) && !rc; i++) {
		rc = ref_stmt(&st, r, sql, sums[i].q, err);
		if (rc)
			break;
		rc = db_bind_row(st, err, DBV_TEXT(o->order_no));
		if (rc == 0)
			rc = db_each(st, sums[i].fn, o, err);
		db_reset(st);
	}
	return rc;
}

int refdata_order_get(ref_order **out, refdata *r, const char *order_no, ulf_err *err)
{
	ref_order *o = NULL;
	db_stmt *st;
	int rc;

	*out = NULL;
	rc = ref_stmt(&st, r, sql, Q_ORD_GET, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(order_no));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc <= 0) {
		db_reset(st);
		return rc < 0 ? rc : ULF_ENOTFOUND;
	}
	o = refdata_order_new();
	if (!o) {
		db_reset(st);
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	o->order_no = ref_col_dup(&o->mem, st, 0);
	o->buyer = ref_col_dup(&o->mem, st, 1);
	o->supplier_no = ref_col_dup(&o->mem, st, 2);
	o->supplier_org = ref_col_dup(&o->mem, st, 3);
	o->supplier_peppol = ref_col_dup(&o->mem, st, 4);
	o->supplier_vat = ref_col_dup(&o->mem, st, 5);
	o->supplier_name = ref_col_dup(&o->mem, st, 6);
	o->issue_date = ref_col_dup(&o->mem, st, 7);
	o->currency = ref_col_dup(&o->mem, st, 8);
	o->buyer_reference = ref_col_dup(&o->mem, st, 9);
	o->contract_id = ref_col_dup(&o->mem, st, 10);
	o->status = ref_col_dup(&o->mem, st, 11);
	o->requires_receipt = db_col_null(st, 12) ? -1 : (int)db_col_int(st, 12);
	o->accounting_cost = ref_col_dup(&o->mem, st, 13);
	o->account = ref_col_dup(&o->mem, st, 14);
	o->cost_centre = ref_col_dup(&o->mem, st, 15);
	o->activity = ref_col_dup(&o->mem, st, 16);
	o->project = ref_col_dup(&o->mem, st, 17);
	o->charges_set = ref_col_dec(&o->charges, st, 18);
	o->source = ref_col_dup(&o->mem, st, 19);
	db_reset(st);
	if (!o->order_no) {
		refdata_order_free(o);
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	rc = order_lines(o, r, err);
	if (!rc)
		rc = order_progress(o, r, err);
	if (rc) {
		refdata_order_free(o);
		return rc;
	}
	*out = o;
	return 0;
}

/* ---- goods receipts ----------------------------------------------------- */

int refdata_put_receipt(bool *out_updated, refdata *r, const ref_receipt *rc_in, int64_t now,
			ulf_err *err)
{
	char quantity[DEC_STR_MAX];
	db_stmt *st;
	int rc;

	rc = ref_exists(out_updated, r, sql, Q_RCP_EXISTS, rc_in->order_no,
			rc_in->receipt_id, rc_in->line_id, err);
	if (rc)
		return rc;
	rc = ref_stmt(&st, r, sql, Q_RCP_PUT, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(rc_in->order_no), DBV_TEXT(rc_in->receipt_id),
			 DBV_TEXT(rc_in->line_id), ref_opt(rc_in->order_line_id),
			 ref_dec(quantity, rc_in->quantity, true), ref_opt(rc_in->unit),
			 ref_opt(rc_in->date), DBV_TEXT(rc_in->source ? rc_in->source : "api"),
			 DBV_INT(now));
	if (rc) {
		db_reset(st);
		return rc;
	}
	return ref_exec(st, err);
}

int refdata_receipt_known(bool *out, refdata *r, const char *order_no, const char *receipt_id,
			  ulf_err *err)
{
	db_stmt *st;
	int rc;

	*out = false;
	if (!order_no || !*order_no || !receipt_id || !*receipt_id)
		return 0;
	rc = ref_stmt(&st, r, sql, Q_RCP_KNOWN, err);
	if (rc)
		return rc;
	rc = db_bind_text(st, 1, order_no);
	if (rc == 0)
		rc = db_bind_text(st, 2, receipt_id);
	if (rc) {
		db_reset(st);
		return ulf_err_set(err, rc, "goods receipt %s: cannot bind a parameter", receipt_id);
	}
	rc = db_step(st, err);
	db_reset(st);
	if (rc < 0)
		return rc;
	*out = rc == 1;
	return 0;
}

static int receipt_row(void *elem, db_stmt *st, void *ctx, ulf_err *err)
{
	ref_receipt *rc = elem;
	arena *a = ctx;

	(void)err;
	rc->order_no = ref_col_dup(a, st, 0);
	rc->receipt_id = ref_col_dup(a, st, 1);
	rc->line_id = ref_col_dup(a, st, 2);
	rc->order_line_id = ref_col_dup(a, st, 3);
	ref_col_dec(&rc->quantity, st, 4);
	rc->unit = ref_col_dup(a, st, 5);
	rc->date = ref_col_dup(a, st, 6);
	rc->source = ref_col_dup(a, st, 7);
	return 0;
}

int refdata_receipts(ref_receipt **out, size_t *out_n, arena *a, refdata *r,
		     const char *order_no, ulf_err *err)
{
	void *v = NULL;
	db_stmt *st;
	int rc;

	*out = NULL;
	*out_n = 0;
	rc = ref_stmt(&st, r, sql, Q_RCP_LIST, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(order_no));
	if (rc) {
		db_reset(st);
		return rc;
	}
	rc = ref_collect(&v, out_n, a, st, sizeof(ref_receipt), receipt_row, a, "order",
			 order_no, err);
	*out = v;
	return rc;
}
