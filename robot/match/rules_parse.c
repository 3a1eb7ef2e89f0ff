/*
 * rules_parse.c - reading a rules file: lines into blocks, blocks into
 * rules with their patterns compiled once, every problem reported with its
 * line (and a bad pattern with its column).  Private to robot/match
 * (rules_int.h); rules_parse is in rules.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "robot/store/refdata.h"
#include "robot/match/mtext.h"
#include "robot/match/rules_int.h"

void rp_problem(parser *p, unsigned line, const char *fmt, ...)
{
	char what[400], msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	mtext_trim(what);
	snprintf(msg, sizeof(msg), "%s:%u: %s", p->name, line, what);
	mtext_trim(msg);
	p->problems++;
	if (p->report)
		p->report(p->ctx, msg);
}

/* Compiles a pattern given at column `col` (1-based) of `line`. */
regex *rp_compile(parser *p, const char *pattern, unsigned line, unsigned col,
		      const char *key)
{
	regex *re = NULL;
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	rc = regex_compile(&re, pattern, strlen(pattern), 0, &err);
	if (rc == ULF_ENOMEM) {
		p->fatal = rc;
		return NULL;
	}
	if (rc) {
		const char *at = strstr(err.msg, "at offset ");
		if (at) {
			unsigned long off = strtoul(at + 10, NULL, 10);
			const char *what = strchr(at, ':');
			rp_problem(p, line, "%s: bad pattern at column %lu: %s", key, col + off,
				what ? what + 2 : err.msg);
		} else {
			rp_problem(p, line, "%s: bad pattern: %s", key, err.msg);
		}
		return NULL;
	}
	p->r->npatterns++;
	if (regex_is_jit(re))
		p->r->njit++;
	return re;
}

bool rp_parse_dec(dec *out, const char *s)
{
	return refdata_parse_amount(out, s) == 0;
}

int rp_yes_no(const char *s)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "ja") || !strcasecmp(s, "true"))
		return 1;
	if (!strcasecmp(s, "no") || !strcasecmp(s, "nej") || !strcasecmp(s, "false"))
		return 0;
	return -1;
}

/* Splits a value into blank-separated words in place. */
size_t rp_words(char **out, size_t max, char *s)
{
	size_t n = 0;

	while (*s && n < max) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			break;
		out[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	return n;
}

bool rp_parse_int(long *out, const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || (*end && strcmp(end, "%")) || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static char **party_list(parser *p, size_t *out_n, char *value, unsigned line, const char *key)
{
	char *w[MAX_LIST + 1], k[160];
	size_t n = rp_words(w, MAX_LIST + 1, value), i, m = 0;
	char **v;

	*out_n = 0;
	if (n == 0) {
		rp_problem(p, line, "%s: no value", key);
		return NULL;
	}
	if (n > MAX_LIST) {
		rp_problem(p, line, "%s: more than %d values", key, MAX_LIST);
		return NULL;
	}
	v = calloc(n, sizeof(*v));
	if (!v) {
		p->fatal = ULF_ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (!rules_party_key(k, sizeof(k), w[i])) {
			rp_problem(p, line, "%s: '%s' is not an org number, a Peppol id (scheme:id)"
				" or a VAT number", key, w[i]);
			continue;
		}
		v[m] = strdup(k);
		if (!v[m]) {
			p->fatal = ULF_ENOMEM;
			break;
		}
		m++;
	}
	*out_n = m;
	return v;
}

static rule *new_rule(parser *p, int kind, const char *name, unsigned line)
{
	rule *ru;
	void *item;
	size_t i;

	for (i = 0; i < p->r->nrules; i++)
		if (p->r->rules[i].kind == kind && !strcmp(p->r->rules[i].name, name)) {
			rp_problem(p, line, "a rule named '%s' is already on line %u", name,
				p->r->rules[i].line);
			break;
		}
	if (p->r->nrules >= RULES_MAX_RULES) {
		rp_problem(p, line, "more than %u rules", RULES_MAX_RULES);
		return NULL;
	}
	if (dynbuf_add_item(&item, &p->r->rules_buf, sizeof(rule)) != 0) {
		p->fatal = ULF_ENOMEM;   /* the count is checked above */
		return NULL;
	}
	p->r->rules = dynbuf_items(&p->r->rules_buf);
	p->r->nrules++;
	ru = item;
	ru->kind = kind;
	ru->line = line;
	ru->contract = -1;
	ru->fields = RF_ALL;
	ru->name = strdup(name);
	if (!ru->name)
		p->fatal = ULF_ENOMEM;
	return ru;
}

/* Every {group} in an output must be a named group of one of the rule's
 * condition patterns. */
static void check_groups(parser *p, const rule *ru, int f)
{
	const char *s = ru->out[f], *open, *close;
	const regex *pats[5] = { ru->item, ru->iname, ru->cls, ru->text, ru->reference };
	char name[64];
	size_t i;
	bool ok;

	while (s && (open = strchr(s, '{')) != NULL) {
		close = strchr(open, '}');
		if (!close || (size_t)(close - open - 1) >= sizeof(name) || close == open + 1) {
			rp_problem(p, ru->out_line[f], "%s: '{' without a group name and '}'",
				rules_field_label(f));
			return;
		}
		memcpy(name, open + 1, (size_t)(close - open - 1));
		name[close - open - 1] = '\0';
		ok = false;
		for (i = 0; i < 5; i++)
			if (pats[i] && regex_has_name(pats[i], name))
				ok = true;
		if (!ok)
			rp_problem(p, ru->out_line[f], "%s: {%s} is not a named group of this rule's"
				" patterns", rules_field_label(f), name);
		s = close + 1;
	}
}

/* The open block is complete: check what it must have. */
static void close_block(parser *p)
{
	rule *ru = p->ru;
	int f;
	bool any = false;

	if (p->block == B_RULE && ru) {
		for (f = 0; f < RB_COUNT; f++) {
			if (ru->out[f]) {
				any = true;
				check_groups(p, ru, f);
			}
		}
		if (ru->kind == RK_EXTRACT && !ru->pattern && !(ru->seen & 1u))
			rp_problem(p, ru->line, "extract %s: no pattern", ru->name);
		if (ru->kind == RK_EXTRACT && ru->pattern && !regex_has_name(ru->pattern, "order") &&
		    !regex_has_name(ru->pattern, "ref") && !regex_has_name(ru->pattern, "contract"))
			rp_problem(p, ru->line, "extract %s: the pattern has no named group order,"
				" ref or contract: (?<order>...) says what to extract", ru->name);
		if (ru->kind == RK_CODE && !any)
			rp_problem(p, ru->line, "code %s: sets nothing (account, cost_centre, activity,"
				" project or vat_code)", ru->name);
		if (ru->kind == RK_NONPO && ru->nsuppliers == 0 && !(ru->seen & 2u))
			rp_problem(p, ru->line, "nonpo %s: names no supplier: an invoice without an"
				" order is only let through for a known supplier", ru->name);
	}
	p->block = B_NONE;
	p->ru = NULL;
	p->tb = NULL;
}

static void open_block(parser *p, char *line_text, unsigned line)
{
	char *w[4] = { NULL };
	size_t n = rp_words(w, 4, line_text);

	close_block(p);
	p->block_line = line;
	p->block = B_BAD;
	if (n == 0)
		return;   /* not reached: a header line has a word in column 0 */
	if (!strcmp(w[0], "settings") || !strcmp(w[0], "vatcodes")) {
		if (n != 1) {
			rp_problem(p, line, "%s takes no name", w[0]);
			return;
		}
		p->block = !strcmp(w[0], "settings") ? B_SETTINGS : B_VATCODES;
		return;
	}
	if (!strcmp(w[0], "tolerance")) {
		tol_block *tb;
		void *item;
		char key[160] = "";
		int scope = 0, rc;
		if (n == 3 && (!strcmp(w[1], "buyer") || !strcmp(w[1], "supplier"))) {
			scope = !strcmp(w[1], "buyer") ? 1 : 2;
			if (!rules_party_key(key, sizeof(key), w[2])) {
				rp_problem(p, line, "tolerance %s: '%s' is not an org number, a Peppol id"
					" or a VAT number", w[1], w[2]);
				return;
			}
		} else if (n != 1) {
			rp_problem(p, line, "tolerance takes nothing, 'buyer ID' or 'supplier ID'");
			return;
		}
		rc = dynbuf_add_item(&item, &p->r->tols_buf, sizeof(tol_block));
		if (rc == ULF_ELIMIT) {
			rp_problem(p, line, "more than %u tolerance blocks", RULES_MAX_TOLERANCES);
			return;
		}
		if (rc) {
			p->fatal = ULF_ENOMEM;
			return;
		}
		p->r->tols = dynbuf_items(&p->r->tols_buf);
		p->r->ntols++;
		tb = item;
		tb->scope = scope;
		tb->line = line;
		memcpy(tb->key, key, sizeof(key));
		p->tb = tb;
		p->block = B_TOLERANCE;
		return;
	}
	if (!strcmp(w[0], "extract") || !strcmp(w[0], "code") || !strcmp(w[0], "nonpo")) {
		int kind = !strcmp(w[0], "extract") ? RK_EXTRACT : !strcmp(w[0], "code") ? RK_CODE
										    : RK_NONPO;
		if (n != 2) {
			rp_problem(p, line, "%s needs one name (no blanks), e.g. '%s office-paper'", w[0], w[0]);
			return;
		}
		p->ru = new_rule(p, kind, w[1], line);
		if (p->ru)
			p->block = B_RULE;
		return;
	}
	rp_problem(p, line, "'%s' is no block: settings, vatcodes, tolerance, extract, code or nonpo",
		w[0]);
}

typedef struct rkey {
	const char *name;
	unsigned kinds;          /* bit 1 << RK_ */
} rkey;

#define KE (1u << RK_EXTRACT)
#define KC (1u << RK_CODE)
#define KN (1u << RK_NONPO)

static const rkey rule_keys[] = {
	{ "pattern", KE }, { "supplier", KE | KC | KN }, { "buyer", KE | KC | KN },
	{ "fields", KE }, { "prefix", KE },
	{ "item", KC }, { "name", KC }, { "class", KC }, { "text", KC },
	{ "reference", KC | KN }, { "amount", KC | KN }, { "vat", KC }, { "contract", KC | KN },
	{ "kind", KC }, { "flow", KC },
	{ "account", KC | KN }, { "cost_centre", KC | KN }, { "activity", KC | KN },
	{ "project", KC | KN }, { "vat_code", KC | KN },
};
#define NRKEYS (sizeof(rule_keys) / sizeof(rule_keys[0]))

static const char *kind_name(int kind)
{
	return kind == RK_EXTRACT ? "extract" : kind == RK_CODE ? "code" : "nonpo";
}

/* "100..5000", "..5000", "100.." */
static bool parse_range(rule *ru, const char *value)
{
	const char *dots = strstr(value, "..");
	char a[64], b[64];
	size_t la;

	if (!dots)
		return false;
	la = (size_t)(dots - value);
	if (la >= sizeof(a) || strlen(dots + 2) >= sizeof(b))
		return false;
	memcpy(a, value, la);
	a[la] = '\0';
	snprintf(b, sizeof(b), "%s", dots + 2);
	if (*a) {
		if (!rp_parse_dec(&ru->amin, a))
			return false;
		ru->amin_set = true;
	}
	if (*b) {
		if (!rp_parse_dec(&ru->amax, b))
			return false;
		ru->amax_set = true;
	}
	if (!ru->amin_set && !ru->amax_set)
		return false;
	return !(ru->amin_set && ru->amax_set && dec_cmp(ru->amin, ru->amax) > 0);
}

static void set_rule_key(parser *p, const char *key, char *value, unsigned line, unsigned col)
{
	rule *ru = p->ru;
	size_t k;
	char *w[16];
	size_t n, i;

	for (k = 0; k < NRKEYS && strcmp(rule_keys[k].name, key); k++)
		;
	if (k == NRKEYS || !(rule_keys[k].kinds & (1u << ru->kind))) {
		rp_problem(p, line, "%s %s: unknown key '%s'", kind_name(ru->kind), ru->name, key);
		return;
	}
	if (ru->seen & (1ull << k)) {
		rp_problem(p, line, "%s %s: %s given twice", kind_name(ru->kind), ru->name, key);
		return;
	}
	ru->seen |= 1ull << k;
	switch (k) {
	case 0:
		ru->pattern = rp_compile(p, value, line, col, "pattern");
		break;
	case 1:
		ru->suppliers = party_list(p, &ru->nsuppliers, value, line, "supplier");
		break;
	case 2:
		ru->buyers = party_list(p, &ru->nbuyers, value, line, "buyer");
		break;
	case 3:
		n = rp_words(w, 16, value);
		ru->fields = 0;
		for (i = 0; i < n; i++) {
			size_t f;
			for (f = 0; f < rp_nfield_names &&
				    strcmp(rp_field_names[f].name, w[i]); f++)
				;
			if (f == rp_nfield_names)
				rp_problem(p, line, "fields: '%s' is not a field (order_ref, line_order_ref,"
					" buyer_ref, note, line_note, doc_id, contract_ref, project_ref,"
					" accounting_ref, payment_ref, any)", w[i]);
			else
				ru->fields |= rp_field_names[f].bit;
		}
		if (!ru->fields)
			ru->fields = RF_ALL;
		break;
	case 4:
		ru->prefix = strdup(value);
		if (!ru->prefix)
			p->fatal = ULF_ENOMEM;
		break;
	case 5:
		ru->item = rp_compile(p, value, line, col, "item");
		break;
	case 6:
		ru->iname = rp_compile(p, value, line, col, "name");
		break;
	case 7:
		ru->cls = rp_compile(p, value, line, col, "class");
		break;
	case 8:
		ru->text = rp_compile(p, value, line, col, "text");
		break;
	case 9:
		ru->reference = rp_compile(p, value, line, col, "reference");
		break;
	case 10:
		if (!parse_range(ru, value))
			rp_problem(p, line, "amount: '%s' is not a range like 100..5000, ..5000 or 100..",
				value);
		break;
	case 11:
		n = rp_words(w, 3, value);
		if (n < 1 || n > 2 || strlen(w[0]) >= sizeof(ru->vat_cat)) {
			rp_problem(p, line, "vat: expected a category and optionally a rate, e.g. 'S 25'");
			break;
		}
		memcpy(ru->vat_cat, w[0], strlen(w[0]) + 1);
		ru->vat_set = true;
		if (n == 2) {
			if (!rp_parse_dec(&ru->vat_rate, w[1]))
				rp_problem(p, line, "vat: rate '%s' is not a number", w[1]);
			else
				ru->vat_rate_set = true;
		}
		break;
	case 12:
		ru->contract = rp_yes_no(value);
		if (ru->contract < 0)
			rp_problem(p, line, "contract: '%s' is not yes or no", value);
		break;
	case 13:
		n = rp_words(w, 4, value);
		for (i = 0; i < n; i++) {
			if (!strcmp(w[i], "line"))
				ru->kinds |= RL_LINE;
			else if (!strcmp(w[i], "allowance"))
				ru->kinds |= RL_ALLOWANCE;
			else if (!strcmp(w[i], "charge"))
				ru->kinds |= RL_CHARGE;
			else
				rp_problem(p, line, "kind: '%s' is not line, allowance or charge", w[i]);
		}
		break;
	case 14:
		n = rp_words(w, 4, value);
		for (i = 0; i < n; i++) {
			if (!strcmp(w[i], "po"))
				ru->flows |= FLOW_PO;
			else if (!strcmp(w[i], "non-po"))
				ru->flows |= FLOW_NONPO;
			else if (!strcmp(w[i], "recurring"))
				ru->flows |= FLOW_RECURRING;
			else
				rp_problem(p, line, "flow: '%s' is not po, non-po or recurring", w[i]);
		}
		break;
	default: {
		int f = (int)(k - 15);
		if (strlen(value) >= 64 || strchr(value, ' ') || strchr(value, '\t')) {
			rp_problem(p, line, "%s: '%s' is not a code (no blanks, under 64 characters)",
				key, value);
			break;
		}
		ru->out[f] = strdup(value);
		ru->out_line[f] = line;
		if (!ru->out[f])
			p->fatal = ULF_ENOMEM;
		break;
	}
	}
}

static void body_line(parser *p, char *s, unsigned line, unsigned indent)
{
	char *key = s, *value;
	unsigned col;

	if (p->block == B_NONE) {
		rp_problem(p, line, "an indented line outside any block");
		return;
	}
	if (p->block == B_BAD)
		return;   /* the block's header was already reported */
	if (p->block == B_VATCODES) {
		rp_add_vat(p, s, line);
		return;
	}
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	value = s;
	col = indent + (unsigned)(value - key) + 1;
	if (!*value) {
		rp_problem(p, line, "%s: no value", key);
		return;
	}
	switch (p->block) {
	case B_SETTINGS:
		rp_set_setting(p, key, value, line, col);
		break;
	case B_TOLERANCE:
		rp_set_tolerance(p, key, value, line);
		break;
	case B_RULE:
		set_rule_key(p, key, value, line, col);
		break;
	}
}

int rules_parse(ruleset **out, const char *text, size_t len, const char *name,
		rules_report_fn report, void *ctx, ulf_err *err)
{
	parser p;
	ruleset *r;
	char *buf;
	size_t off = 0;
	unsigned line = 0;
	int rc;

	*out = NULL;
	if (len > RULES_MAX_BYTES)
		return ulf_err_set(err, ULF_ELIMIT, "%s: larger than %u bytes", name, RULES_MAX_BYTES);
	r = calloc(1, sizeof(*r));
	buf = malloc(len + 1);
	if (!r || !buf || !(r->name = strdup(name))) {
		free(buf);
		rules_free(r);
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	dynbuf_init(&r->rules_buf, RULES_MAX_RULES * sizeof(rule));
	dynbuf_init(&r->tols_buf, RULES_MAX_TOLERANCES * sizeof(tol_block));
	dynbuf_init(&r->vats_buf, RULES_MAX_VATCODES * sizeof(vat_row));
	rp_default_settings(&r->settings);
	memset(&p, 0, sizeof(p));
	p.r = r;
	p.name = name;
	p.report = report;
	p.ctx = ctx;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		off = 3;
	while (off < len && !p.fatal) {
		char *s = buf + off, *e = memchr(s, '\n', len - off);
		size_t l = e ? (size_t)(e - s) : len - off;
		unsigned indent = 0;
		off += l + 1;
		line++;
		s[l] = '\0';
		while (l && (s[l - 1] == '\r' || s[l - 1] == ' ' || s[l - 1] == '\t'))
			s[--l] = '\0';
		if (memchr(s, '\0', l)) {
			rp_problem(&p, line, "a NUL byte");
			continue;
		}
		while (s[indent] == ' ' || s[indent] == '\t')
			indent++;
		if (!s[indent] || s[indent] == '#')
			continue;
		if (!mtext_valid(s, l)) {
			/* a name or value that is not UTF-8 would be null in JSON */
			rp_problem(&p, line, "not UTF-8 text: save the rules file as UTF-8");
			if (indent == 0) {
				close_block(&p);
				p.block = B_BAD;   /* its lines are not reported again */
			}
			continue;
		}
		if (indent == 0)
			open_block(&p, s, line);
		else
			body_line(&p, s + indent, line, indent);
	}
	close_block(&p);
	free(buf);
	if (!p.fatal && !p.problems)
		p.fatal = rp_index_rules(r);
	if (p.fatal) {
		rules_free(r);
		return ulf_err_set(err, p.fatal, "%s: out of memory", name);
	}
	if (p.problems) {
		rules_free(r);
		return ulf_err_set(err, ULF_EPARSE, "%s: %zu problem%s", name, p.problems,
				   p.problems == 1 ? "" : "s");
	}
	rc = 0;
	*out = r;
	return rc;
}
