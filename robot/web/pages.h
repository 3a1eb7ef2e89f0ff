/*
 * pages.h - what the workbench's pages share: who is looking, a notice at
 * the top of a page, dates and ages as a handler reads them, amounts in
 * Swedish, reason codes, query strings for links, and the hidden fields
 * every action form carries.
 *
 * Everything here writes through the html writer (robot/web/html.h), so
 * values are escaped whatever they hold.  The pages themselves are
 * pages_queue.h (the list) and pages_invoice.h (one invoice and its
 * actions); the router (robot/web/web.h) calls them.
 */
#ifndef ULF_PAGES_H
#define ULF_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dec.h"
#include "robot/web/html.h"

/* A request's parameter (query or form field) by name, or NULL. */
typedef const char *(*page_param_fn)(void *ctx, const char *name);

/* Who is looking at the page: an authenticated user. */
typedef struct page_viewer {
	const char *user;          /* the user name, as the audit trail names them */
	unsigned roles;            /* auth_roles (robot/web/auth.h) */
	const char *csrf;          /* the session's CSRF token, put in every form */
} page_viewer;

/* A message above a page's content. */
typedef enum page_notice_kind {
	PAGE_NOTICE_NONE = 0,
	PAGE_NOTICE_OK,            /* done: "approved, it will be posted" */
	PAGE_NOTICE_ERROR,         /* refused: what was wrong */
	PAGE_NOTICE_CONFLICT       /* someone else was quicker: reload */
} page_notice_kind;

typedef struct page_notice {
	page_notice_kind kind;
	const char *text;
	const char *reload;        /* CONFLICT: the page to load again, or NULL */
} page_notice;

/* The notice as a <div class="flash ...">, nothing for PAGE_NOTICE_NONE. */
void page_notice_write(html *h, const page_notice *n);

/* The name of the form field that carries the CSRF token. */
#define PAGE_CSRF_FIELD "csrf"

/* <input type="hidden"> for the CSRF token, and the document's version
 * when version > 0: every action form starts with these. */
void page_form_hidden(html *h, const page_viewer *v, int64_t version);

/*
 * Days since 1970-01-01 of a date written YYYY-MM-DD (the rest of the text
 * is not looked at), into *out.  false when it is no calendar date.
 */
bool page_date_days(int64_t *out, const char *date);

/* The day number (as page_date_days) of `t`, seconds since the epoch, UTC. */
int64_t page_day_of(int64_t t);

/* t as "YYYY-MM-DD HH:MM" (UTC) into buf[0..n). */
void page_time_text(char *buf, size_t n, int64_t t);

/* An age in seconds as a person reads it: "12 min", "5 h", "3 d". */
void page_age_text(char *buf, size_t n, int64_t seconds);

/*
 * An exact decimal text ("1198.00") shown Swedish with at least two
 * decimals ("1 198,00"); text that is no decimal is shown as it is, and
 * NULL or "" as `empty`.
 */
void page_amount(html *h, const char *amount, const char *empty);

/*
 * An amount a person typed, in Swedish or plain form ("1 198,00",
 * "1198.00", "-12,5"; spaces and no-break spaces between digit groups),
 * as plain exact text with at least two decimals into out[0..n).  false
 * when it is no amount.
 */
bool page_amount_parse(char *out, size_t n, const char *typed);

/*
 * Text from a document (a name, a line text, a note), escaped, with every
 * number that looks like a personal identity number - 12 or 10 digits,
 * optionally with '-' or '+' before the last four, a real birth date (or
 * a samordningsnummer's day + 60) and a valid check digit - shown masked
 * as its date and "-****".  The workbench's pages write document text
 * through this, so a personnummer a supplier typed into a line text or a
 * note is not shown to whoever opens the invoice.
 */
void page_text(html *h, const char *s);

/* Whether s[0..len) is such a number (digits and one optional separator). */
bool page_pid_like(const char *s, size_t len);

/* <dt>label</dt><dd>value</dd> (value through page_text), nothing when
 * value is NULL or empty. */
void page_fact(html *h, const char *label, const char *value);

/* <td class="cls">text</td>, the text through page_text (cls may be NULL). */
void page_td(html *h, const char *cls, const char *text);

/* <th class="num">text</th>: a column of numbers. */
void page_th_num(html *h, const char *text);

/* A reason code as a badge, titled with what it means (docs/reason-codes.md). */
void page_reason(html *h, const char *code);

/* What a reason code means in a few words; NULL for a code not known here. */
const char *page_reason_text(const char *code);

/* "order-based", "without order", "recurring", "care" for a flow name,
 * the name itself otherwise, "" for NULL. */
const char *page_flow_text(const char *flow);

/* ---- query strings ------------------------------------------------------- */

#define PAGE_QUERY_MAX 1024

/* A URL being built: a path and ?name=value&... parameters, percent-encoded. */
typedef struct page_query {
	char buf[PAGE_QUERY_MAX];
	size_t len;
	bool any;                  /* a parameter was added */
	bool full;                 /* something did not fit: the URL is cut at the path */
} page_query;

void page_query_init(page_query *q, const char *path);
/* Adds name=value (value percent-encoded); nothing for NULL or "". */
void page_query_add(page_query *q, const char *name, const char *value);
void page_query_add_int(page_query *q, const char *name, int64_t v);
/* The URL: the path alone if a parameter did not fit. */
const char *page_query_url(page_query *q);

#endif
