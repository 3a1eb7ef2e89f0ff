/*
 * refdata.c - suppliers, orders, receipts, invoices seen and the booking
 * history, on the store's connection.  See refdata.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/digest.h"
#include "robot/store/refdata.h"


/*
 * Version 1.  Quantities and amounts are TEXT holding the exact decimal.
 * Every WHERE the matcher runs per invoice is on a primary key prefix or
 * an index, which is what keeps its cost flat as orders pile up.
 */
static const char *const schema_v1 =
	"CREATE TABLE ref_suppliers ("
	" supplier_no TEXT PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL,"
	" org_no TEXT, vat_no TEXT, peppol_id TEXT, bankgiro TEXT, plusgiro TEXT, iban TEXT,"
	" contract INTEGER NOT NULL DEFAULT 0, blocked INTEGER NOT NULL DEFAULT 0,"
	" updated_at BIGINT NOT NULL);"
	"CREATE INDEX ref_suppliers_org ON ref_suppliers(org_no);"
	"CREATE INDEX ref_suppliers_vat ON ref_suppliers(vat_no);"
	"CREATE INDEX ref_suppliers_peppol ON ref_suppliers(peppol_id);"
	"CREATE INDEX ref_suppliers_bankgiro ON ref_suppliers(bankgiro);"
	"CREATE INDEX ref_suppliers_plusgiro ON ref_suppliers(plusgiro);"
	"CREATE INDEX ref_suppliers_iban ON ref_suppliers(iban);"
	"CREATE INDEX ref_suppliers_name ON ref_suppliers(name_key);"
	"CREATE TABLE ref_orders ("
	" order_no TEXT PRIMARY KEY, buyer TEXT, supplier_no TEXT, supplier_org TEXT,"
	" supplier_peppol TEXT, supplier_vat TEXT, supplier_name TEXT, issue_date TEXT,"
	" currency TEXT, buyer_reference TEXT, contract_id TEXT, status TEXT NOT NULL,"
	" requires_receipt INTEGER, accounting_cost TEXT, account TEXT, cost_centre TEXT,"
	" activity TEXT, project TEXT, charges TEXT, source TEXT NOT NULL,"
	" updated_at BIGINT NOT NULL);"
	"CREATE TABLE ref_order_lines ("
	" order_no TEXT NOT NULL, line_id TEXT NOT NULL, seq INTEGER NOT NULL,"
	" item_id TEXT, buyer_item_id TEXT, std_item_id TEXT, name TEXT, classification TEXT,"
	" note TEXT, quantity TEXT, unit TEXT, price TEXT, base_qty TEXT, net TEXT,"
	" vat_category TEXT, vat_rate TEXT, accounting_cost TEXT, account TEXT,"
	" cost_centre TEXT, activity TEXT, project TEXT, vat_code TEXT,"
	" PRIMARY KEY (order_no, line_id));"
	"CREATE TABLE ref_receipts ("
	" order_no TEXT NOT NULL, receipt_id TEXT NOT NULL, line_id TEXT NOT NULL,"
	" order_line_id TEXT, quantity TEXT NOT NULL, unit TEXT, receipt_date TEXT,"
	" source TEXT NOT NULL, updated_at BIGINT NOT NULL,"
	" PRIMARY KEY (order_no, receipt_id, line_id));"
	"CREATE TABLE ref_invoiced ("
	" order_no TEXT NOT NULL, line_id TEXT NOT NULL, supplier_key TEXT NOT NULL,"
	" invoice_number TEXT NOT NULL, kind TEXT NOT NULL, quantity TEXT NOT NULL,"
	" net TEXT NOT NULL,"
	" PRIMARY KEY (order_no, line_id, supplier_key, invoice_number, kind));"
	"CREATE INDEX ref_invoiced_invoice ON ref_invoiced(supplier_key, invoice_number, kind);"
	"CREATE TABLE ref_invoices ("
	" supplier_key TEXT NOT NULL, invoice_number TEXT NOT NULL, kind TEXT NOT NULL,"
	" issue_date TEXT, currency TEXT, net_total TEXT NOT NULL, fingerprint TEXT NOT NULL,"
	" content_key TEXT NOT NULL, order_no TEXT, flow TEXT, doc_id BIGINT,"
	" source TEXT NOT NULL, recorded_at BIGINT NOT NULL,"
	" PRIMARY KEY (supplier_key, invoice_number, kind));"
	"CREATE INDEX ref_invoices_fingerprint ON ref_invoices(fingerprint);"
	"CREATE INDEX ref_invoices_content ON ref_invoices(supplier_key, content_key, issue_date);"
	"CREATE TABLE ref_invoice_lines ("
	" supplier_key TEXT NOT NULL, invoice_number TEXT NOT NULL, kind TEXT NOT NULL,"
	" seq INTEGER NOT NULL, line_id TEXT, item_key TEXT, text_key TEXT, description TEXT,"
	" quantity TEXT NOT NULL, net TEXT NOT NULL, account TEXT, cost_centre TEXT,"
	" activity TEXT, project TEXT, vat_code TEXT, order_no TEXT, order_line_id TEXT,"
	" PRIMARY KEY (supplier_key, invoice_number, kind, seq));"
	"CREATE TABLE ref_booking_history ("
	" supplier_key TEXT NOT NULL, key_kind TEXT NOT NULL, hkey TEXT NOT NULL,"
	" account TEXT NOT NULL, cost_centre TEXT NOT NULL, activity TEXT NOT NULL,"
	" project TEXT NOT NULL, vat_code TEXT NOT NULL, n BIGINT NOT NULL, last_date TEXT,"
	" PRIMARY KEY (supplier_key, key_kind, hkey, account, cost_centre, activity,"
	" project, vat_code));";

/* Prepared once, reset after each use. */
enum {
	Q_SUP_NUMBER, Q_SUP_PEPPOL, Q_SUP_ORG, Q_SUP_VAT, Q_SUP_BANKGIRO, Q_SUP_PLUSGIRO,
	Q_SUP_IBAN, Q_SUP_NAME, Q_SUP_EXISTS, Q_SUP_PUT,
	Q_ORD_EXISTS, Q_ORD_PUT, Q_ORD_DEL_LINES, Q_ORD_PUT_LINE,
	Q_ORD_GET, Q_ORD_LINES, Q_ORD_INVOICED, Q_ORD_RECEIVED,
	Q_RCP_EXISTS, Q_RCP_PUT,
	Q_INV_GET, Q_INV_LINES, Q_INV_DEL, Q_INV_DEL_LINES, Q_INV_DEL_INVOICED, Q_INV_PUT,
	Q_INV_PUT_LINE, Q_INV_PUT_INVOICED, Q_INV_FP, Q_INV_RECURRING,
	Q_HIST_LEARN, Q_HIST_UNLEARN, Q_HIST_PURGE, Q_HIST_GET,
	Q_COUNT_
};

#define SUP_COLS "supplier_no, name, org_no, vat_no, peppol_id, bankgiro, plusgiro, iban," \
		 " contract, blocked FROM ref_suppliers"
#define INV_COLS "supplier_key, invoice_number, kind, issue_date, currency, net_total," \
		 " order_no, flow, source, doc_id FROM ref_invoices"

static const char *const sql[Q_COUNT_] = {
	[Q_SUP_NUMBER] = "SELECT " SUP_COLS " WHERE supplier_no = ? LIMIT 2",
	[Q_SUP_PEPPOL] = "SELECT " SUP_COLS " WHERE peppol_id = ? ORDER BY supplier_no LIMIT 2",
	[Q_SUP_ORG] = "SELECT " SUP_COLS " WHERE org_no = ? ORDER BY supplier_no LIMIT 2",
	[Q_SUP_VAT] = "SELECT " SUP_COLS " WHERE vat_no = ? ORDER BY supplier_no LIMIT 2",
	[Q_SUP_BANKGIRO] = "SELECT " SUP_COLS " WHERE bankgiro = ? ORDER BY supplier_no LIMIT 2",
	[Q_SUP_PLUSGIRO] = "SELECT " SUP_COLS " WHERE plusgiro = ? ORDER BY supplier_no LIMIT 2",
	[Q_SUP_IBAN] = "SELECT " SUP_COLS " WHERE iban = ? ORDER BY supplier_no LIMIT 2",
	[Q_SUP_NAME] = "SELECT " SUP_COLS " WHERE name_key = ? ORDER BY supplier_no LIMIT 2",
	[Q_SUP_EXISTS] = "SELECT 1 FROM ref_suppliers WHERE supplier_no = ?",
	[Q_SUP_PUT] =
		"INSERT INTO ref_suppliers (supplier_no, name, name_key, org_no, vat_no, peppol_id,"
		" bankgiro, plusgiro, iban, contract, blocked, updated_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (supplier_no) DO UPDATE SET name = excluded.name,"
		" name_key = excluded.name_key, org_no = excluded.org_no, vat_no = excluded.vat_no,"
		" peppol_id = excluded.peppol_id, bankgiro = excluded.bankgiro,"
		" plusgiro = excluded.plusgiro, iban = excluded.iban, contract = excluded.contract,"
		" blocked = excluded.blocked, updated_at = excluded.updated_at",
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
	[Q_RCP_EXISTS] =
		"SELECT 1 FROM ref_receipts WHERE order_no = ? AND receipt_id = ? AND line_id = ?",
	[Q_RCP_PUT] =
		"INSERT INTO ref_receipts (order_no, receipt_id, line_id, order_line_id, quantity,"
		" unit, receipt_date, source, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT (order_no, receipt_id, line_id) DO UPDATE SET"
		" order_line_id = excluded.order_line_id, quantity = excluded.quantity,"
		" unit = excluded.unit, receipt_date = excluded.receipt_date,"
		" source = excluded.source, updated_at = excluded.updated_at",
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
		" net_total, fingerprint, content_key, order_no, flow, doc_id, source, recorded_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[Q_INV_PUT_LINE] =
		"INSERT INTO ref_invoice_lines (supplier_key, invoice_number, kind, seq, line_id,"
		" item_key, text_key, description, quantity, net, account, cost_centre, activity,"
		" project, vat_code, order_no, order_line_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[Q_INV_PUT_INVOICED] =
		"INSERT INTO ref_invoiced (order_no, line_id, supplier_key, invoice_number, kind,"
		" quantity, net) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[Q_INV_FP] = "SELECT invoice_number FROM ref_invoices WHERE fingerprint = ? LIMIT 1",
	[Q_INV_RECURRING] =
		"SELECT " INV_COLS " WHERE supplier_key = ? AND content_key = ?"
		" AND (CAST(? AS TEXT) IS NULL OR issue_date < ?) ORDER BY issue_date DESC LIMIT ?",
	[Q_HIST_LEARN] =
		"INSERT INTO ref_booking_history (supplier_key, key_kind, hkey, account,"
		" cost_centre, activity, project, vat_code, n, last_date)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)"
		" ON CONFLICT (supplier_key, key_kind, hkey, account, cost_centre, activity,"
		" project, vat_code) DO UPDATE SET n = ref_booking_history.n + 1,"
		" last_date = excluded.last_date",
	[Q_HIST_UNLEARN] =
		"UPDATE ref_booking_history SET n = n - 1 WHERE supplier_key = ? AND key_kind = ?"
		" AND hkey = ? AND account = ? AND cost_centre = ? AND activity = ? AND project = ?"
		" AND vat_code = ?",
	[Q_HIST_PURGE] =
		"DELETE FROM ref_booking_history WHERE supplier_key = ? AND key_kind = ?"
		" AND hkey = ? AND n <= 0",
	[Q_HIST_GET] =
		"SELECT account, cost_centre, activity, project, vat_code, n, last_date"
		" FROM ref_booking_history WHERE supplier_key = ? AND key_kind = ? AND hkey = ?"
		" ORDER BY n DESC, last_date DESC LIMIT 64",
};

struct refdata {
	db *d;
	db_stmt *st[Q_COUNT_];
	bool in_tx;    /* an import holds a transaction the records join */
};

int refdata_open(refdata **out, db *d, ulf_err *err)
{
	const char *steps[1] = { schema_v1 };
	refdata *r;
	int rc;

	*out = NULL;
	rc = db_migrate(d, "refdata", steps, 1, err);
	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	r->d = d;
	*out = r;
	return 0;
}

void refdata_free(refdata *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < Q_COUNT_; i++)
		db_finalize(r->st[i]);
	free(r);
}

db *refdata_db(refdata *r)
{
	return r->d;
}

int refdata_begin(refdata *r, ulf_err *err)
{
	int rc = db_begin(r->d, err);

	if (rc == 0)
		r->in_tx = true;
	return rc;
}

int refdata_commit(refdata *r, ulf_err *err)
{
	r->in_tx = false;
	return db_commit(r->d, err);
}

void refdata_rollback(refdata *r)
{
	r->in_tx = false;
	db_rollback(r->d);
}

/* The statement `q`, prepared on first use, reset for a new run. */
static int stmt(db_stmt **out, refdata *r, int q, ulf_err *err)
{
	int rc;

	if (!r->st[q]) {
		rc = db_prepare(&r->st[q], r->d, sql[q], err);
		if (rc)
			return rc;
	}
	db_reset(r->st[q]);
	*out = r->st[q];
	return 0;
}

/* Runs a statement that returns no rows. */
static int exec_done(db_stmt *st, ulf_err *err)
{
	int rc = db_step(st, err);

	db_reset(st);
	return rc < 0 ? rc : 0;
}

static int bind_dec(db_stmt *st, int idx, dec v, bool set)
{
	char buf[DEC_STR_MAX];

	if (!set)
		return db_bind_null(st, idx);
	dec_format(buf, sizeof(buf), v, 0);
	return db_bind_text(st, idx, buf);
}

static int bind_opt(db_stmt *st, int idx, const char *s)
{
	return db_bind_text(st, idx, s && *s ? s : NULL);
}

static const char *col_dup(arena *a, db_stmt *st, int col)
{
	const char *s = db_col_text(st, col);

	return s && *s ? arena_strdup(a, s) : NULL;
}

static bool col_dec(dec *out, db_stmt *st, int col)
{
	const char *s = db_col_text(st, col);

	*out = dec_make(0, 0);
	return s && *s && dec_parse(out, s, strlen(s)) == 0;
}

static void col_buf(char *out, size_t n, db_stmt *st, int col)
{
	const char *s = db_col_text(st, col);

	snprintf(out, n, "%s", s ? s : "");
}

/* ---- suppliers -------------------------------------------------------- */

static int q_for(ref_key k)
{
	switch (k) {
	case REF_BY_NUMBER:   return Q_SUP_NUMBER;
	case REF_BY_PEPPOL:   return Q_SUP_PEPPOL;
	case REF_BY_ORG:      return Q_SUP_ORG;
	case REF_BY_VAT:      return Q_SUP_VAT;
	case REF_BY_BANKGIRO: return Q_SUP_BANKGIRO;
	case REF_BY_PLUSGIRO: return Q_SUP_PLUSGIRO;
	case REF_BY_IBAN:     return Q_SUP_IBAN;
	case REF_BY_NAME:     return Q_SUP_NAME;
	}
	return -1;
}

int refdata_supplier_find(ref_supplier *out, size_t *out_n, refdata *r, ref_key k,
			  const char *value, ulf_err *err)
{
	char key[256];
	db_stmt *st;
	int q = q_for(k), rc;

	*out_n = 0;
	memset(out, 0, sizeof(*out));
	if (q < 0 || !refdata_norm(key, sizeof(key), k, value))
		return 0;
	rc = stmt(&st, r, q, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, key);
	while ((rc = db_step(st, err)) == 1) {
		if (*out_n == 0) {
			col_buf(out->supplier_no, sizeof(out->supplier_no), st, 0);
			col_buf(out->name, sizeof(out->name), st, 1);
			col_buf(out->org_no, sizeof(out->org_no), st, 2);
			col_buf(out->vat_no, sizeof(out->vat_no), st, 3);
			col_buf(out->peppol_id, sizeof(out->peppol_id), st, 4);
			col_buf(out->bankgiro, sizeof(out->bankgiro), st, 5);
			col_buf(out->plusgiro, sizeof(out->plusgiro), st, 6);
			col_buf(out->iban, sizeof(out->iban), st, 7);
			out->contract = db_col_int(st, 8) != 0;
			out->blocked = db_col_int(st, 9) != 0;
		}
		(*out_n)++;
	}
	db_reset(st);
	return rc < 0 ? rc : 0;
}

static int exists(bool *out, refdata *r, int q, const char *a, const char *b, const char *c,
		  ulf_err *err)
{
	db_stmt *st;
	int rc = stmt(&st, r, q, err);

	*out = false;
	if (rc)
		return rc;
	db_bind_text(st, 1, a);
	if (b)
		db_bind_text(st, 2, b);
	if (c)
		db_bind_text(st, 3, c);
	rc = db_step(st, err);
	db_reset(st);
	if (rc < 0)
		return rc;
	*out = rc == 1;
	return 0;
}

int refdata_put_supplier(bool *out_updated, refdata *r, const ref_supplier *s,
			 int64_t now, ulf_err *err)
{
	char name_key[256];
	db_stmt *st;
	int rc;

	rc = exists(out_updated, r, Q_SUP_EXISTS, s->supplier_no, NULL, NULL, err);
	if (rc)
		return rc;
	refdata_norm(name_key, sizeof(name_key), REF_BY_NAME, s->name);
	rc = stmt(&st, r, Q_SUP_PUT, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, s->supplier_no);
	db_bind_text(st, 2, s->name);
	db_bind_text(st, 3, name_key);
	bind_opt(st, 4, s->org_no);
	bind_opt(st, 5, s->vat_no);
	bind_opt(st, 6, s->peppol_id);
	bind_opt(st, 7, s->bankgiro);
	bind_opt(st, 8, s->plusgiro);
	bind_opt(st, 9, s->iban);
	db_bind_int(st, 10, s->contract);
	db_bind_int(st, 11, s->blocked);
	db_bind_int(st, 12, now);
	return exec_done(st, err);
}

/* ---- orders ----------------------------------------------------------- */

static int write_order(bool *out_updated, refdata *r, const ref_order *o, int64_t now,
		       ulf_err *err);

int refdata_put_order(bool *out_updated, refdata *r, const ref_order *o, int64_t now,
		      ulf_err *err)
{
	int rc;

	/* an order and its lines change together or not at all */
	if (r->in_tx)
		return write_order(out_updated, r, o, now, err);
	rc = refdata_begin(r, err);
	if (rc)
		return rc;
	rc = write_order(out_updated, r, o, now, err);
	if (rc) {
		refdata_rollback(r);
		return rc;
	}
	return refdata_commit(r, err);
}

static int write_order(bool *out_updated, refdata *r, const ref_order *o, int64_t now,
		       ulf_err *err)
{
	db_stmt *st;
	size_t i;
	int rc;

	rc = exists(out_updated, r, Q_ORD_EXISTS, o->order_no, NULL, NULL, err);
	if (rc)
		return rc;
	rc = stmt(&st, r, Q_ORD_PUT, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, o->order_no);
	bind_opt(st, 2, o->buyer);
	bind_opt(st, 3, o->supplier_no);
	bind_opt(st, 4, o->supplier_org);
	bind_opt(st, 5, o->supplier_peppol);
	bind_opt(st, 6, o->supplier_vat);
	bind_opt(st, 7, o->supplier_name);
	bind_opt(st, 8, o->issue_date);
	bind_opt(st, 9, o->currency);
	bind_opt(st, 10, o->buyer_reference);
	bind_opt(st, 11, o->contract_id);
	db_bind_text(st, 12, o->status && *o->status ? o->status : "open");
	if (o->requires_receipt < 0)
		db_bind_null(st, 13);
	else
		db_bind_int(st, 13, o->requires_receipt);
	bind_opt(st, 14, o->accounting_cost);
	bind_opt(st, 15, o->account);
	bind_opt(st, 16, o->cost_centre);
	bind_opt(st, 17, o->activity);
	bind_opt(st, 18, o->project);
	bind_dec(st, 19, o->charges, o->charges_set);
	db_bind_text(st, 20, o->source ? o->source : "api");
	db_bind_int(st, 21, now);
	if ((rc = exec_done(st, err)) != 0)
		return rc;
	rc = stmt(&st, r, Q_ORD_DEL_LINES, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, o->order_no);
	if ((rc = exec_done(st, err)) != 0)
		return rc;
	rc = stmt(&st, r, Q_ORD_PUT_LINE, err);
	if (rc)
		return rc;
	for (i = 0; i < o->nlines; i++) {
		const ref_order_line *l = &o->lines[i];
		db_reset(st);
		db_bind_text(st, 1, o->order_no);
		db_bind_text(st, 2, l->line_id);
		db_bind_int(st, 3, (int64_t)i);
		bind_opt(st, 4, l->item_id);
		bind_opt(st, 5, l->buyer_item_id);
		bind_opt(st, 6, l->std_item_id);
		bind_opt(st, 7, l->name);
		bind_opt(st, 8, l->classification);
		bind_opt(st, 9, l->note);
		bind_dec(st, 10, l->quantity, l->quantity_set);
		bind_opt(st, 11, l->unit);
		bind_dec(st, 12, l->price, l->price_set);
		bind_dec(st, 13, l->base_qty, l->base_set);
		bind_dec(st, 14, l->net, l->net_set);
		bind_opt(st, 15, l->vat_category);
		bind_dec(st, 16, l->vat_rate, l->vat_rate_set);
		bind_opt(st, 17, l->accounting_cost);
		bind_opt(st, 18, l->account);
		bind_opt(st, 19, l->cost_centre);
		bind_opt(st, 20, l->activity);
		bind_opt(st, 21, l->project);
		bind_opt(st, 22, l->vat_code);
		if ((rc = exec_done(st, err)) != 0) {
			if (rc == ULF_EEXISTS)
				return ulf_err_set(err, ULF_EEXISTS, "order %s: line id %s used twice",
						   o->order_no, l->line_id);
			return rc;
		}
	}
	return 0;
}

static ref_order_line *find_line(ref_order *o, const char *line_id)
{
	size_t i;

	for (i = 0; line_id && i < o->nlines; i++)
		if (strcmp(o->lines[i].line_id, line_id) == 0)
			return &o->lines[i];
	return NULL;
}

static int order_lines(ref_order *o, refdata *r, ulf_err *err)
{
	db_stmt *st;
	size_t cap = 16, n = 0;
	ref_order_line *lines = NULL;
	int rc;

	rc = stmt(&st, r, Q_ORD_LINES, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, o->order_no);
	while ((rc = db_step(st, err)) == 1) {
		ref_order_line *l;
		if (!lines || n == cap) {
			ref_order_line *nl;
			cap = lines ? cap * 2 : cap;
			nl = arena_alloc(&o->mem, cap * sizeof(*nl));
			if (!nl) {
				rc = ulf_err_set(err, ULF_ELIMIT, "order %s: too many lines", o->order_no);
				break;
			}
			if (lines)
				memcpy(nl, lines, n * sizeof(*nl));
			lines = nl;
		}
		l = &lines[n++];
		l->line_id = col_dup(&o->mem, st, 0);
		l->item_id = col_dup(&o->mem, st, 1);
		l->buyer_item_id = col_dup(&o->mem, st, 2);
		l->std_item_id = col_dup(&o->mem, st, 3);
		l->name = col_dup(&o->mem, st, 4);
		l->classification = col_dup(&o->mem, st, 5);
		l->note = col_dup(&o->mem, st, 6);
		l->quantity_set = col_dec(&l->quantity, st, 7);
		l->unit = col_dup(&o->mem, st, 8);
		l->price_set = col_dec(&l->price, st, 9);
		l->base_set = col_dec(&l->base_qty, st, 10);
		l->net_set = col_dec(&l->net, st, 11);
		l->vat_category = col_dup(&o->mem, st, 12);
		l->vat_rate_set = col_dec(&l->vat_rate, st, 13);
		l->accounting_cost = col_dup(&o->mem, st, 14);
		l->account = col_dup(&o->mem, st, 15);
		l->cost_centre = col_dup(&o->mem, st, 16);
		l->activity = col_dup(&o->mem, st, 17);
		l->project = col_dup(&o->mem, st, 18);
		l->vat_code = col_dup(&o->mem, st, 19);
		l->invoiced_qty = l->invoiced_net = l->received_qty = dec_make(0, 0);
		if (!l->line_id) {
			rc = ulf_err_set(err, ULF_ESTORE, "order %s: a line without id", o->order_no);
			break;
		}
	}
	db_reset(st);
	if (rc < 0)
		return rc;
	o->lines = lines;
	o->nlines = n;
	return 0;
}

/* Adds what recorded invoices and goods receipts say, per line, in C:
 * the amounts are exact decimal text. */
static int order_progress(ref_order *o, refdata *r, ulf_err *err)
{
	ref_order_line *l;
	db_stmt *st;
	dec q, v;
	int rc;

	rc = stmt(&st, r, Q_ORD_INVOICED, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, o->order_no);
	while ((rc = db_step(st, err)) == 1) {
		l = find_line(o, db_col_text(st, 0));
		if (!l)
			continue;   /* the order was re-imported without that line */
		if ((col_dec(&q, st, 1) && dec_add(&l->invoiced_qty, l->invoiced_qty, q)) ||
		    (col_dec(&v, st, 2) && dec_add(&l->invoiced_net, l->invoiced_net, v))) {
			rc = ulf_err_set(err, ULF_ERANGE, "order %s: invoiced amounts overflow",
					 o->order_no);
			break;
		}
	}
	db_reset(st);
	if (rc < 0)
		return rc;
	rc = stmt(&st, r, Q_ORD_RECEIVED, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, o->order_no);
	while ((rc = db_step(st, err)) == 1) {
		l = find_line(o, db_col_text(st, 0));
		if (!l || !col_dec(&q, st, 1))
			continue;
		if (dec_add(&l->received_qty, l->received_qty, q)) {
			rc = ulf_err_set(err, ULF_ERANGE, "order %s: received quantities overflow",
					 o->order_no);
			break;
		}
		l->nreceipts++;
	}
	db_reset(st);
	return rc < 0 ? rc : 0;
}

int refdata_order_get(ref_order **out, refdata *r, const char *order_no, ulf_err *err)
{
	ref_order *o = NULL;
	db_stmt *st;
	int rc;

	*out = NULL;
	rc = stmt(&st, r, Q_ORD_GET, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, order_no);
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
	o->order_no = col_dup(&o->mem, st, 0);
	o->buyer = col_dup(&o->mem, st, 1);
	o->supplier_no = col_dup(&o->mem, st, 2);
	o->supplier_org = col_dup(&o->mem, st, 3);
	o->supplier_peppol = col_dup(&o->mem, st, 4);
	o->supplier_vat = col_dup(&o->mem, st, 5);
	o->supplier_name = col_dup(&o->mem, st, 6);
	o->issue_date = col_dup(&o->mem, st, 7);
	o->currency = col_dup(&o->mem, st, 8);
	o->buyer_reference = col_dup(&o->mem, st, 9);
	o->contract_id = col_dup(&o->mem, st, 10);
	o->status = col_dup(&o->mem, st, 11);
	o->requires_receipt = db_col_null(st, 12) ? -1 : (int)db_col_int(st, 12);
	o->accounting_cost = col_dup(&o->mem, st, 13);
	o->account = col_dup(&o->mem, st, 14);
	o->cost_centre = col_dup(&o->mem, st, 15);
	o->activity = col_dup(&o->mem, st, 16);
	o->project = col_dup(&o->mem, st, 17);
	o->charges_set = col_dec(&o->charges, st, 18);
	o->source = col_dup(&o->mem, st, 19);
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

/* ---- receipts --------------------------------------------------------- */

int refdata_put_receipt(bool *out_updated, refdata *r, const ref_receipt *rc_in, int64_t now,
			ulf_err *err)
{
	db_stmt *st;
	int rc;

	rc = exists(out_updated, r, Q_RCP_EXISTS, rc_in->order_no, rc_in->receipt_id,
		    rc_in->line_id, err);
	if (rc)
		return rc;
	rc = stmt(&st, r, Q_RCP_PUT, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, rc_in->order_no);
	db_bind_text(st, 2, rc_in->receipt_id);
	db_bind_text(st, 3, rc_in->line_id);
	bind_opt(st, 4, rc_in->order_line_id);
	bind_dec(st, 5, rc_in->quantity, true);
	bind_opt(st, 6, rc_in->unit);
	bind_opt(st, 7, rc_in->date);
	db_bind_text(st, 8, rc_in->source ? rc_in->source : "api");
	db_bind_int(st, 9, now);
	return exec_done(st, err);
}

/* ---- invoices and history --------------------------------------------- */

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
		rc = stmt(&st, r, learn ? Q_HIST_LEARN : Q_HIST_UNLEARN, err);
		if (rc)
			return rc;
		db_bind_text(st, 1, supplier_key);
		db_bind_text(st, 2, kinds[k]);
		db_bind_text(st, 3, keys[k]);
		db_bind_text(st, 4, nz(l->account));
		db_bind_text(st, 5, nz(l->cost_centre));
		db_bind_text(st, 6, nz(l->activity));
		db_bind_text(st, 7, nz(l->project));
		db_bind_text(st, 8, nz(l->vat_code));
		if (learn)
			bind_opt(st, 9, date);
		if ((rc = exec_done(st, err)) != 0)
			return rc;
		if (!learn) {
			rc = stmt(&st, r, Q_HIST_PURGE, err);
			if (rc)
				return rc;
			db_bind_text(st, 1, supplier_key);
			db_bind_text(st, 2, kinds[k]);
			db_bind_text(st, 3, keys[k]);
			if ((rc = exec_done(st, err)) != 0)
				return rc;
		}
	}
	return 0;
}

static int invoice_lines(ref_invoice *inv, refdata *r, ulf_err *err);

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
		rc = stmt(&st, r, q, err);
		if (rc)
			break;
		db_bind_text(st, 1, key->supplier_key);
		db_bind_text(st, 2, key->invoice_number);
		db_bind_text(st, 3, key->kind);
		rc = exec_done(st, err);
	}
	return rc;
}

/* Quantities per order line, added up over the invoice's lines (two lines
 * may deliver against the same order line). */
static int record_invoiced(refdata *r, const ref_invoice *inv, ulf_err *err)
{
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
		rc = stmt(&st, r, Q_INV_PUT_INVOICED, err);
		if (rc)
			return rc;
		db_bind_text(st, 1, l->order_no);
		db_bind_text(st, 2, l->order_line_id);
		db_bind_text(st, 3, inv->supplier_key);
		db_bind_text(st, 4, inv->invoice_number);
		db_bind_text(st, 5, inv->kind);
		bind_dec(st, 6, q, true);
		bind_dec(st, 7, v, true);
		if ((rc = exec_done(st, err)) != 0)
			return rc;
	}
	return 0;
}

static int record(refdata *r, const ref_invoice *inv, int64_t now, ulf_err *err)
{
	char fp[65], ck[65];
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
	rc = stmt(&st, r, Q_INV_PUT, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, inv->supplier_key);
	db_bind_text(st, 2, inv->invoice_number);
	db_bind_text(st, 3, inv->kind);
	bind_opt(st, 4, inv->issue_date);
	bind_opt(st, 5, inv->currency);
	bind_dec(st, 6, inv->net_total, true);
	db_bind_text(st, 7, fp);
	db_bind_text(st, 8, ck);
	bind_opt(st, 9, inv->order_no);
	bind_opt(st, 10, inv->flow);
	if (inv->doc_id)
		db_bind_int(st, 11, inv->doc_id);
	else
		db_bind_null(st, 11);
	db_bind_text(st, 12, inv->source ? inv->source : "posted");
	db_bind_int(st, 13, now);
	if ((rc = exec_done(st, err)) != 0)
		return rc;
	for (i = 0; i < inv->nlines; i++) {
		const ref_invoice_line *l = &inv->lines[i];
		rc = stmt(&st, r, Q_INV_PUT_LINE, err);
		if (rc)
			return rc;
		db_bind_text(st, 1, inv->supplier_key);
		db_bind_text(st, 2, inv->invoice_number);
		db_bind_text(st, 3, inv->kind);
		db_bind_int(st, 4, (int64_t)i);
		bind_opt(st, 5, l->line_id);
		bind_opt(st, 6, l->item_key);
		bind_opt(st, 7, l->text_key);
		bind_opt(st, 8, l->description);
		bind_dec(st, 9, l->quantity, true);
		bind_dec(st, 10, l->net, true);
		bind_opt(st, 11, l->account);
		bind_opt(st, 12, l->cost_centre);
		bind_opt(st, 13, l->activity);
		bind_opt(st, 14, l->project);
		bind_opt(st, 15, l->vat_code);
		bind_opt(st, 16, l->order_no);
		bind_opt(st, 17, l->order_line_id);
		if ((rc = exec_done(st, err)) != 0)
			return rc;
		rc = history_adjust(r, inv->supplier_key, l, inv->issue_date, true, err);
		if (rc)
			return rc;
	}
	return record_invoiced(r, inv, err);
}

int refdata_record_invoice(refdata *r, const ref_invoice *inv, int64_t now, ulf_err *err)
{
	int rc;

	if (r->in_tx)
		return record(r, inv, now, err);
	rc = db_begin(r->d, err);
	if (rc)
		return rc;
	rc = record(r, inv, now, err);
	if (rc) {
		db_rollback(r->d);
		return rc;
	}
	return db_commit(r->d, err);
}

/* Reads the INV_COLS columns of the current row into a new record. */
static ref_invoice *invoice_from_row(db_stmt *st)
{
	ref_invoice *inv = refdata_invoice_new();

	if (!inv)
		return NULL;
	inv->supplier_key = col_dup(&inv->mem, st, 0);
	inv->invoice_number = col_dup(&inv->mem, st, 1);
	inv->kind = col_dup(&inv->mem, st, 2);
	inv->issue_date = col_dup(&inv->mem, st, 3);
	inv->currency = col_dup(&inv->mem, st, 4);
	col_dec(&inv->net_total, st, 5);
	inv->order_no = col_dup(&inv->mem, st, 6);
	inv->flow = col_dup(&inv->mem, st, 7);
	inv->source = col_dup(&inv->mem, st, 8);
	inv->doc_id = db_col_null(st, 9) ? 0 : db_col_int(st, 9);
	if (!inv->supplier_key || !inv->invoice_number || !inv->kind) {
		refdata_invoice_free(inv);
		return NULL;
	}
	return inv;
}

static int invoice_lines(ref_invoice *inv, refdata *r, ulf_err *err)
{
	db_stmt *st;
	size_t cap = 8, n = 0;
	ref_invoice_line *lines = NULL;
	int rc;

	rc = stmt(&st, r, Q_INV_LINES, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, inv->supplier_key);
	db_bind_text(st, 2, inv->invoice_number);
	db_bind_text(st, 3, inv->kind);
	while ((rc = db_step(st, err)) == 1) {
		ref_invoice_line *l;
		if (!lines || n == cap) {
			ref_invoice_line *nl;
			cap = lines ? cap * 2 : cap;
			nl = arena_alloc(&inv->mem, cap * sizeof(*nl));
			if (!nl) {
				rc = ulf_err_set(err, ULF_ELIMIT, "invoice %s: too many lines",
						 inv->invoice_number);
				break;
			}
			if (lines)
				memcpy(nl, lines, n * sizeof(*nl));
			lines = nl;
		}
		l = &lines[n++];
		l->line_id = col_dup(&inv->mem, st, 0);
		l->item_key = col_dup(&inv->mem, st, 1);
		l->text_key = col_dup(&inv->mem, st, 2);
		l->description = col_dup(&inv->mem, st, 3);
		col_dec(&l->quantity, st, 4);
		col_dec(&l->net, st, 5);
		l->account = col_dup(&inv->mem, st, 6);
		l->cost_centre = col_dup(&inv->mem, st, 7);
		l->activity = col_dup(&inv->mem, st, 8);
		l->project = col_dup(&inv->mem, st, 9);
		l->vat_code = col_dup(&inv->mem, st, 10);
		l->order_no = col_dup(&inv->mem, st, 11);
		l->order_line_id = col_dup(&inv->mem, st, 12);
	}
	db_reset(st);
	if (rc < 0)
		return rc;
	inv->lines = lines;
	inv->nlines = n;
	return 0;
}

int refdata_invoice_get(ref_invoice **out, refdata *r, const char *supplier_key,
			const char *number, const char *kind, ulf_err *err)
{
	ref_invoice *inv;
	db_stmt *st;
	int rc;

	*out = NULL;
	rc = stmt(&st, r, Q_INV_GET, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, supplier_key);
	db_bind_text(st, 2, number);
	db_bind_text(st, 3, kind);
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
	rc = stmt(&st, r, Q_INV_FP, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, fingerprint);
	rc = db_step(st, err);
	if (rc == 1) {
		*found = true;
		col_buf(out_number, n, st, 0);
	}
	db_reset(st);
	return rc < 0 ? rc : 0;
}

int refdata_recurring(ref_invoice **out, size_t *out_n, size_t max, refdata *r,
		      const char *supplier_key, const char *content_key, const char *before,
		      ulf_err *err)
{
	db_stmt *st;
	size_t i, n = 0;
	int rc;

	*out_n = 0;
	if (!content_key || !*content_key || max == 0)
		return 0;
	rc = stmt(&st, r, Q_INV_RECURRING, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, supplier_key);
	db_bind_text(st, 2, content_key);
	db_bind_text(st, 3, before);
	db_bind_text(st, 4, before);
	db_bind_int(st, 5, (int64_t)max);
	while (n < max && (rc = db_step(st, err)) == 1) {
		out[n] = invoice_from_row(st);
		if (!out[n]) {
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	db_reset(st);
	for (i = 0; rc >= 0 && i < n; i++)
		rc = invoice_lines(out[i], r, err);
	if (rc < 0) {
		for (i = 0; i < n; i++)
			refdata_invoice_free(out[i]);
		return rc;
	}
	*out_n = n;
	return 0;
}

int refdata_history(ref_history *out, bool *found, refdata *r, const char *supplier_key,
		    const char *key_kind, const char *key, ulf_err *err)
{
	db_stmt *st;
	int rc;

	*found = false;
	memset(out, 0, sizeof(*out));
	rc = stmt(&st, r, Q_HIST_GET, err);
	if (rc)
		return rc;
	db_bind_text(st, 1, supplier_key);
	db_bind_text(st, 2, key_kind);
	db_bind_text(st, 3, key ? key : "");
	while ((rc = db_step(st, err)) == 1) {
		int64_t n = db_col_int(st, 5);
		if (!*found) {
			col_buf(out->account, sizeof(out->account), st, 0);
			col_buf(out->cost_centre, sizeof(out->cost_centre), st, 1);
			col_buf(out->activity, sizeof(out->activity), st, 2);
			col_buf(out->project, sizeof(out->project), st, 3);
			col_buf(out->vat_code, sizeof(out->vat_code), st, 4);
			col_buf(out->last_date, sizeof(out->last_date), st, 6);
			out->n = n;
			*found = true;
		}
		out->total += n;
	}
	db_reset(st);
	return rc < 0 ? rc : 0;
}

