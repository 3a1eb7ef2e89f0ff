/*
 * refdata.c - the reference-data tables on the store's connection: the
 * schema and its migrations, the handle, the transaction a bulk load
 * holds, and the statement and column helpers the refdata modules share
 * (ref_sql.h).  The lookups and writes are in ref_suppliers.c,
 * ref_orders.c and ref_invoices.c; `ulf import` in ref_import.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/store/ref_sql.h"

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

/* Version 2: what tells a posted invoice apart from another of the same
 * content (its orders, goods receipts, the invoice a credit note
 * corrects), for duplicates by content (issue 16). */
static const char *const schema_v2 = "ALTER TABLE ref_invoices ADD COLUMN refs TEXT;";

/*
 * What the handlers' workbench adds, as a module of its own in
 * schema_version ("refdata-handlers"), so it can grow apart from the
 * tables above: who taught a booking (a handler's correction outranks
 * what was counted), and the register of accounts and dimensions a
 * handler's booking is checked against.
 */
static const char *const handlers_v1 =
	"ALTER TABLE ref_booking_history ADD COLUMN learned_by TEXT;"
	"ALTER TABLE ref_booking_history ADD COLUMN learned_on TEXT;"
	"CREATE TABLE ref_dimensions ("
	" dimension TEXT NOT NULL, code TEXT NOT NULL, name TEXT,"
	" active INTEGER NOT NULL DEFAULT 1, updated_at BIGINT NOT NULL,"
	" PRIMARY KEY (dimension, code));";

/*
 * The supplier register's contract and set-up dates, for the dashboard's
 * contract compliance and new suppliers, as a module of its own in
 * schema_version ("refdata-contracts"): the contract's reference and the
 * days it is valid, and the day the supplier was set up (the register's
 * `registered` column, else the day an import first held it).
 */
static const char *const contracts_v1 =
	"ALTER TABLE ref_suppliers ADD COLUMN contract_ref TEXT;"
	"ALTER TABLE ref_suppliers ADD COLUMN contract_from TEXT;"
	"ALTER TABLE ref_suppliers ADD COLUMN contract_to TEXT;"
	"ALTER TABLE ref_suppliers ADD COLUMN registered TEXT;"
	"CREATE INDEX ref_suppliers_registered ON ref_suppliers(registered);";

int refdata_open(refdata **out, db *d, ulf_err *err)
{
	const char *steps[2] = { schema_v1, schema_v2 };
	const char *handlers[1] = { handlers_v1 };
	const char *contracts[1] = { contracts_v1 };
	refdata *r;
	int rc;

	*out = NULL;
	rc = db_migrate(d, "refdata", steps, 2, err);
	if (rc == 0)
		rc = db_migrate(d, "refdata-handlers", handlers, 1, err);
	if (rc == 0)
		rc = db_migrate(d, "refdata-contracts", contracts, 1, err);
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

/* db_begin nests: the writes that need a transaction of their own run in
 * db_tx, which joins this one. */
int refdata_begin(refdata *r, ulf_err *err)
{
	return db_begin(r->d, err);
}

int refdata_commit(refdata *r, ulf_err *err)
{
	return db_commit(r->d, err);
}

void refdata_rollback(refdata *r)
{
	db_rollback(r->d);
}

/* ---- shared helpers (ref_sql.h) ---------------------------------------- */

int ref_stmt(db_stmt **out, refdata *r, const char *const *sql, int q, ulf_err *err)
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

int ref_exec(db_stmt *st, ulf_err *err)
{
	int rc = db_step(st, err);

	db_reset(st);
	return rc < 0 ? rc : 0;
}

int ref_exists(bool *out, refdata *r, const char *const *sql, int q, const char *a,
	       const char *b, const char *c, ulf_err *err)
{
	db_stmt *st;
	int rc = ref_stmt(&st, r, sql, q, err);

	*out = false;
	if (rc)
		return rc;
	/* b and c, when NULL, are left unbound: the statement has fewer */
	if (c)
		rc = db_bind_row(st, err, DBV_TEXT(a), DBV_TEXT(b), DBV_TEXT(c));
	else if (b)
		rc = db_bind_row(st, err, DBV_TEXT(a), DBV_TEXT(b));
	else
		rc = db_bind_row(st, err, DBV_TEXT(a));
	if (rc == 0)
		rc = db_step(st, err);
	db_reset(st);
	if (rc < 0)
		return rc;
	*out = rc == 1;
	return 0;
}

db_value ref_dec(char *buf, dec v, bool set)
{
	if (!set)
		return DBV_NULL;
	dec_format(buf, DEC_STR_MAX, v, 0);
	return DBV_TEXT(buf);
}

db_value ref_opt(const char *s)
{
	return DBV_TEXT(s && *s ? s : NULL);
}

const char *ref_col_dup(arena *a, db_stmt *st, int col)
{
	const char *s = db_col_text(st, col);

	return s && *s ? arena_strdup(a, s) : NULL;
}

bool ref_col_dec(dec *out, db_stmt *st, int col)
{
	const char *s = db_col_text(st, col);

	*out = dec_make(0, 0);
	return s && *s && dec_parse(out, s, strlen(s)) == 0;
}

void ref_col_buf(char *out, size_t n, db_stmt *st, int col)
{
	const char *s = db_col_text(st, col);

	snprintf(out, n, "%s", s ? s : "");
}

int ref_collect(void **out, size_t *out_n, arena *a, db_stmt *st, size_t size,
		db_fill_fn fill, void *ctx, const char *what, const char *id, ulf_err *err)
{
	/* more rows than the arena could hold would not fit whatever they are */
	size_t max = a->cap ? a->cap / size + 1 : SIZE_MAX / size;
	void *v = NULL, *kept = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*out_n = 0;
	rc = db_collect(&v, &n, st, size, max, fill, ctx, err);
	db_reset(st);
	if (rc)
		return rc;
	if (n) {
		kept = arena_alloc(a, n * size);
		if (!kept) {
			free(v);
			return ulf_err_set(err, ULF_ELIMIT, "%s %s: too many lines", what, id);
		}
		memcpy(kept, v, n * size);
	}
	free(v);
	*out = kept;
	*out_n = n;
	return 0;
}
