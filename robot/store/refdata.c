/*
 * refdata.c - suppliers, orders, receipts, invoices seen and the booking
 * history, on the store's connection.  See refdata.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/digest.h"
#include "core/fileio.h"
#include "parsers/order.h"
#include "robot/store/refdata.h"

/* Most bytes one import file may have: an export of every open order of
 * two regions is tens of megabytes. */
#define IMPORT_MAX_BYTES (512u * 1024 * 1024)

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

/* ---- import ----------------------------------------------------------- */

/* Bad rows are kept and reported in line order at the end: orders and
 * invoices are checked grouped, not in file order.  At most this many are
 * kept; the rest are counted. */
#define MAX_REPORTS 1000

typedef struct bad_msg {
	unsigned line;
	size_t seq;
	char *msg;
} bad_msg;

typedef struct importer {
	refdata *r;
	const char *name;
	refdata_report_fn report;
	void *ctx;
	int64_t now;
	size_t bad;
	refdata_stats *stats;
	ulf_err *err;
	bad_msg *msgs;
	size_t nmsgs;
} importer;

static int msg_cmp(const void *a, const void *b)
{
	const bad_msg *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void flush_reports(importer *im)
{
	char more[200];
	size_t i;

	if (im->nmsgs)
		qsort(im->msgs, im->nmsgs, sizeof(*im->msgs), msg_cmp);
	for (i = 0; i < im->nmsgs; i++) {
		if (im->report)
			im->report(im->ctx, im->msgs[i].msg);
		free(im->msgs[i].msg);
	}
	if (im->bad > im->nmsgs && im->report) {
		snprintf(more, sizeof(more), "%s: %zu more bad rows not shown", im->name,
			 im->bad - im->nmsgs);
		im->report(im->ctx, more);
	}
	free(im->msgs);
	im->msgs = NULL;
	im->nmsgs = 0;
}

static void keep_report(importer *im, unsigned line, const char *msg)
{
	im->bad++;
	if (!im->msgs)
		im->msgs = calloc(MAX_REPORTS, sizeof(*im->msgs));
	if (!im->msgs || im->nmsgs == MAX_REPORTS)
		return;
	im->msgs[im->nmsgs].msg = strdup(msg);
	if (!im->msgs[im->nmsgs].msg)
		return;
	im->msgs[im->nmsgs].line = line;
	im->msgs[im->nmsgs].seq = im->nmsgs;
	im->nmsgs++;
}

static void bad_row(importer *im, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void bad_row(importer *im, unsigned line, const char *fmt, ...)
{
	char what[400], msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(msg, sizeof(msg), "%s:%u: %s", im->name, line, what);
	else
		snprintf(msg, sizeof(msg), "%s: %s", im->name, what);
	keep_report(im, line, msg);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_date(const char *s)
{
	size_t i;

	if (!s || strlen(s) != 10)
		return false;
	for (i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : !is_digit(s[i]))
			return false;
	return s[5] <= '1' && s[8] <= '3';
}

/* yes/no in the spellings exports use; -1 when it is neither. */
static int yes_no(const char *s)
{
	static const char *const yes[] = { "yes", "ja", "y", "j", "1", "true", "x", NULL };
	static const char *const no[] = { "no", "nej", "n", "0", "false", "", NULL };
	size_t i;

	for (i = 0; yes[i]; i++)
		if (!strcasecmp(s, yes[i]))
			return 1;
	for (i = 0; no[i]; i++)
		if (!strcasecmp(s, no[i]))
			return 0;
	return -1;
}

static const char *get(csv_reader *c, const char *col)
{
	const char *s = csv_get(c, col);

	return s ? s : "";
}

/* Required columns present in the header, each missing one reported. */
static bool need_columns(importer *im, csv_reader *c, const char *const *cols)
{
	bool ok = true;
	size_t i;

	for (i = 0; cols[i]; i++)
		if (csv_column(c, cols[i]) < 0) {
			bad_row(im, 1, "missing column '%s'", cols[i]);
			ok = false;
		}
	return ok;
}

/* A decimal column: empty leaves *set false; anything unparsable is a bad
 * row.  Returns false on a bad value. */
static bool amount_col(importer *im, csv_reader *c, const char *col, dec *out, bool *set,
		       bool required)
{
	const char *s = get(c, col);

	*set = false;
	if (!*s) {
		if (required)
			bad_row(im, csv_line(c), "%s is empty", col);
		return !required;
	}
	if (refdata_parse_amount(out, s)) {
		bad_row(im, csv_line(c), "%s '%s' is not an amount", col, s);
		return false;
	}
	*set = true;
	return true;
}

/* Copies a field into a fixed buffer; false (a bad row) when too long. */
static bool fit(importer *im, unsigned line, char *dst, size_t n, const char *col,
		const char *s)
{
	if (strlen(s) >= n) {
		bad_row(im, line, "%s is longer than %zu characters", col, n - 1);
		return false;
	}
	memcpy(dst, s, strlen(s) + 1);
	return true;
}

static void import_suppliers(importer *im, csv_reader *c)
{
	static const char *const cols[] = { "supplier_no", "name", NULL };
	char key[256];
	int rc;

	if (!need_columns(im, c, cols))
		return;
	while ((rc = csv_next(c, im->err)) == 1) {
		unsigned line = csv_line(c);
		ref_supplier s;
		bool ok = true, updated;
		int flag;
		memset(&s, 0, sizeof(s));
		ok &= fit(im, line, s.supplier_no, sizeof(s.supplier_no), "supplier_no",
			  get(c, "supplier_no"));
		ok &= fit(im, line, s.name, sizeof(s.name), "name", get(c, "name"));
		if (ok && !*s.supplier_no) {
			bad_row(im, line, "supplier_no is empty");
			ok = false;
		}
		if (ok && !refdata_norm(key, sizeof(key), REF_BY_NAME, s.name)) {
			bad_row(im, line, "supplier %s: name is empty", s.supplier_no);
			ok = false;
		}
#define KEYCOL(col, kind, field) do { \
	const char *v_ = get(c, col); \
	if (*v_ && !refdata_norm(s.field, sizeof(s.field), kind, v_)) { \
		bad_row(im, line, "%s '%s' is not a %s", col, v_, refdata_key_name(kind)); \
		ok = false; \
	} \
} while (0)
		KEYCOL("org_no", REF_BY_ORG, org_no);
		KEYCOL("vat_no", REF_BY_VAT, vat_no);
		KEYCOL("peppol_id", REF_BY_PEPPOL, peppol_id);
		KEYCOL("bankgiro", REF_BY_BANKGIRO, bankgiro);
		KEYCOL("plusgiro", REF_BY_PLUSGIRO, plusgiro);
		KEYCOL("iban", REF_BY_IBAN, iban);
#undef KEYCOL
		flag = yes_no(get(c, "contract"));
		if (flag < 0) {
			bad_row(im, line, "contract '%s' is not yes or no", get(c, "contract"));
			ok = false;
		}
		s.contract = flag == 1;
		flag = yes_no(get(c, "blocked"));
		if (flag < 0) {
			bad_row(im, line, "blocked '%s' is not yes or no", get(c, "blocked"));
			ok = false;
		}
		s.blocked = flag == 1;
		if (!ok || im->bad)
			continue;   /* nothing will be kept: spare the writes */
		if (refdata_put_supplier(&updated, im->r, &s, im->now, im->err)) {
			bad_row(im, line, "%s", im->err->msg);
			ulf_err_clear(im->err);
			continue;
		}
		im->stats->records++;
		if (updated)
			im->stats->updated++;
		else
			im->stats->inserted++;
	}
	if (rc < 0) {
		bad_row(im, 0, "%s", im->err->msg);
		ulf_err_clear(im->err);
	}
}

/* The supplier key under which history is kept: the register's number when
 * the value is one or names one by org number, else "org:<number>". */
static void supplier_key_of(importer *im, char *out, size_t n, const char *value)
{
	char org[16];
	ref_supplier s;
	size_t found = 0;

	if (refdata_supplier_find(&s, &found, im->r, REF_BY_NUMBER, value, im->err) == 0 &&
	    found == 1) {
		snprintf(out, n, "%s", s.supplier_no);
		return;
	}
	ulf_err_clear(im->err);
	if (refdata_norm(org, sizeof(org), REF_BY_ORG, value)) {
		if (refdata_supplier_find(&s, &found, im->r, REF_BY_ORG, org, im->err) == 0 &&
		    found == 1)
			snprintf(out, n, "%s", s.supplier_no);
		else
			snprintf(out, n, "org:%s", org);
		ulf_err_clear(im->err);
		return;
	}
	snprintf(out, n, "%s", value);
}

/* Rows of an order or history file, kept until the file is read whole so
 * that rows of one order or invoice need not be adjacent. */
typedef struct row {
	unsigned line;
	char *f[32];
} row;

typedef struct rows {
	row *v;
	size_t n, cap;
	arena mem;
	const char *const *cols;
	size_t ncols;
	size_t key1, key2, key3;  /* columns that group rows */
} rows;

static int rows_add(rows *rs, csv_reader *c, ulf_err *err)
{
	row *rw;
	size_t i;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 256;
		row *nv = realloc(rs->v, cap * sizeof(*nv));
		if (!nv)
			return ulf_err_set(err, ULF_ENOMEM, "out of memory");
		rs->v = nv;
		rs->cap = cap;
	}
	rw = &rs->v[rs->n];
	memset(rw, 0, sizeof(*rw));
	rw->line = csv_line(c);
	for (i = 0; i < rs->ncols; i++) {
		rw->f[i] = arena_strdup(&rs->mem, get(c, rs->cols[i]));
		if (!rw->f[i])
			return ulf_err_set(err, ULF_ELIMIT, "the file needs too much memory");
	}
	rs->n++;
	return 0;
}

/* qsort_r (glibc, -D_GNU_SOURCE): the keys travel with the call, not in
 * a variable every import would share */
static int row_cmp(const void *a, const void *b, void *ctx)
{
	const rows *rs = ctx;
	const row *x = a, *y = b;
	int c = strcmp(x->f[rs->key1], y->f[rs->key1]);

	if (!c && rs->key2 != rs->key1)
		c = strcmp(x->f[rs->key2], y->f[rs->key2]);
	if (!c && rs->key3 != rs->key1)
		c = strcmp(x->f[rs->key3], y->f[rs->key3]);
	if (!c)
		c = x->line < y->line ? -1 : x->line > y->line;
	return c;
}

static bool same_group(const rows *rs, const row *a, const row *b)
{
	return !strcmp(a->f[rs->key1], b->f[rs->key1]) && !strcmp(a->f[rs->key2], b->f[rs->key2]) &&
	       !strcmp(a->f[rs->key3], b->f[rs->key3]);
}

static int read_rows(importer *im, csv_reader *c, rows *rs)
{
	int rc;

	while ((rc = csv_next(c, im->err)) == 1)
		if ((rc = rows_add(rs, c, im->err)) != 0)
			break;
	if (rc < 0) {
		bad_row(im, 0, "%s", im->err->msg);
		ulf_err_clear(im->err);
		return -1;
	}
	/* qsort is not stable: the line number breaks ties, so rows keep their
	 * file order within a group */
	if (rs->n)
		qsort_r(rs->v, rs->n, sizeof(*rs->v), row_cmp, rs);
	return 0;
}

/* Order CSV columns; the order matters to the F_ indexes below. */
static const char *const order_cols[] = {
	"order_no", "buyer", "supplier_no", "supplier_org", "supplier_name", "order_date",
	"currency", "buyer_reference", "contract", "requires_receipt", "status",
	"line_id", "item_id", "item_name", "quantity", "unit", "unit_price", "base_quantity",
	"net_amount", "vat_category", "vat_rate", "account", "cost_centre", "activity",
	"project", "vat_code", "classification", "accounting_cost", NULL
};
enum {
	F_ORDER, F_BUYER, F_SUPNO, F_SUPORG, F_SUPNAME, F_DATE, F_CURRENCY, F_BUYREF,
	F_CONTRACT, F_RECEIPT, F_STATUS, F_LINE, F_ITEM, F_NAME, F_QTY, F_UNIT, F_PRICE,
	F_BASE, F_NET, F_VATCAT, F_VATRATE, F_ACCOUNT, F_CC, F_ACT, F_PROJ, F_VATCODE,
	F_CLASS, F_ACCCOST, F_ORDER_NCOLS
};

static const char *dupz(arena *a, const char *s)
{
	return s && *s ? arena_strdup(a, s) : NULL;
}

/* The same header value on every row of an order, or a bad row. */
static bool header_same(importer *im, const row *first, const row *rw, int f)
{
	if (strcmp(first->f[f], rw->f[f]) == 0)
		return true;
	bad_row(im, rw->line, "order %s: %s '%s' differs from '%s' on line %u", rw->f[F_ORDER],
		order_cols[f], rw->f[f], first->f[f], first->line);
	return false;
}

static bool row_amount(importer *im, const row *rw, int f, dec *out, bool *set, bool required)
{
	*set = false;
	if (!*rw->f[f]) {
		if (required)
			bad_row(im, rw->line, "%s is empty", order_cols[f]);
		return !required;
	}
	if (refdata_parse_amount(out, rw->f[f])) {
		bad_row(im, rw->line, "%s '%s' is not an amount", order_cols[f], rw->f[f]);
		return false;
	}
	*set = true;
	return true;
}

static void put_order(importer *im, ref_order *o, unsigned line)
{
	bool updated;

	if (im->bad)
		return;   /* the file will be rolled back: no writes */
	if (refdata_put_order(&updated, im->r, o, im->now, im->err)) {
		bad_row(im, line, "%s", im->err->msg);
		ulf_err_clear(im->err);
		return;
	}
	im->stats->records++;
	im->stats->lines += o->nlines;
	if (updated)
		im->stats->updated++;
	else
		im->stats->inserted++;
}

/* One order from its rows [a, b). */
static void csv_order(importer *im, const row *v, size_t a, size_t b)
{
	const row *first = &v[a];
	ref_order *o = refdata_order_new();
	char key[256];
	bool ok = true;
	size_t i, j;
	int flag;

	if (!o) {
		bad_row(im, first->line, "out of memory");
		return;
	}
	if (!*first->f[F_ORDER]) {
		bad_row(im, first->line, "order_no is empty");
		goto out;
	}
	for (i = a + 1; i < b; i++) {
		static const int same[] = { F_BUYER, F_SUPNO, F_SUPORG, F_SUPNAME, F_DATE,
					    F_CURRENCY, F_BUYREF, F_CONTRACT, F_RECEIPT, F_STATUS };
		for (j = 0; j < sizeof(same) / sizeof(same[0]); j++)
			ok &= header_same(im, first, &v[i], same[j]);
	}
	o->order_no = dupz(&o->mem, first->f[F_ORDER]);
	o->source = "csv";
	if (*first->f[F_BUYER]) {
		/* a Peppol id, or an org number */
		if (refdata_norm(key, sizeof(key), REF_BY_PEPPOL, first->f[F_BUYER]) ||
		    refdata_norm(key, sizeof(key), REF_BY_ORG, first->f[F_BUYER]))
			o->buyer = dupz(&o->mem, key);
		else {
			bad_row(im, first->line, "buyer '%s' is neither a Peppol id nor an org number",
				first->f[F_BUYER]);
			ok = false;
		}
	}
	o->supplier_no = dupz(&o->mem, first->f[F_SUPNO]);
	if (*first->f[F_SUPORG]) {
		if (refdata_norm(key, sizeof(key), REF_BY_ORG, first->f[F_SUPORG]))
			o->supplier_org = dupz(&o->mem, key);
		else {
			bad_row(im, first->line, "supplier_org '%s' is not an org number",
				first->f[F_SUPORG]);
			ok = false;
		}
	}
	o->supplier_name = dupz(&o->mem, first->f[F_SUPNAME]);
	if (*first->f[F_DATE] && !is_date(first->f[F_DATE])) {
		bad_row(im, first->line, "order_date '%s' is not YYYY-MM-DD", first->f[F_DATE]);
		ok = false;
	}
	o->issue_date = dupz(&o->mem, first->f[F_DATE]);
	o->currency = dupz(&o->mem, first->f[F_CURRENCY]);
	o->buyer_reference = dupz(&o->mem, first->f[F_BUYREF]);
	o->contract_id = dupz(&o->mem, first->f[F_CONTRACT]);
	flag = *first->f[F_RECEIPT] ? yes_no(first->f[F_RECEIPT]) : -1;
	if (*first->f[F_RECEIPT] && flag < 0) {
		bad_row(im, first->line, "requires_receipt '%s' is not yes or no",
			first->f[F_RECEIPT]);
		ok = false;
	}
	o->requires_receipt = flag;
	if (*first->f[F_STATUS] && strcasecmp(first->f[F_STATUS], "open") &&
	    strcasecmp(first->f[F_STATUS], "closed")) {
		bad_row(im, first->line, "status '%s' is not open or closed", first->f[F_STATUS]);
		ok = false;
	}
	o->status = !strcasecmp(first->f[F_STATUS], "closed") ? "closed" : "open";
	o->lines = arena_alloc(&o->mem, (b - a) * sizeof(*o->lines));
	if (!o->lines) {
		bad_row(im, first->line, "order %s has too many lines", o->order_no);
		goto out;
	}
	for (i = a; i < b; i++) {
		const row *rw = &v[i];
		ref_order_line *l = &o->lines[o->nlines];
		if (!*rw->f[F_LINE]) {
			bad_row(im, rw->line, "line_id is empty");
			ok = false;
			continue;
		}
		for (j = a; j < i; j++)
			if (!strcmp(v[j].f[F_LINE], rw->f[F_LINE])) {
				bad_row(im, rw->line, "order %s: line_id %s also on line %u",
					o->order_no, rw->f[F_LINE], v[j].line);
				ok = false;
			}
		l->line_id = dupz(&o->mem, rw->f[F_LINE]);
		l->item_id = dupz(&o->mem, rw->f[F_ITEM]);
		l->name = dupz(&o->mem, rw->f[F_NAME]);
		l->unit = dupz(&o->mem, rw->f[F_UNIT]);
		l->vat_category = dupz(&o->mem, rw->f[F_VATCAT]);
		l->account = dupz(&o->mem, rw->f[F_ACCOUNT]);
		l->cost_centre = dupz(&o->mem, rw->f[F_CC]);
		l->activity = dupz(&o->mem, rw->f[F_ACT]);
		l->project = dupz(&o->mem, rw->f[F_PROJ]);
		l->vat_code = dupz(&o->mem, rw->f[F_VATCODE]);
		l->classification = dupz(&o->mem, rw->f[F_CLASS]);
		l->accounting_cost = dupz(&o->mem, rw->f[F_ACCCOST]);
		ok &= row_amount(im, rw, F_QTY, &l->quantity, &l->quantity_set, true);
		ok &= row_amount(im, rw, F_PRICE, &l->price, &l->price_set, false);
		ok &= row_amount(im, rw, F_BASE, &l->base_qty, &l->base_set, false);
		ok &= row_amount(im, rw, F_NET, &l->net, &l->net_set, false);
		ok &= row_amount(im, rw, F_VATRATE, &l->vat_rate, &l->vat_rate_set, false);
		if (l->base_set && dec_sign(l->base_qty) <= 0) {
			bad_row(im, rw->line, "base_quantity must be more than 0");
			ok = false;
		}
		if (!l->price_set && !l->net_set && ok) {
			bad_row(im, rw->line, "order %s line %s: neither unit_price nor net_amount",
				o->order_no, l->line_id);
			ok = false;
		}
		o->nlines++;
	}
	/* the order's own booking is what its lines agree on (for the
	 * document-level rows of an invoice) */
	o->account = o->lines[0].account;
	o->cost_centre = o->lines[0].cost_centre;
	o->activity = o->lines[0].activity;
	o->project = o->lines[0].project;
	for (i = 1; i < o->nlines; i++) {
		const ref_order_line *l = &o->lines[i];
		if (o->account && (!l->account || strcmp(o->account, l->account)))
			o->account = NULL;
		if (o->cost_centre && (!l->cost_centre || strcmp(o->cost_centre, l->cost_centre)))
			o->cost_centre = NULL;
		if (o->activity && (!l->activity || strcmp(o->activity, l->activity)))
			o->activity = NULL;
		if (o->project && (!l->project || strcmp(o->project, l->project)))
			o->project = NULL;
	}
	if (ok)
		put_order(im, o, first->line);
out:
	refdata_order_free(o);
}

static void import_orders_csv(importer *im, csv_reader *c)
{
	static const char *const need[] = { "order_no", "line_id", "quantity", NULL };
	rows rs;
	size_t a, b;

	memset(&rs, 0, sizeof(rs));
	if (!need_columns(im, c, need))
		return;
	arena_init(&rs.mem, IMPORT_MAX_BYTES);
	rs.cols = order_cols;
	rs.ncols = F_ORDER_NCOLS;
	rs.key1 = rs.key2 = rs.key3 = F_ORDER;
	if (read_rows(im, c, &rs) == 0)
		for (a = 0; a < rs.n; a = b) {
			for (b = a + 1; b < rs.n && same_group(&rs, &rs.v[a], &rs.v[b]); b++)
				;
			csv_order(im, rs.v, a, b);
		}
	free(rs.v);
	arena_release(&rs.mem);
}

/* The canonical party key of an order's supplier, resolving the register's
 * number when the supplier is already there. */
static void order_supplier(importer *im, ref_order *o, const ord_party *p)
{
	char key[256];
	ref_supplier s;
	size_t n = 0;

	if (!p->present)
		return;
	if (p->endpoint && p->endpoint_scheme) {
		snprintf(key, sizeof(key), "%s:%s", p->endpoint_scheme, p->endpoint);
		if (refdata_norm(key, sizeof(key), REF_BY_PEPPOL, key))
			o->supplier_peppol = dupz(&o->mem, key);
		if (!strcmp(p->endpoint_scheme, "0007") &&
		    refdata_norm(key, sizeof(key), REF_BY_ORG, p->endpoint))
			o->supplier_org = dupz(&o->mem, key);
	}
	if (!o->supplier_org && p->legal_id &&
	    (!p->legal_scheme || !strcmp(p->legal_scheme, "0007")) &&
	    refdata_norm(key, sizeof(key), REF_BY_ORG, p->legal_id))
		o->supplier_org = dupz(&o->mem, key);
	if (p->vat_id && refdata_norm(key, sizeof(key), REF_BY_VAT, p->vat_id))
		o->supplier_vat = dupz(&o->mem, key);
	o->supplier_name = dupz(&o->mem, p->name);
	if (o->supplier_peppol &&
	    refdata_supplier_find(&s, &n, im->r, REF_BY_PEPPOL, o->supplier_peppol, im->err) == 0 &&
	    n == 1)
		o->supplier_no = dupz(&o->mem, s.supplier_no);
	else if (o->supplier_org &&
		 refdata_supplier_find(&s, &n, im->r, REF_BY_ORG, o->supplier_org, im->err) == 0 &&
		 n == 1)
		o->supplier_no = dupz(&o->mem, s.supplier_no);
	ulf_err_clear(im->err);
}

static void import_order_xml(importer *im, const order_doc *od)
{
	ref_order *o = refdata_order_new();
	char key[256];
	size_t i;

	if (!o) {
		bad_row(im, 0, "out of memory");
		return;
	}
	o->order_no = od->id;
	o->source = "peppol";
	if (od->buyer.endpoint && od->buyer.endpoint_scheme) {
		snprintf(key, sizeof(key), "%s:%s", od->buyer.endpoint_scheme, od->buyer.endpoint);
		if (refdata_norm(key, sizeof(key), REF_BY_PEPPOL, key))
			o->buyer = dupz(&o->mem, key);
	}
	order_supplier(im, o, &od->seller);
	o->issue_date = od->issue_date;
	o->currency = od->currency;
	o->buyer_reference = od->customer_reference;
	o->contract_id = od->contract_id;
	o->accounting_cost = od->accounting_cost;
	o->status = "open";
	o->requires_receipt = -1;
	o->charges = dec_make(0, 2);
	for (i = 0; i < od->nacs; i++) {
		const ord_allowance_charge *ac = &od->acs[i];
		if (!ac->amount.set)
			continue;
		if ((ac->is_charge ? dec_add(&o->charges, o->charges, ac->amount.v)
				   : dec_sub(&o->charges, o->charges, ac->amount.v)) != 0) {
			bad_row(im, ac->line, "order charges overflow");
			goto out;
		}
		o->charges_set = true;
	}
	o->lines = arena_alloc(&o->mem, od->nlines * sizeof(*o->lines));
	if (!o->lines) {
		bad_row(im, 0, "order %s has too many lines", od->id);
		goto out;
	}
	for (i = 0; i < od->nlines; i++) {
		const ord_line *ol = &od->lines[i];
		ref_order_line *l = &o->lines[i];
		l->line_id = ol->id;
		l->item_id = ol->seller_item_id;
		l->buyer_item_id = ol->buyer_item_id;
		l->std_item_id = ol->standard_item_id;
		l->name = ol->name ? ol->name : ol->description;
		l->classification = ol->classification;
		l->note = ol->note;
		l->quantity = ol->quantity.v;
		l->quantity_set = ol->quantity.set;
		l->unit = ol->unit;
		l->price = ol->price.v;
		l->price_set = ol->price.set;
		l->base_qty = ol->base_quantity.v;
		l->base_set = ol->base_quantity.set && dec_sign(ol->base_quantity.v) > 0;
		l->net = ol->net.v;
		l->net_set = ol->net.set;
		l->vat_category = ol->vat_category;
		l->vat_rate = ol->vat_rate.v;
		l->vat_rate_set = ol->vat_rate.set;
		l->accounting_cost = ol->accounting_cost;
		if (!l->quantity_set) {
			bad_row(im, ol->line, "order %s line %s has no quantity", od->id, ol->id);
			goto out;
		}
	}
	o->nlines = od->nlines;
	put_order(im, o, 0);
out:
	refdata_order_free(o);
}

static void import_despatch_xml(importer *im, const despatch_doc *d)
{
	size_t i;

	for (i = 0; i < d->nlines; i++) {
		const despatch_line *l = &d->lines[i];
		ref_receipt rc;
		bool updated;
		memset(&rc, 0, sizeof(rc));
		rc.order_no = l->order_id;
		rc.receipt_id = d->id;
		rc.line_id = l->id;
		rc.order_line_id = l->order_line_id ? l->order_line_id : l->id;
		rc.quantity = l->delivered.v;
		rc.unit = l->unit;
		rc.date = d->despatch_date ? d->despatch_date : d->issue_date;
		rc.source = "peppol";
		if (im->bad)
			return;
		if (refdata_put_receipt(&updated, im->r, &rc, im->now, im->err)) {
			bad_row(im, l->line, "%s", im->err->msg);
			ulf_err_clear(im->err);
			continue;
		}
		im->stats->records++;
		if (updated)
			im->stats->updated++;
		else
			im->stats->inserted++;
	}
}

static void import_receipts_csv(importer *im, csv_reader *c)
{
	static const char *const cols[] = { "receipt_id", "order_no", "order_line_id",
					    "quantity", NULL };
	int rc;

	if (!need_columns(im, c, cols))
		return;
	while ((rc = csv_next(c, im->err)) == 1) {
		unsigned line = csv_line(c);
		ref_receipt r;
		bool ok = true, set, updated;
		memset(&r, 0, sizeof(r));
		r.receipt_id = get(c, "receipt_id");
		r.order_no = get(c, "order_no");
		r.order_line_id = get(c, "order_line_id");
		r.line_id = *get(c, "line_id") ? get(c, "line_id") : r.order_line_id;
		r.unit = get(c, "unit");
		r.date = get(c, "receipt_date");
		r.source = "csv";
		if (!*r.receipt_id || !*r.order_no || !*r.order_line_id) {
			bad_row(im, line, "receipt_id, order_no and order_line_id must be given");
			ok = false;
		}
		ok &= amount_col(im, c, "quantity", &r.quantity, &set, true);
		if (*r.date && !is_date(r.date)) {
			bad_row(im, line, "receipt_date '%s' is not YYYY-MM-DD", r.date);
			ok = false;
		}
		if (!ok || im->bad)
			continue;
		if (refdata_put_receipt(&updated, im->r, &r, im->now, im->err)) {
			bad_row(im, line, "%s", im->err->msg);
			ulf_err_clear(im->err);
			continue;
		}
		im->stats->records++;
		if (updated)
			im->stats->updated++;
		else
			im->stats->inserted++;
	}
	if (rc < 0) {
		bad_row(im, 0, "%s", im->err->msg);
		ulf_err_clear(im->err);
	}
}

static const char *const history_cols[] = {
	"supplier", "invoice_number", "kind", "issue_date", "currency", "order_no",
	"order_line_id", "line_id", "item_id", "text", "quantity", "net_amount", "account",
	"cost_centre", "activity", "project", "vat_code", "flow", NULL
};
enum {
	H_SUP, H_NUMBER, H_KIND, H_DATE, H_CURRENCY, H_ORDER, H_ORDLINE, H_LINE, H_ITEM,
	H_TEXT, H_QTY, H_NET, H_ACCOUNT, H_CC, H_ACT, H_PROJ, H_VATCODE, H_FLOW, H_NCOLS
};

static void history_invoice(importer *im, const row *v, size_t a, size_t b)
{
	const row *first = &v[a];
	ref_invoice inv;
	char key[128], buf[256];
	size_t i;
	bool ok = true;

	memset(&inv, 0, sizeof(inv));
	arena_init(&inv.mem, REF_RECORD_MAX_MODEL);
	if (!*first->f[H_SUP] || !*first->f[H_NUMBER]) {
		bad_row(im, first->line, "supplier and invoice_number must be given");
		goto out;
	}
	supplier_key_of(im, key, sizeof(key), first->f[H_SUP]);
	inv.supplier_key = key;
	inv.invoice_number = first->f[H_NUMBER];
	inv.kind = *first->f[H_KIND] ? first->f[H_KIND] : "invoice";
	if (strcmp(inv.kind, "invoice") && strcmp(inv.kind, "credit-note")) {
		bad_row(im, first->line, "kind '%s' is not invoice or credit-note", inv.kind);
		goto out;
	}
	inv.issue_date = dupz(&inv.mem, first->f[H_DATE]);
	inv.currency = *first->f[H_CURRENCY] ? first->f[H_CURRENCY] : "SEK";
	inv.order_no = dupz(&inv.mem, first->f[H_ORDER]);
	inv.flow = *first->f[H_FLOW] ? first->f[H_FLOW] : (inv.order_no ? "po" : "non-po");
	inv.source = "import";
	inv.net_total = dec_make(0, 2);
	inv.lines = arena_alloc(&inv.mem, (b - a) * sizeof(*inv.lines));
	if (!inv.lines) {
		bad_row(im, first->line, "invoice %s has too many lines", inv.invoice_number);
		goto out;
	}
	for (i = a; i < b; i++) {
		const row *rw = &v[i];
		ref_invoice_line *l = &inv.lines[inv.nlines++];
		bool set;
		if (strcmp(rw->f[H_DATE], first->f[H_DATE])) {
			bad_row(im, rw->line, "invoice %s: issue_date differs from line %u",
				inv.invoice_number, first->line);
			ok = false;
		}
		if (*rw->f[H_DATE] && !is_date(rw->f[H_DATE])) {
			bad_row(im, rw->line, "issue_date '%s' is not YYYY-MM-DD", rw->f[H_DATE]);
			ok = false;
		}
		if (!*rw->f[H_NET] || refdata_parse_amount(&l->net, rw->f[H_NET])) {
			bad_row(im, rw->line, "net_amount '%s' is not an amount", rw->f[H_NET]);
			ok = false;
		}
		set = *rw->f[H_QTY] != '\0';
		if (set && refdata_parse_amount(&l->quantity, rw->f[H_QTY])) {
			bad_row(im, rw->line, "quantity '%s' is not an amount", rw->f[H_QTY]);
			ok = false;
		}
		if (!set)
			l->quantity = dec_make(0, 0);
		if (!*rw->f[H_ACCOUNT]) {
			bad_row(im, rw->line, "account is empty: history teaches bookings");
			ok = false;
		}
		if (!ok)
			continue;
		if (dec_add(&inv.net_total, inv.net_total, l->net)) {
			bad_row(im, rw->line, "amounts overflow");
			ok = false;
			continue;
		}
		l->line_id = *rw->f[H_LINE] ? rw->f[H_LINE] : NULL;
		refdata_item_key(buf, sizeof(buf), rw->f[H_ITEM]);
		l->item_key = dupz(&inv.mem, buf);
		refdata_text_key(buf, sizeof(buf), rw->f[H_TEXT]);
		l->text_key = dupz(&inv.mem, buf);
		l->description = dupz(&inv.mem, rw->f[H_TEXT]);
		l->account = rw->f[H_ACCOUNT];
		l->cost_centre = rw->f[H_CC];
		l->activity = rw->f[H_ACT];
		l->project = rw->f[H_PROJ];
		l->vat_code = rw->f[H_VATCODE];
		l->order_no = *rw->f[H_ORDER] ? rw->f[H_ORDER] : NULL;
		l->order_line_id = *rw->f[H_ORDLINE] ? rw->f[H_ORDLINE] : NULL;
	}
	if (!ok || im->bad)
		goto out;
	{
		ref_invoice *was = NULL;
		if (refdata_invoice_get(&was, im->r, inv.supplier_key, inv.invoice_number, inv.kind,
					im->err) == 0)
			im->stats->updated++;
		else
			im->stats->inserted++;
		refdata_invoice_free(was);
		ulf_err_clear(im->err);
	}
	if (refdata_record_invoice(im->r, &inv, im->now, im->err)) {
		bad_row(im, first->line, "%s", im->err->msg);
		ulf_err_clear(im->err);
		goto out;
	}
	im->stats->records++;
	im->stats->lines += inv.nlines;
out:
	arena_release(&inv.mem);
}

static void import_history(importer *im, csv_reader *c)
{
	static const char *const need[] = { "supplier", "invoice_number", "net_amount",
					    "account", NULL };
	rows rs;
	size_t a, b;

	memset(&rs, 0, sizeof(rs));
	if (!need_columns(im, c, need))
		return;
	arena_init(&rs.mem, IMPORT_MAX_BYTES);
	rs.cols = history_cols;
	rs.ncols = H_NCOLS;
	rs.key1 = H_SUP;
	rs.key2 = H_NUMBER;
	rs.key3 = H_KIND;
	if (read_rows(im, c, &rs) == 0)
		for (a = 0; a < rs.n; a = b) {
			for (b = a + 1; b < rs.n && same_group(&rs, &rs.v[a], &rs.v[b]); b++)
				;
			history_invoice(im, rs.v, a, b);
		}
	free(rs.v);
	arena_release(&rs.mem);
}

static bool looks_like_xml(const char *buf, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	return i < len && buf[i] == '<';
}

static void import_xml(importer *im, refdata_kind kind, const char *buf, size_t len)
{
	ordering_doc od;
	ulf_err why;

	ulf_err_clear(&why);
	if (ordering_read(&od, buf, len, im->name, NULL, &why)) {
		/* the reader's messages already start with the file name */
		keep_report(im, 0, why.msg);
		return;
	}
	if (kind == REFDATA_ORDERS && od.kind == ORDERING_ORDER)
		import_order_xml(im, od.order);
	else if (kind == REFDATA_RECEIPTS && od.kind == ORDERING_DESPATCH)
		import_despatch_xml(im, od.despatch);
	else
		bad_row(im, 0, "a %s is not %s", od.kind == ORDERING_ORDER ? "purchase order"
			: "despatch advice", refdata_kind_name(kind));
	ordering_release(&od);
}

int refdata_import_buffer(refdata_stats *out, refdata *r, refdata_kind kind,
			  const char *buf, size_t len, const char *name,
			  refdata_report_fn report, void *ctx, int64_t now, ulf_err *err)
{
	importer im = { r, name, report, ctx, now, 0, out, NULL, NULL, 0 };
	csv_reader *c = NULL;
	ulf_err scratch;
	int rc;

	memset(out, 0, sizeof(*out));
	ulf_err_clear(&scratch);
	im.err = &scratch;
	rc = refdata_begin(r, err);
	if (rc)
		return rc;
	if (looks_like_xml(buf, len)) {
		if (kind == REFDATA_ORDERS || kind == REFDATA_RECEIPTS)
			import_xml(&im, kind, buf, len);
		else
			bad_row(&im, 0, "%s are read from CSV, not XML", refdata_kind_name(kind));
	} else if (csv_open(&c, buf, len, name, &scratch) == 0 &&
		   csv_read_header(c, &scratch) == 0) {
		switch (kind) {
		case REFDATA_ORDERS:    import_orders_csv(&im, c); break;
		case REFDATA_RECEIPTS:  import_receipts_csv(&im, c); break;
		case REFDATA_SUPPLIERS: import_suppliers(&im, c); break;
		case REFDATA_HISTORY:   import_history(&im, c); break;
		}
	} else {
		keep_report(&im, 0, scratch.msg);
	}
	csv_free(c);
	flush_reports(&im);
	if (im.bad) {
		refdata_rollback(r);
		memset(out, 0, sizeof(*out));
		return ulf_err_set(err, ULF_EPARSE, "%s: %zu bad row%s, nothing loaded", name,
				   im.bad, im.bad == 1 ? "" : "s");
	}
	return refdata_commit(r, err);
}

int refdata_import_file(refdata_stats *out, refdata *r, refdata_kind kind, const char *path,
			refdata_report_fn report, void *ctx, int64_t now, ulf_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = file_read(&buf, &len, path, IMPORT_MAX_BYTES, err);
	if (rc)
		return rc;
	rc = refdata_import_buffer(out, r, kind, buf, len, path, report, ctx, now, err);
	free(buf);
	return rc;
}
