/*
 * dashboard.c - the controllers' figures, read from the rollups.  See
 * dashboard.h; the tables are described in dash_int.h, the figures in
 * docs/dashboard.md.  The CSV writers are in dashboard_csv.c.
 *
 * A period is cut into at most three spans - the days before its first
 * whole month, its whole months, the days after its last - and each span
 * is one indexed range of the rollup's primary key (cost centre, grain,
 * period).  A filter on a cost centre reads that cost centre's day rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/csv.h"
#include "core/text.h"
#include "robot/store/dash_int.h"
#include "robot/store/dashboard.h"
#include "robot/store/rollup.h"

/* ---- small things ------------------------------------------------------- */

static const char *const flow_keys[DASH_FLOW_COUNT] = { "po", "non-po", "care", "" };
static const char *const flow_labels[DASH_FLOW_COUNT] = {
	"with order", "without order", "care", "not matched"
};

const char *dash_flow_key(dash_flow f)
{
	return f >= 0 && f < DASH_FLOW_COUNT ? flow_keys[f] : "";
}

const char *dash_flow_label(dash_flow f)
{
	return f >= 0 && f < DASH_FLOW_COUNT ? flow_labels[f] : "";
}

dash_flow dash_flow_of(const char *key)
{
	if (!key)
		return DASH_FLOW_NONE;
	if (strcmp(key, "po") == 0)
		return DASH_FLOW_PO;
	if (strcmp(key, "non-po") == 0 || strcmp(key, "recurring") == 0)
		return DASH_FLOW_NONPO;
	if (strcmp(key, "care") == 0)
		return DASH_FLOW_CARE;
	return DASH_FLOW_NONE;
}

static const int64_t lead_bounds[DASH_LEAD_BUCKETS] = {
	60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 259200,
	432000, 604800, 864000, 1209600, 1814400, 2592000, 3888000, 5184000, 7776000,
	INT64_MAX,
};

int64_t dash_lead_bound(int b)
{
	return b >= 0 && b < DASH_LEAD_BUCKETS ? lead_bounds[b] : INT64_MAX;
}

int dash_lead_bucket(int64_t seconds)
{
	int b;

	for (b = 0; b < DASH_LEAD_BUCKETS - 1; b++)
		if (seconds <= lead_bounds[b])
			return b;
	return DASH_LEAD_BUCKETS - 1;
}

int dash_percentile(const int64_t hist[DASH_LEAD_BUCKETS], int p)
{
	int64_t n = 0, k, seen = 0;
	int b;

	for (b = 0; b < DASH_LEAD_BUCKETS; b++)
		n += hist[b];
	if (n <= 0 || p < 1 || p > 100)
		return -1;
	k = (n * p + 99) / 100;        /* nearest rank: ceil(p/100 * n) */
	for (b = 0; b < DASH_LEAD_BUCKETS; b++) {
		seen += hist[b];
		if (seen >= k)
			return b;
	}
	return DASH_LEAD_BUCKETS - 1;
}

int64_t dash_rate(int64_t num, int64_t den)
{
	if (den <= 0)
		return -1;
	return (int64_t)(((__int128)num * 20000 + den) / (2 * (__int128)den));
}

dash_filter dash_period(int32_t from, int32_t to)
{
	dash_filter f;

	memset(&f, 0, sizeof(f));
	f.from = from;
	f.to = to;
	return f;
}

static int months_between(int32_t from, int32_t to)
{
	int y1, m1, d1, y2, m2, d2;

	cal_ymd(from, &y1, &m1, &d1);
	cal_ymd(to, &y2, &m2, &d2);
	return (y2 - y1) * 12 + (m2 - m1);
}

dash_filter dash_previous(const dash_filter *f)
{
	dash_filter p = *f;
	int months;

	if (f->to > f->from && cal_month_start(f->from) == f->from &&
	    cal_month_start(f->to) == f->to) {
		months = months_between(f->from, f->to);
		p.from = cal_month_add(f->from, -months);
		p.to = f->from;
	} else {
		p.from = f->from - (f->to - f->from);
		p.to = f->from;
	}
	return p;
}

static bool given(const char *s)
{
	return s && *s;
}

/* Copies s into a fixed field, cut on a whole character. */
static void put_text(char *out, size_t n, const char *s)
{
	size_t len = s ? strlen(s) : 0;

	if (len >= n)
		len = text_utf8_cut(s, n - 1);
	if (len)
		memcpy(out, s, len);
	out[len] = '\0';
}

/* ---- the query builder ---------------------------------------------------- */

#define QB_PARAMS 64

/* A statement's text and its parameters, bound in order. */
typedef struct qb {
	char sql[8192];
	size_t len;
	bool ok;
	int n;
	struct { bool text; int64_t i; const char *s; } p[QB_PARAMS];
} qb;

static void qb_init(qb *q)
{
	q->len = 0;
	q->sql[0] = '\0';
	q->ok = true;
	q->n = 0;
}

static void qb_sql(qb *q, const char *s)
{
	size_t l = strlen(s);

	if (!q->ok || q->len + l >= sizeof(q->sql)) {
		q->ok = false;
		return;
	}
	memcpy(q->sql + q->len, s, l + 1);
	q->len += l;
}

static void qb_int(qb *q, int64_t v)
{
	if (q->n >= QB_PARAMS) {
		q->ok = false;
		return;
	}
	q->p[q->n].text = false;
	q->p[q->n++].i = v;
	qb_sql(q, "?");
}

static void qb_text(qb *q, const char *s)
{
	if (q->n >= QB_PARAMS) {
		q->ok = false;
		return;
	}
	q->p[q->n].text = true;
	q->p[q->n++].s = s;
	qb_sql(q, "?");
}

static int qb_prepare(db_stmt **out, qb *q, db *d, ulf_err *err)
{
	db_value v[QB_PARAMS];
	int i, rc;

	*out = NULL;
	if (!q->ok)
		return ulf_err_set(err, ULF_ELIMIT, "dashboard: query too long");
	rc = db_prepare(out, d, q->sql, err);
	if (rc)
		return rc;
	for (i = 0; i < q->n; i++)
		v[i] = q->p[i].text ? DBV_TEXT(q->p[i].s) : DBV_INT(q->p[i].i);
	rc = db_bind_values(*out, v, (size_t)q->n, err);
	if (rc) {
		db_finalize(*out);
		*out = NULL;
	}
	return rc;
}

/* The flow filter's key ("recurring" is non-po). */
static const char *flow_filter(const dash_filter *f)
{
	return f->flow ? dash_flow_key(dash_flow_of(f->flow)) : NULL;
}

/* The spans of a period: [lo, hi) of grain 'd' or 'm' periods. */
struct span {
	const char *grain;
	int32_t lo, hi;
};

/* Whether `table` has day rows (of all cost centres) in [lo, hi). */
static int any_days(bool *out, db *d, const char *table, int32_t lo, int32_t hi, ulf_err *err)
{
	char sql[160];
	db_stmt *st = NULL;
	int rc;

	*out = false;
	if (lo >= hi)
		return 0;
	/* the table's name comes from this file, never from a caller */
	snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE cc = '" DASH_ALL_CC "'"
		 " AND grain = 'd' AND period >= ? AND period < ? LIMIT 1", table);
	rc = db_prepare(&st, d, sql, err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(lo), DBV_INT(hi));
	if (rc == 0)
		rc = db_step(st, err);
	db_finalize(st);
	if (rc < 0)
		return rc;
	*out = rc == 1;
	return 0;
}

/*
 * The spans of f over `table`: its whole months from the month rows, the
 * days before and after from the day rows.  A month cut short whose other
 * days hold nothing yet (this month so far, the usual page) is read from
 * its month row too, which then holds exactly those days: one row per key
 * however many documents the days had.
 */
static int spans_of(struct span out[3], size_t *out_n, db *d, const char *table,
		    const dash_filter *f, ulf_err *err)
{
	int32_t m0, m1, ms;
	bool busy;
	size_t n = 0;
	int rc;

	*out_n = 0;
	if (f->to <= f->from)
		return 0;
	if (given(f->cost_centre)) {
		/* a cost centre's own rows are kept per day only */
		out[0] = (struct span){ "d", f->from, f->to };
		*out_n = 1;
		return 0;
	}
	m0 = cal_month_start(f->from) == f->from ? f->from : cal_month_add(f->from, 1);
	m1 = cal_month_start(f->to);
	if (m0 > m1) {
		/* within one month */
		ms = cal_month_start(f->from);
		rc = any_days(&busy, d, table, ms, f->from, err);
		if (rc == 0 && !busy)
			rc = any_days(&busy, d, table, f->to, cal_month_add(ms, 1), err);
		if (rc)
			return rc;
		out[0] = busy ? (struct span){ "d", f->from, f->to } : (struct span){ "m", ms, ms + 1 };
		*out_n = 1;
		return 0;
	}
	if (f->from < m0) {
		ms = cal_month_start(f->from);
		rc = any_days(&busy, d, table, ms, f->from, err);
		if (rc)
			return rc;
		out[n++] = busy ? (struct span){ "d", f->from, m0 } : (struct span){ "m", ms, ms + 1 };
	}
	if (m0 < m1)
		out[n++] = (struct span){ "m", m0, m1 };
	if (m1 < f->to) {
		rc = any_days(&busy, d, table, f->to, cal_month_add(m1, 1), err);
		if (rc)
			return rc;
		out[n++] = busy ? (struct span){ "d", m1, f->to } : (struct span){ "m", m1, m1 + 1 };
	}
	*out_n = n;
	return 0;
}

/*
 * "SELECT cols FROM table WHERE <span> [AND region] [AND flow] UNION ALL
 * ..." for the spans of f: the rows of a rollup a period sums.
 */
static int qb_spans(qb *q, db *d, const char *table, const char *cols, const dash_filter *f,
		    bool has_flow, ulf_err *err)
{
	struct span sp[3];
	size_t n, i;
	const char *flow = has_flow ? flow_filter(f) : NULL;
	/* dash_suppliers keeps its months of all regions apart: read those */
	bool all_regions = !has_flow && !given(f->region) && !given(f->cost_centre);
	int rc = spans_of(sp, &n, d, table, f, err);

	if (rc)
		return rc;
	if (n == 0) {
		qb_sql(q, "SELECT ");
		qb_sql(q, cols);
		qb_sql(q, " FROM ");
		qb_sql(q, table);
		qb_sql(q, " WHERE 1 = 0");
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (i)
			qb_sql(q, " UNION ALL ");
		qb_sql(q, "SELECT ");
		qb_sql(q, cols);
		qb_sql(q, " FROM ");
		qb_sql(q, table);
		qb_sql(q, " WHERE cc = ");
		qb_text(q, given(f->cost_centre) ? f->cost_centre : DASH_ALL_CC);
		if (given(f->region)) {
			qb_sql(q, " AND region = ");
			qb_text(q, f->region);
		} else if (all_regions && !strcmp(sp[i].grain, "m")) {
			qb_sql(q, " AND region = ");
			qb_text(q, DASH_ALL_REGION);
		} else if (!has_flow) {
			qb_sql(q, " AND region <> ");
			qb_text(q, DASH_ALL_REGION);
		}
		qb_sql(q, " AND grain = ");
		qb_text(q, sp[i].grain);
		qb_sql(q, " AND period >= ");
		qb_int(q, sp[i].lo);
		qb_sql(q, " AND period < ");
		qb_int(q, sp[i].hi);
		if (flow) {
			qb_sql(q, " AND flow = ");
			qb_text(q, flow);
		}
	}
	return 0;
}

/* " AND cc = ? AND region = ? AND flow = ?" for the queue's tables. */
static void qb_now_filter(qb *q, const dash_filter *f)
{
	const char *flow = flow_filter(f);

	qb_sql(q, " AND cc = ");
	qb_text(q, given(f->cost_centre) ? f->cost_centre : DASH_ALL_CC);
	if (given(f->region)) {
		qb_sql(q, " AND region = ");
		qb_text(q, f->region);
	}
	if (flow) {
		qb_sql(q, " AND flow = ");
		qb_text(q, flow);
	}
}

/* A growing array of rows, capped. */
typedef struct rows {
	void *a;
	size_t n, cap, size, max;
} rows;

static void *rows_add(rows *r)
{
	void *na;
	size_t ncap;

	if (r->n == r->max)
		return NULL;
	if (r->n == r->cap) {
		ncap = r->cap ? r->cap * 2 : 16;
		if (ncap > r->max)
			ncap = r->max;
		na = realloc(r->a, ncap * r->size);
		if (!na)
			return NULL;
		r->a = na;
		r->cap = ncap;
	}
	memset((char *)r->a + r->n * r->size, 0, r->size);
	return (char *)r->a + r->n++ * r->size;
}

/* Most rows a table gives: a bound for memory, far above any register. */
#define DASH_ROWS_MAX 1000000

/* ---- counts --------------------------------------------------------------- */

struct counts_ctx {
	dash_counts *per;      /* DASH_FLOW_COUNT */
};

static int counts_row(db_stmt *st, void *ctx, ulf_err *err)
{
	struct counts_ctx *c = ctx;
	dash_flow fl = dash_flow_of(db_col_text(st, 0));
	int64_t *a = dash_counts_arr(&c->per[fl]);
	int i;

	(void)err;
	for (i = 0; i < DASH_NCOUNTS; i++)
		a[i] += db_col_int(st, 1 + i);
	return 0;
}

int dash_counts_get(dash_counts out[DASH_FLOW_COUNT], dash_counts *out_all, store *s,
		    const dash_filter *f, ulf_err *err)
{
	dash_counts per[DASH_FLOW_COUNT];
	struct counts_ctx c = { per };
	const char *sums = dash_count_sums();
	db_stmt *st = NULL;
	qb *q = malloc(sizeof(*q));
	int rc, fl, i;

	memset(per, 0, sizeof(per));
	if (!q || !sums) {
		free(q);
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	qb_init(q);
	qb_sql(q, "SELECT flow");
	qb_sql(q, sums);
	qb_sql(q, " FROM (");
	rc = qb_spans(q, store_db(s), "dash_counts", "*", f, true, err);
	qb_sql(q, ") t GROUP BY flow");
	if (rc == 0)
		rc = qb_prepare(&st, q, store_db(s), err);
	if (rc == 0)
		rc = db_each(st, counts_row, &c, err);
	db_finalize(st);
	free(q);
	if (rc)
		return rc;
	if (out)
		memcpy(out, per, sizeof(per));
	if (out_all) {
		memset(out_all, 0, sizeof(*out_all));
		for (fl = 0; fl < DASH_FLOW_COUNT; fl++)
			for (i = 0; i < DASH_NCOUNTS; i++)
				dash_counts_arr(out_all)[i] += dash_counts_arr(&per[fl])[i];
	}
	return 0;
}

struct split_ctx {
	rows r;
};

static int split_row(db_stmt *st, void *ctx, ulf_err *err)
{
	struct split_ctx *c = ctx;
	dash_split_row *r = rows_add(&c->r);
	int64_t *a;
	int i;

	if (!r)
		return ulf_err_set(err, ULF_ELIMIT, "dashboard: too many regions and flows");
	put_text(r->region, sizeof(r->region), db_col_text(st, 0));
	r->flow = dash_flow_of(db_col_text(st, 1));
	a = dash_counts_arr(&r->c);
	for (i = 0; i < DASH_NCOUNTS; i++)
		a[i] = db_col_int(st, 2 + i);
	return 0;
}

int dash_counts_split(dash_split_row **out, size_t *out_n, store *s, const dash_filter *f,
		      ulf_err *err)
{
	struct split_ctx c;
	const char *sums = dash_count_sums();
	db_stmt *st = NULL;
	qb *q = malloc(sizeof(*q));
	int rc;

	*out = NULL;
	*out_n = 0;
	if (!q || !sums) {
		free(q);
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	memset(&c, 0, sizeof(c));
	c.r.size = sizeof(dash_split_row);
	c.r.max = 10000;
	qb_init(q);
	qb_sql(q, "SELECT region, flow");
	qb_sql(q, sums);
	qb_sql(q, " FROM (");
	rc = qb_spans(q, store_db(s), "dash_counts", "*", f, true, err);
	qb_sql(q, ") t GROUP BY region, flow ORDER BY region, flow");
	if (rc == 0)
		rc = qb_prepare(&st, q, store_db(s), err);
	if (rc == 0)
		rc = db_each(st, split_row, &c, err);
	db_finalize(st);
	free(q);
	if (rc) {
		free(c.r.a);
		return rc;
	}
	*out = c.r.a;
	*out_n = c.r.n;
	return 0;
}

/* ---- touchless ------------------------------------------------------------ */

static void rate_row(dash_rate_row *r, dash_flow fl, const dash_counts *c)
{
	memset(r, 0, sizeof(*r));
	r->flow = fl;
	r->decided = c->decided;
	r->touchless = c->touchless;
	r->rate = dash_rate(c->touchless, c->decided);
	r->lines_posted = c->lines_posted;
	r->lines_unchanged = c->lines_unchanged;
	r->coding_rate = dash_rate(c->lines_unchanged, c->lines_posted);
	r->resends = c->in_resends;
	r->dup_bytes = c->dup_bytes;
	r->not_einvoice = c->in_paper;
	r->not_invoice = c->in_other;
	r->erp_posted = c->erp_posted;
}

int dash_touchless(dash_rate_row **out, size_t *out_n, store *s, const dash_filter *f,
		   ulf_err *err)
{
	dash_counts per[DASH_FLOW_COUNT], all;
	dash_rate_row *r;
	int fl, rc;

	*out = NULL;
	*out_n = 0;
	rc = dash_counts_get(per, &all, s, f, err);
	if (rc)
		return rc;
	r = calloc(DASH_FLOW_COUNT + 1, sizeof(*r));
	if (!r)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	for (fl = 0; fl < DASH_FLOW_COUNT; fl++)
		rate_row(&r[fl], (dash_flow)fl, &per[fl]);
	rate_row(&r[DASH_FLOW_COUNT], DASH_FLOW_COUNT, &all);
	*out = r;
	*out_n = DASH_FLOW_COUNT + 1;
	return 0;
}

/* ---- reasons ---------------------------------------------------------------- */

static int reason_fill(void *elem, db_stmt *st, void *ctx, ulf_err *err)
{
	dash_reason_row *r = elem;

	(void)ctx;
	(void)err;
	put_text(r->reason, sizeof(r->reason), db_col_text(st, 0));
	r->n = db_col_int(st, 1);
	return 0;
}

int dash_reasons(dash_reason_row **out, size_t *out_n, int64_t *out_entries, store *s,
		 const dash_filter *f, ulf_err *err)
{
	dash_counts all;
	db_stmt *st = NULL;
	qb *q = malloc(sizeof(*q));
	size_t i;
	int rc;

	*out = NULL;
	*out_n = 0;
	if (out_entries)
		*out_entries = 0;
	if (!q)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	qb_init(q);
	qb_sql(q, "SELECT reason, SUM(n) FROM (");
	rc = qb_spans(q, store_db(s), "dash_reasons", "reason, n", f, true, err);
	qb_sql(q, ") t GROUP BY reason HAVING SUM(n) <> 0 ORDER BY 2 DESC, 1");
	if (rc == 0)
		rc = qb_prepare(&st, q, store_db(s), err);
	if (rc == 0)
		rc = db_collect((void **)out, out_n, st, sizeof(**out), DASH_ROWS_MAX, reason_fill,
				NULL, err);
	db_finalize(st);
	free(q);
	if (rc)
		return rc;
	/* shares of the entries into the queue (a document with two reasons
	 * is one entry) */
	rc = dash_counts_get(NULL, &all, s, f, err);
	if (rc) {
		free(*out);
		*out = NULL;
		*out_n = 0;
		return rc;
	}
	for (i = 0; i < *out_n; i++)
		(*out)[i].share = dash_rate((*out)[i].n, all.queue_in);
	if (out_entries)
		*out_entries = all.queue_in;
	return 0;
}

/* ---- suppliers ---------------------------------------------------------------- */

/* A supplier's name, from the names the invoices gave. */
static int supplier_name(char *out, size_t n, db *d, const char *supplier, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	out[0] = '\0';
	rc = db_prepare(&st, d, "SELECT name FROM dash_names WHERE supplier = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_TEXT(supplier));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1)
		put_text(out, n, db_col_text(st, 0));
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

/* The supplier's key as it may be shown: withheld when it is a person's. */
static void put_supplier(char *out, size_t n, bool *personal, const char *key)
{
	*personal = dash_is_personal(key);
	put_text(out, n, *personal ? "" : key);
}

struct sup_ctx {
	rows r;
	db *d;
};

static int supplier_row(db_stmt *st, void *ctx, ulf_err *err)
{
	struct sup_ctx *c = ctx;
	dash_supplier_row *r = rows_add(&c->r);

	if (!r)
		return c->r.n == c->r.max ? 1 : ulf_err_set(err, ULF_ENOMEM, "out of memory");
	put_supplier(r->supplier, sizeof(r->supplier), &r->personal, db_col_text(st, 0));
	/* the key until the name is looked up: put_supplier may have withheld it */
	put_text(r->name, sizeof(r->name), db_col_text(st, 0));
	r->decided = db_col_int(st, 1);
	r->touchless = db_col_int(st, 2);
	r->entries = db_col_int(st, 3);
	r->first_time_right = dash_rate(r->touchless, r->decided);
	return 0;
}

/* Replaces each row's key (kept in name) by the supplier's name. */
static int names_of(void *rows_a, size_t n, size_t size, size_t name_off, db *d,
		    ulf_err *err)
{
	char key[DASH_NAME_MAX];
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < n; i++) {
		char *name = (char *)rows_a + i * size + name_off;
		snprintf(key, sizeof(key), "%s", name);
		rc = supplier_name(name, DASH_NAME_MAX, d, key, err);
	}
	return rc;
}

int dash_suppliers(dash_supplier_row **out, size_t *out_n, store *s, const dash_filter *f,
		   size_t limit, ulf_err *err)
{
	struct sup_ctx c;
	db_stmt *st = NULL;
	dash_filter nf = *f;
	qb *q = malloc(sizeof(*q));
	int rc;

	*out = NULL;
	*out_n = 0;
	if (!q)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	memset(&c, 0, sizeof(c));
	c.r.size = sizeof(dash_supplier_row);
	c.r.max = limit ? limit : DASH_ROWS_MAX;
	c.d = store_db(s);
	nf.flow = NULL;        /* the supplier rollup is not split by flow */
	qb_init(q);
	qb_sql(q, "SELECT supplier, SUM(decided), SUM(touchless), SUM(entries) FROM (");
	rc = qb_spans(q, c.d, "dash_suppliers", "supplier, decided, touchless, entries", &nf, false,
		      err);
	qb_sql(q, ") t WHERE supplier <> '' GROUP BY supplier"
		  " HAVING SUM(decided) <> 0 OR SUM(entries) <> 0"
		  " ORDER BY 4 DESC, 2 DESC, 1");
	if (rc == 0)
		rc = qb_prepare(&st, q, c.d, err);
	if (rc == 0)
		rc = db_each(st, supplier_row, &c, err);
	db_finalize(st);
	free(q);
	if (rc == 0)
		rc = names_of(c.r.a, c.r.n, sizeof(dash_supplier_row),
			      offsetof(dash_supplier_row, name), c.d, err);
	if (rc) {
		free(c.r.a);
		return rc;
	}
	*out = c.r.a;
	*out_n = c.r.n;
	return 0;
}

/* ---- the queue now -------------------------------------------------------------- */

static const char *const age_labels[DASH_AGE_BUCKETS] = { "0-1", "2-5", "6-10", ">10" };

const char *dash_age_label(int bucket)
{
	return bucket >= 0 && bucket < DASH_AGE_BUCKETS ? age_labels[bucket] : "";
}

int dash_age_bucket(int32_t working_days)
{
	if (working_days <= 1)
		return 0;
	if (working_days <= 5)
		return 1;
	if (working_days <= 10)
		return 2;
	return 3;
}

struct queue_ctx {
	dash_queue *q;
	int32_t today;
};

/* A row of the queue's age table from column col on: day received, n,
 * amount. */
static int age_row_at(db_stmt *st, int col, struct queue_ctx *c)
{
	int32_t rday = (int32_t)db_col_int(st, col), wd;
	int64_t n = db_col_int(st, col + 1), amount = db_col_int(st, col + 2);
	int b;

	/* six weeks hold more than ten working days whatever the holidays */
	wd = c->today - rday > 42 ? 11 : cal_working_days(rday, c->today);
	b = dash_age_bucket(wd);
	c->q->age_n[b] += n;
	c->q->age_amount[b] += amount;
	c->q->size += n;
	c->q->amount += amount;
	return 0;
}

/* A row of the queue's due table from column col on: due day, n, amount,
 * how many not in SEK. */
static int due_row_at(db_stmt *st, int col, struct queue_ctx *c)
{
	int32_t dday = (int32_t)db_col_int(st, col);
	int64_t n = db_col_int(st, col + 1), amount = db_col_int(st, col + 2);

	c->q->other_currency_n += db_col_int(st, col + 3);
	if (dday == DASH_NO_DAY) {
		c->q->no_due_n += n;
	} else if (dday < c->today) {
		c->q->overdue_n += n;
		c->q->overdue_amount += amount;
	} else {
		if (dday <= c->today + 3) {
			c->q->due3_n += n;
			c->q->due3_amount += amount;
		}
		if (dday <= c->today + 7) {
			c->q->due7_n += n;
			c->q->due7_amount += amount;
		}
	}
	return 0;
}

static int age_row(db_stmt *st, void *ctx, ulf_err *err)
{
	(void)err;
	return age_row_at(st, 0, ctx);
}

static int due_row(db_stmt *st, void *ctx, ulf_err *err)
{
	(void)err;
	return due_row_at(st, 0, ctx);
}

void dash_queue_release(dash_queue *q)
{
	if (!q)
		return;
	free(q->reasons);
	q->reasons = NULL;
	q->nreasons = 0;
}

int dash_queue_now(dash_queue *out, store *s, const dash_filter *f, int32_t today,
		   ulf_err *err)
{
	struct queue_ctx c = { out, today };
	db_stmt *st = NULL;
	qb *q = malloc(sizeof(*q));
	db *d = store_db(s);
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!q)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	qb_init(q);
	qb_sql(q, "SELECT rday, SUM(n), SUM(amount) FROM dash_queue_age WHERE n <> 0");
	qb_now_filter(q, f);
	qb_sql(q, " GROUP BY rday");
	rc = qb_prepare(&st, q, d, err);
	if (rc == 0)
		rc = db_each(st, age_row, &c, err);
	db_finalize(st);
	if (rc == 0) {
		qb_init(q);
		qb_sql(q, "SELECT dday, SUM(n), SUM(amount), SUM(other_n) FROM dash_queue_due"
			  " WHERE n <> 0");
		qb_now_filter(q, f);
		qb_sql(q, " GROUP BY dday");
		rc = qb_prepare(&st, q, d, err);
		if (rc == 0)
			rc = db_each(st, due_row, &c, err);
		db_finalize(st);
	}
	if (rc == 0) {
		qb_init(q);
		qb_sql(q, "SELECT reason, SUM(n) FROM dash_queue_reason WHERE n <> 0");
		qb_now_filter(q, f);
		qb_sql(q, " GROUP BY reason HAVING SUM(n) <> 0 ORDER BY 2 DESC, 1");
		rc = qb_prepare(&st, q, d, err);
		if (rc == 0)
			rc = db_collect((void **)&out->reasons, &out->nreasons, st,
					sizeof(*out->reasons), DASH_ROWS_MAX, reason_fill, NULL, err);
		db_finalize(st);
	}
	free(q);
	if (rc) {
		dash_queue_release(out);
		return rc;
	}
	for (i = 0; i < out->nreasons; i++)
		out->reasons[i].share = dash_rate(out->reasons[i].n, out->size);
	return 0;
}

struct qsplit_ctx {
	rows r;
	int32_t today;
};

/* The row of (region, flow), added when new. */
static dash_queue_split_row *qsplit_row(struct qsplit_ctx *c, const char *region,
					const char *flow)
{
	dash_queue_split_row *rows_a = c->r.a, *r;
	dash_flow fl = dash_flow_of(flow);
	size_t i;

	for (i = 0; i < c->r.n; i++)
		if (rows_a[i].flow == fl && strcmp(rows_a[i].region, region ? region : "") == 0)
			return &rows_a[i];
	r = rows_add(&c->r);
	if (r) {
		put_text(r->region, sizeof(r->region), region);
		r->flow = fl;
	}
	return r;
}

static int qsplit_age(db_stmt *st, void *ctx, ulf_err *err)
{
	struct qsplit_ctx *c = ctx;
	dash_queue_split_row *r = qsplit_row(c, db_col_text(st, 0), db_col_text(st, 1));
	struct queue_ctx qc;

	if (!r)
		return ulf_err_set(err, ULF_ELIMIT, "dashboard: too many regions and flows");
	qc.q = &r->q;
	qc.today = c->today;
	return age_row_at(st, 2, &qc);
}

static int qsplit_due(db_stmt *st, void *ctx, ulf_err *err)
{
	struct qsplit_ctx *c = ctx;
	dash_queue_split_row *r = qsplit_row(c, db_col_text(st, 0), db_col_text(st, 1));
	struct queue_ctx qc;

	if (!r)
		return ulf_err_set(err, ULF_ELIMIT, "dashboard: too many regions and flows");
	qc.q = &r->q;
	qc.today = c->today;
	return due_row_at(st, 2, &qc);
}

int dash_queue_split(dash_queue_split_row **out, size_t *out_n, store *s, int32_t today,
		     ulf_err *err)
{
	struct qsplit_ctx c;
	db_stmt *st = NULL;
	db *d = store_db(s);
	int rc;

	*out = NULL;
	*out_n = 0;
	memset(&c, 0, sizeof(c));
	c.r.size = sizeof(dash_queue_split_row);
	c.r.max = 10000;
	c.today = today;
	rc = db_prepare(&st, d, "SELECT region, flow, rday, SUM(n), SUM(amount) FROM dash_queue_age"
			" WHERE cc = '" DASH_ALL_CC "' AND n <> 0 GROUP BY region, flow, rday", err);
	if (rc == 0)
		rc = db_each(st, qsplit_age, &c, err);
	db_finalize(st);
	st = NULL;
	if (rc == 0)
		rc = db_prepare(&st, d, "SELECT region, flow, dday, SUM(n), SUM(amount), SUM(other_n)"
				" FROM dash_queue_due WHERE cc = '" DASH_ALL_CC "' AND n <> 0"
				" GROUP BY region, flow, dday", err);
	if (rc == 0)
		rc = db_each(st, qsplit_due, &c, err);
	db_finalize(st);
	if (rc) {
		free(c.r.a);
		return rc;
	}
	*out = c.r.a;
	*out_n = c.r.n;
	return 0;
}

/* ---- lead time ---------------------------------------------------------------- */

static void lead_side(dash_lead_side *out, const int64_t hist[DASH_LEAD_BUCKETS])
{
	int b;

	out->n = 0;
	for (b = 0; b < DASH_LEAD_BUCKETS; b++)
		out->n += hist[b];
	out->median = dash_percentile(hist, 50);
	out->p90 = dash_percentile(hist, 90);
}

int dash_lead_time(dash_lead *out, store *s, const dash_filter *f, ulf_err *err)
{
	dash_counts c;
	int64_t both[DASH_LEAD_BUCKETS];
	int b, rc;

	memset(out, 0, sizeof(*out));
	rc = dash_counts_get(NULL, &c, s, f, err);
	if (rc)
		return rc;
	for (b = 0; b < DASH_LEAD_BUCKETS; b++)
		both[b] = c.lead_robot[b] + c.lead_person[b];
	lead_side(&out->robot, c.lead_robot);
	lead_side(&out->person, c.lead_person);
	lead_side(&out->all, both);
	out->finals = c.finals;
	out->touches = c.touches;
	out->touched = c.touched;
	out->touches_per_invoice = c.finals
		? (c.touches * 200 + c.finals) / (2 * c.finals) : -1;
	return 0;
}

/* ---- the weekly board ---------------------------------------------------------- */

int dash_board(dash_week_row **out, size_t *out_n, store *s, const dash_filter *f,
	       int weeks, ulf_err *err)
{
	dash_week_row *w;
	dash_filter wf = *f, all = *f;
	dash_counts c;
	int32_t last;
	int64_t backlog;
	int k, rc;

	*out = NULL;
	*out_n = 0;
	if (weeks <= 0)
		return 0;
	if (weeks > 520)
		return ulf_err_set(err, ULF_EINVAL, "dashboard: at most 520 weeks");
	w = calloc((size_t)weeks, sizeof(*w));
	if (!w)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	last = cal_week_start(f->to - 1);
	/* the queue at the last week's end: everything that entered it then
	 * less everything that left */
	all.from = 0;
	all.to = last + 7;
	rc = dash_counts_get(NULL, &c, s, &all, err);
	backlog = c.queue_in - c.queue_out;
	for (k = weeks - 1; rc == 0 && k >= 0; k--) {
		dash_week_row *r = &w[k];
		r->week_start = last - 7 * (weeks - 1 - k);
		cal_iso_week(r->week_start, &r->iso_year, &r->iso_week);
		wf.from = r->week_start;
		wf.to = r->week_start + 7;
		rc = dash_counts_get(NULL, &c, s, &wf, err);
		if (rc)
			break;
		r->in = c.in_invoices + c.in_paper + c.in_other + c.in_resends;
		r->posted_robot = c.posted_robot;
		r->handled_people = c.posted - c.posted_robot + c.rejected;
		r->rejected = c.rejected;
		r->backlog = backlog;
		backlog -= c.queue_in - c.queue_out;
	}
	if (rc) {
		free(w);
		return rc;
	}
	*out = w;
	*out_n = (size_t)weeks;
	return 0;
}

static int handler_fill(void *elem, db_stmt *st, void *ctx, ulf_err *err)
{
	dash_handler_row *r = elem;

	(void)ctx;
	(void)err;
	r->week_start = (int32_t)db_col_int(st, 0);
	put_text(r->who, sizeof(r->who), db_col_text(st, 1));
	r->actions = db_col_int(st, 2);
	return 0;
}

int dash_handlers(dash_handler_row **out, size_t *out_n, store *s, const dash_filter *f,
		  int weeks, ulf_err *err)
{
	db_stmt *st = NULL;
	int32_t last = cal_week_start(f->to - 1);
	qb *q;
	int rc;

	*out = NULL;
	*out_n = 0;
	if (weeks <= 0)
		return 0;
	q = malloc(sizeof(*q));
	if (!q)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	qb_init(q);
	/* 1970-01-01 was a Thursday: (day + 3) % 7 is the days since Monday */
	qb_sql(q, "SELECT period - ((period + 3) % 7) AS w, who, SUM(actions)"
		  " FROM dash_handlers WHERE grain = 'd' AND period >= ");
	qb_int(q, last - 7 * (weeks - 1));
	qb_sql(q, " AND period < ");
	qb_int(q, last + 7);
	if (given(f->region)) {
		qb_sql(q, " AND region = ");
		qb_text(q, f->region);
	}
	qb_sql(q, " GROUP BY period - ((period + 3) % 7), who ORDER BY 1, 3 DESC, 2");
	rc = qb_prepare(&st, q, store_db(s), err);
	if (rc == 0)
		rc = db_collect((void **)out, out_n, st, sizeof(**out), DASH_ROWS_MAX,
				handler_fill, NULL, err);
	db_finalize(st);
	free(q);
	return rc;
}

/* ---- trends ------------------------------------------------------------------------- */

static int trend_row(dash_trend_row *r, store *s, const dash_filter *f, int32_t start,
		     int32_t end, ulf_err *err)
{
	dash_filter pf = *f;
	int rc;

	pf.from = start;
	pf.to = end;
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->end = end;
	rc = dash_counts_get(NULL, &r->c, s, &pf, err);
	if (rc)
		return rc;
	r->touchless_rate = dash_rate(r->c.touchless, r->c.decided);
	r->coding_rate = dash_rate(r->c.lines_unchanged, r->c.lines_posted);
	r->einvoice_share = dash_rate(r->c.in_invoices, r->c.in_invoices + r->c.in_paper);
	return 0;
}

static int trend(dash_trend_row **out, size_t *out_n, store *s, const dash_filter *f, int n,
		 bool months, ulf_err *err)
{
	dash_trend_row *t;
	int32_t last;
	int k, rc = 0;

	*out = NULL;
	*out_n = 0;
	if (n <= 0)
		return 0;
	if (n > 520)
		return ulf_err_set(err, ULF_EINVAL, "dashboard: at most 520 periods");
	t = calloc((size_t)n, sizeof(*t));
	if (!t)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	last = months ? cal_month_start(f->to - 1) : cal_week_start(f->to - 1);
	for (k = 0; rc == 0 && k < n; k++) {
		int32_t start = months ? cal_month_add(last, k - (n - 1))
				       : last - 7 * (n - 1 - k);
		int32_t end = months ? cal_month_add(start, 1) : start + 7;
		rc = trend_row(&t[k], s, f, start, end, err);
	}
	if (rc) {
		free(t);
		return rc;
	}
	*out = t;
	*out_n = (size_t)n;
	return 0;
}

int dash_trend_weeks(dash_trend_row **out, size_t *out_n, store *s, const dash_filter *f,
		     int n, ulf_err *err)
{
	return trend(out, out_n, s, f, n, false, err);
}

int dash_trend_months(dash_trend_row **out, size_t *out_n, store *s, const dash_filter *f,
		      int n, ulf_err *err)
{
	return trend(out, out_n, s, f, n, true, err);
}

int dash_compare(dash_trend_row out[2], store *s, const dash_filter *f, ulf_err *err)
{
	dash_filter p = dash_previous(f);
	int rc;

	rc = trend_row(&out[0], s, f, f->from, f->to, err);
	if (rc == 0)
		rc = trend_row(&out[1], s, f, p.from, p.to, err);
	return rc;
}

/* ---- the unit's indicators ---------------------------------------------------------- */

int dash_einvoice_share(dash_einvoice *out, store *s, const dash_filter *f, ulf_err *err)
{
	dash_counts c;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = dash_counts_get(NULL, &c, s, f, err);
	if (rc)
		return rc;
	out->einvoices = c.in_invoices;
	out->not_einvoices = c.in_paper;
	out->share = dash_rate(c.in_invoices, c.in_invoices + c.in_paper);
	return 0;
}

/* The twelve whole months up to and including the month of to - 1. */
static dash_filter twelve_months(const dash_filter *f)
{
	dash_filter w = *f;

	w.to = cal_month_add(f->to - 1, 1);
	w.from = cal_month_add(w.to, -12);
	w.flow = NULL;
	return w;
}

struct spend_ctx {
	rows r;                    /* dash_spend_row, when listing (r.size) */
	int64_t threshold;
	bool tail_only;            /* list: the tail's rows only */
	bool without;              /* list: spend without contract */
	dash_tail *t;              /* totals, when counting */
};

static int spend_row(db_stmt *st, void *ctx, ulf_err *err)
{
	struct spend_ctx *c = ctx;
	int64_t docs = db_col_int(st, 1), spend = db_col_int(st, 2), contract = db_col_int(st, 3);
	bool tail = spend < c->threshold;
	dash_spend_row *r;

	if (c->t) {
		c->t->suppliers++;
		c->t->invoices += docs;
		c->t->spend += spend;
		if (tail) {
			c->t->tail_suppliers++;
			c->t->tail_invoices += docs;
			c->t->tail_spend += spend;
		}
	}
	if (!c->r.size || (c->tail_only && !tail) || (c->without && spend - contract == 0) ||
	    c->r.n == c->r.max)
		return 0;      /* the totals go on past the list's end */
	r = rows_add(&c->r);
	if (!r)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	put_supplier(r->supplier, sizeof(r->supplier), &r->personal, db_col_text(st, 0));
	put_text(r->name, sizeof(r->name), db_col_text(st, 0));
	r->invoices = docs;
	r->spend = spend;
	r->contract_spend = contract;
	return 0;
}

/* The spend per supplier over period w, ordered by `order`, into ctx. */
static int spend_query(struct spend_ctx *c, store *s, const dash_filter *w, const char *order,
		       ulf_err *err)
{
	db_stmt *st = NULL;
	qb *q = malloc(sizeof(*q));
	int rc;

	if (!q)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	qb_init(q);
	qb_sql(q, "SELECT supplier, SUM(spend_docs), SUM(spend_ore), SUM(contract_ore) FROM (");
	rc = qb_spans(q, store_db(s), "dash_suppliers",
		      "supplier, spend_docs, spend_ore, contract_ore", w, false, err);
	qb_sql(q, ") t WHERE supplier <> '' GROUP BY supplier HAVING SUM(spend_docs) <> 0");
	qb_sql(q, order);
	if (rc == 0)
		rc = qb_prepare(&st, q, store_db(s), err);
	if (rc == 0)
		rc = db_each(st, spend_row, c, err);
	db_finalize(st);
	free(q);
	return rc;
}

static int spend_list(dash_spend_row **out, size_t *out_n, struct spend_ctx *c, store *s,
		      const dash_filter *w, const char *order, size_t limit, ulf_err *err)
{
	int rc;

	if (out) {
		*out = NULL;
		*out_n = 0;
		c->r.size = sizeof(dash_spend_row);
		c->r.max = limit ? limit : DASH_ROWS_MAX;
	}
	rc = spend_query(c, s, w, order, err);
	if (rc == 0 && out)
		rc = names_of(c->r.a, c->r.n, sizeof(dash_spend_row),
			      offsetof(dash_spend_row, name), store_db(s), err);
	if (rc) {
		free(c->r.a);
		return rc;
	}
	if (out) {
		*out = c->r.a;
		*out_n = c->r.n;
	}
	return 0;
}

int dash_supplier_tail(dash_tail *out, dash_spend_row **list, size_t *out_n, store *s,
		       const dash_filter *f, int64_t threshold, size_t limit, ulf_err *err)
{
	dash_filter w = twelve_months(f);
	struct spend_ctx c;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	out->threshold = threshold > 0 ? threshold : DASH_TAIL_DEFAULT_ORE;
	out->from = w.from;
	out->to = w.to;
	c.threshold = out->threshold;
	c.t = out;
	c.tail_only = true;
	rc = spend_list(list, out_n, &c, s, &w, " ORDER BY 3, 1", limit, err);
	if (rc) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->supplier_share = dash_rate(out->tail_suppliers, out->suppliers);
	out->invoice_share = dash_rate(out->tail_invoices, out->invoices);
	out->spend_share = dash_rate(out->tail_spend, out->spend);
	return 0;
}

int dash_contract_compliance(dash_contract *out, store *s, const dash_filter *f, ulf_err *err)
{
	dash_filter w = *f;
	db_stmt *st = NULL;
	qb *q = malloc(sizeof(*q));
	int rc;

	memset(out, 0, sizeof(*out));
	if (!q)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	w.flow = NULL;
	qb_init(q);
	qb_sql(q, "SELECT SUM(spend_ore), SUM(contract_ore), SUM(spend_docs), SUM(contract_docs)"
		  " FROM (");
	rc = qb_spans(q, store_db(s), "dash_suppliers",
		      "supplier, spend_ore, contract_ore, spend_docs, contract_docs", &w, false, err);
	qb_sql(q, ") t WHERE supplier <> ''");
	if (rc == 0)
		rc = qb_prepare(&st, q, store_db(s), err);
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		out->spend = db_col_int(st, 0);
		out->contract_spend = db_col_int(st, 1);
		out->invoices = db_col_int(st, 2);
		out->contract_invoices = db_col_int(st, 3);
		rc = 0;
	}
	db_finalize(st);
	free(q);
	if (rc)
		return rc;
	out->without_spend = out->spend - out->contract_spend;
	out->share = dash_rate(out->contract_spend, out->spend);
	return 0;
}

int dash_without_contract(dash_spend_row **out, size_t *out_n, store *s, const dash_filter *f,
			  size_t limit, ulf_err *err)
{
	dash_filter w = *f;
	struct spend_ctx c;

	memset(&c, 0, sizeof(c));
	w.flow = NULL;
	c.without = true;
	c.threshold = INT64_MIN;
	return spend_list(out, out_n, &c, s, &w,
			  " ORDER BY SUM(spend_ore) - SUM(contract_ore) DESC, 1", limit, err);
}

static int month_fill(void *elem, db_stmt *st, void *ctx, ulf_err *err)
{
	dash_month_row *r = elem;
	char date[16];
	int32_t day;

	(void)ctx;
	(void)err;
	snprintf(date, sizeof(date), "%.7s-01", db_col_text(st, 0) ? db_col_text(st, 0) : "");
	if (!cal_parse(&day, date))
		return 0;
	r->month = day;
	r->n = db_col_int(st, 1);
	return 0;
}

int dash_new_suppliers(dash_month_row **out, size_t *out_n, store *s, const dash_filter *f,
		       int months, ulf_err *err)
{
	dash_month_row *rows_a = NULL, *got = NULL;
	size_t ngot = 0, i;
	int32_t first, end;
	char from[CAL_DATE_MAX], to[CAL_DATE_MAX];
	db_stmt *st = NULL;
	int k, rc;

	*out = NULL;
	*out_n = 0;
	if (months <= 0)
		return 0;
	if (months > 520)
		return ulf_err_set(err, ULF_EINVAL, "dashboard: at most 520 months");
	end = cal_month_add(f->to - 1, 1);
	first = cal_month_add(end, -months);
	rows_a = calloc((size_t)months, sizeof(*rows_a));
	if (!rows_a)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	for (k = 0; k < months; k++)
		rows_a[k].month = cal_month_add(first, k);
	/* a store that never imported the register has no suppliers to count */
	rc = db_prepare(&st, store_db(s), "SELECT 1 FROM schema_version"
			" WHERE module = 'refdata-contracts'", err);
	if (rc == 0)
		rc = db_step(st, err);
	db_finalize(st);
	st = NULL;
	if (rc <= 0)
		goto done;
	cal_format(from, first);
	cal_format(to, end);
	rc = db_prepare(&st, store_db(s), "SELECT substr(registered, 1, 7), COUNT(*)"
			" FROM ref_suppliers WHERE registered >= ? AND registered < ?"
			" GROUP BY substr(registered, 1, 7)", err);
	if (rc)
		goto out;
	rc = db_bind_row(st, err, DBV_TEXT(from), DBV_TEXT(to));
	if (rc == 0)
		rc = db_collect((void **)&got, &ngot, st, sizeof(*got), (size_t)months + 1,
				month_fill, NULL, err);
	db_finalize(st);
	if (rc)
		goto out;
	for (i = 0; i < ngot; i++)
		for (k = 0; k < months; k++)
			if (rows_a[k].month == got[i].month)
				rows_a[k].n += got[i].n;
done:
	if (rc < 0)
		goto out;
	rc = 0;
	*out = rows_a;
	*out_n = (size_t)months;
	rows_a = NULL;
out:
	free(got);
	free(rows_a);
	return rc;
}

/* ---- registered counts ---------------------------------------------------------- */

int dash_register_paper(store *s, int32_t day, const char *region, const char *cost_centre,
			int64_t n, ulf_err *err)
{
	return rollup_paper(store_db(s), day, region, cost_centre, n, err);
}

int dash_import_paper(int64_t *out_rows, int64_t *out_total, store *s, const char *csv,
		      size_t len, const char *name, ulf_err *err)
{
	csv_reader *r = NULL;
	const char *date, *count, *region, *cc;
	int32_t day;
	int64_t n;
	char *end;
	int rc;

	*out_rows = *out_total = 0;
	rc = csv_open(&r, csv, len, name, err);
	if (rc == 0)
		rc = csv_read_header(r, err);
	if (rc == 0 && (csv_column(r, "date") < 0 || csv_column(r, "count") < 0))
		rc = ulf_err_set(err, ULF_EPARSE, "%s: the columns date and count are needed", name);
	if (rc == 0)
		rc = store_begin(s, err);
	if (rc)
		goto out;
	while ((rc = csv_next(r, err)) == 1) {
		date = csv_get(r, "date");
		count = csv_get(r, "count");
		region = csv_get(r, "region");
		cc = csv_get(r, "cost_centre");
		if (!cal_parse(&day, date) || strlen(date) != 10) {
			rc = ulf_err_set(err, ULF_EPARSE, "%s:%u: date '%s' is not YYYY-MM-DD", name,
					 csv_line(r), date);
			break;
		}
		n = strtoll(count, &end, 10);
		if (!*count || *end || n < -1000000000 || n > 1000000000) {
			rc = ulf_err_set(err, ULF_EPARSE, "%s:%u: count '%s' is not a whole number",
					 name, csv_line(r), count);
			break;
		}
		rc = dash_register_paper(s, day, region, cc, n, err);
		if (rc)
			break;
		(*out_rows)++;
		*out_total += n;
	}
	if (rc < 0) {
		store_rollback(s);
		*out_rows = *out_total = 0;
	} else {
		rc = store_commit(s, err);
	}
out:
	csv_free(r);
	return rc;
}
