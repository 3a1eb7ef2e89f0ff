/*
 * read.c - helpers shared by the syntax readers.  See read.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/base64.h"
#include "core/text.h"
#include "parsers/read.h"

int rd_nomem(rd *r)
{
	if (!r->rc)
		r->rc = ulf_err_set(r->err, ULF_ELIMIT,
			"%s: the invoice exceeds the model memory cap", r->name);
	return r->rc;
}

static const char *dup_trimmed(rd *r, const char *s, size_t len)
{
	const char *p;

	while (len > 0 && text_is_space(*s))
		s++, len--;
	while (len > 0 && text_is_space(s[len - 1]))
		len--;
	if (len == 0)
		return "";
	p = arena_strndup(&r->inv->mem, s, len);
	if (!p)
		rd_nomem(r);
	return p;
}

const char *rd_str(rd *r, const xml_node *n)
{
	size_t len;
	const char *s = xml_text(n, &r->inv->mem, &len);

	if (!s) {
		rd_nomem(r);
		return NULL;
	}
	return dup_trimmed(r, s, len);
}

const char *rd_dup(rd *r, const char *s)
{
	return s ? dup_trimmed(r, s, strlen(s)) : NULL;
}

void rd_text(rd *r, inv_text *out, const xml_node *n)
{
	if (!n || r->rc)
		return;
	out->v = rd_str(r, n);
	out->line = xml_line(n);
}

void rd_id(rd *r, inv_id *out, const xml_node *n, const char *scheme_attr)
{
	if (!n || r->rc)
		return;
	out->v = rd_str(r, n);
	out->scheme = scheme_attr ? rd_dup(r, xml_attr(n, scheme_attr)) : NULL;
	out->line = xml_line(n);
}

void rd_problem(rd *r, const xml_node *n, const char *fmt, ...)
{
	inv_problem *p, **tail;
	char msg[256];
	va_list ap;

	/* a hostile document could fill the model with problems: keep the first */
	if (r->inv->nproblems >= RD_MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p = arena_alloc(&r->inv->mem, sizeof(*p));
	if (!p) {
		rd_nomem(r);
		return;
	}
	p->line = xml_line(n);
	p->element = rd_dup(r, xml_name(n));
	p->msg = rd_dup(r, msg);
	for (tail = &r->inv->problems; *tail; tail = &(*tail)->next)
		;
	*tail = p;
	r->inv->nproblems++;
}

static bool parse_dec(rd *r, dec *out, const xml_node *n)
{
	size_t len;
	const char *s = xml_text(n, &r->inv->mem, &len);
	int rc;

	if (!s) {
		rd_nomem(r);
		return false;
	}
	rc = dec_parse(out, s, len);
	if (rc == 0)
		return true;
	rd_problem(r, n, "'%.*s' is not a %s", text_quote_len(s, 40), s,
		   rc == ULF_ERANGE ? "decimal that fits (too many digits)" : "decimal number");
	return false;
}

void rd_amount(rd *r, inv_amount *out, const xml_node *n, const char *currency_attr)
{
	if (!n || r->rc)
		return;
	out->line = xml_line(n);
	out->currency = rd_dup(r, xml_attr(n, currency_attr));
	out->set = parse_dec(r, &out->v, n);
}

void rd_qty(rd *r, inv_qty *out, const xml_node *n, const char *unit_attr)
{
	if (!n || r->rc)
		return;
	out->line = xml_line(n);
	out->unit = rd_dup(r, xml_attr(n, unit_attr));
	out->set = parse_dec(r, &out->v, n);
}

void rd_num(rd *r, inv_num *out, const xml_node *n)
{
	if (!n || r->rc)
		return;
	out->line = xml_line(n);
	out->set = parse_dec(r, &out->v, n);
}

int rd_bool(rd *r, const xml_node *n)
{
	const char *s = rd_str(r, n);

	if (!s)
		return -1;
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		return 1;
	if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		return 0;
	rd_problem(r, n, "'%.*s' is neither true nor false", text_quote_len(s, 40), s);
	return -1;
}

void *rd_array(rd *r, size_t *count, const xml_node *parent, const char *ns,
	       const char *name, size_t size)
{
	size_t n = xml_count(parent, ns, name);
	void *p;

	*count = 0;
	if (n == 0 || r->rc)
		return NULL;
	p = invoice_alloc(r->inv, n, size);
	if (!p) {
		rd_nomem(r);
		return NULL;
	}
	*count = n;
	return p;
}

int rd_attachment(rd *r, inv_attachment **out, const xml_node *n,
		  const char *mime, const char *filename)
{
	unsigned char *data = NULL;
	const char *s;
	size_t len, size = 0;
	ulf_err local;
	int rc;

	*out = NULL;
	s = xml_text(n, &r->inv->mem, &len);
	if (!s)
		return rd_nomem(r);
	ulf_err_clear(&local);
	rc = base64_decode(&data, &size, s, len, r->limits->max_attachment_bytes, &local);
	if (rc == ULF_ELIMIT) {
		r->rc = ulf_err_set(r->err, rc, "%s: line %u: %s", r->name, xml_line(n), local.msg);
		return r->rc;
	}
	if (rc) {
		/* a corrupt attachment does not make the invoice unreadable */
		rd_problem(r, n, "attachment %s: %s", filename ? filename : "", local.msg);
		return 0;
	}
	rc = invoice_add_attachment(out, r->inv, mime, filename, data, size, NULL);
	if (rc)
		return rd_nomem(r);
	return 0;
}
