/*
 * pages_queue.c - the exception queue as a page.  See pages_queue.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/web/pages_queue.h"

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* A whole number in 1..max, or -1. */
static long small_number(const char *s, long max)
{
	char *end;
	long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < 0 || v > max)
		return -1;
	return v;
}

static void say(char *msg, size_t n, const char *what, const char *value)
{
	size_t len = strlen(msg);

	if (len >= n - 1)
		return;
	snprintf(msg + len, n - len, "%s%s '%.40s' is not understood", len ? "; " : "", what,
		 value);
}

static bool flow_ok(const char *flow)
{
	return !strcmp(flow, "po") || !strcmp(flow, "non-po") || !strcmp(flow, "recurring") ||
	       !strcmp(flow, "care");
}

bool pages_queue_filter(queue_filter *out, page_param_fn get, void *ctx, const char *user,
			char *msg, size_t msg_size)
{
	const char *v;
	long n, page, per;

	memset(out, 0, sizeof(*out));
	if (msg_size)
		msg[0] = '\0';
	out->reason = nonempty(get(ctx, "reason"));
	out->supplier = nonempty(get(ctx, "supplier"));
	if ((v = nonempty(get(ctx, "flow")))) {
		if (flow_ok(v))
			out->flow = v;
		else
			say(msg, msg_size, "flow", v);
	}
	if ((v = nonempty(get(ctx, "who")))) {
		if (!strcmp(v, "mine")) {
			out->who = QUEUE_MINE;
			out->user = user;
		} else if (!strcmp(v, "unassigned")) {
			out->who = QUEUE_UNASSIGNED;
		} else if (strcmp(v, "any") != 0) {
			out->who = QUEUE_USER;
			out->user = v;
		}
	}
	if ((v = nonempty(get(ctx, "due")))) {
		n = small_number(v, 3650);
		if (n >= 0) {
			out->due_within_set = true;
			out->due_within_days = (int)n;
		} else {
			say(msg, msg_size, "due within", v);
		}
	}
	if ((v = nonempty(get(ctx, "held")))) {
		if (!strcmp(v, "not"))
			out->held = QUEUE_HELD_NOT;
		else if (!strcmp(v, "only"))
			out->held = QUEUE_HELD_ONLY;
		else if (strcmp(v, "any") != 0)
			say(msg, msg_size, "on hold", v);
	}
	if ((v = nonempty(get(ctx, "sort")))) {
		if (!strcmp(v, "age"))
			out->sort = QUEUE_SORT_AGE;
		else if (!strcmp(v, "amount"))
			out->sort = QUEUE_SORT_AMOUNT;
		else if (strcmp(v, "due") != 0)
			say(msg, msg_size, "sort", v);
	}
	if ((v = nonempty(get(ctx, "dir"))))
		out->descending = !strcmp(v, "desc");
	per = QUEUE_PAGE_DEFAULT;
	if ((v = nonempty(get(ctx, "n")))) {
		per = small_number(v, QUEUE_PAGE_MAX);
		if (per < 1) {
			say(msg, msg_size, "per page", v);
			per = QUEUE_PAGE_DEFAULT;
		}
	}
	out->limit = (size_t)per;
	if ((v = nonempty(get(ctx, "page")))) {
		page = small_number(v, 1000000);
		if (page >= 1)
			out->offset = (size_t)(page - 1) * (size_t)per;
		else
			say(msg, msg_size, "page", v);
	}
	return !msg_size || msg[0] == '\0';
}

/* ---- links that keep the filters ------------------------------------- */

typedef struct link_opts {
	const char *reason;       /* overrides f->reason ("" clears) */
	bool set_reason;
	int sort;                 /* -1: as f */
	int desc;                 /* -1: as f */
	long page;                /* 0: the first */
} link_opts;

static const char *who_param(const queue_filter *f)
{
	switch (f->who) {
	case QUEUE_MINE: return "mine";
	case QUEUE_UNASSIGNED: return "unassigned";
	case QUEUE_USER: return f->user;
	default: return NULL;
	}
}

static const char *list_url(page_query *q, const queue_filter *f, const link_opts *o)
{
	queue_sort sort = o->sort >= 0 ? (queue_sort)o->sort : f->sort;
	bool desc = o->desc >= 0 ? o->desc != 0 : f->descending;

	page_query_init(q, PAGES_QUEUE_PATH);
	page_query_add(q, "reason", o->set_reason ? o->reason : f->reason);
	page_query_add(q, "supplier", f->supplier);
	page_query_add(q, "flow", f->flow);
	page_query_add(q, "who", who_param(f));
	if (f->due_within_set)
		page_query_add_int(q, "due", f->due_within_days);
	page_query_add(q, "held", f->held == QUEUE_HELD_NOT ? "not"
				  : f->held == QUEUE_HELD_ONLY ? "only" : NULL);
	if (sort != QUEUE_SORT_DUE)
		page_query_add(q, "sort", queue_sort_name(sort));
	if (desc)
		page_query_add(q, "dir", "desc");
	if (f->limit && f->limit != QUEUE_PAGE_DEFAULT)
		page_query_add_int(q, "n", (int64_t)f->limit);
	if (o->page > 1)
		page_query_add_int(q, "page", o->page);
	return page_query_url(q);
}

static link_opts keep(void)
{
	link_opts o = { NULL, false, -1, -1, 0 };
	return o;
}

/* ---- the filter form -------------------------------------------------- */

static void option(html *h, const char *value, const char *label, bool selected)
{
	html_open(h, "option", "value", value, "selected", selected ? "selected" : NULL);
	html_text(h, label);
	html_close(h, "option");
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static void filter_form(html *h, const queue_filter *f, const queue_page *pg)
{
	char label[160], num[16];
	bool listed = false;
	size_t i;

	html_open(h, "form", "class", "filters", "method", "get", "action", PAGES_QUEUE_PATH,
		  "id", "filters");

	html_open(h, "label");
	html_text(h, "Reason");
	html_open(h, "select", "name", "reason", "id", "f-reason", "data-key", "/");
	option(h, "", "any reason", !f->reason);
	for (i = 0; pg && i < pg->ncounts; i++) {
		snprintf(label, sizeof(label), "%s (%lld)", pg->counts[i].reason,
			 (long long)pg->counts[i].n);
		option(h, pg->counts[i].reason, label, same(f->reason, pg->counts[i].reason));
		listed = listed || same(f->reason, pg->counts[i].reason);
	}
	if (f->reason && !listed)
		option(h, f->reason, f->reason, true);
	html_close(h, "select");
	html_close(h, "label");

	html_open(h, "label");
	html_text(h, "Supplier (name or org no.)");
	html_open(h, "input", "type", "search", "name", "supplier", "id", "f-supplier", "value",
		  f->supplier ? f->supplier : "", "size", "22");
	html_close(h, "label");

	html_open(h, "label");
	html_text(h, "Flow");
	html_open(h, "select", "name", "flow", "id", "f-flow");
	option(h, "", "any flow", !f->flow);
	option(h, "po", "order-based", same(f->flow, "po"));
	option(h, "non-po", "without order", same(f->flow, "non-po"));
	option(h, "recurring", "recurring", same(f->flow, "recurring"));
	option(h, "care", "care", same(f->flow, "care"));
	html_close(h, "select");
	html_close(h, "label");

	html_open(h, "label");
	html_text(h, "Assigned to");
	html_open(h, "select", "name", "who", "id", "f-who");
	option(h, "", "anyone", f->who == QUEUE_ANYONE);
	option(h, "mine", "me", f->who == QUEUE_MINE);
	option(h, "unassigned", "nobody", f->who == QUEUE_UNASSIGNED);
	if (f->who == QUEUE_USER && f->user)
		option(h, f->user, f->user, true);
	html_close(h, "select");
	html_close(h, "label");

	html_open(h, "label");
	html_text(h, "Due within (days)");
	if (f->due_within_set)
		snprintf(num, sizeof(num), "%d", f->due_within_days);
	html_open(h, "input", "type", "number", "name", "due", "id", "f-due", "min", "0",
		  "max", "3650", "value", f->due_within_set ? num : "");
	html_close(h, "label");

	html_open(h, "label");
	html_text(h, "On hold");
	html_open(h, "select", "name", "held", "id", "f-held");
	option(h, "", "show", f->held == QUEUE_HELD_ANY);
	option(h, "not", "leave out", f->held == QUEUE_HELD_NOT);
	option(h, "only", "only those", f->held == QUEUE_HELD_ONLY);
	html_close(h, "select");
	html_close(h, "label");

	html_open(h, "label");
	html_text(h, "Sort by");
	html_open(h, "select", "name", "sort", "id", "f-sort");
	option(h, "due", "due date", f->sort == QUEUE_SORT_DUE);
	option(h, "age", "age", f->sort == QUEUE_SORT_AGE);
	option(h, "amount", "amount", f->sort == QUEUE_SORT_AMOUNT);
	html_close(h, "select");
	html_close(h, "label");

	html_open(h, "label");
	html_text(h, "Order");
	html_open(h, "select", "name", "dir", "id", "f-dir");
	option(h, "", "soonest / oldest / smallest first", !f->descending);
	option(h, "desc", "latest / newest / largest first", f->descending);
	html_close(h, "select");
	html_close(h, "label");

	html_open(h, "button", "type", "submit", "class", "primary", "id", "f-apply");
	html_text(h, "Filter");
	html_close(h, "button");
	html_open(h, "a", "href", PAGES_QUEUE_PATH, "id", "f-clear");
	html_text(h, "Clear");
	html_close(h, "a");
	html_close(h, "form");
}

/* ---- counts per reason ------------------------------------------------- */

static void reason_counts(html *h, const queue_filter *f, const queue_page *pg)
{
	page_query q;
	link_opts o;
	char num[32];
	size_t i;

	if (!pg || !pg->ncounts)
		return;
	html_open(h, "ul", "class", "counts", "id", "counts", "aria-label", "Documents per reason");
	for (i = 0; i < pg->ncounts; i++) {
		bool cur = same(f->reason, pg->counts[i].reason);
		o = keep();
		o.set_reason = true;
		o.reason = cur ? "" : pg->counts[i].reason;
		html_open(h, "li");
		html_open(h, "a", "href", list_url(&q, f, &o), "class", cur ? "current" : NULL,
			  "title", page_reason_text(pg->counts[i].reason),
			  "data-reason", pg->counts[i].reason);
		html_text(h, pg->counts[i].reason);
		html_text(h, " ");
		snprintf(num, sizeof(num), "%lld", (long long)pg->counts[i].n);
		html_elem(h, "b", num);
		html_close(h, "a");
		html_close(h, "li");
	}
	html_close(h, "ul");
}

/* ---- the table ------------------------------------------------------ */

static void sort_header(html *h, const queue_filter *f, queue_sort s, const char *label,
			const char *cls)
{
	page_query q;
	link_opts o = keep();
	bool cur = f->sort == s;
	const char *mark = "";

	o.sort = (int)s;
	o.desc = cur ? !f->descending : 0;
	if (cur)
		mark = f->descending ? " \u2193" : " \u2191";
	html_open(h, "th", "class", cls, "aria-sort",
		  cur ? (f->descending ? "descending" : "ascending") : NULL);
	html_open(h, "a", "href", list_url(&q, f, &o), "title", "sort by this column");
	html_text(h, label);
	html_text(h, mark);
	html_close(h, "a");
	html_close(h, "th");
}

static void due_cell(html *h, const queue_item *it, int64_t today)
{
	int64_t day;
	char note[48];

	html_open(h, "td", "class", "due nowrap");
	if (!it->due_date || !page_date_days(&day, it->due_date)) {
		html_open(h, "span", "class", "muted");
		html_text(h, it->due_date ? it->due_date : "none");
		html_close(h, "span");
		html_close(h, "td");
		return;
	}
	html_text(h, it->due_date);
	if (day < today) {
		snprintf(note, sizeof(note), " overdue %lld d", (long long)(today - day));
		html_open(h, "span", "class", "overdue");
		html_text(h, note);
		html_close(h, "span");
	} else if (day - today <= 7) {
		if (day == today)
			snprintf(note, sizeof(note), " today");
		else
			snprintf(note, sizeof(note), " in %lld d", (long long)(day - today));
		html_open(h, "span", "class", "soon");
		html_text(h, note);
		html_close(h, "span");
	}
	html_close(h, "td");
}

static void item_row(html *h, const queue_item *it, int64_t now, int64_t today)
{
	char href[64], rowid[40], age[32], when[32];
	size_t i;

	snprintf(href, sizeof(href), PAGES_QUEUE_PATH "/%lld", (long long)it->id);
	snprintf(rowid, sizeof(rowid), "doc-%lld", (long long)it->id);
	html_open(h, "tr", "id", rowid, "class", it->held ? "held" : NULL);

	html_open(h, "td", "class", "supplier");
	html_open(h, "a", "class", "open", "href", href);
	html_text(h, it->supplier_name && *it->supplier_name ? it->supplier_name : "(no name)");
	html_close(h, "a");
	if (it->supplier_org) {
		html_raw_literal(h, "<br>");
		html_open(h, "span", "class", "muted");
		html_text(h, it->supplier_org);
		html_close(h, "span");
	}
	html_close(h, "td");

	html_open(h, "td", "class", "number");
	html_text(h, it->invoice_number ? it->invoice_number : "");
	html_close(h, "td");

	html_open(h, "td", "class", "num amount");
	if (it->amount_set)
		html_dec(h, it->amount_dec, 2, HTML_NUM_SV);
	else
		page_amount(h, it->amount, "");
	if (it->currency) {
		html_text(h, " ");
		html_open(h, "span", "class", "muted");
		html_text(h, it->currency);
		html_close(h, "span");
	}
	html_close(h, "td");

	due_cell(h, it, today);

	page_time_text(when, sizeof(when), it->received_at);
	page_age_text(age, sizeof(age), now - it->received_at);
	html_open(h, "td", "class", "num age", "title", when);
	html_text(h, age);
	html_close(h, "td");

	html_open(h, "td", "class", "reasons");
	for (i = 0; i < it->nreasons; i++)
		page_reason(h, it->reasons[i]);
	html_close(h, "td");

	html_open(h, "td", "class", "flow");
	html_text(h, page_flow_text(it->flow));
	html_close(h, "td");

	html_open(h, "td", "class", "assignee");
	if (it->assignee && *it->assignee)
		html_text(h, it->assignee);
	else
		html_elem(h, "span", "\u2013");
	if (it->held && it->hold_until) {
		if (it->assignee && *it->assignee)
			html_raw_literal(h, "<br>");
		html_open(h, "span", "class", "muted");
		html_text(h, "on hold until ");
		html_text(h, it->hold_until);
		html_close(h, "span");
	}
	html_close(h, "td");
	html_close(h, "tr");
}

static void pager(html *h, const queue_filter *f, const queue_page *pg)
{
	page_query q;
	link_opts o = keep();
	char text[96];
	size_t per = pg->limit ? pg->limit : QUEUE_PAGE_DEFAULT;
	long page = (long)(pg->offset / per) + 1;
	long pages = pg->total > 0 ? (long)(((size_t)pg->total + per - 1) / per) : 1;

	html_open(h, "nav", "class", "pager", "aria-label", "pages");
	if (pg->total == 0)
		snprintf(text, sizeof(text), "no documents");
	else
		snprintf(text, sizeof(text), "%zu\u2013%zu of %lld, page %ld of %ld",
			 pg->n ? pg->offset + 1 : pg->offset, pg->offset + pg->n,
			 (long long)pg->total, page, pages);
	html_open(h, "span", "id", "shown");
	html_text(h, text);
	html_close(h, "span");
	if (page > 1) {
		o.page = page - 1;
		html_open(h, "a", "href", list_url(&q, f, &o), "rel", "prev", "data-key", "p",
			  "id", "prev");
		html_text(h, "\u2190 previous");
		html_close(h, "a");
	}
	if (page < pages) {
		o.page = page + 1;
		html_open(h, "a", "href", list_url(&q, f, &o), "rel", "next", "data-key", "n",
			  "id", "next");
		html_text(h, "next \u2192");
		html_close(h, "a");
	}
	html_close(h, "nav");
}

static void keys_help(html *h)
{
	static const char *const keys[][2] = {
		{ "j", "next invoice" }, { "k", "previous invoice" }, { "Enter", "open it" },
		{ "/", "filters" }, { "n", "next page" }, { "p", "previous page" },
		{ "?", "hide or show this" },
	};
	size_t i;

	html_open(h, "p", "class", "keys", "id", "keys");
	html_text(h, "Keys: ");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		html_elem(h, "kbd", keys[i][0]);
		html_text(h, keys[i][1]);
		if (i + 1 < sizeof(keys) / sizeof(keys[0]))
			html_text(h, " \u00b7 ");
	}
	html_text(h, ". On an invoice, each action shows its key.");
	html_close(h, "p");
}

void pages_queue(html *h, const page_viewer *v, const queue_filter *f, const queue_page *pg,
		 const page_notice *notice, int64_t now)
{
	int64_t today = page_day_of(now);
	char title[96];
	size_t i;

	(void)v;
	html_open(h, "div", "class", "doc-head");
	snprintf(title, sizeof(title), "Exception queue");
	html_elem(h, "h1", title);
	if (pg) {
		snprintf(title, sizeof(title), "%lld waiting%s", (long long)pg->total,
			 f->reason || f->supplier || f->flow || f->who || f->due_within_set ||
			 f->held ? " (filtered)" : "");
		html_open(h, "span", "class", "muted", "id", "total");
		html_text(h, title);
		html_close(h, "span");
	}
	html_close(h, "div");
	page_notice_write(h, notice);
	filter_form(h, f, pg);
	reason_counts(h, f, pg);
	if (!pg) {
		keys_help(h);
		return;
	}

	html_open(h, "table", "class", "queue", "id", "queue");
	html_open(h, "thead");
	html_open(h, "tr");
	html_elem(h, "th", "Supplier");
	html_elem(h, "th", "Invoice no.");
	sort_header(h, f, QUEUE_SORT_AMOUNT, "Amount", "num");
	sort_header(h, f, QUEUE_SORT_DUE, "Due date", NULL);
	sort_header(h, f, QUEUE_SORT_AGE, "Age", "num");
	html_elem(h, "th", "Reasons");
	html_elem(h, "th", "Flow");
	html_elem(h, "th", "Assigned to");
	html_close(h, "tr");
	html_close(h, "thead");
	html_open(h, "tbody");
	for (i = 0; i < pg->n; i++)
		item_row(h, &pg->items[i], now, today);
	html_close(h, "tbody");
	html_close(h, "table");
	if (pg->n == 0) {
		html_open(h, "p", "class", "muted", "id", "empty");
		html_text(h, pg->total ? "No documents on this page." :
			  "Nothing waits that passes these filters.");
		html_close(h, "p");
	}
	pager(h, f, pg);
	keys_help(h);
}

void pages_erp_waiting(html *h, const store_erp_wait *w)
{
	char text[256], since[40];

	if (!w || w->waiting <= 0)
		return;
	page_time_text(since, sizeof(since), w->since);
	snprintf(text, sizeof(text), "%lld invoice%s wait%s for the ERP (since %s)%s%s: the robot"
		 " posts %s by itself when the ERP answers again; nothing to do here.",
		 (long long)w->waiting, w->waiting == 1 ? "" : "s", w->waiting == 1 ? "s" : "",
		 w->since ? since : "-", w->held ? ", held for a set-up fault" : "",
		 w->unknown ? ", some with an unknown outcome" : "",
		 w->waiting == 1 ? "it" : "them");
	html_open(h, "div", "class", "flash info", "id", "erp-waiting", "role", "status");
	html_text(h, text);
	html_close(h, "div");
}
