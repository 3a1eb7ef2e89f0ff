/*
 * queue.h - the exception queue: what a person does with an invoice the
 * robot would not decide alone.  The workbench's pages and `ulf queue`
 * both stand on this API; neither speaks SQL nor reads the stored JSON.
 *
 * Three parts:
 *   the list    queue_list: every waiting document, filtered, sorted, paged,
 *               with counts per reason.  Served from an index kept by the
 *               store (robot/store/queue_index.h) whenever a document
 *               enters or leaves the queue: no document is parsed per
 *               request, and 10 000 waiting documents list in milliseconds.
 *   the invoice queue_get: everything the invoice page shows - header,
 *               lines beside the order and goods-receipt lines they were
 *               matched to with the deviations, validation findings, how it
 *               was matched, the booking suggestion with each value's
 *               source, attachments, the care claim (masked), the history.
 *   the actions approve (as suggested, or with a corrected booking),
 *               reject (with an Invoice Response), hold, assign, comment,
 *               retry.  Each takes the acting user (authenticated by the
 *               caller: the web's session, the CLI's mapped OS user) and
 *               the version of the document the user saw, and writes its
 *               audit row (user, time, values before and after) in one
 *               transaction with the change.
 *
 * Conflicts: every document in the queue has a version, one more with
 * every change (a person's action, the robot taking it out or putting it
 * back).  An action naming an older version changes nothing and fails
 * with ULF_ECONFLICT and the message "document N was changed by X at T -
 * reload": two handlers on one invoice never post it twice.
 *
 * Roles are the caller's business (robot/web/auth.h): these functions
 * trust the user name they are given, and record it.
 */
#ifndef ULF_QUEUE_H
#define ULF_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/dec.h"
#include "core/err.h"
#include "core/json.h"
#include "robot/pipeline/pipeline.h"
#include "robot/store/queue_index.h"
#include "robot/store/store.h"

/* ---- the list -----------------------------------------------------------
 *
 * The types of the list (queue_filter, queue_item, queue_page, queue_sort,
 * queue_who, queue_held, queue_reason_count) are the store's, in
 * robot/store/queue_index.h, where the index that serves them lives.
 */

/*
 * The waiting documents that pass `f` (NULL: all, default sort and page),
 * sorted and paged, into *out (released with queue_page_release, also on
 * failure).  `now` (seconds since the epoch) decides "due within N days"
 * and "on hold".  ULF_EINVAL names a filter value that is no reason code,
 * flow or sort.
 */
int queue_list(queue_page *out, store *s, const queue_filter *f, int64_t now, ulf_err *err);

/* ---- the invoice --------------------------------------------------------
 *
 * Everything below is read, masked where it must be, into one arena:
 * strings are NULL when the invoice or the matcher has nothing to say.
 * Amounts are exact decimal texts ("1198.00"), as stored and as posted.
 */

/* One tolerance or status check of the matcher, as it explained it. */
typedef struct queue_check {
	const char *check;        /* "price", "quantity", "amount", "unit", "received", ... */
	const char *result;       /* "ok", "deviation" or "info" */
	const char *invoice;      /* the invoice's value */
	const char *expected;     /* the order's or receipt's value */
	const char *difference;   /* |invoice - expected| */
	const char *allowed;      /* what the tolerance allowed */
	const char *tolerance;    /* the tolerance that applied: "2%", "1.00", "exact" */
	const char *scope;        /* the rules' scope it came from ("default", a supplier) */
	int rules_line;           /* its line in the rules file, 0 when none */
	const char *text;         /* the whole computation in words */
} queue_check;

/* A goods-receipt line against the order line. */
typedef struct queue_receipt {
	const char *receipt_id, *line_id, *date, *quantity, *unit;
} queue_receipt;

/* An invoice line beside the order line it was matched to. */
typedef struct queue_line {
	/* the invoice's line (BG-25) */
	const char *line_id, *item_name, *description, *seller_item_id;
	const char *quantity, *unit, *price, *net, *vat_category, *vat_rate;
	const char *order_line_ref;        /* BT-132 as the supplier wrote it */
	/* the order line (NULL fields when none was matched) */
	const char *order_no, *order_line_id, *order_item_id, *order_name;
	const char *order_quantity, *order_unit, *order_price, *order_net;
	const char *received_quantity;     /* by all goods receipts */
	const char *invoiced_before;       /* by invoices posted earlier */
	queue_receipt *receipts;
	size_t nreceipts;
	/* the checks made on this line, in the matcher's order */
	queue_check *checks;
	size_t nchecks;
	bool deviation;                    /* any check is a deviation */
} queue_line;

/* A validation finding (parsers/validate.h). */
typedef struct queue_finding {
	const char *rule;          /* official id: "BR-CO-10", "PEPPOL-EN16931-R003" */
	const char *flag;          /* "fatal" or "warning" */
	const char *text;
} queue_finding;

/* A reason the document waits, with the matcher's words. */
typedef struct queue_reason {
	const char *code;          /* docs/reason-codes.md */
	const char *line_id;       /* the line it concerns, NULL for the whole invoice */
	const char *message;
} queue_reason;

/* How it was matched. */
typedef struct queue_match {
	const char *decision;      /* "auto", "exception" */
	const char *flow;          /* "po", "non-po", "recurring", "care" */
	const char *supplier_no, *supplier_name;
	const char *supplier_how;  /* which key found the supplier ("org number 5560...") */
	const char *order_no;
	const char *order_source;  /* where the reference was found ("BT-13", a rule) */
	const char *rule;          /* the nonpo or recurring rule that let it through */
	const char *credited_invoice;
	int confidence;            /* 0..100: the weakest booking row's */
	queue_check *header_checks;        /* totals, currency, duplicates */
	size_t nheader_checks;
} queue_match;

/* The booking fields of a row, in this order. */
enum {
	QUEUE_ACCOUNT = 0,
	QUEUE_COST_CENTRE,
	QUEUE_ACTIVITY,
	QUEUE_PROJECT,
	QUEUE_VAT_CODE,
	QUEUE_NFIELDS
};

/* "account", "cost_centre", "activity", "project", "vat_code": also the
 * member names of a booking's lines in JSON. */
const char *queue_field_name(int field);

typedef struct queue_field {
	const char *value;
	const char *source;        /* "order", "rule", "history", "handler", ... (booking.h) */
	const char *detail;        /* where exactly: "order 4500 line 2", "learned from
	                            * anna's correction on 2025-03-04" */
	int confidence;            /* 0..100 */
} queue_field;

typedef struct queue_booking_row {
	const char *kind;          /* "line", "allowance", "charge", "rounding" */
	const char *line_id;       /* BT-126, NULL for document-level rows */
	const char *description;
	queue_field f[QUEUE_NFIELDS];
	const char *net, *vat;     /* signed as booked */
} queue_booking_row;

typedef struct queue_attachment {
	size_t index;              /* for queue_attachment_get */
	const char *name, *mime, *description;
	size_t size;               /* decoded bytes */
} queue_attachment;

/* One line of the history: a robot step or a person's action. */
typedef struct queue_event {
	int64_t at;
	const char *who;           /* "robot" for the pipeline's steps */
	const char *what;          /* step or action: "validate", "approve", "hold" */
	const char *from, *to;     /* states; NULL for actions that changed none */
	const char *detail;        /* JSON as recorded (reasons, before/after) */
	int64_t duration_us;       /* a robot step's */
	bool person;
} queue_event;

typedef struct queue_doc {
	int64_t id;
	const char *state;         /* "exception" while it waits */
	const char *name;          /* the file name it came with */
	queue_item item;           /* what the list shows of it (item.version!) */
	/* the header */
	const char *kind;          /* "invoice", "credit-note" */
	const char *syntax;
	const char *issue_date, *due_date, *currency;
	const char *seller_name, *seller_org, *seller_vat, *seller_peppol, *seller_address;
	const char *buyer_name, *buyer_org, *buyer_reference, *order_reference;
	const char *payment_account, *payment_reference;
	const char *net_total, *vat_total, *payable;
	queue_line *lines;
	size_t nlines;
	queue_reason *reasons;
	size_t nreasons;
	queue_finding *findings;
	size_t nfindings;
	queue_match match;
	/* the robot's suggestion, row by row; and the booking a handler saved
	 * (booking_set) when there is one, which is what would be posted */
	queue_booking_row *suggestion;
	size_t nsuggestion;
	const char *booking_json;  /* the handler's booking, NULL: the suggestion stands */
	bool suggestion_complete;  /* the robot made a whole booking: queue_approve
	                            * may release it (it checks it first) */
	queue_attachment *attachments;
	size_t nattachments;
	ujson *claim;              /* care: the claim as care_claim_json shows it, masked */
	const char *response_code; /* rejected: the Invoice Response's reason code */
	queue_event *history;
	size_t nhistory;
	int64_t version;           /* = item.version: hand it back with an action */
	const char *changed_by;    /* who changed it last ("robot" for the pipeline) */
	int64_t changed_at;
	arena mem;                 /* owns everything above (the claim is freed apart) */
} queue_doc;

/*
 * Document `id` as the invoice page shows it, whatever its state (a
 * rejected or posted one shows its history); ULF_ENOTFOUND when there is
 * none.  Personal identity numbers are masked.  Released with
 * queue_doc_release, also on failure.
 */
int queue_get(queue_doc *out, store *s, int64_t id, ulf_err *err);
void queue_doc_release(queue_doc *d);

/* The decoded bytes of attachment `index` of document `id`, its name and
 * MIME type (all malloc'd, the caller frees). */
int queue_attachment_get(void **out, size_t *out_len, char **out_name, char **out_mime,
			 store *s, int64_t id, size_t index, ulf_err *err);

/*
 * The care claim of document `id` unmasked (a JSON tree the caller frees),
 * for a care handler: `reason` (why, required) and `who` go into an audit
 * row first.  ULF_ENOTFOUND when the document has no claim.
 */
int queue_claim_unmask(ujson **out, store *s, int64_t id, const char *who,
		       const char *reason, int64_t now, ulf_err *err);

/* The Invoice Response produced when document `id` was rejected
 * (malloc'd XML); ULF_ENOTFOUND when none was. */
int queue_response_get(char **out, size_t *out_len, store *s, int64_t id, ulf_err *err);

/* ---- the actions --------------------------------------------------------
 *
 * Common arguments: the pipeline `p` (its store, rules and reference
 * data; one per thread), the document, the acting user `who`, the
 * `version` the user saw (queue_doc.version or queue_item.version) and
 * `now`.  Each fails with ULF_ECONFLICT when the document changed since,
 * with ULF_EINVAL when it is not waiting in the queue (or the values are
 * wrong), and changes nothing then.
 *
 * Approval moves the document to `ready`: the posting threads of `ulf run`
 * post it exactly once, or the caller does at once with pipeline_process.
 */

/*
 * Approves the booking as it stands: the robot's own suggestion, posted as
 * it is (or, when a handler saved a booking earlier - the ERP refused the
 * first posting - that one).  It is checked as queue_booking_check checks a
 * handler's, so what is released will post.  The reasons it waited for
 * stay on record (the audit row's "before", the document's reasons, the
 * history).  When there is no whole booking (a required field nobody could
 * fill) or it does not add up, nothing changes and ULF_EINVAL says what is
 * wrong: the handler corrects the booking instead.
 */
int queue_approve(pipeline *p, int64_t id, const char *who, int64_t version,
		  const char *note, int64_t now, ulf_err *err);

/* A problem with a handler's booking, for the page to show at its field. */
typedef struct queue_problem {
	int line;                  /* index into the booking's lines, -1: the whole booking */
	int field;                 /* QUEUE_ACCOUNT.., or -1 (amounts, totals) */
	char message[240];         /* "line 2: account 9999 is not in the chart of accounts" */
} queue_problem;

#define QUEUE_MAX_PROBLEMS 64

typedef struct queue_problems {
	queue_problem items[QUEUE_MAX_PROBLEMS];
	size_t n;
	bool more;                 /* there were more than fit */
} queue_problems;

/*
 * Checks a handler's booking (JSON {"lines": [{"invoice_line_id",
 * "description", "account", "cost_centre", "activity", "project",
 * "vat_code", "net_amount", "vat_amount"}]}) against document `id` when it
 * is saved, not at posting: the lines add up to the invoice's net (BT-109)
 * and VAT (BT-110), VAT codes are ones the rules know, accounts and
 * dimensions are in the reference data (refdata dimensions; a dimension
 * with no register loaded is not checked), required fields are there.
 * Every problem goes into *out (cleared first); returns 0 when there is
 * none, ULF_EINVAL (err: the first problem and how many) when there are.
 */
int queue_booking_check(queue_problems *out, pipeline *p, int64_t id,
			const char *booking_json, ulf_err *err);

/*
 * Approves with a corrected booking: checked as queue_booking_check does
 * (problems in *out_problems when not NULL), saved as the document's
 * booking, remembered for the booking history when it is posted (the next
 * suggestion for this supplier and item says "learned from WHO's
 * correction on DATE"), and released for posting.
 */
int queue_approve_booking(queue_problems *out_problems, pipeline *p, int64_t id,
			  const char *who, int64_t version, const char *booking_json,
			  const char *note, int64_t now, ulf_err *err);

/* The Invoice Response status reasons (OPStatusReason) a rejection may
 * give, with what each means; *out_n gets how many. */
typedef struct queue_reject_code {
	const char *code;          /* "REF", "PRI", "QTY", ... */
	const char *label;         /* "References incorrect", ... */
} queue_reject_code;

const queue_reject_code *queue_reject_codes(size_t *out_n);

/*
 * Rejects the invoice: `code` one of queue_reject_codes, `reason` the
 * words for the supplier (required).  For an invoice (not a file that is
 * no invoice) the PEPPOL Invoice Response is made and stored with the
 * document (queue_response_get) in the same transaction.
 */
int queue_reject(pipeline *p, int64_t id, const char *who, int64_t version,
		 const char *code, const char *reason, int64_t now, ulf_err *err);

/* Puts it on hold until `until` (YYYY-MM-DD, after today) with a note
 * (why: a goods receipt, a credit note); NULL until takes the hold off.
 * It stays in the queue; the list can leave held documents out. */
int queue_hold(pipeline *p, int64_t id, const char *who, int64_t version,
	       const char *until, const char *note, int64_t now, ulf_err *err);

/* Assigns it to `assignee` (a user name; NULL or "": nobody). */
int queue_assign(pipeline *p, int64_t id, const char *who, int64_t version,
		 const char *assignee, int64_t now, ulf_err *err);

/* A comment on the record (does not need the document to wait). */
int queue_comment(pipeline *p, int64_t id, const char *who, int64_t version,
		  const char *text, int64_t now, ulf_err *err);

/*
 * Runs it again through the pipeline (after the rules or the reference
 * data changed): exception -> received -> wherever it gets now
 * (*out_state).
 */
int queue_retry(doc_state *out_state, pipeline *p, int64_t id, const char *who,
		int64_t version, int64_t now, ulf_err *err);

#endif
