/*
 * rules_eval.c - the rules at work: the candidates of a kind for the
 * invoice's supplier (its own first, then the general ones), extraction of
 * order numbers and references, code rules per booking field, and the
 * nonpo rule that lets an invoice without an order through.  See rules.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "robot/match/mtext.h"
#include "robot/match/rules_int.h"

/* The rules of `kind` that apply to the supplier (in file order) followed
 * by the general ones.  *out is malloc'd. */
static int candidates(uint32_t **out, size_t *out_n, size_t *out_nsup, const ruleset *r,
		      int kind, const rules_who *who)
{
	const map_slot *lists[8];
	size_t nl = 0, total, i, n = 0, pos[8] = { 0 };
	uint32_t *v;

	for (i = 0; i < who->nsupplier && nl < 8; i++) {
		const map_slot *s;
		if (!who->supplier_keys[i])
			continue;
		s = rp_map_find((map *)&r->by_supplier[kind], who->supplier_keys[i], false);
		if (s)
			lists[nl++] = s;
	}
	total = r->general[kind].n;
	for (i = 0; i < nl; i++)
		total += lists[i]->n;
	*out_n = *out_nsup = 0;
	*out = NULL;
	if (total == 0)
		return 0;
	v = malloc(total * sizeof(*v));
	if (!v)
		return ULF_ENOMEM;
	/* merge the supplier's lists by rule index: one rule may name the
	 * supplier by org number and by Peppol id */
	for (;;) {
		uint32_t best = UINT32_MAX;
		for (i = 0; i < nl; i++)
			if (pos[i] < lists[i]->n && lists[i]->idx[pos[i]] < best)
				best = lists[i]->idx[pos[i]];
		if (best == UINT32_MAX)
			break;
		for (i = 0; i < nl; i++)
			if (pos[i] < lists[i]->n && lists[i]->idx[pos[i]] == best)
				pos[i]++;
		v[n++] = best;
	}
	*out_nsup = n;
	if (r->general[kind].n)
		memcpy(v + n, r->general[kind].v, r->general[kind].n * sizeof(*v));
	n += r->general[kind].n;
	*out = v;
	*out_n = n;
	return 0;
}

static bool buyer_ok(const rule *ru, const rules_who *who)
{
	size_t i;

	if (ru->nbuyers == 0)
		return true;
	for (i = 0; i < ru->nbuyers; i++)
		if (rp_has_key(who->buyer_keys, who->nbuyer, ru->buyers[i]))
			return true;
	return false;
}

static void append(char *why, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *why, size_t n, const char *fmt, ...)
{
	size_t len = strlen(why);
	va_list ap;

	if (len + 3 >= n)
		return;
	if (len)
		memcpy(why + len, "; ", 3), len += 2;
	va_start(ap, fmt);
	vsnprintf(why + len, n - len, fmt, ap);
	va_end(ap);
	mtext_trim(why);
}

int rules_extract(rules_hit *out, size_t *out_n, size_t max, regex_match *m,
		  const ruleset *r, const rules_who *who, const rules_text *texts,
		  size_t ntexts)
{
	static const char *const groups[3] = { "order", "ref", "contract" };
	uint32_t *cand = NULL;
	size_t ncand, nsup, c, t, g, n = 0, j;
	int rc;

	*out_n = 0;
	rc = candidates(&cand, &ncand, &nsup, r, RK_EXTRACT, who);
	if (rc)
		return rc;
	for (c = 0; c < ncand && n < max; c++) {
		const rule *ru = &r->rules[cand[c]];
		if (!buyer_ok(ru, who) || !ru->pattern)
			continue;
		for (t = 0; t < ntexts && n < max; t++) {
			const char *s = texts[t].text;
			size_t len, start = 0, a, b;
			if (!s || !(ru->fields & texts[t].field))
				continue;
			len = strlen(s);
			while (start <= len && n < max && regex_exec(m, ru->pattern, s, len, start) == 1) {
				size_t ms, me;
				regex_span(m, &ms, &me);
				for (g = 0; g < 3 && n < max; g++) {
					rules_hit *h = &out[n];
					char val[128];
					bool dup = false;
					if (!regex_named(m, ru->pattern, groups[g], &a, &b) || a == b)
						continue;
					snprintf(val, sizeof(val), "%s%.*s", ru->prefix ? ru->prefix : "",
						 (int)(b - a), s + a);
					mtext_trim(val);
					for (j = 0; j < n; j++)
						if (!strcmp(out[j].group, groups[g]) && !strcmp(out[j].value, val))
							dup = true;
					if (dup)
						continue;
					memset(h, 0, sizeof(*h));
					h->rule = ru->name;
					h->line = ru->line;
					h->group = groups[g];
					memcpy(h->value, val, sizeof(val));
					h->field = texts[t].field;
					h->where = texts[t].where;
					h->supplier_rule = c < nsup;
					n++;
				}
				/* an empty match moves on by one character */
				start = me > ms ? me : me + 1;
				while (start < len && ((unsigned char)s[start] & 0xC0) == 0x80)
					start++;
			}
		}
	}
	free(cand);
	*out_n = n;
	return 0;
}

typedef struct caps {
	char name[MAX_CAPS][32];
	char value[MAX_CAPS][64];
	size_t n;
} caps;

static void capture(caps *cp, regex_match *m, const regex *re, const char *s)
{
	size_t i, a, b;

	for (i = 0; i < regex_name_count(re) && cp->n < MAX_CAPS; i++) {
		const char *name = regex_name_at(re, i);
		if (strlen(name) >= sizeof(cp->name[0]) || !regex_named(m, re, name, &a, &b))
			continue;
		snprintf(cp->name[cp->n], sizeof(cp->name[0]), "%s", name);
		rp_copy_span(cp->value[cp->n], sizeof(cp->value[0]), s, a, b);
		cp->n++;
	}
}

/* Whether re matches any of the texts; records the first that does. */
static bool any_match(regex_match *m, const regex *re, const char *const *texts, size_t n,
		      caps *cp, char *why, size_t wn, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!texts[i] || !*texts[i])
			continue;
		if (regex_exec(m, re, texts[i], strlen(texts[i]), 0) == 1) {
			capture(cp, m, re, texts[i]);
			append(why, wn, "%s /%s/ matched \"%.*s\"", key, regex_pattern(re),
			       mtext_fit(texts[i], 60), texts[i]);
			return true;
		}
	}
	return false;
}

static unsigned flow_bit(const char *flow)
{
	if (!flow)
		return 0;
	if (!strcmp(flow, "po"))
		return FLOW_PO;
	if (!strcmp(flow, "non-po"))
		return FLOW_NONPO;
	if (!strcmp(flow, "recurring"))
		return FLOW_RECURRING;
	return 0;
}

static bool party_ok(const rule *ru, const rules_who *who, char *why, size_t wn)
{
	size_t i;

	for (i = 0; i < ru->nsuppliers; i++)
		if (rp_has_key(who->supplier_keys, who->nsupplier, ru->suppliers[i])) {
			append(why, wn, "supplier %s", ru->suppliers[i]);
			break;
		}
	if (ru->nsuppliers && i == ru->nsuppliers)
		return false;
	if (!buyer_ok(ru, who))
		return false;
	if (ru->nbuyers)
		append(why, wn, "buyer matched");
	if (ru->contract >= 0) {
		if (ru->contract != (who->contract ? 1 : 0))
			return false;
		append(why, wn, "contract %s", ru->contract ? "yes" : "no");
	}
	return true;
}

static bool amount_ok(const rule *ru, dec amount, bool set, char *why, size_t wn)
{
	char a[DEC_STR_MAX];

	if (!ru->amin_set && !ru->amax_set)
		return true;
	if (!set)
		return false;
	/* credit notes carry negative amounts: the range is on the size */
	amount = dec_abs(amount);
	if ((ru->amin_set && dec_cmp(amount, ru->amin) < 0) ||
	    (ru->amax_set && dec_cmp(amount, ru->amax) > 0))
		return false;
	dec_format(a, sizeof(a), amount, 2);
	append(why, wn, "amount %s in range", a);
	return true;
}

static bool code_matches(const rule *ru, regex_match *m, const rules_who *who,
			 const rules_line *l, caps *cp, char *why, size_t wn)
{
	const char *names[2] = { l->name, l->description };
	const char *texts[3] = { l->name, l->description, l->note };
	const char *refs[1] = { l->buyer_reference };

	why[0] = '\0';
	cp->n = 0;
	if (ru->kinds && !(ru->kinds & l->kind))
		return false;
	if (ru->flows && !(ru->flows & flow_bit(l->flow)))
		return false;
	if (!party_ok(ru, who, why, wn))
		return false;
	if (ru->item && !any_match(m, ru->item, l->item_ids, 3, cp, why, wn, "item"))
		return false;
	if (ru->iname && !any_match(m, ru->iname, names, 2, cp, why, wn, "name"))
		return false;
	if (ru->cls && !any_match(m, ru->cls, (const char *const *)l->classes, l->nclasses, cp,
				  why, wn, "class"))
		return false;
	if (ru->text && !any_match(m, ru->text, texts, 3, cp, why, wn, "text"))
		return false;
	if (ru->reference && !any_match(m, ru->reference, refs, 1, cp, why, wn, "reference"))
		return false;
	if (!amount_ok(ru, l->amount, l->amount_set, why, wn))
		return false;
	if (ru->vat_set) {
		if (!l->vat_category || strcasecmp(l->vat_category, ru->vat_cat))
			return false;
		if (ru->vat_rate_set && (!l->vat_rate_set || dec_cmp(l->vat_rate, ru->vat_rate)))
			return false;
		append(why, wn, "vat %s", ru->vat_cat);
	}
	if (!why[0])
		append(why, wn, "no conditions (applies to every line)");
	return true;
}

/* Writes out with each {group} replaced by its capture; false when that
 * leaves nothing or a group did not take part. */
static bool expand(char *out, size_t n, const char *tmpl, const caps *cp)
{
	size_t len = 0, i;
	const char *s = tmpl;

	while (*s && len + 1 < n) {
		if (*s == '{') {
			const char *close = strchr(s, '}');
			bool found = false;
			if (!close)
				return false;
			for (i = 0; i < cp->n; i++)
				if (strlen(cp->name[i]) == (size_t)(close - s - 1) &&
				    !memcmp(cp->name[i], s + 1, (size_t)(close - s - 1))) {
					size_t vl = strlen(cp->value[i]);
					if (len + vl >= n)
						return false;
					memcpy(out + len, cp->value[i], vl);
					len += vl;
					found = true;
					break;
				}
			if (!found)
				return false;
			s = close + 1;
			continue;
		}
		out[len++] = *s++;
	}
	out[len] = '\0';
	return len > 0 && !*s;
}

static void fill(rules_coding *out, const rule *ru, const caps *cp, const char *why,
		 bool only_empty)
{
	int f;

	for (f = 0; f < RB_COUNT; f++) {
		if (!ru->out[f] || (only_empty && out->rule[f]))
			continue;
		if (!expand(out->value[f], sizeof(out->value[f]), ru->out[f], cp)) {
			out->value[f][0] = '\0';
			continue;
		}
		out->rule[f] = ru->name;
		out->line[f] = ru->out_line[f];
		snprintf(out->why[f], sizeof(out->why[f]), "%s", why);
	}
}

int rules_code(rules_coding *out, regex_match *m, const ruleset *r, const rules_who *who,
	       const rules_line *l)
{
	uint32_t *cand = NULL;
	size_t ncand, nsup, c;
	char why[200];
	caps cp;
	int f, rc, open = RB_COUNT;

	memset(out, 0, sizeof(*out));
	rc = candidates(&cand, &ncand, &nsup, r, RK_CODE, who);
	if (rc)
		return rc;
	for (c = 0; c < ncand && open > 0; c++) {
		const rule *ru = &r->rules[cand[c]];
		bool useful = false;
		for (f = 0; f < RB_COUNT; f++)
			if (ru->out[f] && !out->rule[f])
				useful = true;
		if (!useful || !code_matches(ru, m, who, l, &cp, why, sizeof(why)))
			continue;
		fill(out, ru, &cp, why, true);
		for (open = 0, f = 0; f < RB_COUNT; f++)
			if (!out->rule[f])
				open++;
	}
	free(cand);
	return 0;
}

int rules_nonpo(rules_nonpo_hit *out, bool *found, regex_match *m, const ruleset *r,
		const rules_who *who, const rules_text *refs, size_t nrefs, dec total)
{
	uint32_t *cand = NULL;
	size_t ncand, nsup, c, i;
	caps cp;
	int rc;

	*found = false;
	memset(out, 0, sizeof(*out));
	rc = candidates(&cand, &ncand, &nsup, r, RK_NONPO, who);
	if (rc)
		return rc;
	for (c = 0; c < ncand && !*found; c++) {
		const rule *ru = &r->rules[cand[c]];
		out->why[0] = '\0';
		cp.n = 0;
		if (!party_ok(ru, who, out->why, sizeof(out->why)))
			continue;
		if (ru->reference) {
			bool hit = false;
			for (i = 0; i < nrefs && !hit; i++) {
				const char *s = refs[i].text;
				if (!s || regex_exec(m, ru->reference, s, strlen(s), 0) != 1)
					continue;
				capture(&cp, m, ru->reference, s);
				append(out->why, sizeof(out->why), "reference /%s/ matched %s \"%.*s\"",
				       regex_pattern(ru->reference), rules_field_name(refs[i].field),
				       mtext_fit(s, 60), s);
				hit = true;
			}
			if (!hit)
				continue;
		}
		if (!amount_ok(ru, total, true, out->why, sizeof(out->why)))
			continue;
		out->rule = ru->name;
		out->line = ru->line;
		fill(&out->coding, ru, &cp, out->why, false);
		*found = true;
	}
	free(cand);
	return 0;
}
