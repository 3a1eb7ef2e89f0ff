/*
 * ref_suppliers.c - the supplier register in the store: finding a supplier
 * by any of its keys (number, Peppol id, org and VAT number, bankgiro,
 * plusgiro, IBAN, folded name), and putting one, with its contract's
 * validity and the day it was set up.  See refdata.h.
 */
#include <string.h>

#include "core/calendar.h"
#include "robot/store/ref_sql.h"

#define SUP_COLS "supplier_no, name, org_no, vat_no, peppol_id, bankgiro, plusgiro, iban," \
		 " contract, blocked, contract_ref, contract_from, contract_to, registered" \
		 " FROM ref_suppliers"

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
		" bankgiro, plusgiro, iban, contract, blocked, updated_at, contract_ref,"
		" contract_from, contract_to, registered)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, ?))"
		" ON CONFLICT (supplier_no) DO UPDATE SET name = excluded.name,"
		" name_key = excluded.name_key, org_no = excluded.org_no, vat_no = excluded.vat_no,"
		" peppol_id = excluded.peppol_id, bankgiro = excluded.bankgiro,"
		" plusgiro = excluded.plusgiro, iban = excluded.iban, contract = excluded.contract,"
		" blocked = excluded.blocked, updated_at = excluded.updated_at,"
		" contract_ref = excluded.contract_ref, contract_from = excluded.contract_from,"
		" contract_to = excluded.contract_to,"
		/* the day it was set up stays, unless the register says otherwise */
		" registered = COALESCE(?, ref_suppliers.registered, excluded.registered)",
};

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

/* The first supplier a lookup finds, and how many it finds. */
typedef struct found {
	ref_supplier *first;
	size_t n;
} found;

static int found_row(db_stmt *st, void *ctx, ulf_err *err)
{
	found *f = ctx;
	ref_supplier *out = f->first;

	(void)err;
	if (f->n++ > 0)
		return 0;
	ref_col_buf(out->supplier_no, sizeof(out->supplier_no), st, 0);
	ref_col_buf(out->name, sizeof(out->name), st, 1);
	ref_col_buf(out->org_no, sizeof(out->org_no), st, 2);
	ref_col_buf(out->vat_no, sizeof(out->vat_no), st, 3);
	ref_col_buf(out->peppol_id, sizeof(out->peppol_id), st, 4);
	ref_col_buf(out->bankgiro, sizeof(out->bankgiro), st, 5);
	ref_col_buf(out->plusgiro, sizeof(out->plusgiro), st, 6);
	ref_col_buf(out->iban, sizeof(out->iban), st, 7);
	out->contract = db_col_int(st, 8) != 0;
	out->blocked = db_col_int(st, 9) != 0;
	ref_col_buf(out->contract_ref, sizeof(out->contract_ref), st, 10);
	ref_col_buf(out->contract_from, sizeof(out->contract_from), st, 11);
	ref_col_buf(out->contract_to, sizeof(out->contract_to), st, 12);
	ref_col_buf(out->registered, sizeof(out->registered), st, 13);
	return 0;
}

int refdata_supplier_find(ref_supplier *out, size_t *out_n, refdata *r, ref_key k,
			  const char *value, ulf_err *err)
{
	found f = { out, 0 };
	char key[256];
	db_stmt *st;
	int q = q_for(k), rc;

	*out_n = 0;
	memset(out, 0, sizeof(*out));
	if (q < 0 || !refdata_norm(key, sizeof(key), k, value))
		return 0;
	rc = ref_stmt(&st, r, sql, q, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(key));
	if (rc == 0)
		rc = db_each(st, found_row, &f, err);
	db_reset(st);
	*out_n = f.n;
	return rc;
}

int refdata_put_supplier(bool *out_updated, refdata *r, const ref_supplier *s,
			 int64_t now, ulf_err *err)
{
	char name_key[256], today[CAL_DATE_MAX];
	db_stmt *st;
	int rc;

	rc = ref_exists(out_updated, r, sql, Q_SUP_EXISTS, s->supplier_no, NULL,
			NULL, err);
	if (rc)
		return rc;
	refdata_norm(name_key, sizeof(name_key), REF_BY_NAME, s->name);
	rc = ref_stmt(&st, r, sql, Q_SUP_PUT, err);
	if (rc)
		return rc;
	cal_format(today, cal_day_of(now));
	rc = db_bind_row(st, err, DBV_TEXT(s->supplier_no), DBV_TEXT(s->name),
			 DBV_TEXT(name_key), ref_opt(s->org_no), ref_opt(s->vat_no),
			 ref_opt(s->peppol_id), ref_opt(s->bankgiro), ref_opt(s->plusgiro),
			 ref_opt(s->iban), DBV_INT(s->contract), DBV_INT(s->blocked),
			 DBV_INT(now), ref_opt(s->contract_ref), ref_opt(s->contract_from),
			 ref_opt(s->contract_to), ref_opt(s->registered), DBV_TEXT(today),
			 ref_opt(s->registered));
	if (rc) {
		db_reset(st);
		return rc;
	}
	return ref_exec(st, err);
}
