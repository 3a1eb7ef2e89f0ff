/*
 * match_int.h - private to robot/match: the matcher's insides and one
 * match job, shared by the files that do its steps.  Nothing outside this
 * folder includes it; match.h is the public face.
 *
 *   match.c          the matcher, match_invoice: the steps in order, the decision
 *   match_explain.c  reasons, rules fired, checks and tolerance computations
 *   match_supplier.c who sent it: the supplier register, the payment account
 *   match_prior.c    duplicates; the invoice a credit note corrects
 *   match_order.c    order numbers: proper fields, then extract rules
 *   match_po.c       invoice lines against order lines: price, quantity, receipt
 *   match_nonpo.c    no order: nonpo rules, recurring series
 *   match_book.c     filling and checking the booking suggestion
 *   match_record.c   the invoice as a record; match_record
 *   match_text.c     match_result_text
 *   mtext.c          text formatted to length or cut on a character (also rules_*.c)
 *
 * The mj_ functions each do one step on a job.  A failure of matching
 * itself (store, memory) is kept in j->rc with j->err set; the steps after
 * it do nothing, and match_invoice returns it.
 */
#ifndef ULF_MATCH_INT_H
#define ULF_MATCH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "robot/match/match.h"

#define MAX_TEXTS 512        /* invoice texts the extract rules look at */
#define MAX_HITS 32          /* extracted candidates per invoice */
#define MAX_CLASSES 16
#define TEXT_MAX 768         /* one check or reason, as a person reads it */

struct matcher {
	db *d;
	refdata *rd;
	const ruleset *rules;
	regex_match *m;
	bool no_docs;            /* d holds no store: no documents to compare */
};

typedef struct match_job match_job;

struct match_job {
	matcher *m;
	const invoice *inv;
	const match_input *in;
	match_result *res;
	ulf_err *err;
	int rc;                  /* a failure of matching itself */
	int sign;
	bool credit;
	const char *kind;
	const rules_settings *settings;
	/* the invoice's own keys, normalised */
	char org[16], vat[32], peppol[160], bankgiro[16], plusgiro[16], iban[40];
	ref_supplier sup;
	bool sup_known;          /* some supplier of the register is meant */
	char skeys[10][176];
	const char *skp[10];
	size_t nskeys;
	char bkeys[6][176];
	const char *bkp[6];
	size_t nbkeys;
	rules_who who;
	ref_order *orders[MATCH_MAX_ORDERS];
	dec *taken[MATCH_MAX_ORDERS]; /* per order line: quantity this invoice takes */
	size_t norders;
	const ref_invoice *credited;  /* borrowed from `credited_rec` */
	ref_invoice *credited_rec;
	/* explanation */
	ujson *x, *fired, *xlines, *header, *xorder, *xsupplier, *xdup;
	ujson *dupof;            /* the result's duplicate_of, NULL when none */
	size_t dup_at;           /* where the duplicate reasons go: after step 4's */
};

/* ---- the explanation (match_explain.c) ------------------------------- */

/* Text that lives with the result: a copy of s ("" for NULL), or fmt
 * formatted; "" with j->rc set when out of memory. */
const char *mj_str(match_job *j, const char *s);
const char *mj_fmt(match_job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds a reason (the first MATCH_MAX_REASONS are kept). */
void mj_reason(match_job *j, const char *code, const char *line_id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Notes a rule that took part in the decision, once. */
void mj_fired(match_job *j, const char *kind, const char *name, unsigned line, const char *why);
/* An amount with 2 to 4 decimals; a quantity as written. */
void mj_fmt_dec(char *buf, size_t n, dec v);
void mj_fmt_qty(char *buf, size_t n, dec v);
ujson *mj_jdec(dec v);
/*
 * A tolerance check: is |actual - expected| within what the tolerance of
 * kind k allows, computed on `base`?  Appends the computation to `arr`
 * and returns whether it held.
 */
bool mj_tol_check(match_job *j, ujson *arr, rules_tol_kind k, const char *what, dec actual,
		  dec expected, dec base, dec *out_diff, dec *out_allowed, char *text, size_t tn);
/* A check without a tolerance (a unit, a status), for the explanation. */
void mj_note(match_job *j, ujson *arr, const char *what, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Something looked for and not found that is no fault by itself. */
void mj_info(match_job *j, ujson *arr, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * A check whose numbers are too large, or have too many decimals, to
 * compute with (core/dec.h says ULF_ERANGE): it is not made, but noted as
 * a deviation, and the invoice gets the check's reason `code` saying so -
 * never a guess, and never a failure of matching, for the numbers are the
 * invoice's.  `check` is the check's name in the explanation; `fmt` says
 * what could not be checked.
 */
void mj_out_of_range(match_job *j, ujson *checks, const char *check, const char *code,
		     const char *line_id, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/*
 * The JSON setters of core/json.h with their results kept: the first that
 * fails (out of memory) sets j->rc.  A NULL value is taken for a failed
 * allocation: every value a job sets is meant to be there.
 */
void mj_set_str(match_job *j, ujson *o, const char *key, const char *s);
void mj_set_int(match_job *j, ujson *o, const char *key, int64_t v);
void mj_set_bool(match_job *j, ujson *o, const char *key, bool v);
void mj_set_new(match_job *j, ujson *o, const char *key, ujson *v);
void mj_append(match_job *j, ujson *arr, ujson *v);

/* ---- the steps ------------------------------------------------------- */

/* match_supplier.c: the invoice's own keys; the supplier; the keys rules
 * and history know it by. */
void mj_invoice_keys(match_job *j);
void mj_identify(match_job *j);
void mj_supplier_key(match_job *j);

/* match_prior.c: the same number (before the order is looked for), the
 * same content (after: the orders and receipts it is tied to tell it
 * apart from another invoice of the same content) */
void mj_duplicates(match_job *j, const booking *b);
void mj_content_duplicates(match_job *j, const booking *b);
void mj_credit_match(match_job *j, booking *b);

/* match_order.c: the texts the extract rules look at */
typedef struct texts {
	rules_text v[MAX_TEXTS];
	char where[MAX_TEXTS][24];
	size_t n;
} texts;

void mj_collect_texts(texts *t, const invoice *inv);
ref_order *mj_have_order(match_job *j, const char *no);
/* Order numbers from the proper fields first, then from the extract rules
 * over every field.  Returns how many candidates there were. */
size_t mj_find_orders(match_job *j, const texts *t);

/* match_po.c */
void mj_po_match(match_job *j, booking *b);

/* match_nonpo.c: true when the invoice was let through */
bool mj_nonpo_match(match_job *j, booking *b, const texts *t);
bool mj_recurring_match(match_job *j, booking *b);

/* match_book.c */
void mj_fill_booking(match_job *j, booking *b);
void mj_booking_checks(match_job *j, booking *b);

/* match_record.c: the invoice as a record (fingerprint, recurrence,
 * memory); rb->lines is malloc'd and the rest borrowed. */
typedef struct record_buf {
	ref_invoice rec;
	ref_invoice_line *lines;
} record_buf;

int mj_as_record(record_buf *rb, match_job *j, const booking *b);

#endif
