/*
 * rules.c - the matching rules file: parsing with every problem reported,
 * patterns compiled once, supplier-keyed indexes, and the lookups the
 * matcher and the booking make.  See rules.h and docs/rules-file.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/fileio.h"
#include "robot/store/refdata.h"
#include "robot/match/rules.h"

enum { RK_EXTRACT = 1, RK_CODE, RK_NONPO };

#define MAX_LIST 64          /* suppliers or buyers named by one rule */
#define MAX_CAPS 16          /* named groups captured for {group} outputs */

typedef struct rule {
	int kind;
	char *name;
	unsigned line;
	char **suppliers;        /* canonical party keys */
	size_t nsuppliers;
	char **buyers;
	size_t nbuyers;
	/* extract */
	regex *pattern;
	unsigned fields;
	char *prefix;
	/* conditions of code and nonpo rules */
	regex *item, *iname, *cls, *text, *reference;
	dec amin, amax;
	bool amin_set, amax_set;
	char vat_cat[8];
	dec vat_rate;
	bool vat_set, vat_rate_set;
	int contract;            /* -1: either */
	unsigned kinds;          /* RL_ bits; 0: any */
	unsigned flows;          /* FLOW_ bits; 0: any */
	/* outputs */
	char *out[RB_COUNT];
	unsigned out_line[RB_COUNT];
	uint64_t seen;           /* bit k: rule_keys[k] given (0 pattern, 1 supplier) */
} rule;

#define FLOW_PO 1u
#define FLOW_NONPO 2u
#define FLOW_RECURRING 4u

typedef struct tol_block {
	int scope;               /* 0 global, 1 buyer, 2 supplier */
	char key[160];           /* canonical party key */
	rules_tol tol[TOL_COUNT_];
	bool set[TOL_COUNT_];
	unsigned line;
} tol_block;

typedef struct vat_row {
	char cat[8];
	dec rate;
	bool any_rate;
	char code[32];
	unsigned line;
} vat_row;

/* A string -> list of indexes map, open addressing: rules by supplier
 * key, so an invoice looks at its supplier's rules and the general ones
 * only, however many suppliers have rules of their own. */
typedef struct map_slot {
	char *key;
	uint32_t *idx;
	size_t n, cap;
} map_slot;

typedef struct map {
	map_slot *slots;
	size_t cap, used;
} map;

typedef struct idxlist {
	uint32_t *v;
	size_t n, cap;
} idxlist;

struct ruleset {
	char *name;
	rule *rules;
	size_t nrules, cap;
	map by_supplier[4];      /* per kind, indexed by RK_ */
	idxlist general[4];
	tol_block *tols;
	size_t ntols, tcap;
	vat_row *vats;
	size_t nvats, vcap;
	rules_settings settings;
	regex *accounting_cost;
	size_t npatterns, njit;
};

/* ---- small helpers ---------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

static map_slot *map_find(map *m, const char *key, bool create)
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

static int push_idx(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
	if (*n && (*v)[*n - 1] == x)
		return 0;   /* a rule naming one supplier twice */
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		uint32_t *nv = realloc(*v, nc * sizeof(*nv));
		if (!nv)
			return ULF_ENOMEM;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static void map_free(map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		free(m->slots[i].key);
		free(m->slots[i].idx);
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
	free(r->rules);
	for (i = 0; i < 4; i++) {
		map_free(&r->by_supplier[i]);
		free(r->general[i].v);
	}
	free(r->tols);
	free(r->vats);
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

static const struct {
	const char *name;
	unsigned bit;
} field_names[] = {
	{ "order_ref", RF_ORDER_REF }, { "line_order_ref", RF_LINE_ORDER_REF },
	{ "buyer_ref", RF_BUYER_REF }, { "note", RF_NOTE }, { "line_note", RF_LINE_NOTE },
	{ "doc_id", RF_DOC_ID }, { "contract_ref", RF_CONTRACT_REF },
	{ "project_ref", RF_PROJECT_REF }, { "accounting_ref", RF_ACCOUNTING_REF },
	{ "payment_ref", RF_PAYMENT_REF }, { "any", RF_ALL },
};

const char *rules_field_name(unsigned field)
{
	size_t i;

	for (i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++)
		if (field_names[i].bit == field)
			return field_names[i].name;
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

/* ---- parsing ---------------------------------------------------------- */

typedef struct parser {
	ruleset *r;
	const char *name;
	rules_report_fn report;
	void *ctx;
	size_t problems;
	int fatal;               /* ULF_ENOMEM and the like stop the parse */
	/* the open block */
	int block;               /* B_ below */
	unsigned block_line;
	rule *ru;
	tol_block *tb;
	uint64_t seen;           /* settings keys given */
} parser;

enum { B_NONE = 0, B_SETTINGS, B_VATCODES, B_TOLERANCE, B_RULE, B_BAD };

static void problem(parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(parser *p, unsigned line, const char *fmt, ...)
{
	char what[400], msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "%s:%u: %s", p->name, line, what);
	p->problems++;
	if (p->report)
		p->report(p->ctx, msg);
}

/* Compiles a pattern given at column `col` (1-based) of `line`. */
static regex *compile(parser *p, const char *pattern, unsigned line, unsigned col,
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
			problem(p, line, "%s: bad pattern at column %lu: %s", key, col + off,
				what ? what + 2 : err.msg);
		} else {
			problem(p, line, "%s: bad pattern: %s", key, err.msg);
		}
		return NULL;
	}
	p->r->npatterns++;
	if (regex_is_jit(re))
		p->r->njit++;
	return re;
}

static bool parse_dec(dec *out, const char *s)
{
	return refdata_parse_amount(out, s) == 0;
}

static int yes_no(const char *s)
{
	if (!strcasecmp(s, "yes") || !strcasecmp(s, "ja") || !strcasecmp(s, "true"))
		return 1;
	if (!strcasecmp(s, "no") || !strcasecmp(s, "nej") || !strcasecmp(s, "false"))
		return 0;
	return -1;
}

/* Splits a value into blank-separated words in place. */
static size_t words(char **out, size_t max, char *s)
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

static bool parse_int(long *out, const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || (*end && strcmp(end, "%")) || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

/* "5%", "50", "5% max 50", "5 % max 50". */
static bool parse_tol(rules_tol *t, char *value)
{
	char *w[6];
	size_t n = words(w, 6, value), i = 0;
	size_t len;

	memset(t, 0, sizeof(*t));
	if (n == 0)
		return false;
	len = strlen(w[0]);
	if (len > 1 && w[0][len - 1] == '%') {
		w[0][len - 1] = '\0';
		if (!parse_dec(&t->pct, w[0]) || dec_sign(t->pct) < 0)
			return false;
		t->pct_set = true;
		i = 1;
	} else if (n > 1 && !strcmp(w[1], "%")) {
		if (!parse_dec(&t->pct, w[0]) || dec_sign(t->pct) < 0)
			return false;
		t->pct_set = true;
		i = 2;
	} else {
		if (!parse_dec(&t->max, w[0]) || dec_sign(t->max) < 0 || n != 1)
			return false;
		t->max_set = true;
		return true;
	}
	if (i == n)
		return true;
	if (n != i + 2 || strcasecmp(w[i], "max"))
		return false;
	if (!parse_dec(&t->max, w[i + 1]) || dec_sign(t->max) < 0)
		return false;
	t->max_set = true;
	return true;
}

static char **party_list(parser *p, size_t *out_n, char *value, unsigned line, const char *key)
{
	char *w[MAX_LIST + 1], k[160];
	size_t n = words(w, MAX_LIST + 1, value), i, m = 0;
	char **v;

	*out_n = 0;
	if (n == 0) {
		problem(p, line, "%s: no value", key);
		return NULL;
	}
	if (n > MAX_LIST) {
		problem(p, line, "%s: more than %d values", key, MAX_LIST);
		return NULL;
	}
	v = calloc(n, sizeof(*v));
	if (!v) {
		p->fatal = ULF_ENOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		if (!rules_party_key(k, sizeof(k), w[i])) {
			problem(p, line, "%s: '%s' is not an org number, a Peppol id (scheme:id)"
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
	size_t i;

	for (i = 0; i < p->r->nrules; i++)
		if (p->r->rules[i].kind == kind && !strcmp(p->r->rules[i].name, name)) {
			problem(p, line, "a rule named '%s' is already on line %u", name,
				p->r->rules[i].line);
			break;
		}
	if (p->r->nrules >= RULES_MAX_RULES) {
		problem(p, line, "more than %u rules", RULES_MAX_RULES);
		return NULL;
	}
	if (p->r->nrules == p->r->cap) {
		size_t cap = p->r->cap ? p->r->cap * 2 : 64;
		rule *nv = realloc(p->r->rules, cap * sizeof(*nv));
		if (!nv) {
			p->fatal = ULF_ENOMEM;
			return NULL;
		}
		p->r->rules = nv;
		p->r->cap = cap;
	}
	ru = &p->r->rules[p->r->nrules++];
	memset(ru, 0, sizeof(*ru));
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
			problem(p, ru->out_line[f], "%s: '{' without a group name and '}'",
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
			problem(p, ru->out_line[f], "%s: {%s} is not a named group of this rule's"
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
			problem(p, ru->line, "extract %s: no pattern", ru->name);
		if (ru->kind == RK_EXTRACT && ru->pattern && !regex_has_name(ru->pattern, "order") &&
		    !regex_has_name(ru->pattern, "ref") && !regex_has_name(ru->pattern, "contract"))
			problem(p, ru->line, "extract %s: the pattern has no named group order,"
				" ref or contract: (?<order>...) says what to extract", ru->name);
		if (ru->kind == RK_CODE && !any)
			problem(p, ru->line, "code %s: sets nothing (account, cost_centre, activity,"
				" project or vat_code)", ru->name);
		if (ru->kind == RK_NONPO && ru->nsuppliers == 0 && !(ru->seen & 2u))
			problem(p, ru->line, "nonpo %s: names no supplier: an invoice without an"
				" order is only let through for a known supplier", ru->name);
	}
	p->block = B_NONE;
	p->ru = NULL;
	p->tb = NULL;
}

static void open_block(parser *p, char *line_text, unsigned line)
{
	char *w[4];
	size_t n = words(w, 4, line_text);

	close_block(p);
	p->block_line = line;
	p->block = B_BAD;
	if (!strcmp(w[0], "settings") || !strcmp(w[0], "vatcodes")) {
		if (n != 1) {
			problem(p, line, "%s takes no name", w[0]);
			return;
		}
		p->block = !strcmp(w[0], "settings") ? B_SETTINGS : B_VATCODES;
		return;
	}
	if (!strcmp(w[0], "tolerance")) {
		tol_block *tb;
		char key[160] = "";
		int scope = 0;
		if (n == 3 && (!strcmp(w[1], "buyer") || !strcmp(w[1], "supplier"))) {
			scope = !strcmp(w[1], "buyer") ? 1 : 2;
			if (!rules_party_key(key, sizeof(key), w[2])) {
				problem(p, line, "tolerance %s: '%s' is not an org number, a Peppol id"
					" or a VAT number", w[1], w[2]);
				return;
			}
		} else if (n != 1) {
			problem(p, line, "tolerance takes nothing, 'buyer ID' or 'supplier ID'");
			return;
		}
		if (p->r->ntols == p->r->tcap) {
			size_t cap = p->r->tcap ? p->r->tcap * 2 : 8;
			tol_block *nv = realloc(p->r->tols, cap * sizeof(*nv));
			if (!nv) {
				p->fatal = ULF_ENOMEM;
				return;
			}
			p->r->tols = nv;
			p->r->tcap = cap;
		}
		tb = &p->r->tols[p->r->ntols++];
		memset(tb, 0, sizeof(*tb));
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
			problem(p, line, "%s needs one name (no blanks), e.g. '%s office-paper'", w[0], w[0]);
			return;
		}
		p->ru = new_rule(p, kind, w[1], line);
		if (p->ru)
			p->block = B_RULE;
		return;
	}
	problem(p, line, "'%s' is no block: settings, vatcodes, tolerance, extract, code or nonpo",
		w[0]);
}

static void set_setting(parser *p, const char *key, char *value, unsigned line, unsigned col)
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
		problem(p, line, "settings: unknown key '%s'", key);
		return;
	}
	if (p->seen & (1ull << k)) {
		problem(p, line, "settings: %s given twice", key);
		return;
	}
	p->seen |= 1ull << k;
	s->line[k] = line;
	switch (k) {
	case 0:
		if (strlen(value) >= sizeof(s->rounding_account) || strchr(value, ' '))
			problem(p, line, "rounding_account: '%s' is not an account", value);
		else
			memcpy(s->rounding_account, value, strlen(value) + 1);
		break;
	case 1:
		if (!parse_dec(&s->rounding_max, value) || dec_sign(s->rounding_max) < 0)
			problem(p, line, "rounding_max: '%s' is not an amount of 0 or more", value);
		break;
	case 2:
		if (!parse_int(&v, value, 0, 100))
			problem(p, line, "history_min_confidence: '%s' is not a percentage 0..100", value);
		else
			s->history_min_confidence = (int)v;
		break;
	case 3:
	case 4:
		if (!parse_int(&v, value, 1, 1000))
			problem(p, line, "%s: '%s' is not a count 1..1000", key, value);
		else if (k == 3)
			s->history_min_count = (int)v;
		else
			s->recurring_min_count = (int)v;
		break;
	case 5:
		if (yes_no(value) < 0)
			problem(p, line, "receipt_required: '%s' is not yes or no", value);
		else
			s->receipt_required = yes_no(value) == 1;
		break;
	case 6: {
		char *w[RB_COUNT + 1];
		size_t n = words(w, RB_COUNT + 1, value), i;
		int f;
		s->required = 0;
		for (i = 0; i < n; i++) {
			for (f = 0; f < RB_COUNT && strcmp(w[i], rules_field_label(f)); f++)
				;
			if (f == RB_COUNT)
				problem(p, line, "required_fields: '%s' is not account, cost_centre,"
					" activity, project or vat_code", w[i]);
			else
				s->required |= 1u << f;
		}
		if (!(s->required & (1u << RB_ACCOUNT)) || !(s->required & (1u << RB_VAT_CODE)))
			problem(p, line, "required_fields: account and vat_code are always required");
		s->required |= (1u << RB_ACCOUNT) | (1u << RB_VAT_CODE);
		break;
	}
	case 7: {
		regex *re = compile(p, value, line, col, "accounting_cost");
		if (re && !regex_has_name(re, "account") && !regex_has_name(re, "cost_centre") &&
		    !regex_has_name(re, "activity") && !regex_has_name(re, "project")) {
			problem(p, line, "accounting_cost: the pattern names none of the groups account,"
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

static void add_vat(parser *p, char *value, unsigned line)
{
	char *w[4];
	size_t n = words(w, 4, value);
	vat_row *v;

	if (n != 3) {
		problem(p, line, "vatcodes: expected 'CATEGORY RATE CODE', e.g. 'S 25 MP1'");
		return;
	}
	if (strlen(w[0]) >= sizeof(v->cat) || strlen(w[2]) >= sizeof(v->code)) {
		problem(p, line, "vatcodes: category or code too long");
		return;
	}
	if (p->r->nvats == p->r->vcap) {
		size_t cap = p->r->vcap ? p->r->vcap * 2 : 16;
		vat_row *nv = realloc(p->r->vats, cap * sizeof(*nv));
		if (!nv) {
			p->fatal = ULF_ENOMEM;
			return;
		}
		p->r->vats = nv;
		p->r->vcap = cap;
	}
	v = &p->r->vats[p->r->nvats];
	memset(v, 0, sizeof(*v));
	if (!strcmp(w[1], "*"))
		v->any_rate = true;
	else if (!parse_dec(&v->rate, w[1])) {
		problem(p, line, "vatcodes: rate '%s' is not a number or *", w[1]);
		return;
	}
	memcpy(v->cat, w[0], strlen(w[0]) + 1);
	memcpy(v->code, w[2], strlen(w[2]) + 1);
	v->line = line;
	p->r->nvats++;
}

static void set_tolerance(parser *p, const char *key, char *value, unsigned line)
{
	int k;
	char copy[256];

	for (k = 0; k < TOL_COUNT_ && strcmp(rules_tol_name((rules_tol_kind)k), key); k++)
		;
	if (k == TOL_COUNT_) {
		problem(p, line, "tolerance: unknown key '%s' (price, quantity, line, total,"
			" recurring)", key);
		return;
	}
	if (p->tb->set[k]) {
		problem(p, line, "tolerance: %s given twice", key);
		return;
	}
	snprintf(copy, sizeof(copy), "%s", value);
	if (!parse_tol(&p->tb->tol[k], copy)) {
		problem(p, line, "tolerance %s: '%s' is not 'P%%', 'AMOUNT' or 'P%% max AMOUNT'",
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
		if (!parse_dec(&ru->amin, a))
			return false;
		ru->amin_set = true;
	}
	if (*b) {
		if (!parse_dec(&ru->amax, b))
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
		problem(p, line, "%s %s: unknown key '%s'", kind_name(ru->kind), ru->name, key);
		return;
	}
	if (ru->seen & (1ull << k)) {
		problem(p, line, "%s %s: %s given twice", kind_name(ru->kind), ru->name, key);
		return;
	}
	ru->seen |= 1ull << k;
	switch (k) {
	case 0:
		ru->pattern = compile(p, value, line, col, "pattern");
		break;
	case 1:
		ru->suppliers = party_list(p, &ru->nsuppliers, value, line, "supplier");
		break;
	case 2:
		ru->buyers = party_list(p, &ru->nbuyers, value, line, "buyer");
		break;
	case 3:
		n = words(w, 16, value);
		ru->fields = 0;
		for (i = 0; i < n; i++) {
			size_t f;
			for (f = 0; f < sizeof(field_names) / sizeof(field_names[0]) &&
				    strcmp(field_names[f].name, w[i]); f++)
				;
			if (f == sizeof(field_names) / sizeof(field_names[0]))
				problem(p, line, "fields: '%s' is not a field (order_ref, line_order_ref,"
					" buyer_ref, note, line_note, doc_id, contract_ref, project_ref,"
					" accounting_ref, payment_ref, any)", w[i]);
			else
				ru->fields |= field_names[f].bit;
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
		ru->item = compile(p, value, line, col, "item");
		break;
	case 6:
		ru->iname = compile(p, value, line, col, "name");
		break;
	case 7:
		ru->cls = compile(p, value, line, col, "class");
		break;
	case 8:
		ru->text = compile(p, value, line, col, "text");
		break;
	case 9:
		ru->reference = compile(p, value, line, col, "reference");
		break;
	case 10:
		if (!parse_range(ru, value))
			problem(p, line, "amount: '%s' is not a range like 100..5000, ..5000 or 100..",
				value);
		break;
	case 11:
		n = words(w, 3, value);
		if (n < 1 || n > 2 || strlen(w[0]) >= sizeof(ru->vat_cat)) {
			problem(p, line, "vat: expected a category and optionally a rate, e.g. 'S 25'");
			break;
		}
		memcpy(ru->vat_cat, w[0], strlen(w[0]) + 1);
		ru->vat_set = true;
		if (n == 2) {
			if (!parse_dec(&ru->vat_rate, w[1]))
				problem(p, line, "vat: rate '%s' is not a number", w[1]);
			else
				ru->vat_rate_set = true;
		}
		break;
	case 12:
		ru->contract = yes_no(value);
		if (ru->contract < 0)
			problem(p, line, "contract: '%s' is not yes or no", value);
		break;
	case 13:
		n = words(w, 4, value);
		for (i = 0; i < n; i++) {
			if (!strcmp(w[i], "line"))
				ru->kinds |= RL_LINE;
			else if (!strcmp(w[i], "allowance"))
				ru->kinds |= RL_ALLOWANCE;
			else if (!strcmp(w[i], "charge"))
				ru->kinds |= RL_CHARGE;
			else
				problem(p, line, "kind: '%s' is not line, allowance or charge", w[i]);
		}
		break;
	case 14:
		n = words(w, 4, value);
		for (i = 0; i < n; i++) {
			if (!strcmp(w[i], "po"))
				ru->flows |= FLOW_PO;
			else if (!strcmp(w[i], "non-po"))
				ru->flows |= FLOW_NONPO;
			else if (!strcmp(w[i], "recurring"))
				ru->flows |= FLOW_RECURRING;
			else
				problem(p, line, "flow: '%s' is not po, non-po or recurring", w[i]);
		}
		break;
	default: {
		int f = (int)(k - 15);
		if (strlen(value) >= 64 || strchr(value, ' ') || strchr(value, '\t')) {
			problem(p, line, "%s: '%s' is not a code (no blanks, under 64 characters)",
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
		problem(p, line, "an indented line outside any block");
		return;
	}
	if (p->block == B_BAD)
		return;   /* the block's header was already reported */
	if (p->block == B_VATCODES) {
		add_vat(p, s, line);
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
		problem(p, line, "%s: no value", key);
		return;
	}
	switch (p->block) {
	case B_SETTINGS:
		set_setting(p, key, value, line, col);
		break;
	case B_TOLERANCE:
		set_tolerance(p, key, value, line);
		break;
	case B_RULE:
		set_rule_key(p, key, value, line, col);
		break;
	}
}

/* Puts every rule into its supplier lists or the general list. */
static int index_rules(ruleset *r)
{
	size_t i, j;

	for (i = 0; i < r->nrules; i++) {
		rule *ru = &r->rules[i];
		if (ru->nsuppliers == 0) {
			idxlist *g = &r->general[ru->kind];
			if (push_idx(&g->v, &g->n, &g->cap, (uint32_t)i))
				return ULF_ENOMEM;
			continue;
		}
		for (j = 0; j < ru->nsuppliers; j++) {
			map_slot *s = map_find(&r->by_supplier[ru->kind], ru->suppliers[j], true);
			if (!s || push_idx(&s->idx, &s->n, &s->cap, (uint32_t)i))
				return ULF_ENOMEM;
		}
	}
	return 0;
}

static void default_settings(rules_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->rounding_max = dec_make(0, 2);
	s->history_min_confidence = 80;
	s->history_min_count = 2;
	s->recurring_min_count = 2;
	s->required = (1u << RB_ACCOUNT) | (1u << RB_VAT_CODE);
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
	default_settings(&r->settings);
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
			problem(&p, line, "a NUL byte");
			continue;
		}
		while (s[indent] == ' ' || s[indent] == '\t')
			indent++;
		if (!s[indent] || s[indent] == '#')
			continue;
		if (indent == 0)
			open_block(&p, s, line);
		else
			body_line(&p, s + indent, line, indent);
	}
	close_block(&p);
	free(buf);
	if (!p.fatal && !p.problems)
		p.fatal = index_rules(r);
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

static const char builtin_rules[] =
	"# ulf built-in matching rules: the formats of the two regions (DOMAIN.md),\n"
	"# standard Swedish VAT codes and exact tolerances.  Copy and adapt;\n"
	"# docs/rules-file.md describes every block.\n"
	"\n"
	"settings\n"
	"    rounding_account        3740\n"
	"    rounding_max            0.99\n"
	"    history_min_confidence  80\n"
	"    history_min_count       2\n"
	"    recurring_min_count     2\n"
	"    receipt_required        no\n"
	"    required_fields         account vat_code\n"
	"\n"
	"vatcodes\n"
	"    S  25  25\n"
	"    S  12  12\n"
	"    S  6   6\n"
	"    Z  0   0\n"
	"    E  0   0\n"
	"    AE 0   OMV\n"
	"    K  0   EU\n"
	"    G  0   EXP\n"
	"\n"
	"tolerance\n"
	"    price      0\n"
	"    quantity   0\n"
	"    line       0\n"
	"    total      0\n"
	"    recurring  0\n"
	"\n"
	"# Region Sörmland: DLL + 7 digits, or P + 12 characters\n"
	"extract sormland-order\n"
	"    buyer    0007:2321000032\n"
	"    pattern  (?<order>\\bDLL\\d{7}\\b|\\bP\\d{2}-[A-Z]\\d{3}-\\d{4}\\b)\n"
	"    fields   order_ref line_order_ref buyer_ref note line_note doc_id\n"
	"\n"
	"# Region Västmanland: 8 or 10 digits\n"
	"extract vastmanland-order\n"
	"    buyer    0007:2321000172\n"
	"    pattern  (?<![\\d-])(?<order>\\d{10}|\\d{8})(?![\\d-])\n"
	"    fields   order_ref line_order_ref buyer_ref note line_note doc_id\n";

const char *rules_builtin(void)
{
	return builtin_rules;
}

int rules_load(ruleset **out, const char *path, rules_report_fn report, void *ctx,
	       ulf_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!path || !*path || !strcmp(path, "builtin"))
		return rules_parse(out, builtin_rules, strlen(builtin_rules), "builtin", report, ctx,
				   err);
	*out = NULL;
	rc = file_read(&text, &len, path, RULES_MAX_BYTES, err);
	if (rc)
		return rc;
	rc = rules_parse(out, text, len, path, report, ctx, err);
	free(text);
	return rc;
}

/* ---- lookups ---------------------------------------------------------- */

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

static void copy_span(char *out, size_t n, const char *s, size_t a, size_t b)
{
	size_t len = b - a;

	if (len >= n)
		len = n - 1;
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
			copy_span(out[f], 64, text, a, b);
	return true;
}

static bool has_key(const char *const *keys, size_t n, const char *key)
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
		if (tb->scope == 1 && !has_key(who->buyer_keys, who->nbuyer, tb->key))
			continue;
		if (tb->scope == 2 && !has_key(who->supplier_keys, who->nsupplier, tb->key))
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
		s = map_find((map *)&r->by_supplier[kind], who->supplier_keys[i], false);
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
		if (has_key(who->buyer_keys, who->nbuyer, ru->buyers[i]))
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
		copy_span(cp->value[cp->n], sizeof(cp->value[0]), s, a, b);
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
			append(why, wn, "%s /%s/ matched \"%.60s\"", key, regex_pattern(re), texts[i]);
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
		if (has_key(who->supplier_keys, who->nsupplier, ru->suppliers[i])) {
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
				append(out->why, sizeof(out->why), "reference /%s/ matched %s \"%.60s\"",
				       regex_pattern(ru->reference), rules_field_name(refs[i].field), s);
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
