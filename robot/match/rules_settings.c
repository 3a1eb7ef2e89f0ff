/*
 * rules_settings.c - the settings, vatcodes and tolerance blocks: their
 * keys as the parser meets them, the defaults, and the lookups the
 * matcher and the booking make (VAT codes, the AccountingCost split,
 * tolerances by precedence).  See rules.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "robot/match/mtext.h"
#include "robot/match/rules_int.h"

/* "5%", "50", "5% max 50", "5 % max 50". */
static bool parse_tol(rules_tol *t, char *value)
{
	char *w[6];
	size_t n = rp_words(w, 6, value), i = 0;
	size_t len;

	memset(t, 0, sizeof(*t));
	if (n == 0)
		return false;
	len = strlen(w[0]);
	if (len > 1 && w[0][len - 1] == '%') {
		w[0][len - 1] = '\0';
		if (!rp_parse_dec(&t->pct, w[0]) || dec_sign(t->pct) < 0)
			return false;
		t->pct_set = true;
		i = 1;
	} else if (n > 1 && !strcmp(w[1], "%")) {
		if (!rp_parse_dec(&t->pct, w[0]) || dec_sign(t->pct) < 0)
			return false;
		t->pct_set = true;
		i = 2;
	} else {
		if (!rp_parse_dec(&t->max, w[0]) || dec_sign(t->max) < 0 || n != 1)
			return false;
		t->max_set = true;
		return true;
	}
	if (i == n)
		return true;
	if (n != i + 2 || strcasecmp(w[i], "max"))
		return false;
	if (!rp_parse_dec(&t->max, w[i + 1]) || dec_sign(t->max) < 0)
		return false;
	t->max_set = true;
	return true;
}

void rp_set_setting(parser *p, const char *key, char *value, unsigned line, unsigned col)
{
	static const char *const keys[] = {
		"rounding_account", "rounding_max", "history_min_confidence", "history_min_count",
		"recurring_min_count", "receipt_required", "required_fields", "accounting_cost", NULL
	};
	rules_settings *s = &p->r->settings;
	size_t k;
	long v;

	for (k = 0; keys[k] && strcmp(keys[k], key); k++)
		;
	if (!keys[k]) {
		rp_problem(p, line, "settings: unknown key '%s'", key);
		return;
	}
	if (p->seen & (1ull << k)) {
		rp_problem(p, line, "settings: %s given twice", key);
		return;
	}
	p->seen |= 1ull << k;
	s->line[k] = line;
	switch (k) {
	case 0:
		if (strlen(value) >= sizeof(s->rounding_account) || strchr(value, ' '))
			rp_problem(p, line, "rounding_account: '%s' is not an account", value);
		else
			memcpy(s->rounding_account, value, strlen(value) + 1);
		break;
	case 1:
		if (!rp_parse_dec(&s->rounding_max, value) || dec_sign(s->rounding_max) < 0)
			rp_problem(p, line, "rounding_max: '%s' is not an amount of 0 or more", value);
		break;
	case 2:
		if (!rp_parse_int(&v, value, 0, 100))
			rp_problem(p, line, "history_min_confidence: '%s' is not a percentage 0..100", value);
		else
			s->history_min_confidence = (int)v;
		break;
	case 3:
	case 4:
		if (!rp_parse_int(&v, value, 1, 1000))
			rp_problem(p, line, "%s: '%s' is not a count 1..1000", key, value);
		else if (k == 3)
			s->history_min_count = (int)v;
		else
			s->recurring_min_count = (int)v;
		break;
	case 5:
		if (rp_yes_no(value) < 0)
			rp_problem(p, line, "receipt_required: '%s' is not yes or no", value);
		else
			s->receipt_required = rp_yes_no(value) == 1;
		break;
	case 6: {
		char *w[RB_COUNT + 1];
		size_t n = rp_words(w, RB_COUNT + 1, value), i;
		int f;
		s->required = 0;
		for (i = 0; i < n; i++) {
			for (f = 0; f < RB_COUNT && strcmp(w[i], rules_field_label(f)); f++)
				;
			if (f == RB_COUNT)
				rp_problem(p, line, "required_fields: '%s' is not account, cost_centre,"
					" activity, project or vat_code", w[i]);
			else
				s->required |= 1u << f;
		}
		if (!(s->required & (1u << RB_ACCOUNT)) || !(s->required & (1u << RB_VAT_CODE)))
			rp_problem(p, line, "required_fields: account and vat_code are always required");
		s->required |= (1u << RB_ACCOUNT) | (1u << RB_VAT_CODE);
		break;
	}
	case 7: {
		regex *re = rp_compile(p, value, line, col, "accounting_cost");
		if (re && !regex_has_name(re, "account") && !regex_has_name(re, "cost_centre") &&
		    !regex_has_name(re, "activity") && !regex_has_name(re, "project")) {
			rp_problem(p, line, "accounting_cost: the pattern names none of the groups account,"
				" cost_centre, activity, project");
			regex_free(re);
			re = NULL;
		}
		regex_free(p->r->accounting_cost);
		p->r->accounting_cost = re;
		s->accounting_cost = re;
		break;
	}
	}
}

void rp_add_vat(parser *p, char *value, unsigned line)
{
	char *w[4];
	size_t n = rp_words(w, 4, value);
	vat_row row, *v = &row;
	int rc;

	if (n != 3) {
		rp_problem(p, line, "vatcodes: expected 'CATEGORY RATE CODE', e.g. 'S 25 MP1'");
		return;
	}
	if (strlen(w[0]) >= sizeof(v->cat) || strlen(w[2]) >= sizeof(v->code)) {
		rp_problem(p, line, "vatcodes: category or code too long");
		return;
	}
	memset(v, 0, sizeof(*v));
	if (!strcmp(w[1], "*"))
		v->any_rate = true;
	else if (!rp_parse_dec(&v->rate, w[1])) {
		rp_problem(p, line, "vatcodes: rate '%s' is not a number or *", w[1]);
		return;
	}
	memcpy(v->cat, w[0], strlen(w[0]) + 1);
	memcpy(v->code, w[2], strlen(w[2]) + 1);
	v->line = line;
	rc = dynbuf_add(&p->r->vats_buf, &row, sizeof(row));
	if (rc == ULF_ELIMIT) {
		rp_problem(p, line, "vatcodes: more than %u rows", RULES_MAX_VATCODES);
		return;
	}
	if (rc) {
		p->fatal = ULF_ENOMEM;
		return;
	}
	p->r->vats = dynbuf_items(&p->r->vats_buf);
	p->r->nvats++;
}

void rp_set_tolerance(parser *p, const char *key, char *value, unsigned line)
{
	int k;
	char copy[256];

	for (k = 0; k < TOL_COUNT_ && strcmp(rules_tol_name((rules_tol_kind)k), key); k++)
		;
	if (k == TOL_COUNT_) {
		rp_problem(p, line, "tolerance: unknown key '%s' (price, quantity, line, total,"
			" recurring)", key);
		return;
	}
	if (p->tb->set[k]) {
		rp_problem(p, line, "tolerance: %s given twice", key);
		return;
	}
	snprintf(copy, sizeof(copy), "%s", value);
	if (!parse_tol(&p->tb->tol[k], copy)) {
		rp_problem(p, line, "tolerance %s: '%s' is not 'P%%', 'AMOUNT' or 'P%% max AMOUNT'",
			key, value);
		return;
	}
	p->tb->set[k] = true;
	p->tb->tol[k].line = line;
	if (p->tb->scope == 0)
		snprintf(p->tb->tol[k].scope, sizeof(p->tb->tol[k].scope), "global");
	else
		snprintf(p->tb->tol[k].scope, sizeof(p->tb->tol[k].scope), "%s %s",
			 p->tb->scope == 1 ? "buyer" : "supplier", p->tb->key);
}

void rp_default_settings(rules_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->rounding_max = dec_make(0, 2);
	s->history_min_confidence = 80;
	s->history_min_count = 2;
	s->recurring_min_count = 2;
	s->required = (1u << RB_ACCOUNT) | (1u << RB_VAT_CODE);
}

const rules_settings *rules_settings_of(const ruleset *r)
{
	return &r->settings;
}

const char *rules_vat_code(const ruleset *r, const char *category, dec rate, bool rate_set,
			   unsigned *out_line)
{
	size_t i;

	if (out_line)
		*out_line = 0;
	if (!category)
		return NULL;
	for (i = 0; i < r->nvats; i++) {
		const vat_row *v = &r->vats[i];
		if (strcasecmp(v->cat, category))
			continue;
		if (!v->any_rate && (!rate_set || dec_cmp(v->rate, rate) != 0))
			continue;
		if (out_line)
			*out_line = v->line;
		return v->code;
	}
	return NULL;
}

bool rules_vat_code_known(const ruleset *r, const char *code)
{
	size_t i;

	for (i = 0; code && i < r->nvats; i++)
		if (strcmp(r->vats[i].code, code) == 0)
			return true;
	return false;
}

void rp_copy_span(char *out, size_t n, const char *s, size_t a, size_t b)
{
	size_t len = b - a;

	if (len >= n)
		len = (size_t)mtext_fit(s + a, n - 1);
	memcpy(out, s + a, len);
	out[len] = '\0';
}

bool rules_split_accounting(char out[RB_COUNT][64], regex_match *m, const ruleset *r,
			    const char *text)
{
	static const char *const groups[4] = { "account", "cost_centre", "activity", "project" };
	size_t a, b;
	int f;

	for (f = 0; f < RB_COUNT; f++)
		out[f][0] = '\0';
	if (!r->accounting_cost || !text ||
	    regex_exec(m, r->accounting_cost, text, strlen(text), 0) != 1)
		return false;
	for (f = 0; f < 4; f++)
		if (regex_named(m, r->accounting_cost, groups[f], &a, &b))
			rp_copy_span(out[f], 64, text, a, b);
	return true;
}

bool rp_has_key(const char *const *keys, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keys[i] && !strcmp(keys[i], key))
			return true;
	return false;
}

void rules_tolerance(rules_tol *out, const ruleset *r, rules_tol_kind k, const rules_who *who)
{
	const rules_tol *best = NULL;
	int best_scope = -1;
	size_t i;

	for (i = 0; i < r->ntols; i++) {
		const tol_block *tb = &r->tols[i];
		if (!tb->set[k] || tb->scope <= best_scope)
			continue;
		if (tb->scope == 1 && !rp_has_key(who->buyer_keys, who->nbuyer, tb->key))
			continue;
		if (tb->scope == 2 && !rp_has_key(who->supplier_keys, who->nsupplier, tb->key))
			continue;
		best = &tb->tol[k];
		best_scope = tb->scope;
	}
	if (best) {
		*out = *best;
		return;
	}
	memset(out, 0, sizeof(*out));
	out->max = dec_make(0, 0);
	out->max_set = true;
	snprintf(out->scope, sizeof(out->scope), "default");
}

int rules_tol_allowed(dec *out, const rules_tol *t, dec reference)
{
	dec p;
	int rc;

	*out = dec_make(0, 2);
	if (t->pct_set) {
		rc = dec_mul(&p, dec_abs(reference), t->pct);
		if (!rc)
			rc = dec_div_round(&p, p, dec_make(100, 0), 2);
		if (rc)
			return rc;
		*out = p;
		if (t->max_set && dec_cmp(t->max, p) < 0)
			*out = t->max;
		return 0;
	}
	if (t->max_set)
		*out = t->max;
	return 0;
}

void rules_tol_text(char *buf, size_t n, const rules_tol *t)
{
	char a[DEC_STR_MAX], b[DEC_STR_MAX];

	dec_format(a, sizeof(a), t->pct, 0);
	dec_format(b, sizeof(b), t->max, 0);
	if (t->pct_set && t->max_set)
		snprintf(buf, n, "%s%% max %s", a, b);
	else if (t->pct_set)
		snprintf(buf, n, "%s%%", a);
	else
		snprintf(buf, n, "%s", t->max_set ? b : "0");
}
