/*
 * validate.c - running rule tables and collecting findings.  See validate.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pnr.h"
#include "core/text.h"
#include "parsers/validate.h"

void findings_init(findings *f)
{
	memset(f, 0, sizeof(*f));
	dynbuf_init(&f->buf, FINDINGS_MAX * sizeof(finding));
	arena_init(&f->mem, 8u << 20);
}

void findings_release(findings *f)
{
	if (!f)
		return;
	dynbuf_release(&f->buf);
	arena_release(&f->mem);
	memset(f, 0, sizeof(*f));
}

bool findings_fatal(const findings *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->items[i].flag == VFLAG_FATAL)
			return true;
	return false;
}

void vreport(vctx *c, const rule_def *r, uint32_t line, const xml_node *node,
	     const char *fmt, ...)
{
	findings *f = c->out;
	finding it;
	char msg[512], shown[512], path[512];
	va_list ap;
	int n;

	if (c->rc || f->n >= FINDINGS_MAX)
		return;
	it.rule = r->id;
	it.flag = r->flag;
	if (fmt) {
		va_start(ap, fmt);
		n = vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		/* quoted document text cut short still ends on a whole character */
		if (n >= (int)sizeof(msg))
			msg[text_utf8_cut(msg, strlen(msg))] = '\0';
		/* quoted document text may name a patient: a finding is shown
		 * and kept, so it never holds a personal identity number */
		pnr_mask_into(shown, sizeof(shown), msg, strlen(msg));
		it.message = arena_strdup(&f->mem, shown);
	} else {
		it.message = r->text;
	}
	if (node && !line)
		line = xml_line(node);
	it.line = line;
	it.location = NULL;
	if (node) {
		xml_path(path, sizeof(path), node);
		it.location = arena_strdup(&f->mem, path);
	}
	/* the cap is FINDINGS_MAX items, checked above: only memory fails */
	if (!it.message || dynbuf_add(&f->buf, &it, sizeof(it)) != 0) {
		c->rc = ULF_ENOMEM;
		return;
	}
	f->items = (finding *)(void *)dynbuf_ptr(&f->buf);
	f->n++;
}

static const struct {
	const rule_def *rules;
	const size_t *count;
} tables[] = {
	{ rules_en16931, &rules_en16931_count },
	{ rules_peppol, &rules_peppol_count },
	{ rules_se, &rules_se_count },
	{ rules_svefaktura, &rules_svefaktura_count },
};

const rule_def *validate_rule(const char *id)
{
	size_t t, i;

	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (i = 0; i < *tables[t].count; i++)
			if (strcmp(tables[t].rules[i].id, id) == 0)
				return &tables[t].rules[i];
	return NULL;
}

static void run(vctx *c, const rule_def *rules, size_t n)
{
	size_t i;

	for (i = 0; i < n && !c->rc; i++)
		rules[i].check(c, &rules[i]);
}

int validate_invoice(findings *out, const invoice *inv, const xml_doc *xml,
		     const validate_opts *opts, ulf_err *err)
{
	unsigned sets = opts ? opts->sets : 0;
	vctx c;

	if (!sets)
		sets = inv->syntax == INV_SYNTAX_SVEFAKTURA
		     ? VSET_SVEFAKTURA : (VSET_EN16931 | VSET_PEPPOL | VSET_SE);
	memset(&c, 0, sizeof(c));
	c.inv = inv;
	c.xml = xml;
	c.out = out;
	if (sets & VSET_EN16931)
		run(&c, rules_en16931, rules_en16931_count);
	if (sets & VSET_PEPPOL)
		run(&c, rules_peppol, rules_peppol_count);
	if (sets & VSET_SE)
		run(&c, rules_se, rules_se_count);
	if (sets & VSET_SVEFAKTURA)
		run(&c, rules_svefaktura, rules_svefaktura_count);
	if (c.rc)
		return ulf_err_set(err, c.rc, "out of memory while validating");
	return 0;
}

const char *vx_string(vctx *c, const xml_node *n)
{
	const char *s;

	if (!n)
		return "";
	s = xml_text(n, &c->out->mem, NULL);
	if (!s) {
		c->rc = ULF_ENOMEM;
		return "";
	}
	return s;
}

bool vx_nspace(char *buf, size_t cap, const char *s)
{
	size_t k = 0;
	bool gap = false;

	while (text_is_space(*s))
		s++;
	for (; *s; s++) {
		if (text_is_space(*s)) {
			gap = true;
			continue;
		}
		if (k + 2 >= cap)
			return false;
		if (gap)
			buf[k++] = ' ';
		gap = false;
		buf[k++] = *s;
	}
	buf[k] = '\0';
	return true;
}

size_t vx_length(const char *s)
{
	size_t k = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			k++;
	return k;
}
