/*
 * queue_index.h - the exception queue as the store keeps it for people:
 * one row per document that waits (queue_items) with what the list shows
 * and sorts on as columns, its reasons in a side table (queue_reasons),
 * who it is assigned to, its hold and its version.
 *
 * The rows are written when a document enters the queue and marked when
 * it leaves, in the transaction of that transition (store.c calls in here
 * from every transition to or from `exception`), so listing never parses
 * a document or its JSON: 10 000 waiting documents list, filtered and
 * counted per reason, in a few milliseconds on indexed columns.
 *
 * A person's action (queue_index_act) checks the version the person saw,
 * changes what it changes, bumps the version and writes the audit row
 * with the values before and after, all in one transaction.
 */
#ifndef ULF_QUEUE_INDEX_H
#define ULF_QUEUE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/dec.h"
#include "core/err.h"
#include "core/json.h"
#include "robot/store/db.h"
#include "robot/store/store.h"

/* ---- the list ------------------------------------------------------------ */

typedef enum queue_sort {
	QUEUE_SORT_DUE = 0,        /* due date, soonest first; none last (default) */
	QUEUE_SORT_AGE,            /* received, oldest first */
	QUEUE_SORT_AMOUNT          /* amount payable, smallest first */
} queue_sort;

/* "due", "age", "amount"; parse: 0 or ULF_EINVAL. */
const char *queue_sort_name(queue_sort s);
int queue_sort_parse(queue_sort *out, const char *name);

typedef enum queue_who {
	QUEUE_ANYONE = 0,
	QUEUE_MINE,                /* assigned to filter.user */
	QUEUE_UNASSIGNED,
	QUEUE_USER                 /* assigned to filter.user, asked by someone else */
} queue_who;

typedef enum queue_held {
	QUEUE_HELD_ANY = 0,        /* held or not */
	QUEUE_HELD_NOT,            /* not on hold today (a passed hold is over) */
	QUEUE_HELD_ONLY            /* on hold today */
} queue_held;

#define QUEUE_PAGE_DEFAULT 50
#define QUEUE_PAGE_MAX 500

/* A zeroed filter lists everything, soonest due first, the first page. */
typedef struct queue_filter {
	const char *reason;        /* a reason code; NULL or "": any */
	const char *supplier;      /* part of the supplier's name (any case), or its
	                            * org number; NULL or "": any */
	const char *flow;          /* "po", "non-po", "recurring", "care"; NULL: any */
	queue_who who;
	const char *user;          /* QUEUE_MINE: the user asking; QUEUE_USER: the assignee */
	bool due_within_set;       /* filter on the due date: */
	int due_within_days;       /* due on or before today + N days (overdue too) */
	queue_held held;
	queue_sort sort;
	bool descending;           /* latest due / newest / largest first */
	size_t offset;
	size_t limit;              /* 0: QUEUE_PAGE_DEFAULT; at most QUEUE_PAGE_MAX */
} queue_filter;

/* A waiting document as the list shows it. */
typedef struct queue_item {
	int64_t id;
	const char *supplier_name, *supplier_org, *invoice_number;
	const char *amount;        /* payable (BT-115), exact text; NULL when unknown */
	dec amount_dec;            /* the same, when amount_set */
	bool amount_set;
	const char *currency;
	const char *due_date;      /* YYYY-MM-DD, NULL when the invoice gives none */
	int64_t received_at;       /* when it arrived: its age */
	int64_t queued_at;         /* when it (last) entered the queue */
	const char **reasons;      /* reason codes */
	size_t nreasons;
	const char *flow;          /* "po", "non-po", "recurring", "care", NULL */
	const char *assignee;      /* NULL: nobody */
	const char *hold_until;    /* YYYY-MM-DD, NULL: not on hold */
	bool held;                 /* on hold on the day listed */
	int64_t version;
	const char *changed_by;
	int64_t changed_at;
} queue_item;

typedef struct queue_reason_count {
	const char *reason;
	int64_t n;
} queue_reason_count;

typedef struct queue_page {
	queue_item *items;
	size_t n;
	int64_t total;             /* documents that pass the filter, all pages */
	size_t offset, limit;      /* as applied */
	/*
	 * Per reason, the documents that pass every filter but the reason
	 * filter (so a page can offer each reason with what choosing it would
	 * give; with a reason chosen, its count is `total`).  Most first.
	 */
	queue_reason_count *counts;
	size_t ncounts;
	arena mem;                 /* owns the strings and arrays above */
} queue_page;

void queue_page_release(queue_page *p);

/* The list (queue_list in robot/pipeline/queue.h is this, checked). */
int queue_index_list(queue_page *out, store *s, const queue_filter *f, int64_t now,
		     ulf_err *err);

/* One document's row (any state: waiting or not); *found false when it
 * never waited.  Strings in `a`. */
int queue_index_get(queue_item *out, bool *found, bool *waiting, store *s, int64_t id,
		    arena *a, ulf_err *err);

/* ---- keeping it up to date ------------------------------------------------ */

/* Inside the transaction of a transition to `exception` (store.c): the row
 * from the document's summary columns, its reasons, version + 1. */
int queue_index_enter(db *d, int64_t id, int64_t now, ulf_err *err);
/* Inside the transaction of a transition out of `exception`. */
int queue_index_leave(db *d, int64_t id, const char *who, int64_t now, ulf_err *err);
/* Rows for waiting documents that have none (stores from before the
 * index): run by store_open. */
int queue_index_backfill(db *d, int64_t now, ulf_err *err);

/* ---- a person's action ---------------------------------------------------- */

typedef struct queue_act {
	int64_t id;
	int64_t version;           /* the version the person saw */
	const char *who;
	const char *action;        /* "approve", "reject", "hold", "assign", "comment", ... */
	int64_t now;
	bool must_wait;            /* the document must be in the queue */
	doc_state to;              /* 0: the state stays; else exception -> to */
	bool set_booking;          /* documents.booking := booking (NULL clears) */
	const char *booking;
	bool set_assignee;
	const char *assignee;      /* NULL or "": nobody */
	bool set_hold;
	const char *hold_until;    /* NULL: no hold */
	/* an Invoice Response to keep with the document */
	const char *response_code;
	const char *response;
	size_t response_len;
	/* more for the audit row: key, value, key, value, ..., NULL (a
	 * value may be NULL); e.g. "note", "...", "reason_code", "PRI" */
	const char *const *extra;
} queue_act;

/*
 * The action in one transaction: the version checked (ULF_ECONFLICT,
 * "document N was changed by X at T - reload", when it moved on), the
 * state moved, the values set, the version bumped, and the audit row
 * written with {"before": {...}, "after": {...}} and `extra`'s members.
 * before and after hold the state, assignee, hold_until, reasons and the
 * handler's booking (JSON, null when the suggestion stands).
 */
int queue_index_act(store *s, const queue_act *a, ulf_err *err);

/* The Invoice Response kept with document `id` (malloc'd); ULF_ENOTFOUND. */
int queue_index_response(char **out, size_t *out_len, char **out_code, store *s, int64_t id,
			 ulf_err *err);

#endif
