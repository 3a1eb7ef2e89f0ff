/*
 * dashboard.h - the controllers' figures (docs/dashboard.md), read from
 * the rollups the store keeps as documents change state (rollup.h), never
 * by scanning the documents.
 *
 * Every query takes a period of days [from, to) in the Swedish calendar
 * (core/calendar.h) and optionally a region (the buyer's org number or
 * Peppol id, as the invoice names it), a cost centre (ansvar: the main
 * cost centre of the document's booking) and a flow ("po", "non-po",
 * "care"; "" is a document never matched).  A period is answered from the
 * month rollups for its whole months and the day rollups for the rest, so
 * a year costs about as much as a week.
 *
 * Rates are given as their two terms; dash_rate() turns them into
 * ten-thousandths (0..10000) for showing, no floating point.  Money is
 * in öre (int64), SEK only: amounts in other currencies are counted but
 * not summed (docs/dashboard.md says where).  Results are malloc'd arrays
 * of rows that hold their texts, owned by the caller (free()), or plain
 * structs.
 *
 * Supplier identities are org numbers; one that is a personal identity
 * number (a sole trader's) is never given out: `supplier` is "" then and
 * `personal` true.
 *
 * For each table there is a CSV writer (dash_csv_*) with the same rows,
 * for the pages' exports.
 */
#ifndef ULF_DASHBOARD_H
#define ULF_DASHBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dynbuf.h"
#include "core/err.h"
#include "robot/store/store.h"

/* Lead-time histogram buckets: their upper bounds in seconds, the last
 * one open (dash_lead_bound). */
#define DASH_LEAD_BUCKETS 22

/* The default threshold of the supplier tail: 20 000 SEK, in öre. */
#define DASH_TAIL_DEFAULT_ORE ((int64_t)20000 * 100)

/* The flows a figure is split by; DASH_FLOW_NONE is a document that never
 * reached matching (unreadable, invalid before matching). */
typedef enum dash_flow {
	DASH_FLOW_PO = 0,
	DASH_FLOW_NONPO,       /* without order, recurring included */
	DASH_FLOW_CARE,
	DASH_FLOW_NONE,
	DASH_FLOW_COUNT
} dash_flow;

/* "po", "non-po", "care", "". */
const char *dash_flow_key(dash_flow f);
/* What a flow is called on a page: "with order", "without order", "care",
 * "not matched". */
const char *dash_flow_label(dash_flow f);
/* The flow of a key ("recurring" is non-po); DASH_FLOW_NONE for any other. */
dash_flow dash_flow_of(const char *key);

/* Upper bound of lead-time bucket b in seconds; INT64_MAX for the last. */
int64_t dash_lead_bound(int b);
/* The bucket of a lead time in seconds. */
int dash_lead_bucket(int64_t seconds);

/* The counters a period sums (docs/dashboard.md defines each). */
typedef struct dash_counts {
	int64_t in_invoices;      /* e-invoices and credit notes received */
	int64_t in_paper;         /* not e-invoices: PDF or scan (NOT_EINVOICE), or registered */
	int64_t in_other;         /* not an invoice, or unreadable */
	int64_t in_resends;       /* sent again with other bytes (DUPLICATE) */
	int64_t dup_bytes;        /* the same bytes delivered again */
	int64_t decided;          /* invoices decided: posted, rejected, or a real exception */
	int64_t touchless;        /* of those, posted with no person's action */
	int64_t exceptions;       /* of those, decided by going to the queue */
	int64_t queue_in;         /* entries into the queue, of any kind */
	int64_t queue_out;        /* exits from the queue */
	int64_t erp_holds;        /* entries for the ERP's outage or set-up fault alone */
	int64_t posted;
	int64_t posted_robot;     /* posted, touchless */
	int64_t rejected;
	int64_t erp_posted;       /* posted after an ERP hold-up */
	int64_t finals;           /* invoices posted or rejected (their touches counted) */
	int64_t touches;          /* persons' actions on them */
	int64_t touched;          /* of them, with at least one action */
	int64_t erp_actions;      /* persons' actions on ERP hold-ups (not touches) */
	int64_t lines_posted;
	int64_t lines_unchanged;  /* posted with the robot's suggestion unchanged */
	int64_t lead_robot[DASH_LEAD_BUCKETS];   /* receipt to posting, touchless */
	int64_t lead_person[DASH_LEAD_BUCKETS];  /* receipt to posting, with a person */
} dash_counts;

/* The number of int64 counters in dash_counts, in field order. */
#define DASH_NCOUNTS 65

/* What a query looks at. */
typedef struct dash_filter {
	int32_t from, to;          /* days [from, to) */
	const char *region;        /* NULL or "": every region */
	const char *cost_centre;   /* NULL or "": every cost centre */
	const char *flow;          /* NULL: every flow; "" the unmatched */
} dash_filter;

/* A filter for [from, to), nothing else chosen. */
dash_filter dash_period(int32_t from, int32_t to);

/* The period before: the same number of whole months before a period of
 * whole months, else the same number of days before. */
dash_filter dash_previous(const dash_filter *f);

/* num / den in ten-thousandths (rounded half up); -1 when den is 0. */
int64_t dash_rate(int64_t num, int64_t den);

/* ---- counts ------------------------------------------------------------ */

/* The counters of a period, summed: out[flow] per flow and out_all for
 * all of them (either may be NULL).  A flow filter leaves the other flows
 * at zero. */
int dash_counts_get(dash_counts out[DASH_FLOW_COUNT], dash_counts *out_all, store *s,
		    const dash_filter *f, ulf_err *err);

/* The counters of a period per region and flow (for /metrics: a row per
 * pair that has any).  f's region, cost centre and flow filters apply. */
#define DASH_REGION_MAX 64

typedef struct dash_split_row {
	char region[DASH_REGION_MAX];
	dash_flow flow;
	dash_counts c;
} dash_split_row;

int dash_counts_split(dash_split_row **out, size_t *out_n, store *s, const dash_filter *f,
		      ulf_err *err);

/* ---- the touchless rate and the auto-coding rate ------------------------ */

typedef struct dash_rate_row {
	dash_flow flow;            /* DASH_FLOW_COUNT: all flows */
	int64_t decided, touchless;
	int64_t rate;              /* touchless / decided, ten-thousandths; -1 none */
	int64_t lines_posted, lines_unchanged;
	int64_t coding_rate;       /* lines unchanged / posted; -1 none */
	/* counted apart (not in decided) */
	int64_t resends, dup_bytes, not_einvoice, not_invoice, erp_posted;
} dash_rate_row;

/* One row per flow (po, non-po, care, none) and the total last: *out has
 * DASH_FLOW_COUNT + 1 rows. */
int dash_touchless(dash_rate_row **out, size_t *out_n, store *s, const dash_filter *f,
		   ulf_err *err);

/* ---- exception reasons ------------------------------------------------- */

/* Sizes of the rows' texts: longer ones are cut on a whole character. */
#define DASH_REASON_MAX 48
#define DASH_SUPPLIER_MAX 24
#define DASH_NAME_MAX 160
#define DASH_WHO_MAX 72

typedef struct dash_reason_row {
	char reason[DASH_REASON_MAX];
	int64_t n;                 /* queue entries with this reason */
	int64_t share;             /* of all entries, ten-thousandths */
} dash_reason_row;

/* Most first (then by code); *out_entries (may be NULL) is the number of
 * entries the shares are of. */
int dash_reasons(dash_reason_row **out, size_t *out_n, int64_t *out_entries, store *s,
		 const dash_filter *f, ulf_err *err);

typedef struct dash_supplier_row {
	char supplier[DASH_SUPPLIER_MAX];   /* org number; "" when personal or unknown */
	bool personal;             /* a sole trader's personal identity number: withheld */
	char name[DASH_NAME_MAX];  /* as the latest invoice names it */
	int64_t decided, touchless;
	int64_t entries;           /* queue entries (exceptions) */
	int64_t first_time_right;  /* touchless / decided, ten-thousandths; -1 none */
} dash_supplier_row;

/* Suppliers with decided invoices or exceptions in the period, most
 * exceptions first (then most decided, then by org number); at most
 * `limit` rows (0: all).  The ten with most exceptions: limit 10. */
int dash_suppliers(dash_supplier_row **out, size_t *out_n, store *s, const dash_filter *f,
		   size_t limit, ulf_err *err);

/* ---- the queue now ----------------------------------------------------- */

#define DASH_AGE_BUCKETS 4      /* working days 0-1, 2-5, 6-10, over 10 */

typedef struct dash_queue {
	int64_t size;              /* documents in the queue */
	int64_t amount;            /* their amounts payable, öre (SEK ones) */
	int64_t age_n[DASH_AGE_BUCKETS];
	int64_t age_amount[DASH_AGE_BUCKETS];
	int64_t overdue_n, overdue_amount;        /* due before today */
	int64_t due3_n, due3_amount;              /* due today .. today + 3 */
	int64_t due7_n, due7_amount;              /* due today .. today + 7 */
	int64_t no_due_n;                         /* the invoice gives no due date */
	int64_t other_currency_n;                 /* amounts not in the sums */
	dash_reason_row *reasons;  /* size by reason, most first (dash_queue_release) */
	size_t nreasons;
} dash_queue;

/* The queue on day `today` (the period of f is not used).  Free with
 * dash_queue_release. */
int dash_queue_now(dash_queue *out, store *s, const dash_filter *f, int32_t today,
		   ulf_err *err);
void dash_queue_release(dash_queue *q);

/* The queue on day `today` per region and flow (reasons not given). */
typedef struct dash_queue_split_row {
	char region[DASH_REGION_MAX];
	dash_flow flow;
	dash_queue q;              /* q.reasons is NULL */
} dash_queue_split_row;

int dash_queue_split(dash_queue_split_row **out, size_t *out_n, store *s, int32_t today,
		     ulf_err *err);

/* "0-1", "2-5", "6-10", ">10". */
const char *dash_age_label(int bucket);
/* The bucket of an age in working days. */
int dash_age_bucket(int32_t working_days);

/* ---- lead time and touches --------------------------------------------- */

typedef struct dash_lead_side {
	int64_t n;
	int median, p90;           /* buckets, -1 when n is 0 */
} dash_lead_side;

typedef struct dash_lead {
	dash_lead_side robot, person, all;
	int64_t finals, touches, touched;
	int64_t touches_per_invoice;   /* touches / finals, hundredths; -1 none */
} dash_lead;

/* The percentile p (1..100) of a histogram by nearest rank: the bucket
 * holding the ceil(p/100 * n)-th value; -1 when it is empty. */
int dash_percentile(const int64_t hist[DASH_LEAD_BUCKETS], int p);

int dash_lead_time(dash_lead *out, store *s, const dash_filter *f, ulf_err *err);

/* ---- the weekly steering board ------------------------------------------ */

typedef struct dash_week_row {
	int32_t week_start;        /* its Monday */
	int iso_year, iso_week;
	int64_t in;                /* documents in: invoices, not e-invoices, others, resends */
	int64_t posted_robot;
	int64_t handled_people;    /* posted after a person's action, or rejected */
	int64_t rejected;
	int64_t backlog;           /* in the queue at the week's end */
} dash_week_row;

typedef struct dash_handler_row {
	int32_t week_start;
	char who[DASH_WHO_MAX];    /* the handler (a ulf user name) */
	int64_t actions;
} dash_handler_row;

/* The `weeks` weeks up to and including the week of day f->to - 1, oldest
 * first (region and flow filters apply; the cost centre does not filter
 * handlers' actions). */
int dash_board(dash_week_row **out, size_t *out_n, store *s, const dash_filter *f,
	       int weeks, ulf_err *err);
/* The handlers' actions per week of the same weeks, by week then most. */
int dash_handlers(dash_handler_row **out, size_t *out_n, store *s, const dash_filter *f,
		  int weeks, ulf_err *err);

/* ---- trends ------------------------------------------------------------- */

typedef struct dash_trend_row {
	int32_t start, end;        /* [start, end) */
	dash_counts c;
	int64_t touchless_rate, coding_rate, einvoice_share;   /* ten-thousandths, -1 none */
} dash_trend_row;

/* Per week for the `n` weeks, or per month for the `n` months, up to and
 * including the one that holds day f->to - 1; oldest first. */
int dash_trend_weeks(dash_trend_row **out, size_t *out_n, store *s, const dash_filter *f,
		     int n, ulf_err *err);
int dash_trend_months(dash_trend_row **out, size_t *out_n, store *s, const dash_filter *f,
		      int n, ulf_err *err);
/* This period and the one before (dash_previous): out[0] now, out[1] before. */
int dash_compare(dash_trend_row out[2], store *s, const dash_filter *f, ulf_err *err);

/* ---- the unit's indicators ---------------------------------------------- */

typedef struct dash_einvoice {
	int64_t einvoices, not_einvoices;
	int64_t share;             /* e-invoices / all invoices, ten-thousandths; -1 none */
} dash_einvoice;

int dash_einvoice_share(dash_einvoice *out, store *s, const dash_filter *f, ulf_err *err);

typedef struct dash_tail {
	int64_t threshold;         /* öre */
	int32_t from, to;          /* the twelve months looked at */
	int64_t suppliers, tail_suppliers;
	int64_t invoices, tail_invoices;
	int64_t spend, tail_spend; /* öre */
	int64_t supplier_share, invoice_share, spend_share;   /* ten-thousandths */
} dash_tail;

/* A supplier's spend. */
typedef struct dash_spend_row {
	char supplier[DASH_SUPPLIER_MAX];
	bool personal;
	char name[DASH_NAME_MAX];
	int64_t invoices, spend;   /* öre */
	int64_t contract_spend;    /* öre, with a valid contract on the invoice date */
} dash_spend_row;

/*
 * The suppliers with posted invoices dated in the 12 months before f->to
 * whose spend is under `threshold` öre (0: DASH_TAIL_DEFAULT_ORE); and,
 * when rows is not NULL, those suppliers themselves (*rows, *out_n: the
 * caller frees), smallest spend first, at most `limit` (0: all) - one
 * reading for both.
 */
int dash_supplier_tail(dash_tail *out, dash_spend_row **rows, size_t *out_n, store *s,
		       const dash_filter *f, int64_t threshold, size_t limit, ulf_err *err);

typedef struct dash_month_row {
	int32_t month;             /* its first day */
	int64_t n;
} dash_month_row;

/* Suppliers that first appeared in the register, per month, for the
 * `months` months up to the one holding f->to - 1 (not split by region or
 * cost centre: the register is the unit's). */
int dash_new_suppliers(dash_month_row **out, size_t *out_n, store *s, const dash_filter *f,
		       int months, ulf_err *err);

typedef struct dash_contract {
	int64_t spend, contract_spend, without_spend;   /* öre */
	int64_t invoices, contract_invoices;
	int64_t share;             /* contract spend / spend, ten-thousandths; -1 none */
} dash_contract;

/* Posted invoices dated in the period (by their issue date). */
int dash_contract_compliance(dash_contract *out, store *s, const dash_filter *f, ulf_err *err);
/* Spend without a valid contract, by supplier, most first; limit 0: all. */
int dash_without_contract(dash_spend_row **out, size_t *out_n, store *s, const dash_filter *f,
			  size_t limit, ulf_err *err);

/* ---- registered counts ------------------------------------------------- */

/* Registers `n` invoices that did not come as e-invoices (paper handled
 * elsewhere, a scanning bureau's count) on `day`: they count in the share
 * of e-invoices.  n may be negative to correct a count. */
int dash_register_paper(store *s, int32_t day, const char *region, const char *cost_centre,
			int64_t n, ulf_err *err);

/*
 * Reads registered counts from CSV (columns date, count, and optional
 * region and cost_centre; docs/dashboard.md) and registers each row, all
 * in one transaction: *out_rows rows, *out_total invoices.
 */
int dash_import_paper(int64_t *out_rows, int64_t *out_total, store *s, const char *csv,
		      size_t len, const char *name, ulf_err *err);

/* ---- CSV ---------------------------------------------------------------- */

/* Each writes a header line and one line per row (',' separated, RFC 4180
 * quoting, amounts as decimal SEK "1234.50", rates as "0.8125"). */
ULF_MUST_CHECK int dash_csv_touchless(dynbuf *out, const dash_rate_row *rows, size_t n);
ULF_MUST_CHECK int dash_csv_reasons(dynbuf *out, const dash_reason_row *rows, size_t n);
ULF_MUST_CHECK int dash_csv_suppliers(dynbuf *out, const dash_supplier_row *rows, size_t n);
ULF_MUST_CHECK int dash_csv_queue(dynbuf *out, const dash_queue *q);
ULF_MUST_CHECK int dash_csv_queue_reasons(dynbuf *out, const dash_queue *q);
ULF_MUST_CHECK int dash_csv_lead(dynbuf *out, const dash_lead *l);
ULF_MUST_CHECK int dash_csv_board(dynbuf *out, const dash_week_row *rows, size_t n);
ULF_MUST_CHECK int dash_csv_handlers(dynbuf *out, const dash_handler_row *rows, size_t n);
ULF_MUST_CHECK int dash_csv_trend(dynbuf *out, const dash_trend_row *rows, size_t n);
ULF_MUST_CHECK int dash_csv_einvoice(dynbuf *out, const dash_einvoice *e);
ULF_MUST_CHECK int dash_csv_tail(dynbuf *out, const dash_tail *t);
ULF_MUST_CHECK int dash_csv_spend(dynbuf *out, const dash_spend_row *rows, size_t n);
ULF_MUST_CHECK int dash_csv_new_suppliers(dynbuf *out, const dash_month_row *rows, size_t n);
ULF_MUST_CHECK int dash_csv_contract(dynbuf *out, const dash_contract *c);

/* "1234.50" for öre 123450 into buf (DEC_STR_MAX bytes). */
void dash_format_ore(char *buf, size_t n, int64_t ore);
/* "0.8125" for 8125 ten-thousandths, "" for -1. */
void dash_format_rate(char *buf, size_t n, int64_t rate);

#endif
