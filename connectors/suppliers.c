/*
 * suppliers.c - the ERP's registers: the supplier register (CSV: one
 * supplier a row, its number, name, identifiers, bank accounts, the
 * contract and blocked flags, and optionally the contract's reference and
 * validity and the day the supplier was set up) into ref_supplier records
 * with every key in its canonical form; and the register of accounts and
 * dimension values (CSV: dimension, code, name, active) that handlers'
 * bookings are checked against.  docs/matching.md has the columns.
 */
#include <string.h>

#include "connectors/import.h"

static const char *const supplier_cols[] = {
	"supplier_no", "name", "org_no", "vat_no", "peppol_id", "bankgiro", "plusgiro",
	"iban", "contract", "blocked", "contract_ref", "contract_from", "contract_to",
	"registered", NULL
};
enum {
	S_NO, S_NAME, S_ORG, S_VAT, S_PEPPOL, S_BANKGIRO, S_PLUSGIRO, S_IBAN, S_CONTRACT,
	S_BLOCKED, S_CONTRACT_REF, S_CONTRACT_FROM, S_CONTRACT_TO, S_REGISTERED
};
static const char *const supplier_need[] = { "supplier_no", "name", NULL };
static const import_table supplier_table = { supplier_cols, supplier_need, { 0 }, 0 };

/* Copies a field into a fixed buffer; false (a bad row) when too long. */
static bool fit(importer *im, const import_row *rw, size_t f, char *dst, size_t n)
{
	const char *s = rw->f[f];

	if (strlen(s) >= n) {
		import_bad(im, rw->line, "%s is longer than %zu characters", import_col(im, f),
			   n - 1);
		return false;
	}
	memcpy(dst, s, strlen(s) + 1);
	return true;
}

/* A key column, canonical in out (empty stays empty); false (a bad row)
 * when it is not a value of kind k. */
static bool key_col(importer *im, const import_row *rw, size_t f, ref_key k, char *out,
		    size_t n)
{
	const char *s = rw->f[f];

	if (!*s || refdata_norm(out, n, k, s))
		return true;
	import_bad(im, rw->line, "%s '%s' is not a %s", import_col(im, f), s, refdata_key_name(k));
	return false;
}

static void supplier_row(importer *im, const import_row *rw)
{
	char key[256];
	ref_supplier s;
	bool ok = true;
	int flag;

	memset(&s, 0, sizeof(s));
	ok &= fit(im, rw, S_NO, s.supplier_no, sizeof(s.supplier_no));
	ok &= fit(im, rw, S_NAME, s.name, sizeof(s.name));
	if (ok && !*s.supplier_no) {
		import_bad(im, rw->line, "supplier_no is empty");
		ok = false;
	}
	if (ok && !refdata_norm(key, sizeof(key), REF_BY_NAME, s.name)) {
		import_bad(im, rw->line, "supplier %s: name is empty", s.supplier_no);
		ok = false;
	}
	ok &= key_col(im, rw, S_ORG, REF_BY_ORG, s.org_no, sizeof(s.org_no));
	ok &= key_col(im, rw, S_VAT, REF_BY_VAT, s.vat_no, sizeof(s.vat_no));
	ok &= key_col(im, rw, S_PEPPOL, REF_BY_PEPPOL, s.peppol_id, sizeof(s.peppol_id));
	ok &= key_col(im, rw, S_BANKGIRO, REF_BY_BANKGIRO, s.bankgiro, sizeof(s.bankgiro));
	ok &= key_col(im, rw, S_PLUSGIRO, REF_BY_PLUSGIRO, s.plusgiro, sizeof(s.plusgiro));
	ok &= key_col(im, rw, S_IBAN, REF_BY_IBAN, s.iban, sizeof(s.iban));
	ok &= import_yes_no(im, rw, S_CONTRACT, 0, &flag);
	s.contract = flag == 1;
	ok &= import_yes_no(im, rw, S_BLOCKED, 0, &flag);
	s.blocked = flag == 1;
	ok &= fit(im, rw, S_CONTRACT_REF, s.contract_ref, sizeof(s.contract_ref));
	ok &= import_date(im, rw, S_CONTRACT_FROM) &&
	      fit(im, rw, S_CONTRACT_FROM, s.contract_from, sizeof(s.contract_from));
	ok &= import_date(im, rw, S_CONTRACT_TO) &&
	      fit(im, rw, S_CONTRACT_TO, s.contract_to, sizeof(s.contract_to));
	ok &= import_date(im, rw, S_REGISTERED) &&
	      fit(im, rw, S_REGISTERED, s.registered, sizeof(s.registered));
	if (ok && s.contract_from[0] && s.contract_to[0] &&
	    strcmp(s.contract_from, s.contract_to) > 0) {
		import_bad(im, rw->line, "contract_from %s is after contract_to %s",
			   s.contract_from, s.contract_to);
		ok = false;
	}
	if (ok)
		import_put_supplier(im, rw->line, &s);
}

void import_suppliers(importer *im, csv_reader *c)
{
	import_rows(im, c, &supplier_table, supplier_row);
}

static const char *const dimension_cols[] = { "dimension", "code", "name", "active", NULL };
enum { D_DIMENSION, D_CODE, D_NAME, D_ACTIVE };
static const char *const dimension_need[] = { "dimension", "code", NULL };
static const import_table dimension_table = { dimension_cols, dimension_need, { 0 }, 0 };

static void dimension_row(importer *im, const import_row *rw)
{
	static const char *const dims[] = {
		"account", "cost_centre", "activity", "project", "vat_code",
	};
	ref_dimension d;
	size_t i;
	int active;

	memset(&d, 0, sizeof(d));
	for (i = 0; i < sizeof(dims) / sizeof(dims[0]); i++)
		if (!strcmp(rw->f[D_DIMENSION], dims[i]))
			d.dimension = dims[i];
	if (!d.dimension) {
		import_bad(im, rw->line, "dimension '%s' is none of account, cost_centre, activity,"
			   " project, vat_code", rw->f[D_DIMENSION]);
		return;
	}
	if (!*rw->f[D_CODE] || strlen(rw->f[D_CODE]) > 63) {
		import_bad(im, rw->line, "code is empty or longer than 63 characters");
		return;
	}
	d.code = rw->f[D_CODE];
	d.name = *rw->f[D_NAME] ? rw->f[D_NAME] : NULL;
	if (!import_yes_no(im, rw, D_ACTIVE, 1, &active))
		return;
	d.active = active == 1;
	import_put_dimension(im, rw->line, &d);
}

void import_dimensions(importer *im, csv_reader *c)
{
	import_rows(im, c, &dimension_table, dimension_row);
}
