/*
 * rules.c - the ruleset: its life (load, free), the supplier-keyed index
 * the lookups go through, names and counts.  The parser is in
 * rules_parse.c, settings and tolerances in rules_settings.c, the rules
 * at work in rules_eval.c (rules_int.h).  See rules.h and
 * docs/rules-file.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileio.h"
#include "robot/store/refdata.h"
#include "robot/match/rules_int.h"

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

map_slot *rp_map_find(map *m, const char *key, bool create)
{
	size_t i;

	if (create && (m->used + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64, j;
		map_slot *ns = calloc(cap, sizeof(*ns));
		if (!ns)
			return NULL;
		for (j = 0; j < m->cap; j++) {
			if (!m->slots[j].key)
				continue;
			for (i = hash_str(m->slots[j].key) & (cap - 1); ns[i].key; i = (i + 1) & (cap - 1))
				;
			ns[i] = m->slots[j];
		}
		free(m->slots);
		m->slots = ns;
		m->cap = cap;
	}
	if (!m->cap)
		return NULL;
	for (i = hash_str(key) & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1))
		if (strcmp(m->slots[i].key, key) == 0)
			return &m->slots[i];
	if (!create)
		return NULL;
	m->slots[i].key = strdup(key);
	if (!m->slots[i].key)
		return NULL;
	m->used++;
	return &m->slots[i];
}

/* Appends rule index x to the list v[0..n) that buf holds. */
static int push_idx(dynbuf *buf, uint32_t **v, size_t *n, uint32_t x)
{
	int rc;

	if (*n && (*v)[*n - 1] == x)
		return 0;   /* a rule naming one supplier twice */
	/* a list holds each rule once at most; a new (zeroed) one starts so */
	if (!dynbuf_items(buf))
		dynbuf_init(buf, RULES_MAX_RULES * sizeof(x));
	rc = dynbuf_add(buf, &x, sizeof(x));
	if (rc)
		return rc;
	*v = dynbuf_items(buf);
	(*n)++;
	return 0;
}

static void map_free(map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		free(m->slots[i].key);
		dynbuf_release(&m->slots[i].buf);
	}
	free(m->slots);
}

static void free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void rule_release(rule *ru)
{
	int i;

	free(ru->name);
	free_list(ru->suppliers, ru->nsuppliers);
	free_list(ru->buyers, ru->nbuyers);
	regex_free(ru->pattern);
	free(ru->prefix);
	regex_free(ru->item);
	regex_free(ru->iname);
	regex_free(ru->cls);
	regex_free(ru->text);
	regex_free(ru->reference);
	for (i = 0; i < RB_COUNT; i++)
		free(ru->out[i]);
}

void rules_free(ruleset *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nrules; i++)
		rule_release(&r->rules[i]);
	dynbuf_release(&r->rules_buf);
	for (i = 0; i < 4; i++) {
		map_free(&r->by_supplier[i]);
		dynbuf_release(&r->general[i].buf);
	}
	dynbuf_release(&r->tols_buf);
	dynbuf_release(&r->vats_buf);
	regex_free(r->accounting_cost);
	free(r->name);
	free(r);
}

const char *rules_name(const ruleset *r)
{
	return r->name;
}

void rules_count(rules_counts *out, const ruleset *r)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < r->nrules; i++) {
		if (r->rules[i].kind == RK_EXTRACT)
			out->extract++;
		else if (r->rules[i].kind == RK_CODE)
			out->code++;
		else
			out->nonpo++;
	}
	out->tolerance = r->ntols;
	out->patterns = r->npatterns;
	out->jit = r->njit;
}

const char *rules_field_label(int rb)
{
	static const char *const names[RB_COUNT] = {
		"account", "cost_centre", "activity", "project", "vat_code"
	};
	return rb >= 0 && rb < RB_COUNT ? names[rb] : "?";
}

const char *rules_tol_name(rules_tol_kind k)
{
	static const char *const names[TOL_COUNT_] = {
		"price", "quantity", "line", "total", "recurring"
	};
	return k < TOL_COUNT_ ? names[k] : "?";
}

const rp_field_name rp_field_names[] = {
	{ "order_ref", RF_ORDER_REF }, { "line_order_ref", RF_LINE_ORDER_REF },
	{ "buyer_ref", RF_BUYER_REF }, { "note", RF_NOTE }, { "line_note", RF_LINE_NOTE },
	{ "doc_id", RF_DOC_ID }, { "contract_ref", RF_CONTRACT_REF },
	{ "project_ref", RF_PROJECT_REF }, { "accounting_ref", RF_ACCOUNTING_REF },
	{ "payment_ref", RF_PAYMENT_REF }, { "any", RF_ALL },
};
const size_t rp_nfield_names = sizeof(rp_field_names) / sizeof(rp_field_names[0]);

const char *rules_field_name(unsigned field)
{
	size_t i;

	for (i = 0; i < rp_nfield_names; i++)
		if (rp_field_names[i].bit == field)
			return rp_field_names[i].name;
	return "?";
}

bool rules_party_key(char *out, size_t n, const char *value)
{
	char k[160];

	if (n)
		out[0] = '\0';
	if (!value)
		return false;
	if (strchr(value, ':')) {
		if (!refdata_norm(k, sizeof(k), REF_BY_PEPPOL, value))
			return false;
		return snprintf(out, n, "peppol:%s", k) < (int)n;
	}
	if (refdata_norm(k, sizeof(k), REF_BY_ORG, value))
		return snprintf(out, n, "org:%s", k) < (int)n;
	if (refdata_norm(k, sizeof(k), REF_BY_VAT, value))
		return snprintf(out, n, "vat:%s", k) < (int)n;
	return false;
}

/* Puts every rule into its supplier lists or the general list. */
int rp_index_rules(ruleset *r)
{
	size_t i, j;

	for (i = 0; i < r->nrules; i++) {
		rule *ru = &r->rules[i];
		if (ru->nsuppliers == 0) {
			idxlist *g = &r->general[ru->kind];
			if (push_idx(&g->buf, &g->v, &g->n, (uint32_t)i))
				return ULF_ENOMEM;
			continue;
		}
		for (j = 0; j < ru->nsuppliers; j++) {
			map_slot *s = rp_map_find(&r->by_supplier[ru->kind], ru->suppliers[j], true);
			if (!s || push_idx(&s->buf, &s->idx, &s->n, (uint32_t)i))
				return ULF_ENOMEM;
		}
	}
	return 0;
}

int rules_load(ruleset **out, const char *path, rules_report_fn report, void *ctx,
	       ulf_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!path || !*path || !strcmp(path, "builtin"))
		return rules_parse(out, rules_builtin(), strlen(rules_builtin()), "builtin", report,
				   ctx, err);
	*out = NULL;
	rc = file_read(&text, &len, path, RULES_MAX_BYTES, err);
	if (rc)
		return rc;
	rc = rules_parse(out, text, len, path, report, ctx, err);
	free(text);
	return rc;
}
