/*
 * booking.h - the booking suggestion (konteringsförslag): one row per
 * invoice line and per document-level allowance or charge, each with
 * account, cost centre, activity, project, VAT code, net and VAT amount,
 * and for every field where it came from.
 *
 * Fields are filled in a fixed order of sources, the first to give a value
 * deciding it: the matched document (the order line, the credited invoice,
 * the non-PO rule or the earlier invoice of a recurring series), then the
 * code rules, then the VAT code table (VAT code only), then what was
 * booked before for this supplier and item or text (the learned history,
 * with a confidence), and for allowances and charges last the booking of
 * the goods they discount or add to (the largest line of the same VAT
 * rate).  Nothing is invented: a field no source gives stays empty, and a
 * required empty field stops the invoice (NO_BOOKING).
 *
 * The rows add up to the invoice: their net amounts to BT-109 and their
 * VAT amounts to BT-110 exactly (the VAT of each rate spread over its rows
 * in proportion, the last cent on the largest), so the suggestion can be
 * posted as it stands.  Öre rounding (BT-114) is a row of its own.
 *
 * Text is never cut: every string of a row is owned by the booking (its
 * arena, up to BOOKING_MAX_BYTES), lives until booking_release, and is ""
 * rather than NULL when there is none - `row->line_id[0]` is the test for
 * "has one".
 */
#ifndef ULF_BOOKING_H
#define ULF_BOOKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/dec.h"
#include "core/dynbuf.h"
#include "core/err.h"
#include "core/json.h"
#include "parsers/invoice.h"
#include "robot/store/refdata.h"
#include "robot/match/rules.h"

typedef enum booking_source {
	BSRC_NONE = 0,
	BSRC_ORDER,        /* the matched order line, or the order */
	BSRC_CREDITED,     /* the booking of the invoice a credit note corrects */
	BSRC_RECURRING,    /* the last invoice of a recurring series */
	BSRC_NONPO,        /* the nonpo rule that let the invoice through */
	BSRC_RULE,         /* a code rule */
	BSRC_VATCODES,     /* the vatcodes table of the rules file */
	BSRC_HISTORY,      /* learned from posted invoices */
	BSRC_LINE,         /* an allowance or charge: the goods line of its rate */
	BSRC_SETTINGS,     /* the rounding account */
	BSRC_HANDLER       /* a person's booking, when recorded */
} booking_source;

/* "order", "credited-invoice", "recurring", "nonpo-rule", "rule",
 * "vatcodes", "history", "line", "settings", "handler". */
const char *booking_source_name(booking_source s);

typedef struct booking_field {
	const char *value;         /* "" until a source gives it */
	booking_source source;
	int confidence;            /* 0..100 */
	const char *detail;        /* which order line, rule, history count */
} booking_field;

typedef enum booking_kind {
	BK_LINE = 1,
	BK_ALLOWANCE,
	BK_CHARGE,
	BK_ROUNDING
} booking_kind;

const char *booking_kind_name(booking_kind k);

#define BOOKING_MAX_ROWS 10000
#define BOOKING_MAX_BYTES (64u * 1024 * 1024)   /* the text of one booking */

typedef struct booking_row {
	booking_kind kind;
	const char *line_id;       /* BT-126, "" for document-level rows */
	const char *description;   /* the item name, or the charge's reason, with
				    * personal identity numbers masked */
	booking_field f[RB_COUNT];
	dec net;                   /* signed as booked: a credit is negative */
	dec vat;
	dec quantity;              /* signed like net; 0 for document-level rows */
	const char *vat_category;
	dec vat_rate;
	bool vat_rate_set;
	const char *item_key;      /* for the history and recurrence */
	const char *text_key;
	const char *order_no;      /* the order line it was matched to */
	const char *order_line_id;
	int confidence;            /* the weakest field's */
	bool weak;                 /* a field came from history below the rules' bar */
} booking_row;

typedef struct booking {
	booking_row *rows;         /* row_buf's array, n rows */
	size_t n;
	dynbuf row_buf;
	dec total_net;             /* sum of rows: BT-109, signed */
	dec total_vat;             /* BT-110, signed */
	bool has_rounding;
	booking_row rounding;      /* BT-114 on the rounding account */
	int sign;                  /* -1 when amounts are negated (UBL credit) */
	arena mem;                 /* the rows' text */
	int failed;                /* 0, or ULF_ENOMEM once text could not be kept */
} booking;

/* An empty booking; booking_release frees what it came to hold.  Not to
 * be copied: its rows point into it. */
void booking_init(booking *b);
void booking_release(booking *b);

/*
 * An owned copy of s ("" for NULL) for a row of b.  When it cannot be had
 * (out of memory, over BOOKING_MAX_BYTES) it is "" and b->failed says so:
 * whoever builds a booking checks b->failed once at the end rather than
 * every string.
 */
const char *booking_str(booking *b, const char *s);

/*
 * Builds the rows of an invoice with amounts, VAT category and keys, and
 * no fields yet.  `sign` is -1 for a UBL credit note (whose amounts are
 * positive in the document), 1 otherwise.
 */
int booking_rows(booking *b, const invoice *inv, int sign, ulf_err *err);

/*
 * Sets field f of a row of b if it is still empty; `fmt` says where the
 * value came from.  Returns true when it set it (false also when the text
 * could not be kept: b->failed).
 */
bool booking_set(booking *b, booking_field *f, const char *value, booking_source src,
		 int confidence, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* The code rules' values for fields still empty. */
void booking_apply_rules(booking *b, booking_row *row, const rules_coding *c,
			 const char *rules_name);

/*
 * Fills fields still empty from the history of `supplier_key`: the item
 * key first, then the text key, then the supplier as a whole; the first
 * key with any history gives all its fields (so they belong together).
 * *out_weak tells whether the history used is below the rules' confidence
 * or count.
 */
int booking_apply_history(booking *b, booking_row *row, bool *out_weak, refdata *r,
			  const char *supplier_key, const rules_settings *s, ulf_err *err);

/* Allowances and charges with fields still empty: from the largest line
 * of the same VAT category and rate. */
void booking_apply_vat_group(booking *b);

/* Spreads the invoice's VAT (BG-23) over the rows and sums the totals. */
int booking_spread_vat(booking *b, const invoice *inv, ulf_err *err);

/* Recomputes each row's confidence as its weakest filled field. */
void booking_confidence(booking *b);

/* The suggestion as JSON: rows with each field's value, source and
 * detail, the totals and the rounding row.  Amounts are strings.  NULL
 * when out of memory. */
ujson *booking_json(const booking *b);

/* One line per row, for `ulf match` text output. */
void booking_text(FILE *out, const booking *b, const char *indent);

#endif
