/*
 * match.h - ties an invoice to its supplier, order and goods receipt,
 * checks it against them, suggests its booking and decides: auto (post it)
 * or exception (a person looks, with the reasons).
 *
 * It must be right more than it must be bold: anything not certainly right
 * is an exception, and every decision carries its explanation - which keys
 * identified the supplier, where the order number was found and by which
 * rule, each tolerance computation, which rules fired and why, and where
 * each booking field came from (docs/matching.md; the reason codes are in
 * docs/reason-codes.md).
 *
 * For the pipeline:
 *
 *   matcher *m;  matcher_new(&m, store_db(s), rules, &err);   once
 *   match_result *r;
 *   match_input in = { .valid = findings_ok, .doc_id = id };
 *   match_invoice(&r, m, inv, &in, &err);                       per invoice
 *   ... r->decision, r->reasons, r->flow, r->supplier_no, r->order_no,
 *       r->booking (rows), match_result_json(r) for store_summary.result
 *   match_result_free(r);
 *   after the ERP accepted it:
 *   match_record(m, inv, r, handler_booking_json_or_NULL, id, now, &err);
 *
 * A matcher holds prepared statements and match data: one per thread.  It
 * borrows the db connection and the ruleset, which must outlive it.
 * Matching only reads; match_record writes in its own transaction (do not
 * call it inside one).
 */
#ifndef ULF_MATCH_H
#define ULF_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/json.h"
#include "parsers/invoice.h"
#include "robot/match/booking.h"
#include "robot/store/db.h"
#include "robot/store/refdata.h"
#include "robot/match/rules.h"

typedef struct matcher matcher;

/* Creates the reference-data tables if needed (refdata_open). */
int matcher_new(matcher **out, db *d, const ruleset *rules, ulf_err *err);
void matcher_free(matcher *m);
/* The reference data the matcher reads (for imports on the same handle). */
refdata *matcher_refdata(matcher *m);

typedef struct match_input {
	bool valid;                 /* the validator's verdict; false: INVALID */
	const char *invalid_reason; /* its summary for the explanation, or NULL */
	int64_t doc_id;             /* the document in the store; 0 for a file */
	const char *name;           /* its name (file), shown in the result, or NULL */
} match_input;

typedef enum match_decision {
	MATCH_AUTO = 1,             /* certainly right: post the suggestion */
	MATCH_EXCEPTION = 2         /* a person decides, see reasons */
} match_decision;

typedef enum match_flow {
	MATCH_FLOW_UNKNOWN = 0,
	MATCH_FLOW_PO,              /* against a purchase order */
	MATCH_FLOW_NONPO,           /* no order: a nonpo rule let it through */
	MATCH_FLOW_RECURRING        /* no order: like earlier approved invoices */
} match_flow;

const char *match_decision_name(match_decision d);   /* "auto", "exception" */
const char *match_flow_name(match_flow f);           /* "po", "non-po", "recurring", "unknown" */

/* The reason codes, each documented in docs/reason-codes.md. */
#define MR_INVALID                  "INVALID"
#define MR_UNKNOWN_SUPPLIER         "UNKNOWN_SUPPLIER"
#define MR_AMBIGUOUS_SUPPLIER       "AMBIGUOUS_SUPPLIER"
#define MR_SUPPLIER_UNCERTAIN       "SUPPLIER_UNCERTAIN"
#define MR_SUPPLIER_BLOCKED         "SUPPLIER_BLOCKED"
#define MR_PAYMENT_ACCOUNT_MISMATCH "PAYMENT_ACCOUNT_MISMATCH"
#define MR_DUPLICATE                "DUPLICATE"
#define MR_NO_ORDER                 "NO_ORDER"
#define MR_ORDER_CLOSED             "ORDER_CLOSED"
#define MR_ORDER_MISMATCH           "ORDER_MISMATCH"
#define MR_CURRENCY_MISMATCH        "CURRENCY_MISMATCH"
#define MR_UNMATCHED_LINE           "UNMATCHED_LINE"
#define MR_PRICE_DEVIATION          "PRICE_DEVIATION"
#define MR_QUANTITY_DEVIATION       "QUANTITY_DEVIATION"
#define MR_AMOUNT_DEVIATION         "AMOUNT_DEVIATION"
#define MR_TOTAL_DEVIATION          "TOTAL_DEVIATION"
#define MR_NOT_RECEIVED             "NOT_RECEIVED"
#define MR_CREDIT_NO_INVOICE        "CREDIT_NO_INVOICE"
#define MR_CREDIT_EXCEEDS_INVOICE   "CREDIT_EXCEEDS_INVOICE"
#define MR_RECURRING_DEVIATION      "RECURRING_DEVIATION"
#define MR_ROUNDING                 "ROUNDING"
#define MR_NO_BOOKING               "NO_BOOKING"
#define MR_LOW_CONFIDENCE           "LOW_CONFIDENCE"

/* All of them, in the documented order. */
const char *const *match_reason_codes(size_t *out_n);

/* The text of a result is never cut: it lives with the result (its arena,
 * up to MATCH_MAX_BYTES) until match_result_free, and is "" rather than
 * NULL where there is none. */
typedef struct match_reason {
	const char *code;           /* one of MR_* */
	const char *line_id;        /* the invoice line it concerns, or "" */
	const char *message;        /* for a person: what and by how much */
} match_reason;

#define MATCH_MAX_REASONS 64
#define MATCH_MAX_ORDERS 8
#define MATCH_MAX_BYTES (16u * 1024 * 1024)   /* the text of one result */

typedef struct match_result {
	match_decision decision;
	match_flow flow;
	match_reason reasons[MATCH_MAX_REASONS];
	size_t nreasons;            /* 0 exactly when decision is MATCH_AUTO */
	const char *supplier_no;    /* the register's number, "" when unknown */
	const char *supplier_name;
	const char *supplier_key;   /* what history is kept under */
	const char *order_no;       /* the (first) matched order, or "" */
	const char *credited;       /* a credit note: the invoice it corrects */
	/*
	 * For the store (store_summary), so that later invoices of the same
	 * content are compared with this one while it is on its way: its
	 * content fingerprint (refdata_fingerprint: supplier, kind, date,
	 * currency, total, line amounts; "" without an invoice number), and
	 * the references that tell it apart from another invoice of the same
	 * content, as JSON, "" when it has none that do:
	 *   {"orders": [...]     the orders every line of it is tied to,
	 *    "receipts": [...]   its goods receipts (BT-15/BT-16) registered
	 *                        on those orders,
	 *    "credits": "N"}     a credit note: the posted invoice it corrects
	 */
	char fingerprint[65];
	const char *refs;
	booking booking;            /* the suggestion, row by row */
	ujson *json;                /* the whole result, explanation included */
	arena mem;                  /* the text above */
} match_result;

/*
 * Matches one invoice.  Returns 0 with *out set whatever the decision
 * (an exception is a result, not an error); negative only when matching
 * itself failed (store, memory), with err set.
 */
int match_invoice(match_result **out, matcher *m, const invoice *inv,
		  const match_input *in, ulf_err *err);
void match_result_free(match_result *r);

bool match_has_reason(const match_result *r, const char *code);

/*
 * The result as JSON (borrowed; lives with r): decision, flow, reasons
 * (code, line, message), supplier, order, suggestion, new_supplier (for
 * UNKNOWN_SUPPLIER: the registration a person completes), duplicate_of
 * (for DUPLICATE: the earlier one - "how" it is one ("number" or
 * "content"), its "invoice_number", "document" and "state" when it is in
 * the store, and for the same number the "differences" of this one from
 * it, as invoice_diff.h lists them, with "differences_total") and
 * explanation (supplier keys tried, order candidates, per line and header
 * checks with their tolerance computations, rules fired, duplicates).
 */
const ujson *match_result_json(const match_result *r);

/* The decision, reasons, lines and suggestion for a person, in text. */
void match_result_text(FILE *out, const match_result *r, const char *label);

/*
 * Remembers a posted invoice: for duplicate detection, credit notes,
 * recurring invoices, quantities invoiced per order line, and the booking
 * history the next suggestions learn from.  `booking_json` is a person's
 * booking ({"lines": [{"invoice_line_id", "account", "cost_centre",
 * "activity", "project", "vat_code", "net_amount"}]}) when one replaced the
 * suggestion, else NULL.  Idempotent: recording the same invoice again
 * replaces what it taught.
 */
int match_record(matcher *m, const invoice *inv, const match_result *r,
		 const char *booking_json, int64_t doc_id, int64_t now, ulf_err *err);

#endif
