/*
 * erp_payload.c - the booking suggestion as JSON.  See erp_payload.h and
 * docs/erp.md for the payload.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/erp_payload.h"
#include "core/json.h"

static bool empty(const char *s)
{
	return !s || !*s;
}

/* "" is written as null, so that absent and empty read the same. */
static int set_opt(ujson *o, const char *key, const char *s)
{
	return ujson_set_str(o, key, empty(s) ? NULL : s);
}

/* An amount as a string with exactly two decimals. */
static int set_amount(ujson *o, const char *key, dec a, const char *what, size_t line,
		      ulf_err *err)
{
	char buf[DEC_STR_MAX];
	dec r;

	if (dec_rescale(&r, a, 2) != 0) {
		if (line)
			return ulf_err_set(err, ULF_EINVAL,
					   "erp payload: line %zu: %s has more than two decimals",
					   line, what);
		return ulf_err_set(err, ULF_EINVAL,
				   "erp payload: %s has more than two decimals", what);
	}
	dec_format(buf, sizeof(buf), r, 2);
	return ujson_set_str(o, key, buf);
}

/* YYYY-MM-DD with plausible month and day. */
static bool is_date(const char *s)
{
	size_t i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	return (s[5] == '0' ? s[6] >= '1' : s[5] == '1' && s[6] <= '2') &&
	       (s[8] < '3' ? !(s[8] == '0' && s[9] == '0') : s[8] == '3' && s[9] <= '1');
}

static bool is_currency(const char *s)
{
	return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
	       s[2] >= 'A' && s[2] <= 'Z';
}

static int check_header(const erp_posting *p, ulf_err *err)
{
	static const struct { size_t off; const char *name; } required[] = {
		{ offsetof(erp_posting, invoice_url), "invoice_url" },
		{ offsetof(erp_posting, supplier_name), "supplier name" },
		{ offsetof(erp_posting, invoice_number), "invoice number" },
		{ offsetof(erp_posting, type_code), "type code" },
		{ offsetof(erp_posting, issue_date), "issue date" },
		{ offsetof(erp_posting, currency), "currency" },
	};
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		const char *s = *(const char *const *)(const void *)((const char *)p + required[i].off);
		if (empty(s))
			return ulf_err_set(err, ULF_EINVAL, "erp payload: %s is missing",
					   required[i].name);
	}
	if (!is_date(p->issue_date))
		return ulf_err_set(err, ULF_EINVAL, "erp payload: issue date '%s' is not YYYY-MM-DD",
				   p->issue_date);
	if (!empty(p->due_date) && !is_date(p->due_date))
		return ulf_err_set(err, ULF_EINVAL, "erp payload: due date '%s' is not YYYY-MM-DD",
				   p->due_date);
	if (!is_currency(p->currency))
		return ulf_err_set(err, ULF_EINVAL, "erp payload: currency '%s' is not ISO 4217",
				   p->currency);
	if (!p->lines || p->nlines == 0)
		return ulf_err_set(err, ULF_EINVAL, "erp payload: no booking lines");
	return 0;
}

static bool two_places(dec a)
{
	dec r;

	return dec_rescale(&r, a, 2) == 0;
}

/* Every line's required fields and amounts, then the totals' amounts, so
 * that a message points at the first thing wrong in reading order. */
static int check_amounts(const erp_posting *p, ulf_err *err)
{
	size_t i;

	for (i = 0; i < p->nlines; i++) {
		const erp_booking_line *l = &p->lines[i];
		if (empty(l->account))
			return ulf_err_set(err, ULF_EINVAL, "erp payload: line %zu: account is missing",
					   i + 1);
		if (empty(l->vat_code))
			return ulf_err_set(err, ULF_EINVAL, "erp payload: line %zu: VAT code is missing",
					   i + 1);
		if (!two_places(l->net_amount))
			return ulf_err_set(err, ULF_EINVAL,
					   "erp payload: line %zu: net amount has more than two decimals",
					   i + 1);
		if (!two_places(l->vat_amount))
			return ulf_err_set(err, ULF_EINVAL,
					   "erp payload: line %zu: VAT amount has more than two decimals",
					   i + 1);
	}
	if (!two_places(p->total_net))
		return ulf_err_set(err, ULF_EINVAL, "erp payload: total net has more than two decimals");
	if (!two_places(p->total_vat))
		return ulf_err_set(err, ULF_EINVAL, "erp payload: total VAT has more than two decimals");
	if (!two_places(p->payable))
		return ulf_err_set(err, ULF_EINVAL,
				   "erp payload: payable amount has more than two decimals");
	return 0;
}

/* The lines must add up to the invoice's net and VAT totals, exactly. */
static int check_balance(const erp_posting *p, ulf_err *err)
{
	dec net = dec_make(0, 2), vat = dec_make(0, 2);
	char a[DEC_STR_MAX], b[DEC_STR_MAX];
	size_t i;

	for (i = 0; i < p->nlines; i++) {
		if (dec_add(&net, net, p->lines[i].net_amount) ||
		    dec_add(&vat, vat, p->lines[i].vat_amount))
			return ulf_err_set(err, ULF_ERANGE, "erp payload: line amounts overflow");
	}
	if (dec_cmp(net, p->total_net) != 0) {
		dec_format(a, sizeof(a), net, 2);
		dec_format(b, sizeof(b), p->total_net, 2);
		return ulf_err_set(err, ULF_EINVAL,
				   "erp payload: lines' net amounts add up to %s, the invoice's total net is %s",
				   a, b);
	}
	if (dec_cmp(vat, p->total_vat) != 0) {
		dec_format(a, sizeof(a), vat, 2);
		dec_format(b, sizeof(b), p->total_vat, 2);
		return ulf_err_set(err, ULF_EINVAL,
				   "erp payload: lines' VAT amounts add up to %s, the invoice's total VAT is %s",
				   a, b);
	}
	return 0;
}

static int build_line(ujson **out, const erp_booking_line *l, size_t n, ulf_err *err)
{
	ujson *o = ujson_object();
	int rc = 0;

	*out = NULL;
	if (!o)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	if (ujson_set_int(o, "line", (int64_t)n) ||
	    set_opt(o, "invoice_line_id", l->invoice_line_id) ||
	    set_opt(o, "description", l->description) ||
	    ujson_set_str(o, "account", l->account) ||
	    set_opt(o, "cost_centre", l->cost_centre) ||
	    set_opt(o, "activity", l->activity) ||
	    set_opt(o, "project", l->project) ||
	    ujson_set_str(o, "vat_code", l->vat_code)) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	rc = set_amount(o, "net_amount", l->net_amount, "net amount", n, err);
	if (rc == 0)
		rc = set_amount(o, "vat_amount", l->vat_amount, "VAT amount", n, err);
	if (rc)
		goto out;
	*out = o;
	o = NULL;
out:
	ujson_free(o);
	return rc;
}

/* Hangs a new container under parent[key]; NULL when anything failed
 * (the container is freed then; a NULL parent is allowed). */
static ujson *attach(ujson *parent, const char *key, ujson *child)
{
	if (!parent || !child) {
		ujson_free(child);
		return NULL;
	}
	return ujson_set_new(parent, key, child) == 0 ? child : NULL;
}

int erp_payload_build(char **out, const erp_posting *p, ulf_err *err)
{
	ujson *root = NULL, *source, *supplier, *invoice, *lines, *line;
	size_t i;
	int rc;

	*out = NULL;
	rc = check_header(p, err);
	if (rc == 0)
		rc = check_amounts(p, err);
	if (rc == 0)
		rc = check_balance(p, err);
	if (rc)
		return rc;
	root = ujson_object();
	if (!root || ujson_set_str(root, "schema", ERP_PAYLOAD_SCHEMA)) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	source = attach(root, "source", ujson_object());
	supplier = attach(root, "supplier", ujson_object());
	invoice = attach(root, "invoice", ujson_object());
	lines = attach(root, "lines", ujson_array());
	if (!source || !supplier || !invoice || !lines) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	if (ujson_set_str(source, "system", "ulf") ||
	    ujson_set_int(source, "document_id", p->document_id) ||
	    ujson_set_str(source, "invoice_url", p->invoice_url) ||
	    set_opt(supplier, "erp_id", p->supplier_erp_id) ||
	    ujson_set_str(supplier, "name", p->supplier_name) ||
	    set_opt(supplier, "org_number", p->supplier_org_number) ||
	    set_opt(supplier, "vat_number", p->supplier_vat_number) ||
	    ujson_set_str(invoice, "number", p->invoice_number) ||
	    ujson_set_str(invoice, "type_code", p->type_code) ||
	    ujson_set_str(invoice, "issue_date", p->issue_date) ||
	    set_opt(invoice, "due_date", p->due_date) ||
	    ujson_set_str(invoice, "currency", p->currency) ||
	    set_opt(invoice, "buyer_reference", p->buyer_reference) ||
	    set_opt(invoice, "order_reference", p->order_reference) ||
	    set_opt(invoice, "payment_reference", p->payment_reference)) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	rc = set_amount(invoice, "total_net", p->total_net, "total net", 0, err);
	if (rc == 0)
		rc = set_amount(invoice, "total_vat", p->total_vat, "total VAT", 0, err);
	if (rc == 0)
		rc = set_amount(invoice, "payable", p->payable, "payable amount", 0, err);
	if (rc)
		goto out;
	for (i = 0; i < p->nlines; i++) {
		rc = build_line(&line, &p->lines[i], i + 1, err);
		if (rc)
			goto out;
		if (ujson_append_new(lines, line)) {
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
			goto out;
		}
	}
	*out = ujson_dump(root, UJSON_COMPACT);
	if (!*out)
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
out:
	ujson_free(root);
	return rc;
}
