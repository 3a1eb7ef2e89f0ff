/*
 * pages_dashboard.c - the controllers' dashboard as pages and CSV
 * downloads.  See pages_dashboard.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/csv.h"
#include "robot/web/pages.h"
#include "robot/web/pages_dashboard.h"

/* The most a table's CSV may grow to (a year of suppliers fits). */
#define DASH_CSV_CAP ((size_t)64 * 1024 * 1024)
/* Weeks on the board, weeks and months in the trends. */
#define BOARD_WEEKS 12
#define TREND_N 12

/* ---- the tables as CSV ---------------------------------------------------- */

int pages_dashboard_csv(dynbuf *out, store *s, const dash_filter *f, int32_t today,
			const char *name, ulf_err *err)
{
	void *rows = NULL;
	size_t n = 0;
	int rc = 0, wr = 0;

	if (!strcmp(name, "touchless")) {
		rc = dash_touchless((dash_rate_row **)&rows, &n, s, f, err);
		wr = rc ? 0 : dash_csv_touchless(out, rows, n);
	} else if (!strcmp(name, "reasons")) {
		rc = dash_reasons((dash_reason_row **)&rows, &n, NULL, s, f, err);
		wr = rc ? 0 : dash_csv_reasons(out, rows, n);
	} else if (!strcmp(name, "suppliers") || !strcmp(name, "top-suppliers")) {
		rc = dash_suppliers((dash_supplier_row **)&rows, &n, s, f,
				    !strcmp(name, "suppliers") ? 0 : 10, err);
		wr = rc ? 0 : dash_csv_suppliers(out, rows, n);
	} else if (!strcmp(name, "queue") || !strcmp(name, "queue-reasons")) {
		dash_queue q;
		memset(&q, 0, sizeof(q));
		rc = dash_queue_now(&q, s, f, today, err);
		if (rc == 0)
			wr = !strcmp(name, "queue") ? dash_csv_queue(out, &q)
						    : dash_csv_queue_reasons(out, &q);
		dash_queue_release(&q);
	} else if (!strcmp(name, "lead")) {
		dash_lead l;
		rc = dash_lead_time(&l, s, f, err);
		wr = rc ? 0 : dash_csv_lead(out, &l);
	} else if (!strcmp(name, "board")) {
		rc = dash_board((dash_week_row **)&rows, &n, s, f, BOARD_WEEKS, err);
		wr = rc ? 0 : dash_csv_board(out, rows, n);
	} else if (!strcmp(name, "handlers")) {
		rc = dash_handlers((dash_handler_row **)&rows, &n, s, f, BOARD_WEEKS, err);
		wr = rc ? 0 : dash_csv_handlers(out, rows, n);
	} else if (!strcmp(name, "trend-weeks")) {
		rc = dash_trend_weeks((dash_trend_row **)&rows, &n, s, f, TREND_N, err);
		wr = rc ? 0 : dash_csv_trend(out, rows, n);
	} else if (!strcmp(name, "trend-months")) {
		rc = dash_trend_months((dash_trend_row **)&rows, &n, s, f, TREND_N, err);
		wr = rc ? 0 : dash_csv_trend(out, rows, n);
	} else if (!strcmp(name, "compare")) {
		dash_trend_row two[2];
		rc = dash_compare(two, s, f, err);
		wr = rc ? 0 : dash_csv_trend(out, two, 2);
	} else if (!strcmp(name, "einvoice")) {
		dash_einvoice e;
		rc = dash_einvoice_share(&e, s, f, err);
		wr = rc ? 0 : dash_csv_einvoice(out, &e);
	} else if (!strcmp(name, "tail")) {
		dash_tail t;
		rc = dash_supplier_tail(&t, NULL, NULL, s, f, 0, 0, err);
		wr = rc ? 0 : dash_csv_tail(out, &t);
	} else if (!strcmp(name, "tail-suppliers")) {
		dash_tail t;
		rc = dash_supplier_tail(&t, (dash_spend_row **)&rows, &n, s, f, 0, 0, err);
		wr = rc ? 0 : dash_csv_spend(out, rows, n);
	} else if (!strcmp(name, "new-suppliers")) {
		rc = dash_new_suppliers((dash_month_row **)&rows, &n, s, f, TREND_N, err);
		wr = rc ? 0 : dash_csv_new_suppliers(out, rows, n);
	} else if (!strcmp(name, "contract")) {
		dash_contract k;
		rc = dash_contract_compliance(&k, s, f, err);
		wr = rc ? 0 : dash_csv_contract(out, &k);
	} else if (!strcmp(name, "without-contract")) {
		rc = dash_without_contract((dash_spend_row **)&rows, &n, s, f, 0, err);
		wr = rc ? 0 : dash_csv_spend(out, rows, n);
	} else {
		rc = ulf_err_set(err, ULF_ENOTFOUND, "no table '%.40s'", name);
	}
	if (rc == 0 && wr)
		rc = ulf_err_set(err, wr, "the table does not fit in memory");
	free(rows);
	return rc;
}

/* ---- the period selector -------------------------------------------------- */

typedef struct dash_view {
	dash_filter f;
	int32_t today;
	char from[CAL_DATE_MAX], to[CAL_DATE_MAX];   /* as shown: to is the last day */
	const char *region, *cc;                     /* as asked, or NULL */
	char msg[200];                               /* what was not understood */
} dash_view;

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static void view_read(dash_view *v, web_ctx *c)
{
	const char *from = nonempty(web_query(c, "from")), *to = nonempty(web_query(c, "to"));
	int32_t first = 0, last;

	memset(v, 0, sizeof(*v));
	v->today = cal_day_of(web_now(c));
	last = v->today;
	if (to && !cal_parse(&last, to)) {
		snprintf(v->msg, sizeof(v->msg), "The date 'to' is not understood; today is used.");
		last = v->today;
	}
	if (from && !cal_parse(&first, from)) {
		snprintf(v->msg, sizeof(v->msg), "The date 'from' is not understood.");
		from = NULL;
	}
	if (!from)
		first = cal_month_start(last);
	if (first > last) {
		snprintf(v->msg, sizeof(v->msg), "'from' is after 'to': the month of 'to' is shown.");
		first = cal_month_start(last);
	}
	v->f = dash_period(first, last + 1);
	v->region = nonempty(web_query(c, "region"));
	v->cc = nonempty(web_query(c, "cc"));
	v->f.region = v->region;
	v->f.cost_centre = v->cc;
	cal_format(v->from, first);
	cal_format(v->to, last);
}

/* A URL under the dashboard keeping the period. */
static const char *view_url(page_query *q, const dash_view *v, const char *path)
{
	page_query_init(q, path);
	page_query_add(q, "from", v->from);
	page_query_add(q, "to", v->to);
	page_query_add(q, "region", v->region);
	page_query_add(q, "cc", v->cc);
	return page_query_url(q);
}

static const struct theme {
	const char *slug, *title;
} themes[] = {
	{ "", "Overview" },
	{ "exceptions", "Exceptions" },
	{ "queue", "Queue" },
	{ "lead", "Lead time" },
	{ "board", "Weekly board" },
	{ "trends", "Trends" },
	{ "indicators", "Indicators" },
};
#define NTHEMES (sizeof(themes) / sizeof(themes[0]))

static void theme_path(char *buf, size_t n, const char *slug)
{
	snprintf(buf, n, "%s%s%s", PAGES_DASHBOARD_PATH, *slug ? "/" : "", slug);
}

static void selector(html *h, const dash_view *v, const char *current)
{
	char path[64];
	page_query q;
	size_t i;

	html_open(h, "nav", "class", "dash-themes", "aria-label", "Dashboard pages");
	for (i = 0; i < NTHEMES; i++) {
		theme_path(path, sizeof(path), themes[i].slug);
		html_open(h, "a", "href", view_url(&q, v, path), "class",
			  !strcmp(themes[i].slug, current) ? "current" : NULL);
		html_text(h, themes[i].title);
		html_close(h, "a");
	}
	html_close(h, "nav");

	theme_path(path, sizeof(path), current);
	html_open(h, "form", "method", "get", "action", path, "class", "dash-period");
	html_open(h, "label");
	html_text(h, "From ");
	html_open(h, "input", "type", "date", "name", "from", "value", v->from);
	html_close(h, "label");
	html_open(h, "label");
	html_text(h, "To ");
	html_open(h, "input", "type", "date", "name", "to", "value", v->to);
	html_close(h, "label");
	html_open(h, "label");
	html_text(h, "Region ");
	html_open(h, "input", "type", "text", "name", "region", "value", v->region, "size", "14");
	html_close(h, "label");
	html_open(h, "label");
	html_text(h, "Cost centre ");
	html_open(h, "input", "type", "text", "name", "cc", "value", v->cc, "size", "8");
	html_close(h, "label");
	html_open(h, "button", "type", "submit");
	html_text(h, "Show");
	html_close(h, "button");
	html_close(h, "form");
	if (v->msg[0]) {
		page_notice n = { PAGE_NOTICE_ERROR, v->msg, NULL };
		page_notice_write(h, &n);
	}
}

/* ---- numbers ------------------------------------------------------------- */

/* Ten-thousandths as a percentage with one decimal ("81,3 %"), "–" for none. */
static void pct_text(char *buf, size_t n, int64_t rate)
{
	int64_t tenths;

	if (rate < 0) {
		snprintf(buf, n, "–");
		return;
	}
	tenths = (rate + 5) / 10;
	snprintf(buf, n, "%lld,%lld %%", (long long)(tenths / 10), (long long)(tenths % 10));
}

/* Öre as whole kronor, Swedish ("12 345 kr"). */
static void kr(html *h, int64_t ore)
{
	html_int(h, ore / 100, HTML_NUM_SV);
	html_text(h, " kr");
}

/* A lead-time bucket as its upper bound ("≤ 4 h"), "–" for none. */
static void bucket_text(char *buf, size_t n, int b)
{
	char age[32];

	if (b < 0) {
		snprintf(buf, n, "–");
		return;
	}
	if (b >= DASH_LEAD_BUCKETS - 1) {
		page_age_text(age, sizeof(age), dash_lead_bound(DASH_LEAD_BUCKETS - 2));
		snprintf(buf, n, "> %s", age);
		return;
	}
	page_age_text(age, sizeof(age), dash_lead_bound(b));
	snprintf(buf, n, "≤ %s", age);
}

/* ---- trend lines ---------------------------------------------------------- */

#define SPARK_W 160
#define SPARK_H 36

/*
 * vals[0..n) (oldest first; -1: no value) as an inline SVG polyline, the
 * scale from the smallest to the largest value.  Drawn on the server, so
 * the page needs no script; sized by the stylesheet (class spark).
 */
static void spark(html *h, const int64_t *vals, size_t n, const char *label)
{
	char pts[32 * 64], *p = pts;
	size_t i, left = sizeof(pts);
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	size_t have = 0;
	int k;

	for (i = 0; i < n; i++) {
		if (vals[i] < 0)
			continue;
		have++;
		lo = vals[i] < lo ? vals[i] : lo;
		hi = vals[i] > hi ? vals[i] : hi;
	}
	if (have < 2) {   /* one point is no line */
		html_open(h, "span", "class", "spark-none");
		html_text(h, "no trend yet");
		html_close(h, "span");
		return;
	}
	pts[0] = '\0';
	for (i = 0; i < n && i < 64; i++) {
		int64_t x, y;

		if (vals[i] < 0)
			continue;
		x = (int64_t)i * (SPARK_W - 4) / (int64_t)(n - 1) + 2;
		y = hi == lo ? SPARK_H / 2
			     : SPARK_H - 3 - (vals[i] - lo) * (SPARK_H - 6) / (hi - lo);
		k = snprintf(p, left, "%s%lld,%lld", p == pts ? "" : " ", (long long)x, (long long)y);
		if (k < 0 || (size_t)k >= left)
			break;
		p += k;
		left -= (size_t)k;
	}
	html_open(h, "svg", "class", "spark", "viewbox", "0 0 160 36", "role", "img",
		  "aria-label", label, "xmlns", "http://www.w3.org/2000/svg");
	html_open(h, "polyline", "points", pts, "class", "spark-line");
	html_close(h, "polyline");
	html_close(h, "svg");
}

/* ---- tables from their CSV ------------------------------------------------- */

static bool numeric(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if ((*s < '0' || *s > '9') && *s != '.')
			return false;
	return true;
}

/* A CSV column name as a heading: "touchless_rate" is "touchless rate". */
static void header(html *h, const char *name)
{
	char buf[128];
	size_t i;

	snprintf(buf, sizeof(buf), "%s", name);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '_')
			buf[i] = ' ';
	html_open(h, "th", "class", "nowrap");
	html_text(h, buf);
	html_close(h, "th");
}

/* One section of a table's CSV (a header line and its rows) as an HTML
 * table, the fields through the page writer. */
static int csv_section(html *h, const char *text, size_t len, const char *name, ulf_err *err)
{
	csv_reader *r = NULL;
	size_t i, cols;
	int rc;

	rc = csv_open(&r, text, len, name, err);
	if (rc == 0 && (rc = csv_next(r, err)) == 1) {
		cols = csv_count(r);
		html_open(h, "div", "class", "table-wrap");
		html_open(h, "table", "class", "dash compact");
		html_open(h, "thead");
		html_open(h, "tr");
		for (i = 0; i < cols; i++)
			header(h, csv_field(r, i));
		html_close(h, "tr");
		html_close(h, "thead");
		html_open(h, "tbody");
		while ((rc = csv_next(r, err)) == 1) {
			html_open(h, "tr");
			for (i = 0; i < cols; i++) {
				const char *f = csv_field(r, i);
				page_td(h, numeric(f) ? "num" : NULL, f);
			}
			html_close(h, "tr");
		}
		html_close(h, "tbody");
		html_close(h, "table");
		html_close(h, "div");
	}
	csv_free(r);
	return rc < 0 ? rc : 0;
}

/*
 * The table `name` with a heading and its CSV link, written from the same
 * CSV text the download gives; a CSV of several parts (an empty line
 * between them: the lead time and its touches) is a table each.
 */
static void table(html *h, store *s, const dash_view *v, const char *name, const char *title)
{
	char path[96], id[64];
	const char *p, *end, *cut;
	dynbuf buf;
	page_query q;
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	dynbuf_init(&buf, DASH_CSV_CAP);
	snprintf(path, sizeof(path), "%s/%s.csv", PAGES_DASHBOARD_PATH, name);
	snprintf(id, sizeof(id), "t-%s", name);
	html_open(h, "section", "class", "dash-table", "id", id);
	html_open(h, "h2");
	html_text(h, title);
	html_text(h, " ");
	html_open(h, "a", "href", view_url(&q, v, path), "class", "csv", "download", "");
	html_text(h, "CSV");
	html_close(h, "a");
	html_close(h, "h2");
	rc = pages_dashboard_csv(&buf, s, &v->f, v->today, name, &err);
	if (rc == 0 && dynbuf_len(&buf) == 0) {
		html_open(h, "p", "class", "muted");
		html_text(h, "Nothing in this period.");
		html_close(h, "p");
	}
	if (rc == 0 && dynbuf_len(&buf)) {
		p = dynbuf_ptr(&buf);
		end = p + dynbuf_len(&buf);
		while (rc == 0 && p < end) {
			cut = strstr(p, "\n\n");
			cut = cut ? cut + 1 : end;
			rc = csv_section(h, p, (size_t)(cut - p), name, &err);
			p = cut;
			while (p < end && *p == '\n')
				p++;
		}
	}
	if (rc < 0) {
		html_open(h, "p", "class", "flash error");
		html_text(h, "The table could not be read: ");
		html_text(h, err.msg);
		html_close(h, "p");
		web_log("error", "dashboard %s: %s", name, err.msg);
	}
	html_close(h, "section");
	dynbuf_release(&buf);
}

/* ---- the overview -------------------------------------------------------- */

static void figure_begin(html *h, const char *id, const char *title, const char *href)
{
	html_open(h, "div", "class", "dash-figure", "id", id);
	html_open(h, "h3");
	if (href)
		html_open(h, "a", "href", href);
	html_text(h, title);
	if (href)
		html_close(h, "a");
	html_close(h, "h3");
}

/* The headline value: shown, and as data-value for a machine. */
static void figure_value(html *h, const char *shown, const char *raw)
{
	html_open(h, "p", "class", "dash-value", "data-value", raw);
	html_text(h, shown);
	html_close(h, "p");
}

static void figure_rate(html *h, int64_t rate)
{
	char shown[32], raw[32];

	pct_text(shown, sizeof(shown), rate);
	dash_format_rate(raw, sizeof(raw), rate);
	figure_value(h, shown, raw);
}

static void figure_note_begin(html *h)
{
	html_open(h, "p", "class", "dash-note");
}

static void overview(html *h, web_ctx *c, store *s, const dash_view *v)
{
	dash_rate_row *rates = NULL;
	dash_trend_row *weeks = NULL;
	dash_week_row *board = NULL;
	dash_month_row *newsup = NULL;
	dash_queue q;
	dash_lead l;
	dash_einvoice e;
	dash_tail t;
	dash_contract k;
	int64_t series[TREND_N];
	size_t nrates = 0, nweeks = 0, nboard = 0, nnew = 0, i;
	char path[96], buf[64];
	page_query qu;
	ulf_err err;
	int rc, f;

	memset(&q, 0, sizeof(q));
	ulf_err_clear(&err);
	rc = dash_touchless(&rates, &nrates, s, &v->f, &err);
	if (rc == 0)
		rc = dash_trend_weeks(&weeks, &nweeks, s, &v->f, TREND_N, &err);
	if (rc == 0)
		rc = dash_board(&board, &nboard, s, &v->f, TREND_N, &err);
	if (rc == 0)
		rc = dash_new_suppliers(&newsup, &nnew, s, &v->f, TREND_N, &err);
	if (rc == 0)
		rc = dash_queue_now(&q, s, &v->f, v->today, &err);
	if (rc == 0)
		rc = dash_lead_time(&l, s, &v->f, &err);
	if (rc == 0)
		rc = dash_einvoice_share(&e, s, &v->f, &err);
	if (rc == 0)
		rc = dash_supplier_tail(&t, NULL, NULL, s, &v->f, 0, 0, &err);
	if (rc == 0)
		rc = dash_contract_compliance(&k, s, &v->f, &err);
	if (rc) {
		web_log("error", "dashboard: %s", err.msg);
		html_open(h, "p", "class", "flash error");
		html_text(h, "The figures could not be read: ");
		html_text(h, err.msg);
		html_close(h, "p");
		goto out;
	}
	if (nweeks > TREND_N)
		nweeks = TREND_N;
	if (nboard > TREND_N)
		nboard = TREND_N;
	if (nnew > TREND_N)
		nnew = TREND_N;

	html_open(h, "div", "class", "dash-grid");

	/* the touchless rate, all flows, then per flow */
	theme_path(path, sizeof(path), "exceptions");
	figure_begin(h, "fig-touchless", "Touchless rate", view_url(&qu, v, path));
	figure_rate(h, nrates ? rates[nrates - 1].rate : -1);
	for (i = 0; i < nweeks; i++)
		series[i] = weeks[i].touchless_rate;
	spark(h, series, nweeks, "touchless rate, last 12 weeks");
	html_open(h, "table", "class", "dash-flows compact");
	for (i = 0; i + 1 < nrates; i++) {
		if (!rates[i].decided)
			continue;
		html_open(h, "tr", "data-flow", dash_flow_key(rates[i].flow));
		html_elem(h, "td", dash_flow_label(rates[i].flow));
		pct_text(buf, sizeof(buf), rates[i].rate);
		html_open(h, "td", "class", "num");
		html_text(h, buf);
		html_close(h, "td");
		html_open(h, "td", "class", "num muted");
		html_int(h, rates[i].touchless, HTML_NUM_SV);
		html_text(h, " / ");
		html_int(h, rates[i].decided, HTML_NUM_SV);
		html_close(h, "td");
		html_close(h, "tr");
	}
	html_close(h, "table");
	html_close(h, "div");

	/* the auto-coding rate */
	figure_begin(h, "fig-coding", "Auto-coding rate", NULL);
	figure_rate(h, nrates ? rates[nrates - 1].coding_rate : -1);
	for (i = 0; i < nweeks; i++)
		series[i] = weeks[i].coding_rate;
	spark(h, series, nweeks, "auto-coding rate, last 12 weeks");
	figure_note_begin(h);
	html_text(h, "booking lines posted as the robot suggested them");
	html_close(h, "p");
	html_close(h, "div");

	/* the queue now */
	theme_path(path, sizeof(path), "queue");
	figure_begin(h, "fig-queue", "Queue now", view_url(&qu, v, path));
	snprintf(buf, sizeof(buf), "%lld", (long long)q.size);
	html_open(h, "p", "class", "dash-value", "data-value", buf);
	html_int(h, q.size, HTML_NUM_SV);
	html_close(h, "p");
	for (i = 0; i < nboard; i++)
		series[i] = board[i].backlog;
	spark(h, series, nboard, "queue at each week's end, last 12 weeks");
	html_open(h, "table", "class", "compact dash-aging");
	html_open(h, "tr");
	html_elem(h, "th", "Age (working days)");
	for (f = 0; f < DASH_AGE_BUCKETS; f++)
		html_elem(h, "th", dash_age_label(f));
	html_close(h, "tr");
	html_open(h, "tr");
	html_elem(h, "td", "documents");
	for (f = 0; f < DASH_AGE_BUCKETS; f++) {
		html_open(h, "td", "class", "num");
		html_int(h, q.age_n[f], HTML_NUM_SV);
		html_close(h, "td");
	}
	html_close(h, "tr");
	html_close(h, "table");
	figure_note_begin(h);
	html_text(h, "overdue ");
	html_int(h, q.overdue_n, HTML_NUM_SV);
	html_text(h, " (");
	kr(h, q.overdue_amount);
	html_text(h, "), due in 7 days ");
	html_int(h, q.due7_n, HTML_NUM_SV);
	html_text(h, " (");
	kr(h, q.due7_amount);
	html_text(h, ")");
	html_close(h, "p");
	html_close(h, "div");

	/* lead time */
	theme_path(path, sizeof(path), "lead");
	figure_begin(h, "fig-lead", "Lead time, receipt to posting", view_url(&qu, v, path));
	bucket_text(buf, sizeof(buf), l.all.median);
	html_open(h, "p", "class", "dash-value dash-value-sm");
	html_text(h, "median ");
	html_text(h, buf);
	bucket_text(buf, sizeof(buf), l.all.p90);
	html_text(h, ", p90 ");
	html_text(h, buf);
	html_close(h, "p");
	for (i = 0; i < nweeks; i++) {
		int64_t hist[DASH_LEAD_BUCKETS];
		int b, m;

		for (b = 0; b < DASH_LEAD_BUCKETS; b++)
			hist[b] = weeks[i].c.lead_robot[b] + weeks[i].c.lead_person[b];
		m = dash_percentile(hist, 50);
		series[i] = m;
	}
	spark(h, series, nweeks, "median lead-time bucket, last 12 weeks");
	html_close(h, "div");

	/* e-invoices */
	theme_path(path, sizeof(path), "indicators");
	figure_begin(h, "fig-einvoice", "Share of e-invoices", view_url(&qu, v, path));
	figure_rate(h, e.share);
	for (i = 0; i < nweeks; i++)
		series[i] = weeks[i].einvoice_share;
	spark(h, series, nweeks, "share of e-invoices, last 12 weeks");
	figure_note_begin(h);
	html_int(h, e.einvoices, HTML_NUM_SV);
	html_text(h, " e-invoices, ");
	html_int(h, e.not_einvoices, HTML_NUM_SV);
	html_text(h, " not");
	html_close(h, "p");
	html_close(h, "div");

	/* the supplier tail */
	figure_begin(h, "fig-tail", "Supplier tail", view_url(&qu, v, path));
	figure_rate(h, t.supplier_share);
	figure_note_begin(h);
	html_int(h, t.tail_suppliers, HTML_NUM_SV);
	html_text(h, " of ");
	html_int(h, t.suppliers, HTML_NUM_SV);
	html_text(h, " suppliers under ");
	kr(h, t.threshold);
	html_text(h, " a year: ");
	pct_text(buf, sizeof(buf), t.spend_share);
	html_text(h, buf);
	html_text(h, " of spend");
	html_close(h, "p");
	html_close(h, "div");

	/* new suppliers */
	figure_begin(h, "fig-new-suppliers", "New suppliers", view_url(&qu, v, path));
	snprintf(buf, sizeof(buf), "%lld", (long long)(nnew ? newsup[nnew - 1].n : 0));
	html_open(h, "p", "class", "dash-value", "data-value", buf);
	html_int(h, nnew ? newsup[nnew - 1].n : 0, HTML_NUM_SV);
	html_text(h, " this month");
	html_close(h, "p");
	for (i = 0; i < nnew; i++)
		series[i] = newsup[i].n;
	spark(h, series, nnew, "new suppliers per month, last 12 months");
	html_close(h, "div");

	/* contract compliance */
	figure_begin(h, "fig-contract", "Contract compliance", view_url(&qu, v, path));
	figure_rate(h, k.share);
	figure_note_begin(h);
	kr(h, k.without_spend);
	html_text(h, " spent without a contract");
	html_close(h, "p");
	html_close(h, "div");

	html_close(h, "div");
	table(h, s, v, "touchless", "Touchless rate by flow");
out:
	(void)c;
	free(rates);
	free(weeks);
	free(board);
	free(newsup);
	dash_queue_release(&q);
}

/* ---- the handlers --------------------------------------------------------- */

static void no_store(web_ctx *c)
{
	web_error(c, 503, "The store does not answer",
		  "No connection to the store came free in time. Try again in a moment.");
}

static void heading(html *h, const char *title, const dash_view *v)
{
	html_open(h, "h1");
	html_text(h, title);
	html_close(h, "h1");
	html_open(h, "p", "class", "muted");
	html_text(h, "Period ");
	html_text(h, v->from);
	html_text(h, " – ");
	html_text(h, v->to);
	if (v->region) {
		html_text(h, ", region ");
		html_text(h, v->region);
	}
	if (v->cc) {
		html_text(h, ", cost centre ");
		html_text(h, v->cc);
	}
	html_text(h, ". The queue as of today.");
	html_close(h, "p");
}

void pages_dashboard_get(web_ctx *c)
{
	store *s = web_store(c);
	dash_view v;
	html *h;

	if (!s) {
		no_store(c);
		return;
	}
	view_read(&v, c);
	h = web_page_begin(c, "Dashboard");
	heading(h, "Dashboard", &v);
	selector(h, &v, "");
	overview(h, c, s, &v);
	web_page_end(c);
}

static void export_get(web_ctx *c, store *s, const dash_view *v, const char *name)
{
	char disp[256];
	dynbuf buf;
	char *body = NULL;
	size_t len = 0;
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	dynbuf_init(&buf, DASH_CSV_CAP);
	rc = pages_dashboard_csv(&buf, s, &v->f, v->today, name, &err);
	if (rc == ULF_ENOTFOUND) {
		web_error(c, 404, "No such table", "The dashboard has no table by that name.");
		goto out;
	}
	if (rc) {
		web_log("error", "dashboard %s.csv: %s", name, err.msg);
		web_error(c, 500, "The table could not be read", err.msg);
		goto out;
	}
	if (dynbuf_take(&body, &len, &buf)) {
		web_error(c, 500, "Out of memory", "The table could not be written.");
		goto out;
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"ulf-%s-%s-%s.csv\"", name, v->from,
		 v->to);
	web_add_header(c, "Content-Disposition", disp);
	web_reply(c, 200, "text/csv; charset=utf-8", body, len);
out:
	dynbuf_release(&buf);
}

void pages_dashboard_page_get(web_ctx *c)
{
	const char *page = web_param(c, "page");
	store *s = web_store(c);
	char name[WEB_PARAM_LEN];
	size_t len;
	dash_view v;
	html *h;

	if (!s) {
		no_store(c);
		return;
	}
	view_read(&v, c);
	len = page ? strlen(page) : 0;
	if (len > 4 && !strcmp(page + len - 4, ".csv")) {
		snprintf(name, sizeof(name), "%.*s", (int)(len - 4), page);
		export_get(c, s, &v, name);
		return;
	}
	if (!page || !strcmp(page, "exceptions")) {
		h = web_page_begin(c, "Dashboard: exceptions");
		heading(h, "Exceptions", &v);
		selector(h, &v, "exceptions");
		table(h, s, &v, "reasons", "Exceptions by reason");
		table(h, s, &v, "top-suppliers", "The ten suppliers with most exceptions");
		table(h, s, &v, "suppliers", "First time right, per supplier");
	} else if (!strcmp(page, "queue")) {
		h = web_page_begin(c, "Dashboard: queue");
		heading(h, "The queue now", &v);
		selector(h, &v, "queue");
		table(h, s, &v, "queue", "Size, ages, due and overdue");
		table(h, s, &v, "queue-reasons", "Queue by reason");
	} else if (!strcmp(page, "lead")) {
		h = web_page_begin(c, "Dashboard: lead time");
		heading(h, "Lead time and touches", &v);
		selector(h, &v, "lead");
		table(h, s, &v, "lead", "Receipt to posting");
	} else if (!strcmp(page, "board")) {
		h = web_page_begin(c, "Dashboard: weekly board");
		html_open(h, "div", "class", "dash-wall");
		heading(h, "Weekly board", &v);
		selector(h, &v, "board");
		table(h, s, &v, "board", "Weeks");
		table(h, s, &v, "handlers", "Actions per handler and week");
		html_close(h, "div");
	} else if (!strcmp(page, "trends")) {
		h = web_page_begin(c, "Dashboard: trends");
		heading(h, "Trends", &v);
		selector(h, &v, "trends");
		table(h, s, &v, "compare", "This period and the one before");
		table(h, s, &v, "trend-weeks", "Twelve weeks");
		table(h, s, &v, "trend-months", "Twelve months");
	} else if (!strcmp(page, "indicators")) {
		h = web_page_begin(c, "Dashboard: indicators");
		heading(h, "The unit's indicators", &v);
		selector(h, &v, "indicators");
		table(h, s, &v, "einvoice", "Share of e-invoices");
		table(h, s, &v, "tail", "Supplier tail");
		table(h, s, &v, "tail-suppliers", "Suppliers in the tail");
		table(h, s, &v, "new-suppliers", "New suppliers per month");
		table(h, s, &v, "contract", "Contract compliance");
		table(h, s, &v, "without-contract", "Spend without a contract");
	} else {
		web_error(c, 404, "No such page", "The dashboard has no page by that name.");
		return;
	}
	web_page_end(c);
}
