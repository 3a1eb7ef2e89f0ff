/*
 * erp_payload.c - a posting's one field list, and the payload, the facts
 * and the booking written and read from it.  See erp_payload.h and
 * docs/erp.md for the payload.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/erp_payload.h"
#include "core/text.h"

/* ---- the field list ---------------------------------------------------- */

enum field_kind { FK_STR, FK_DEC };

/* Where a field goes in the payload. */
enum field_part { PART_SOURCE, PART_SUPPLIER, PART_INVOICE, PART_LINE };

#define FF_REQUIRED 0x1   /* the payload cannot be sent without it */
#define FF_FACT     0x2   /* the invoice's: kept at reading (the facts) */
#define FF_BOOKING  0x4   /* the booking's (lines are all the booking's) */
#define FF_DATE     0x8   /* YYYY-MM-DD */
#define FF_CURRENCY 0x10  /* ISO 4217 */

typedef struct field_desc {
	const char *name;     /* member of the facts or the booking (a line's) */
	enum field_part part;
	const char *key;      /* member of the payload's part */
	size_t off;           /* in erp_posting, or in erp_booking_line */
	enum field_kind kind;
	unsigned flags;
	const char *what;     /* in messages */
} field_desc;

#define HEAD(name, part, key, member, kind, flags, what) \
	{ name, part, key, offsetof(erp_posting, member), kind, flags, what }
#define LINE(name, member, kind, flags, what) \
	{ name, PART_LINE, name, offsetof(erp_booking_line, member), kind, flags, what }

/* In the payload's order, which is also the order of the checks, so that a
 * message names the first thing wrong in reading order. */
static const field_desc head_fields[] = {
	HEAD("invoice_url", PART_SOURCE, "invoice_url", invoice_url, FK_STR, FF_REQUIRED,
	     "invoice_url"),
	HEAD("supplier_erp_id", PART_SUPPLIER, "erp_id", supplier_erp_id, FK_STR, FF_BOOKING,
	     "supplier ERP id"),
	HEAD("supplier_name", PART_SUPPLIER, "name", supplier_name, FK_STR,
	     FF_FACT | FF_REQUIRED, "supplier name"),
	HEAD("supplier_org_number", PART_SUPPLIER, "org_number", supplier_org_number, FK_STR,
	     FF_FACT, "supplier org number"),
	HEAD("supplier_vat_number", PART_SUPPLIER, "vat_number", supplier_vat_number, FK_STR,
	     FF_FACT, "supplier VAT number"),
	HEAD("invoice_number", PART_INVOICE, "number", invoice_number, FK_STR,
	     FF_FACT | FF_REQUIRED, "invoice number"),
	HEAD("type_code", PART_INVOICE, "type_code", type_code, FK_STR, FF_FACT | FF_REQUIRED,
	     "type code"),
	HEAD("issue_date", PART_INVOICE, "issue_date", issue_date, FK_STR,
	     FF_FACT | FF_REQUIRED | FF_DATE, "issue date"),
	HEAD("due_date", PART_INVOICE, "due_date", due_date, FK_STR, FF_FACT | FF_DATE,
	     "due date"),
	HEAD("currency", PART_INVOICE, "currency", currency, FK_STR,
	     FF_FACT | FF_REQUIRED | FF_CURRENCY, "currency"),
	HEAD("buyer_reference", PART_INVOICE, "buyer_reference", buyer_reference, FK_STR,
	     FF_FACT, "buyer reference"),
	HEAD("order_reference", PART_INVOICE, "order_reference", order_reference, FK_STR,
	     FF_FACT, "order reference"),
	HEAD("payment_reference", PART_INVOICE, "payment_reference", payment_reference, FK_STR,
	     FF_FACT, "payment reference"),
	HEAD("total_net", PART_INVOICE, "total_net", total_net, FK_DEC, FF_FACT | FF_REQUIRED,
	     "total net"),
	HEAD("total_vat", PART_INVOICE, "total_vat", total_vat, FK_DEC, FF_FACT | FF_REQUIRED,
	     "total VAT"),
	HEAD("payable", PART_INVOICE, "payable", payable, FK_DEC, FF_FACT | FF_REQUIRED,
	     "payable amount"),
};

static const field_desc line_fields[] = {
	LINE("invoice_line_id", invoice_line_id, FK_STR, 0, "invoice line id"),
	LINE("description", description, FK_STR, 0, "description"),
	LINE("account", account, FK_STR, FF_REQUIRED, "account"),
	LINE("cost_centre", cost_centre, FK_STR, 0, "cost centre"),
	LINE("activity", activity, FK_STR, 0, "activity"),
	LINE("project", project, FK_STR, 0, "project"),
	LINE("vat_code", vat_code, FK_STR, FF_REQUIRED, "VAT code"),
	LINE("net_amount", net_amount, FK_DEC, FF_REQUIRED, "net amount"),
	LINE("vat_amount", vat_amount, FK_DEC, FF_REQUIRED, "VAT amount"),
};

#define NHEAD (sizeof(head_fields) / sizeof(head_fields[0]))
#define NLINE (sizeof(line_fields) / sizeof(line_fields[0]))

/* The field f of a posting or a line (`base`). */
static char **str_at(void *base, const field_desc *f)
{
	return (char **)(void *)((char *)base + f->off);
}

static const char *str_of(const void *base, const field_desc *f)
{
	return *(char *const *)(const void *)((const char *)base + f->off);
}

static dec *dec_at(void *base, const field_desc *f)
{
	return (dec *)(void *)((char *)base + f->off);
}

static dec dec_of(const void *base, const field_desc *f)
{
	return *(const dec *)(const void *)((const char *)base + f->off);
}

static bool empty(const char *s)
{
	return !s || !*s;
}

static int no_memory(ulf_err *err)
{
	return ulf_err_set(err, ULF_ENOMEM, "out of memory");
}

/* ---- the record -------------------------------------------------------- */

void erp_posting_init(erp_posting *p)
{
	memset(p, 0, sizeof(*p));
}

static void free_strings(void *base, const field_desc *fs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fs[i].kind == FK_STR) {
			free(*str_at(base, &fs[i]));
			*str_at(base, &fs[i]) = NULL;
		}
}

void erp_posting_clear_lines(erp_posting *p)
{
	size_t i;

	for (i = 0; i < p->nlines; i++)
		free_strings(&p->lines[i], line_fields, NLINE);
	dynbuf_release(&p->line_buf);
	p->lines = NULL;
	p->nlines = 0;
}

void erp_posting_release(erp_posting *p)
{
	if (!p)
		return;
	erp_posting_clear_lines(p);
	free_strings(p, head_fields, NHEAD);
	erp_posting_init(p);
}

int erp_posting_set(char **dst, const char *s, ulf_err *err)
{
	char *copy = NULL;

	if (s) {
		copy = strdup(s);
		if (!copy)
			return no_memory(err);
	}
	free(*dst);
	*dst = copy;
	return 0;
}

int erp_posting_add_line(erp_booking_line **out, erp_posting *p, ulf_err *err)
{
	void *item;

	*out = NULL;
	if (p->nlines >= ERP_POSTING_MAX_LINES)
		return ulf_err_set(err, ULF_ERANGE, "erp payload: more than %d booking lines",
				   ERP_POSTING_MAX_LINES);
	/* holding nothing yet (a zeroed posting too): start it with its cap */
	if (!dynbuf_items(&p->line_buf))
		dynbuf_init(&p->line_buf, ERP_POSTING_MAX_LINES * sizeof(erp_booking_line));
	if (dynbuf_add_item(&item, &p->line_buf, sizeof(erp_booking_line)) != 0)
		return no_memory(err);
	p->lines = dynbuf_items(&p->line_buf);
	p->nlines++;
	*out = item;
	return 0;
}

/* ---- the payload ------------------------------------------------------- */

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
	return ujson_error(err, ujson_set_str(o, key, buf), key);
}

static bool is_currency(const char *s)
{
	return strlen(s) == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' &&
	       s[2] >= 'A' && s[2] <= 'Z';
}

/* Every required text first, then the formats, then the lines' presence. */
static int check_header(const erp_posting *p, ulf_err *err)
{
	size_t i;

	for (i = 0; i < NHEAD; i++)
		if (head_fields[i].kind == FK_STR && (head_fields[i].flags & FF_REQUIRED) &&
		    empty(str_of(p, &head_fields[i])))
			return ulf_err_set(err, ULF_EINVAL, "erp payload: %s is missing",
					   head_fields[i].what);
	for (i = 0; i < NHEAD; i++) {
		const field_desc *f = &head_fields[i];
		const char *s = f->kind == FK_STR ? str_of(p, f) : NULL;

		if (empty(s))
			continue;
		if ((f->flags & FF_DATE) && !text_is_date(s))
			return ulf_err_set(err, ULF_EINVAL, "erp payload: %s '%s' is not YYYY-MM-DD",
					   f->what, s);
		if ((f->flags & FF_CURRENCY) && !is_currency(s))
			return ulf_err_set(err, ULF_EINVAL, "erp payload: %s '%s' is not ISO 4217",
					   f->what, s);
	}
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
	size_t i, k;

	for (i = 0; i < p->nlines; i++)
		for (k = 0; k < NLINE; k++) {
			const field_desc *f = &line_fields[k];

			if (f->kind == FK_STR && (f->flags & FF_REQUIRED) &&
			    empty(str_of(&p->lines[i], f)))
				return ulf_err_set(err, ULF_EINVAL,
						   "erp payload: line %zu: %s is missing", i + 1, f->what);
			if (f->kind == FK_DEC && !two_places(dec_of(&p->lines[i], f)))
				return ulf_err_set(err, ULF_EINVAL,
						   "erp payload: line %zu: %s has more than two decimals",
						   i + 1, f->what);
		}
	for (k = 0; k < NHEAD; k++)
		if (head_fields[k].kind == FK_DEC && !two_places(dec_of(p, &head_fields[k])))
			return ulf_err_set(err, ULF_EINVAL,
					   "erp payload: %s has more than two decimals",
					   head_fields[k].what);
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

/* The fields of `part` (of a posting or a line, `base`) into o, in the
 * list's order; `line` is the line's number for messages, 0 for none. */
static int write_part(ujson *o, const void *base, const field_desc *fs, size_t n,
		      enum field_part part, size_t line, ulf_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		if (fs[i].part != part)
			continue;
		if (fs[i].kind == FK_STR)
			rc = ujson_error(err, set_opt(o, fs[i].key, str_of(base, &fs[i])),
					 fs[i].key);
		else
			rc = set_amount(o, fs[i].key, dec_of(base, &fs[i]), fs[i].what, line, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int build_line(ujson **out, const erp_booking_line *l, size_t n, ulf_err *err)
{
	ujson *o = ujson_object();
	int rc;

	*out = NULL;
	if (!o)
		return no_memory(err);
	rc = ujson_error(err, ujson_set_int(o, "line", (int64_t)n), "line");
	if (rc == 0)
		rc = write_part(o, l, line_fields, NLINE, PART_LINE, n, err);
	if (rc == 0) {
		*out = o;
		o = NULL;
	}
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
	if (!root) {
		rc = no_memory(err);
		goto out;
	}
	rc = ujson_error(err, ujson_set_str(root, "schema", ERP_PAYLOAD_SCHEMA), "schema");
	if (rc)
		goto out;
	source = attach(root, "source", ujson_object());
	supplier = attach(root, "supplier", ujson_object());
	invoice = attach(root, "invoice", ujson_object());
	lines = attach(root, "lines", ujson_array());
	if (!source || !supplier || !invoice || !lines) {
		rc = no_memory(err);
		goto out;
	}
	rc = ujson_error(err, ujson_set_str(source, "system", "ulf"), "system");
	if (rc == 0)
		rc = ujson_error(err, ujson_set_int(source, "document_id", p->document_id),
				 "document_id");
	if (rc == 0)
		rc = write_part(source, p, head_fields, NHEAD, PART_SOURCE, 0, err);
	if (rc == 0)
		rc = write_part(supplier, p, head_fields, NHEAD, PART_SUPPLIER, 0, err);
	if (rc == 0)
		rc = write_part(invoice, p, head_fields, NHEAD, PART_INVOICE, 0, err);
	for (i = 0; rc == 0 && i < p->nlines; i++) {
		rc = build_line(&line, &p->lines[i], i + 1, err);
		if (rc == 0)
			rc = ujson_error(err, ujson_append_new(lines, line), "lines");
	}
	if (rc)
		goto out;
	*out = ujson_dump(root, UJSON_COMPACT);
	if (!*out)
		rc = no_memory(err);
out:
	ujson_free(root);
	return rc;
}

int erp_payload_idempotency_key(char out[ERP_IDEM_KEY_MAX], const char *json, size_t len,
				unsigned revision, ulf_err *err)
{
	ujson *j = NULL;
	const ujson *sup, *inv;
	const char *seller;
	int rc = ujson_parse(&j, json, len, "payload", err);

	if (rc)
		return rc;
	sup = ujson_get(j, "supplier");
	inv = ujson_get(j, "invoice");
	seller = ujson_get_str(sup, "org_number");
	if (!seller || !*seller)
		seller = ujson_get_str(sup, "vat_number");
	if (!seller || !*seller)
		seller = ujson_get_str(sup, "name");
	rc = erp_idempotency_key(out, seller, ujson_get_str(inv, "type_code"),
				 ujson_get_str(inv, "number"), ujson_get_str(inv, "issue_date"),
				 revision, err);
	ujson_free(j);
	return rc;
}

/* ---- the facts and the booking ----------------------------------------- */

/* A stored text: "" reads as absent. */
static const char *stored_str(const ujson *o, const char *key)
{
	const char *s = ujson_get_str(o, key);

	return s && *s ? s : NULL;
}

static bool stored_dec(dec *out, const ujson *o, const char *key)
{
	const char *s = ujson_get_str(o, key);

	return s && dec_parse(out, s, strlen(s)) == 0;
}

/*
 * The fields of fs that have all of `flags` (0: every one) into o: texts as
 * they are, NULL ones as null when `nulls`, else left out; amounts with at
 * least `places` decimals.
 */
static int write_flat(ujson *o, const void *base, const field_desc *fs, size_t n, unsigned flags,
		      bool nulls, int places, ulf_err *err)
{
	char text[DEC_STR_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		const field_desc *f = &fs[i];
		int rc = 0;

		if ((f->flags & flags) != flags)
			continue;
		if (f->kind == FK_STR) {
			if (str_of(base, f) || nulls)
				rc = ujson_set_str(o, f->name, str_of(base, f));
		} else {
			dec_format(text, sizeof(text), dec_of(base, f), places);
			rc = ujson_set_str(o, f->name, text);
		}
		if (rc)
			return ujson_error(err, rc, f->name);
	}
	return 0;
}

/* The fields of fs that have all of `flags` from o into base (whose
 * strings they replace).  ULF_EINVAL, with err left to the caller, when an
 * amount is not there; ULF_ENOMEM. */
static int read_flat(void *base, const ujson *o, const field_desc *fs, size_t n,
		     unsigned flags, ulf_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		const field_desc *f = &fs[i];

		if ((f->flags & flags) != flags)
			continue;
		if (f->kind == FK_DEC) {
			if (!stored_dec(dec_at(base, f), o, f->name))
				return ULF_EINVAL;
			continue;
		}
		rc = erp_posting_set(str_at(base, f), stored_str(o, f->name), err);
		if (rc)
			return rc;
	}
	return 0;
}

int erp_posting_facts_json(char **out, const erp_posting *p, ulf_err *err)
{
	ujson *o = ujson_object();
	int rc;

	*out = NULL;
	if (!o)
		return no_memory(err);
	rc = write_flat(o, p, head_fields, NHEAD, FF_FACT, true, 0, err);
	if (rc == 0) {
		*out = ujson_dump(o, UJSON_COMPACT);
		if (!*out)
			rc = no_memory(err);
	}
	ujson_free(o);
	return rc;
}

int erp_posting_read_facts(erp_posting *p, const char *text, size_t len, ulf_err *err)
{
	ujson *o = NULL;
	erp_posting t;
	size_t i;
	int rc;

	erp_posting_init(&t);
	rc = ujson_parse(&o, text, len, "facts", err);
	if (rc)
		return rc;
	rc = read_flat(&t, o, head_fields, NHEAD, FF_FACT, err);
	ujson_free(o);
	if (rc == ULF_EINVAL)
		rc = ulf_err_set(err, rc, "facts: an amount is missing");
	/* all of them or none: the facts' fields move over to p */
	for (i = 0; rc == 0 && i < NHEAD; i++) {
		const field_desc *f = &head_fields[i];

		if (!(f->flags & FF_FACT))
			continue;
		if (f->kind == FK_DEC) {
			*dec_at(p, f) = dec_of(&t, f);
		} else {
			free(*str_at(p, f));
			*str_at(p, f) = *str_at(&t, f);
			*str_at(&t, f) = NULL;
		}
	}
	erp_posting_release(&t);
	return rc;
}

int erp_posting_booking_json(ujson **out, const erp_posting *p, ulf_err *err)
{
	ujson *o = ujson_object(), *lines = NULL, *l;
	size_t i;
	int rc;

	*out = NULL;
	if (!o)
		return no_memory(err);
	rc = write_flat(o, p, head_fields, NHEAD, FF_BOOKING, false, 2, err);
	if (rc == 0 && !(lines = attach(o, "lines", ujson_array())))
		rc = no_memory(err);
	for (i = 0; rc == 0 && i < p->nlines; i++) {
		l = ujson_object();
		if (!l)
			rc = no_memory(err);
		else if ((rc = ujson_append_new(lines, l)) != 0)
			ujson_error(err, rc, "lines");
		else
			rc = write_flat(l, &p->lines[i], line_fields, NLINE, 0, false, 2, err);
	}
	if (rc == 0) {
		*out = o;
		o = NULL;
	}
	ujson_free(o);
	return rc;
}

int erp_posting_read_booking(erp_posting *p, const ujson *booking, ulf_err *err)
{
	ujson *lines = ujson_get(booking, "lines");
	size_t i, n = ujson_array_size(lines);
	erp_booking_line *l;
	int rc = 0;

	erp_posting_clear_lines(p);
	if (!ujson_is_array(lines) || n == 0)
		return ulf_err_set(err, ULF_EINVAL, "the booking has no lines");
	for (i = 0; rc == 0 && i < n; i++) {
		rc = erp_posting_add_line(&l, p, err);
		if (rc == 0)
			rc = read_flat(l, ujson_array_get(lines, i), line_fields, NLINE, 0, err);
		if (rc == ULF_EINVAL)
			rc = ulf_err_set(err, ULF_EINVAL,
					 "booking line %zu: amounts must be decimal strings", i + 1);
	}
	if (rc == 0)
		rc = read_flat(p, booking, head_fields, NHEAD, FF_BOOKING, err);
	if (rc)
		erp_posting_clear_lines(p);
	return rc;
}
