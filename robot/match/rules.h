/*
 * rules.h - the matching rules file: what the procurement team tells the
 * robot about order numbers, bookings, tolerances and invoices without an
 * order.  docs/rules-file.md is the full reference; in short:
 *
 *   # a comment: a line whose first non-blank character is '#'
 *   settings
 *       rounding_account  3740
 *       rounding_max      1.00
 *   tolerance                          global; also "tolerance buyer ID"
 *       price     5% max 50            and "tolerance supplier ID"
 *   extract sormland-order
 *       buyer     0007:2321000032
 *       pattern   (?<order>DLL\d{7})
 *       fields    order_ref buyer_ref note line_note doc_id
 *   code office-paper
 *       supplier  5592117310
 *       item      ^KP-
 *       account   5460
 *   nonpo rent-nykoping
 *       supplier  5560360793
 *       reference (?i)hyra
 *       account   5010
 *
 * A block starts with a line in column 0 (its kind and name); its settings
 * follow on indented lines, "key value", the value running to the end of
 * the line (patterns may hold '#' and blanks).  Patterns are PCRE2, UTF-8
 * with Unicode classes, compiled once with JIT; named groups say what is
 * extracted (order, ref, contract) and can be used in outputs ({ref}).
 *
 * Precedence, stated once here and in the docs: rules naming the invoice's
 * supplier come first, then rules for any supplier; within each group, the
 * order of the file.  For bookings that is per field: the first rule in
 * that order that matches and sets the field decides it.  Tolerances: a
 * supplier block over a buyer block over the global block, per key.
 *
 * A ruleset is read-only after parsing and may be shared by threads; the
 * regex_match each call takes is per thread.
 */
#ifndef ULF_RULES_H
#define ULF_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dec.h"
#include "core/err.h"
#include "core/regex.h"

typedef struct ruleset ruleset;

/* Receives each problem in a rules file: "file:line: what". */
typedef void (*rules_report_fn)(void *ctx, const char *msg);

#define RULES_MAX_BYTES (16u * 1024 * 1024)
#define RULES_MAX_RULES 200000u

/*
 * Parses rules text labelled `name`.  Every problem is reported (a bad
 * pattern names the column where PCRE2 stopped); when there is any,
 * nothing is returned and err says how many ("name: 3 problems").
 */
int rules_parse(ruleset **out, const char *text, size_t len, const char *name,
		rules_report_fn report, void *ctx, ulf_err *err);

/* Loads a rules file, or the built-in rules when path is NULL, "" or
 * "builtin". */
int rules_load(ruleset **out, const char *path, rules_report_fn report, void *ctx,
	       ulf_err *err);

void rules_free(ruleset *r);

/* The built-in rules text: the two regions' order and reference formats,
 * VAT codes, exact tolerances.  An example to copy and adapt. */
const char *rules_builtin(void);

/* "builtin" or the file name. */
const char *rules_name(const ruleset *r);

typedef struct rules_counts {
	size_t extract, code, nonpo, tolerance;
	size_t patterns;   /* compiled patterns */
	size_t jit;        /* of those, running JIT-compiled */
} rules_counts;

void rules_count(rules_counts *out, const ruleset *r);

/* ---- who the invoice is from and to ------------------------------------ */

/*
 * Canonical party keys: "org:5592117310", "peppol:0007:5592117310",
 * "vat:SE559211731001".  Writes the key for a value as a rules file or an
 * invoice gives it (an org number, a Peppol id "scheme:id", a VAT number);
 * false when it is none of them.
 */
bool rules_party_key(char *out, size_t n, const char *value);

typedef struct rules_who {
	const char *const *supplier_keys;  /* canonical keys of the seller */
	size_t nsupplier;
	const char *const *buyer_keys;     /* of the buyer */
	size_t nbuyer;
	bool contract;                     /* the register says: under contract */
} rules_who;

/* ---- settings -------------------------------------------------------- */

enum {
	RB_ACCOUNT = 0,
	RB_COST_CENTRE,
	RB_ACTIVITY,
	RB_PROJECT,
	RB_VAT_CODE,
	RB_COUNT
};

/* "account", "cost_centre", "activity", "project", "vat_code". */
const char *rules_field_label(int rb);

typedef struct rules_settings {
	char rounding_account[32];     /* where öre rounding is booked */
	dec rounding_max;              /* rounding up to this is booked, not stopped */
	int history_min_confidence;    /* percent */
	int history_min_count;         /* observations before history is trusted */
	int recurring_min_count;       /* earlier invoices before "recurring" */
	bool receipt_required;         /* for orders that do not say */
	unsigned required;             /* bit RB_x: a line needs this field */
	const regex *accounting_cost;  /* splits an order's AccountingCost, or NULL */
	unsigned line[8];              /* where each was set (0: default) */
} rules_settings;

const rules_settings *rules_settings_of(const ruleset *r);

/* The VAT code for a category and rate (vatcodes block), or NULL. */
const char *rules_vat_code(const ruleset *r, const char *category, dec rate, bool rate_set,
			   unsigned *out_line);

/* Whether `code` is a VAT code of the vatcodes block. */
bool rules_vat_code_known(const ruleset *r, const char *code);

/*
 * Splits an AccountingCost text with the settings' accounting_cost pattern
 * into out[RB_ACCOUNT..RB_PROJECT] (empty when the group did not take
 * part).  False when there is no pattern or it does not match.
 */
bool rules_split_accounting(char out[RB_COUNT][64], regex_match *m, const ruleset *r,
			    const char *text);

/* ---- tolerances ------------------------------------------------------ */

typedef enum rules_tol_kind {
	TOL_PRICE = 0,     /* unit price against the order line's */
	TOL_QUANTITY,      /* quantity against what is left on the order line */
	TOL_LINE,          /* a line's net amount against the order's */
	TOL_TOTAL,         /* the invoice's net total against the order's */
	TOL_RECURRING,     /* a recurring invoice's total against the last one */
	TOL_COUNT_
} rules_tol_kind;

const char *rules_tol_name(rules_tol_kind k);

typedef struct rules_tol {
	dec pct;
	bool pct_set;
	dec max;
	bool max_set;
	char scope[176];   /* "global", "buyer 0007:...", "supplier ...", "default" */
	unsigned line;     /* of the rules file, 0 for the default (exact) */
} rules_tol;

/* The tolerance that applies to the invoice: supplier over buyer over
 * global, per kind; exact (0) when none says. */
void rules_tolerance(rules_tol *out, const ruleset *r, rules_tol_kind k, const rules_who *who);

/* The allowed deviation from `reference`: pct% of |reference| rounded to
 * 2 decimals, at most max; max alone when no percent is given. */
int rules_tol_allowed(dec *out, const rules_tol *t, dec reference);

/* "5% max 50", "2%", "50", "0". */
void rules_tol_text(char *buf, size_t n, const rules_tol *t);

/* ---- extraction of order numbers and references ----------------------- */

/* Invoice fields the extract rules can look in. */
#define RF_ORDER_REF      0x001u  /* BT-13 */
#define RF_LINE_ORDER_REF 0x002u  /* the order number on a line (Svefaktura) */
#define RF_BUYER_REF      0x004u  /* BT-10 */
#define RF_NOTE           0x008u  /* BT-22 */
#define RF_LINE_NOTE      0x010u  /* BT-127 */
#define RF_DOC_ID         0x020u  /* BT-122 and BT-123 */
#define RF_CONTRACT_REF   0x040u  /* BT-12 */
#define RF_PROJECT_REF    0x080u  /* BT-11 */
#define RF_ACCOUNTING_REF 0x100u  /* BT-19, BT-133 */
#define RF_PAYMENT_REF    0x200u  /* BT-83 */
#define RF_ALL            0x3FFu

const char *rules_field_name(unsigned field);

typedef struct rules_text {
	unsigned field;      /* one RF_ bit */
	const char *text;
	const char *where;   /* "line 3", or NULL for the header */
} rules_text;

typedef struct rules_hit {
	const char *rule;    /* the extract rule's name */
	unsigned line;       /* its line in the rules file */
	const char *group;   /* "order", "ref" or "contract" */
	char value[128];     /* what it extracted, with the rule's prefix */
	unsigned field;      /* where it was found */
	const char *where;
	bool supplier_rule;  /* the rule names the invoice's supplier */
} rules_hit;

/*
 * Runs the extract rules that apply (supplier's, then general ones; each
 * over the fields it names, in the order given) over `texts`, every match
 * in each text.  Up to `max` hits, distinct by group and value, in
 * precedence order.
 */
int rules_extract(rules_hit *out, size_t *out_n, size_t max, regex_match *m,
		  const ruleset *r, const rules_who *who, const rules_text *texts,
		  size_t ntexts);

/* ---- booking rules ---------------------------------------------------- */

typedef enum rules_line_kind {
	RL_LINE = 1,
	RL_ALLOWANCE = 2,  /* a document-level allowance */
	RL_CHARGE = 4      /* a document-level charge (freight, fees) */
} rules_line_kind;

/* What a code rule can look at on one booking line. */
typedef struct rules_line {
	rules_line_kind kind;
	const char *item_ids[3];        /* seller's, buyer's, standard */
	const char *name;               /* item name, or the charge's reason */
	const char *description;
	const char *note;
	const char *const *classes;     /* classification codes */
	size_t nclasses;
	dec amount;                     /* the line's net */
	bool amount_set;
	const char *vat_category;
	dec vat_rate;
	bool vat_rate_set;
	const char *buyer_reference;    /* the invoice's BT-10 */
	const char *flow;               /* "po", "non-po", "recurring" */
} rules_line;

typedef struct rules_coding {
	char value[RB_COUNT][64];       /* "" where no rule set it */
	const char *rule[RB_COUNT];     /* the rule that set it */
	unsigned line[RB_COUNT];
	char why[RB_COUNT][200];        /* the conditions that held */
} rules_coding;

/* Per field, the first code rule (in precedence order) that matches the
 * line and sets it. */
int rules_code(rules_coding *out, regex_match *m, const ruleset *r, const rules_who *who,
	       const rules_line *l);

/* ---- invoices without an order ---------------------------------------- */

typedef struct rules_nonpo_hit {
	const char *rule;
	unsigned line;
	char why[300];
	rules_coding coding;            /* the booking the rule gives */
} rules_nonpo_hit;

/*
 * The first nonpo rule (supplier's first) whose conditions hold: the
 * supplier, a reference pattern over `refs`, contract, and the invoice's
 * net total in its amount range.
 */
int rules_nonpo(rules_nonpo_hit *out, bool *found, regex_match *m, const ruleset *r,
		const rules_who *who, const rules_text *refs, size_t nrefs, dec total);

#endif
