/*
 * rules_int.h - private to robot/match: the ruleset's insides, shared by
 * the files that parse, index and evaluate it.  Nothing outside this
 * folder includes it; rules.h is the public face.
 *
 *   rules.c           life of a ruleset, the supplier index, names
 *   rules_parse.c     the rules file: lines, blocks, rule keys
 *   rules_settings.c  settings, vatcodes, tolerances: parsing and lookups
 *   rules_builtin.c   the built-in rules text
 *   rules_eval.c      extract, code and nonpo rules at work
 *
 * The rp_ functions are the pieces one file lends another.  mtext.h (text
 * cut on a character) is shared with the match_ files.
 */
#ifndef ULF_RULES_INT_H
#define ULF_RULES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dynbuf.h"
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
	uint32_t *idx;           /* buf's array: the rules' indexes, ascending */
	size_t n;
	dynbuf buf;
} map_slot;

typedef struct map {
	map_slot *slots;
	size_t cap, used;
} map;

typedef struct idxlist {
	uint32_t *v;             /* buf's array */
	size_t n;
	dynbuf buf;
} idxlist;

struct ruleset {
	char *name;
	rule *rules;             /* rules_buf's array, and so on */
	size_t nrules;
	dynbuf rules_buf;
	map by_supplier[4];      /* per kind, indexed by RK_ */
	idxlist general[4];
	tol_block *tols;
	size_t ntols;
	dynbuf tols_buf;
	vat_row *vats;
	size_t nvats;
	dynbuf vats_buf;
	rules_settings settings;
	regex *accounting_cost;
	size_t npatterns, njit;
};

/* The names of the RF_ fields in a rules file ("order_ref", ..., "any"). */
typedef struct rp_field_name {
	const char *name;
	unsigned bit;
} rp_field_name;

extern const rp_field_name rp_field_names[];
extern const size_t rp_nfield_names;

/* A string -> index list map (rules.c): the slot of `key`, made when
 * `create`; NULL when absent or out of memory. */
map_slot *rp_map_find(map *m, const char *key, bool create);
/* Puts every rule into its supplier lists or the general list. */
int rp_index_rules(ruleset *r);
/* Whether keys[0..n) holds key. */
bool rp_has_key(const char *const *keys, size_t n, const char *key);
/* out = s[a..b), cut to n - 1 bytes. */
void rp_copy_span(char *out, size_t n, const char *s, size_t a, size_t b);

/* ---- the parser (rules_parse.c) --------------------------------------- */

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

/* Reports "name:line: what" and counts it. */
void rp_problem(parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Compiles a pattern given at column `col` (1-based) of `line`; NULL
 * after reporting the problem. */
regex *rp_compile(parser *p, const char *pattern, unsigned line, unsigned col,
		  const char *key);
bool rp_parse_dec(dec *out, const char *s);
/* 1 for yes/ja/true, 0 for no/nej/false, -1 otherwise. */
int rp_yes_no(const char *s);
/* Splits a value into blank-separated words in place. */
size_t rp_words(char **out, size_t max, char *s);
bool rp_parse_int(long *out, const char *s, long lo, long hi);

/* ---- settings blocks (rules_settings.c) ------------------------------- */

void rp_default_settings(rules_settings *s);
void rp_set_setting(parser *p, const char *key, char *value, unsigned line, unsigned col);
void rp_add_vat(parser *p, char *value, unsigned line);
void rp_set_tolerance(parser *p, const char *key, char *value, unsigned line);

#endif
