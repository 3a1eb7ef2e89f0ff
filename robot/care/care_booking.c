/*
 * care_booking.c - booking rules for care lines.  See care_booking.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core/dynbuf.h"
#include "core/fileio.h"
#include "core/text.h"
#include "robot/care/care.h"
#include "robot/care/care_booking.h"

#define NFIELDS 8
#define RULES_MAX_BYTES (1u << 20)
/* A row is at least 8 one-character fields, their separators and a line
 * end (16 bytes), so a rules file within RULES_MAX_BYTES never reaches
 * this; a larger text handed to care_rules_parse is refused by it. */
#define RULES_MAX_ROWS (RULES_MAX_BYTES / 16)

enum { F_AGREEMENT, F_PRICELIST, F_CARE, F_COUNTY, F_MUNICIPALITY, F_UNIT, F_ACCOUNT, F_COST };

typedef struct rule_row {
	const char *f[NFIELDS];
	unsigned line;
	bool is_default;
} rule_row;

struct care_rules {
	char *name;
	char *text;          /* owned copy, split in place */
	rule_row *rows;
	size_t n;
};

/* An example table for a buying region: accounts for purchased care by
 * agreement and form of care.  A region sets care_rules_file to its own. */
static const char builtin[] =
	"# ulf built-in care booking rules (an example: copy and adapt).\n"
	"# agreement      pricelist  care        county  municipality  unit  account  costcentre\n"
	"regionavtal      2          inpatient   *       *             *     4521     7120\n"
	"regionavtal      2          outpatient  *       *             *     4522     7120\n"
	"regionavtal      *          *           *       *             *     4523     7120\n"
	"riksavtal        *          inpatient   *       *             *     4511     7110\n"
	"riksavtal        *          outpatient  *       *             *     4512     7110\n"
	"mellanlansavtal  *          *           *       *             *     4531     7130\n"
	"*                *          *           *       *             *     4590     7100\n";

const char *care_rules_builtin(void)
{
	return builtin;
}

static bool digits(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool is_any(const char *s)
{
	return strcmp(s, "*") == 0;
}

static bool token_ok(const char *s)
{
	const char *p;

	if (!*s || strlen(s) > 32)
		return false;
	for (p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= 'a' && *p <= 'z') || *p == '-' || *p == '_' || *p == '.'))
			return false;
	return true;
}

/* "SE2321000024-*": a token followed by one '*'. */
static bool prefix_ok(const char *s)
{
	char buf[40];
	size_t n = strlen(s);

	if (n < 2 || n > sizeof(buf) || s[n - 1] != '*')
		return false;
	memcpy(buf, s, n - 1);
	buf[n - 1] = '\0';
	return token_ok(buf);
}

/* Why field k of a row is not valid, or NULL. */
static const char *field_error(int k, const char *s)
{
	switch (k) {
	case F_AGREEMENT:
		return is_any(s) || !strcmp(s, "riksavtal") || !strcmp(s, "regionavtal") ||
		       !strcmp(s, "mellanlansavtal") || !strcmp(s, "none") ? NULL
		       : "agreement must be riksavtal, regionavtal, mellanlansavtal, none or *";
	case F_PRICELIST:
		return is_any(s) || !strcmp(s, "none") || (digits(s, 1) && s[0] >= '1' && s[0] <= '6')
		       ? NULL : "pricelist must be 1-6, none or *";
	case F_CARE:
		return is_any(s) || !strcmp(s, "outpatient") || !strcmp(s, "inpatient") ? NULL
		       : "care must be outpatient, inpatient or *";
	case F_COUNTY:
		return is_any(s) || digits(s, 2) ? NULL : "county must be 2 digits or *";
	case F_MUNICIPALITY:
		return is_any(s) || digits(s, 4) ? NULL : "municipality must be 4 digits or *";
	case F_UNIT:
		return is_any(s) || token_ok(s) || prefix_ok(s)
		       ? NULL : "unit must be an HSA id, a prefix ending in * or *";
	case F_ACCOUNT:
		return token_ok(s) && !is_any(s) ? NULL
		       : "account must be letters, digits, '-', '_' or '.'";
	case F_COST:
		return token_ok(s) && !is_any(s) ? NULL
		       : "costcentre must be letters, digits, '-', '_' or '.'";
	}
	return "unknown field";
}

int care_rules_parse(care_rules **out, const char *text, size_t len, const char *name,
		     ulf_err *err)
{
	care_rules *r = NULL;
	char *line, *next, *p, *mem;
	dynbuf rows;   /* rule_row items */
	size_t default_at = 0;
	unsigned lineno = 0;
	int rc = 0;

	*out = NULL;
	dynbuf_init(&rows, RULES_MAX_ROWS * sizeof(rule_row));
	r = calloc(1, sizeof(*r));
	if (!r || !(r->name = strdup(name ? name : "rules")) || !(r->text = malloc(len + 1))) {
		rc = ulf_err_set(err, ULF_ENOMEM, "%s: out of memory", name ? name : "rules");
		goto out;
	}
	memcpy(r->text, text, len);
	r->text[len] = '\0';
	if (strlen(r->text) != len) {
		rc = ulf_err_set(err, ULF_EPARSE, "%s: holds a NUL byte", r->name);
		goto out;
	}
	for (line = r->text; line; line = next) {
		rule_row row;
		int k = 0;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if ((p = strchr(line, '#')))
			*p = '\0';
		memset(&row, 0, sizeof(row));
		row.line = lineno;
		for (p = line; *p;) {
			while (text_is_line_space(*p))
				p++;
			if (!*p)
				break;
			if (k == NFIELDS) {
				rc = ulf_err_set(err, ULF_EPARSE, "%s:%u: more than %d fields", r->name,
						 lineno, NFIELDS);
				goto out;
			}
			row.f[k++] = p;
			while (*p && !text_is_line_space(*p))
				p++;
			if (*p)
				*p++ = '\0';
		}
		if (k == 0)
			continue;
		if (k != NFIELDS) {
			rc = ulf_err_set(err, ULF_EPARSE, "%s:%u: %d fields, a row has %d: agreement"
					 " pricelist care county municipality unit account costcentre",
					 r->name, lineno, k, NFIELDS);
			goto out;
		}
		for (k = 0; k < NFIELDS; k++) {
			const char *why = field_error(k, row.f[k]);
			if (why) {
				rc = ulf_err_set(err, ULF_EINVAL, "%s:%u: '%.*s': %s", r->name, lineno,
						 text_quote_len(row.f[k], 40), row.f[k], why);
				goto out;
			}
		}
		if (default_at) {
			rc = ulf_err_set(err, ULF_EINVAL, "%s:%u: this row can never match: the default"
					 " row on line %zu comes first", r->name, lineno, default_at);
			goto out;
		}
		row.is_default = true;
		for (k = 0; k <= F_UNIT; k++)
			row.is_default = row.is_default && is_any(row.f[k]);
		if (row.is_default)
			default_at = lineno;
		rc = dynbuf_add(&rows, &row, sizeof(row));
		if (rc == ULF_ELIMIT) {
			rc = ulf_err_set(err, rc, "%s:%u: more than %zu rows", r->name, lineno,
					 (size_t)RULES_MAX_ROWS);
			goto out;
		}
		if (rc) {
			rc = ulf_err_set(err, rc, "%s: out of memory", r->name);
			goto out;
		}
	}
	if (!default_at) {
		rc = ulf_err_set(err, ULF_EINVAL, "%s: no default row (six '*' conditions) at the"
				 " end: a care line could go unbooked", r->name);
		goto out;
	}
	r->n = dynbuf_len(&rows) / sizeof(rule_row);
	if ((rc = dynbuf_take(&mem, NULL, &rows)) != 0) {
		rc = ulf_err_set(err, rc, "%s: out of memory", r->name);
		goto out;
	}
	r->rows = (rule_row *)(void *)mem;   /* malloc'd: aligned for any type */
	*out = r;
	r = NULL;
out:
	dynbuf_release(&rows);
	care_rules_free(r);
	return rc;
}

int care_rules_load(care_rules **out, const char *path, ulf_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (!path || !*path || strcmp(path, "builtin") == 0)
		return care_rules_parse(out, builtin, sizeof(builtin) - 1, "builtin", err);
	rc = file_read(&text, &len, path, RULES_MAX_BYTES, err);
	if (rc == 0)
		rc = care_rules_parse(out, text, len, path, err);
	free(text);
	return rc;
}

void care_rules_free(care_rules *r)
{
	if (!r)
		return;
	free(r->rows);
	free(r->text);
	free(r->name);
	free(r);
}

const char *care_rules_name(const care_rules *r)
{
	return r->name;
}

/* A condition against a value of the line; NULL value = absent. */
static bool cond(const char *want, const char *have)
{
	if (is_any(want))
		return true;
	if (strcmp(want, "none") == 0)
		return !have || !*have;
	return have && strcmp(want, have) == 0;
}

static bool unit_cond(const char *want, const char *have)
{
	size_t n = strlen(want);

	if (is_any(want))
		return true;
	if (!have)
		return false;
	if (want[n - 1] == '*')
		return strncmp(want, have, n - 1) == 0;
	return strcmp(want, have) == 0;
}

static const rule_row *match(const care_rules *r, const claim *c, const claim_line *l)
{
	const claim_patient *p = &c->patients[l->patient];
	const char *agreement = l->agreement.v && *l->agreement.v
				? care_agreement_name(&l->agreement) : NULL;
	size_t i;

	for (i = 0; i < r->n; i++) {
		const rule_row *w = &r->rows[i];
		/* an unknown agreement code matches only '*' (CARE-018 reports it) */
		if ((is_any(w->f[F_AGREEMENT]) ||
		     (strcmp(w->f[F_AGREEMENT], "none") == 0 ? !l->agreement.v || !*l->agreement.v
		      : agreement && strcmp(w->f[F_AGREEMENT], agreement) == 0)) &&
		    cond(w->f[F_PRICELIST], l->price_list.v) &&
		    (is_any(w->f[F_CARE]) ||
		     (care_type_name(l) && strcmp(w->f[F_CARE], care_type_name(l)) == 0)) &&
		    cond(w->f[F_COUNTY], p->county.code) &&
		    cond(w->f[F_MUNICIPALITY], p->municipality.code) &&
		    unit_cond(w->f[F_UNIT], l->unit_id.extension))
			return w;
	}
	return NULL;   /* cannot happen: the table ends with a default row */
}

int care_book(care_booking *out, const care_rules *rules, const claim *c, ulf_err *err)
{
	size_t i, k;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->total = dec_make(0, 2);
	if (c->nlines == 0)
		return 0;
	out->lines = calloc(c->nlines, sizeof(*out->lines));
	out->rows = calloc(c->nlines, sizeof(*out->rows));
	if (!out->lines || !out->rows) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory while booking a care claim");
		goto out;
	}
	for (i = 0; i < c->nlines; i++) {
		const claim_line *l = &c->lines[i];
		const rule_row *w;
		care_booking_line *b;

		if (!l->net.set) {
			out->unbooked++;
			continue;
		}
		w = match(rules, c, l);
		if (!w) {
			rc = ulf_err_set(err, ULF_EINVAL, "%s: no rule books line %s",
					 rules->name, l->line_id.v ? l->line_id.v : "?");
			goto out;
		}
		b = &out->lines[out->nlines++];
		b->line_id = l->line_id.v;
		b->account = w->f[F_ACCOUNT];
		b->cost_centre = w->f[F_COST];
		b->rule_line = w->line;
		b->by_default = w->is_default;
		/* a credit claim is written positive and reduces: book it negative */
		b->amount = c->type == CLAIM_TYPE_CREDIT ? dec_neg(l->net.v) : l->net.v;
		if (dec_add(&out->total, out->total, b->amount)) {
			rc = ulf_err_set(err, ULF_ERANGE, "the care lines' amounts do not add up in range");
			goto out;
		}
		for (k = 0; k < out->nrows; k++)
			if (strcmp(out->rows[k].account, b->account) == 0 &&
			    strcmp(out->rows[k].cost_centre, b->cost_centre) == 0)
				break;
		if (k == out->nrows) {
			out->rows[k].account = b->account;
			out->rows[k].cost_centre = b->cost_centre;
			out->rows[k].amount = dec_make(0, 2);
			out->nrows++;
		}
		if (dec_add(&out->rows[k].amount, out->rows[k].amount, b->amount)) {
			rc = ulf_err_set(err, ULF_ERANGE, "the care lines' amounts do not add up in range");
			goto out;
		}
	}
out:
	if (rc)
		care_booking_release(out);
	return rc;
}

void care_booking_release(care_booking *b)
{
	if (!b)
		return;
	free(b->lines);
	free(b->rows);
	memset(b, 0, sizeof(*b));
}

/* o[key] = v as text with two decimals ("1234.50"). */
static int set_dec(ujson *o, const char *key, dec v)
{
	char buf[DEC_STR_MAX];

	dec_format(buf, sizeof(buf), v, 2);
	return ujson_set_str(o, key, buf);
}

int care_booking_json(ujson **out, const care_booking *b, const care_rules *rules,
		      ulf_err *err)
{
	ujson *o = ujson_object(), *arr = NULL, *e = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!o)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	UJSON_TRY(ujson_set_str(o, "rules", rules ? care_rules_name(rules) : NULL), "rules");
	if (!(arr = ujson_array()))
		goto nomem;
	for (i = 0; i < b->nlines; i++) {
		const care_booking_line *l = &b->lines[i];
		if (!(e = ujson_object()))
			goto nomem;
		UJSON_TRY(ujson_set_str(e, "line_id", l->line_id), "line_id");
		UJSON_TRY(ujson_set_str(e, "account", l->account), "account");
		UJSON_TRY(ujson_set_str(e, "cost_centre", l->cost_centre), "cost_centre");
		UJSON_TRY(set_dec(e, "amount", l->amount), "amount");
		UJSON_TRY(ujson_set_int(e, "rule_line", l->rule_line), "rule_line");
		UJSON_TRY(ujson_set_bool(e, "default_rule", l->by_default), "default_rule");
		rc = ujson_append_new(arr, e);
		e = NULL;   /* taken, whatever the outcome */
		UJSON_TRY(rc, "lines");
	}
	rc = ujson_set_new(o, "lines", arr);
	arr = NULL;
	UJSON_TRY(rc, "lines");
	if (!(arr = ujson_array()))
		goto nomem;
	for (i = 0; i < b->nrows; i++) {
		if (!(e = ujson_object()))
			goto nomem;
		UJSON_TRY(ujson_set_str(e, "account", b->rows[i].account), "account");
		UJSON_TRY(ujson_set_str(e, "cost_centre", b->rows[i].cost_centre), "cost_centre");
		UJSON_TRY(set_dec(e, "amount", b->rows[i].amount), "amount");
		rc = ujson_append_new(arr, e);
		e = NULL;
		UJSON_TRY(rc, "suggestion");
	}
	rc = ujson_set_new(o, "suggestion", arr);
	arr = NULL;
	UJSON_TRY(rc, "suggestion");
	UJSON_TRY(set_dec(o, "total", b->total), "total");
	UJSON_TRY(ujson_set_int(o, "unbooked_lines", (int64_t)b->unbooked), "unbooked_lines");
	*out = o;
	o = NULL;
	goto out;
nomem:
	rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
out:
	ujson_free(e);
	ujson_free(arr);
	ujson_free(o);
	return rc;
}

void care_booking_text(FILE *out, const care_booking *b, const char *indent)
{
	char buf[DEC_STR_MAX];
	size_t i;

	for (i = 0; i < b->nlines; i++) {
		const care_booking_line *l = &b->lines[i];
		dec_format(buf, sizeof(buf), l->amount, 2);
		fprintf(out, "%sline %s -> account %s, cost centre %s: %s (rule on line %u%s)\n",
			indent, l->line_id ? l->line_id : "?", l->account, l->cost_centre, buf,
			l->rule_line, l->by_default ? ", the default" : "");
	}
	for (i = 0; i < b->nrows; i++) {
		dec_format(buf, sizeof(buf), b->rows[i].amount, 2);
		fprintf(out, "%ssuggestion: account %s, cost centre %s: %s\n", indent,
			b->rows[i].account, b->rows[i].cost_centre, buf);
	}
	dec_format(buf, sizeof(buf), b->total, 2);
	fprintf(out, "%stotal %s", indent, buf);
	if (b->unbooked)
		fprintf(out, ", %zu line%s without a readable net amount not booked", b->unbooked,
			b->unbooked == 1 ? "" : "s");
	fputc('\n', out);
}
