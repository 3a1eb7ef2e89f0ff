/*
 * bench_dashboard.c - how fast the dashboard's figures come, and that
 * their cost does not grow with the number of documents.
 *
 *   bench_dashboard [--dir DIR] [--small N] [--large N] [--suppliers N]
 *                   [--cost-centres N] [--pg CONNINFO] [--reps N] [--reuse]
 *                   [--no-sqlite]
 *
 * Fills a store with --small (100 000) and one with --large (1 000 000)
 * documents spread over 13 months, through the rollup path (dash_load.h:
 * each document's receipt, summary, transitions and persons' actions, as
 * the pipeline and the workbench write them), on SQLite in DIR (default
 * /tmp) and, with --pg, on PostgreSQL as well (its schema is emptied
 * first).  Both stores share one register of --suppliers (3 000)
 * suppliers, 3 regions with --cost-centres (40) cost centres each, and
 * the same mix: 70 % posted by the robot, the rest through the queue
 * (released, rejected, retried, some still waiting), ERP hold-ups,
 * resends, the same bytes again, PDFs.
 *
 * Then times every query function as a page calls it (the best of --reps,
 * default 5, runs), each page (the functions it calls) and a /metrics
 * scrape render, for both sizes side by side, with the targets: under
 * 200 ms a page, under 50 ms a scrape, and a cost ratio from the small to
 * the large store of at most 1.3.  Its last line:
 *   cost ratio 1M/100k documents: R   (the sum of the pages and the scrape)
 * --reuse measures the SQLite stores an earlier run left in DIR without
 * filling them again; --no-sqlite runs on PostgreSQL only.  Figures are doubles: for people, never money.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/calendar.h"
#include "core/err.h"
#include "robot/service/metrics.h"
#include "robot/store/dash_load.h"
#include "robot/store/dashboard.h"
#include "robot/store/refdata.h"
#include "robot/store/store.h"

typedef struct opts {
	const char *dir, *pg;
	long small, large, suppliers, cost_centres;
	int reps;
	bool reuse;     /* SQLite: measure the stores a run before filled */
	bool no_sqlite; /* PostgreSQL only */
} opts;

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: the same data every run */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static long below(long n)
{
	return (long)(rnd() % (uint64_t)n);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what, const ulf_err *err)
{
	fprintf(stderr, "bench_dashboard: %s: %s\n", what, err->msg);
	exit(1);
}

static const char *const regions[3] = { "2321000032", "2321000172", "2321000040" };
static const char *const reasons[] = {
	"NO_ORDER", "PRICE_DEVIATION", "QUANTITY_DEVIATION", "NOT_RECEIVED", "NO_BOOKING",
	"LOW_CONFIDENCE", "TOTAL_DEVIATION", "UNKNOWN_SUPPLIER", "INVALID",
};

/* The fixed end of the 13 months, so both sizes see the same calendar. */
static int32_t end_day(void)
{
	return cal_day_from_ymd(2026, 5, 29);
}

static void org_of(char out[24], long i)
{
	snprintf(out, 24, "55%08ld", 20000000 + i % 10000000);   /* third digit 2: a company */
}

/* A supplier by a skewed draw: a few big ones, a long tail. */
static long supplier_draw(const opts *o)
{
	long r = below(1000);

	if (r < 600)
		return below(o->suppliers / 20 + 1);
	return below(o->suppliers);
}

static void suppliers(store *s, const opts *o)
{
	refdata *r = NULL;
	ref_supplier sp;
	ulf_err err;
	bool upd;
	long i;

	ulf_err_clear(&err);
	if (refdata_open(&r, store_db(s), &err) || refdata_begin(r, &err))
		die("refdata", &err);
	for (i = 0; i < o->suppliers; i++) {
		memset(&sp, 0, sizeof(sp));
		snprintf(sp.supplier_no, sizeof(sp.supplier_no), "B%05ld", i);
		snprintf(sp.name, sizeof(sp.name), "Leverantör %ld AB", i);
		{
			char org[24];
			org_of(org, i);
			memcpy(sp.org_no, org, 11);   /* ten digits */
		}
		sp.contract = i % 3 != 0;
		if (sp.contract && i % 7 == 0)
			snprintf(sp.contract_to, sizeof(sp.contract_to), "2026-01-31");
		snprintf(sp.registered, sizeof(sp.registered), "20%02ld-%02ld-15",
			 24 + (i % 3), 1 + i % 12);
		if (refdata_put_supplier(&upd, r, &sp, (int64_t)time(NULL), &err))
			die("supplier", &err);
	}
	if (refdata_commit(r, &err))
		die("refdata commit", &err);
	refdata_free(r);
}

/* Adds n working days to a day. */
static int32_t working_after(int32_t day, int n)
{
	while (n > 0) {
		day++;
		if (cal_is_working_day(day))
			n--;
	}
	return day;
}

static void fill(store *s, const opts *o, long n)
{
	int32_t last = end_day(), first = cal_month_add(last, -13);
	int64_t stop = cal_local(last, 17 * 3600);
	char id[32], org[24], name[64], cc[32], amount[48], issue[CAL_DATE_MAX], due[CAL_DATE_MAX];
	double t0 = now_ms();
	dash_life l;
	ulf_err err;
	bool fresh;
	long i, batch = 0;

	rng_state = 0x9E3779B97F4A7C15ull;
	ulf_err_clear(&err);
	if (store_begin(s, &err))
		die("begin", &err);
	for (i = 0; i < n; i++) {
		int32_t day;
		long roll = below(1000), sup = supplier_draw(o), reg = below(3);
		int64_t rec;

		do
			day = first + (int32_t)below(last - first + 1);
		while (!cal_is_working_day(day));
		rec = cal_local(day, (int32_t)(7 * 3600 + below(10 * 3600)));
		memset(&l, 0, sizeof(l));
		snprintf(id, sizeof(id), "b%07ld", i);
		org_of(org, sup);
		snprintf(name, sizeof(name), "Leverantör %ld AB", sup);
		snprintf(cc, sizeof(cc), "%ld", 1000 + reg * 100 + below(o->cost_centres));
		snprintf(amount, sizeof(amount), "%ld.%02ld", 100 + below(50000), below(100));
		cal_format(issue, day - (int32_t)below(4));
		cal_format(due, day + 10 + (int32_t)below(25));
		l.source = "bench";
		l.id = id;
		l.received = rec;
		l.kind = below(40) == 0 ? "credit-note" : "invoice";
		l.region = regions[reg];
		l.supplier = org;
		l.supplier_name = name;
		l.flow = below(10) < 6 ? "po" : below(10) < 8 ? "non-po" : "care";
		l.cost_centre = cc;
		l.lines = 1 + (int)below(5);
		l.amount = amount;
		l.issue_date = issue;
		l.due_date = due;
		l.handler = "handler";
		if (roll < 700) {
			l.outcome = "auto";
			l.posted = rec + 60 + below(3600);
		} else if (roll < 710) {
			l.kind = "paper";
			l.outcome = "open";
			l.decided = rec;
			if (rec + 7200 < stop)
				l.acted = rec + 7200;
		} else if (roll < 720) {
			l.outcome = "erp-hold";
			l.decided = rec + 60;
			l.acted = rec + 3600 + below(20000);
			l.posted = l.acted + 60;
		} else if (roll < 730) {
			l.outcome = "resend";
			l.decided = rec + 60;
			l.acted = rec + 7200;
		} else {
			int32_t on = working_after(day, (int)below(10));
			l.decided = rec + 60;
			l.reasons = reasons[below(sizeof(reasons) / sizeof(reasons[0]))];
			l.acted = cal_local(on, (int32_t)(8 * 3600 + below(8 * 3600)));
			if (l.acted <= l.decided)
				l.acted = l.decided + 600;
			roll = below(100);
			l.outcome = roll < 78 ? "resolve" : roll < 88 ? "reject" : "retry";
			if (strcmp(l.outcome, "reject") != 0)
				l.posted = l.acted + 300;
			l.lines_changed = below(4) == 0 ? 1 : 0;
			if (l.acted + 300 > stop) {
				l.outcome = "open";
				l.acted = l.posted = 0;
			}
		}
		if (l.posted > stop || l.acted > stop) {
			l.outcome = strcmp(l.kind, "paper") ? "open" : l.outcome;
			l.acted = l.posted = 0;
			if (!l.decided)
				l.decided = rec;
		}
		if (below(300) == 0 && rec + 7200 < stop)
			l.again = rec + 7200;
		if (dash_life_load(&fresh, s, &l, &err))
			die(id, &err);
		if (++batch == 5000) {
			batch = 0;
			if (store_commit(s, &err) || store_checkpoint(s, &err) || store_begin(s, &err))
				die("commit", &err);
		}
		if ((i + 1) % 100000 == 0)
			fprintf(stderr, "  %ld documents, %.0f a second\n", i + 1,
				(double)(i + 1) / ((now_ms() - t0) / 1e3));
	}
	if (store_commit(s, &err) || store_checkpoint(s, &err))
		die("commit", &err);
	fprintf(stderr, "  filled %ld documents in %.1f s\n", n, (now_ms() - t0) / 1e3);
}

/* ---- the queries, as the pages call them ----------------------------------- */

typedef struct ctx {
	store *s;
	dash_filter month, d30, cc;
	int32_t today;
	int64_t now;
	metrics_cache cache;
} ctx;

enum {
	Q_TOUCHLESS, Q_TOUCHLESS_CC, Q_TOUCHLESS_30D, Q_REASONS, Q_SUPPLIERS, Q_TOP10,
	Q_QUEUE, Q_LEAD, Q_BOARD, Q_HANDLERS, Q_WEEKS, Q_MONTHS, Q_COMPARE, Q_EINVOICE,
	Q_TAIL, Q_TAIL_LIST, Q_NEW, Q_CONTRACT, Q_WITHOUT, Q_METRICS, NQ
};

static const char *const qnames[NQ] = {
	"dash_touchless (this month)", "dash_touchless (a cost centre)",
	"dash_touchless (last 30 days)", "dash_reasons", "dash_suppliers (all)",
	"dash_suppliers (top ten)", "dash_queue_now", "dash_lead_time", "dash_board (12 w)",
	"dash_handlers (12 w)", "dash_trend_weeks (12)", "dash_trend_months (12)", "dash_compare",
	"dash_einvoice_share", "dash_supplier_tail", "dash_supplier_tail (and list)", "dash_new_suppliers",
	"dash_contract_compliance", "dash_without_contract", "metrics_dashboard (scrape)",
};

static void run_query(ctx *c, int q)
{
	ulf_err err;
	void *rows = NULL;
	size_t n;
	int rc = 0;

	ulf_err_clear(&err);
	switch (q) {
	case Q_TOUCHLESS: rc = dash_touchless((dash_rate_row **)&rows, &n, c->s, &c->month, &err); break;
	case Q_TOUCHLESS_CC: rc = dash_touchless((dash_rate_row **)&rows, &n, c->s, &c->cc, &err); break;
	case Q_TOUCHLESS_30D: rc = dash_touchless((dash_rate_row **)&rows, &n, c->s, &c->d30, &err); break;
	case Q_REASONS: rc = dash_reasons((dash_reason_row **)&rows, &n, NULL, c->s, &c->month, &err); break;
	case Q_SUPPLIERS: rc = dash_suppliers((dash_supplier_row **)&rows, &n, c->s, &c->month, 0, &err); break;
	case Q_TOP10: rc = dash_suppliers((dash_supplier_row **)&rows, &n, c->s, &c->month, 10, &err); break;
	case Q_QUEUE: {
		dash_queue qq;
		rc = dash_queue_now(&qq, c->s, &c->month, c->today, &err);
		if (rc == 0)
			dash_queue_release(&qq);
		break;
	}
	case Q_LEAD: {
		dash_lead l;
		rc = dash_lead_time(&l, c->s, &c->month, &err);
		break;
	}
	case Q_BOARD: rc = dash_board((dash_week_row **)&rows, &n, c->s, &c->month, 12, &err); break;
	case Q_HANDLERS: rc = dash_handlers((dash_handler_row **)&rows, &n, c->s, &c->month, 12, &err); break;
	case Q_WEEKS: rc = dash_trend_weeks((dash_trend_row **)&rows, &n, c->s, &c->month, 12, &err); break;
	case Q_MONTHS: rc = dash_trend_months((dash_trend_row **)&rows, &n, c->s, &c->month, 12, &err); break;
	case Q_COMPARE: {
		dash_trend_row two[2];
		rc = dash_compare(two, c->s, &c->month, &err);
		break;
	}
	case Q_EINVOICE: {
		dash_einvoice e;
		rc = dash_einvoice_share(&e, c->s, &c->month, &err);
		break;
	}
	case Q_TAIL: {
		dash_tail t;
		rc = dash_supplier_tail(&t, NULL, NULL, c->s, &c->month, 0, 0, &err);
		break;
	}
	case Q_TAIL_LIST: {
		dash_tail t;
		rc = dash_supplier_tail(&t, (dash_spend_row **)&rows, &n, c->s, &c->month, 0, 100, &err);
		break;
	}
	case Q_NEW: rc = dash_new_suppliers((dash_month_row **)&rows, &n, c->s, &c->month, 12, &err); break;
	case Q_CONTRACT: {
		dash_contract k;
		rc = dash_contract_compliance(&k, c->s, &c->month, &err);
		break;
	}
	case Q_WITHOUT: rc = dash_without_contract((dash_spend_row **)&rows, &n, c->s, &c->month, 100, &err); break;
	case Q_METRICS: {
		dynbuf b;
		dynbuf_init(&b, 1u << 24);
		/* the service keeps the slow unit figures for ten minutes:
		 * a scrape like most of them, the cache filled */
		rc = metrics_dashboard(&b, c->s, c->now, &c->cache, &err);
		dynbuf_release(&b);
		break;
	}
	default: break;
	}
	free(rows);
	if (rc)
		die(qnames[q], &err);
}

/* The pages and the queries each calls. */
static const struct page {
	const char *name;
	int q[8];
} pages[] = {
	{ "overview", { Q_TOUCHLESS, Q_QUEUE, Q_EINVOICE, Q_WEEKS, Q_COMPARE, -1 } },
	{ "automation", { Q_TOUCHLESS, Q_TOUCHLESS_CC, Q_WEEKS, Q_MONTHS, -1 } },
	{ "exceptions", { Q_REASONS, Q_TOP10, Q_SUPPLIERS, -1 } },
	{ "queue", { Q_QUEUE, -1 } },
	{ "lead time", { Q_LEAD, -1 } },
	{ "weekly board", { Q_BOARD, Q_HANDLERS, -1 } },
	{ "trends", { Q_WEEKS, Q_MONTHS, Q_COMPARE, -1 } },
	{ "indicators", { Q_EINVOICE, Q_TAIL_LIST, Q_NEW, Q_CONTRACT, Q_WITHOUT, -1 } },
};
#define NPAGES (sizeof(pages) / sizeof(pages[0]))

typedef struct result {
	double q[NQ];
	double page[NPAGES];
	double scrape, scrape_cold;
} result;

static double best_of(ctx *c, const int *qs, int reps)
{
	double best = 1e30;
	int r, i;

	for (r = 0; r < reps; r++) {
		double t0 = now_ms();
		for (i = 0; qs[i] >= 0; i++)
			run_query(c, qs[i]);
		if (now_ms() - t0 < best)
			best = now_ms() - t0;
	}
	return best;
}

static void measure(result *res, store *s, const opts *o)
{
	ctx c;
	int q;
	size_t p;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.today = end_day();
	c.now = cal_local(c.today, 16 * 3600);
	c.month = dash_period(cal_month_start(c.today), c.today + 1);
	c.d30 = dash_period(c.today - 29, c.today + 1);
	c.cc = c.month;
	c.cc.cost_centre = "1105";
	for (q = 0; q < NQ; q++) {
		int one[2] = { q, -1 };
		run_query(&c, q);              /* statements prepared, pages warm */
		res->q[q] = best_of(&c, one, o->reps);
	}
	for (p = 0; p < NPAGES; p++)
		res->page[p] = best_of(&c, pages[p].q, o->reps);
	res->scrape = res->q[Q_METRICS];
	/* and a scrape that reads the slow figures too, every ten minutes */
	metrics_cache_release(&c.cache);
	{
		int one[2] = { Q_METRICS, -1 };
		double t0 = now_ms();
		run_query(&c, Q_METRICS);
		res->scrape_cold = now_ms() - t0;
		(void)one;
	}
	metrics_cache_release(&c.cache);
}

static store *fresh_store(const char *backend, const char *target, bool *filled,
			 const opts *o)
{
	store *s = NULL;
	db *d = NULL;
	ulf_err err;

	ulf_err_clear(&err);
	*filled = false;
	if (o->reuse && strcmp(backend, "postgresql") != 0 && access(target, R_OK) == 0) {
		*filled = true;
	} else if (!strcmp(backend, "postgresql")) {
		if (db_open(&d, backend, target, &err) ||
		    db_exec(d, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", &err))
			die("emptying the PostgreSQL schema", &err);
		db_close(d);
	} else {
		unlink(target);
		{
			char wal[1100];
			snprintf(wal, sizeof(wal), "%s-wal", target);
			unlink(wal);
			snprintf(wal, sizeof(wal), "%s-shm", target);
			unlink(wal);
		}
	}
	if (store_open(&s, backend, target, &err))
		die("store_open", &err);
	return s;
}

static void report(const char *backend, const result *r, long small, long large)
{
	double sum_s = 0, sum_l = 0;
	size_t p;
	int q;

	printf("\n%s: time in ms (best of the runs), %ld and %ld documents\n", backend, small, large);
	printf("%-34s %10s %10s %7s\n", "query", "small", "large", "ratio");
	for (q = 0; q < NQ; q++)
		printf("%-34s %10.2f %10.2f %7.2f\n", qnames[q], r[0].q[q], r[1].q[q],
		       r[1].q[q] / (r[0].q[q] > 0 ? r[0].q[q] : 1e-9));
	printf("\n%-34s %10s %10s %7s  target\n", "page", "small", "large", "ratio");
	for (p = 0; p < NPAGES; p++) {
		printf("%-34s %10.2f %10.2f %7.2f  %s\n", pages[p].name, r[0].page[p], r[1].page[p],
		       r[1].page[p] / r[0].page[p], r[1].page[p] < 200 ? "< 200 ms: met" : "MISSED");
		sum_s += r[0].page[p];
		sum_l += r[1].page[p];
	}
	printf("%-34s %10.2f %10.2f %7.2f  %s\n", "/metrics scrape", r[0].scrape, r[1].scrape,
	       r[1].scrape / r[0].scrape, r[1].scrape < 50 ? "< 50 ms: met" : "MISSED");
	printf("%-34s %10.2f %10.2f %7.2f  %s\n", "  (every 10 min: unit figures read)",
	       r[0].scrape_cold, r[1].scrape_cold, r[1].scrape_cold / r[0].scrape_cold,
	       r[1].scrape_cold < 50 ? "< 50 ms: met" : "over 50 ms");
	sum_s += r[0].scrape;
	sum_l += r[1].scrape;
	printf("cost ratio %s/%s documents: %.2f\n", large >= 1000000 ? "1M" : "large",
	       small >= 100000 ? "100k" : "small", sum_l / sum_s);
}

static void bench(const char *backend, const char *target_small, const char *target_large,
		  const opts *o)
{
	result r[2];
	store *s;

	bool filled;

	fprintf(stderr, "%s: %ld documents\n", backend, o->small);
	s = fresh_store(backend, target_small, &filled, o);
	if (!filled) {
		suppliers(s, o);
		fill(s, o, o->small);
	}
	measure(&r[0], s, o);
	store_close(s);
	fprintf(stderr, "%s: %ld documents\n", backend, o->large);
	s = fresh_store(backend, target_large, &filled, o);
	if (!filled) {
		suppliers(s, o);
		fill(s, o, o->large);
	}
	measure(&r[1], s, o);
	store_close(s);
	report(backend, r, o->small, o->large);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "small", required_argument, NULL, 's' },
		{ "large", required_argument, NULL, 'l' },
		{ "suppliers", required_argument, NULL, 'u' },
		{ "cost-centres", required_argument, NULL, 'k' },
		{ "pg", required_argument, NULL, 'p' },
		{ "reps", required_argument, NULL, 'r' },
		{ "reuse", no_argument, NULL, 'R' },
		{ "no-sqlite", no_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 }
	};
	opts o = { "/tmp", NULL, 100000, 1000000, 3000, 40, 5, false, false };
	char small[1024], large[1024];
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.dir = optarg; break;
		case 's': o.small = strtol(optarg, NULL, 10); break;
		case 'l': o.large = strtol(optarg, NULL, 10); break;
		case 'u': o.suppliers = strtol(optarg, NULL, 10); break;
		case 'k': o.cost_centres = strtol(optarg, NULL, 10); break;
		case 'p': o.pg = optarg; break;
		case 'r': o.reps = (int)strtol(optarg, NULL, 10); break;
		case 'R': o.reuse = true; break;
		case 'N': o.no_sqlite = true; break;
		default:
			fprintf(stderr, "usage: bench_dashboard [--dir DIR] [--small N] [--large N]"
				" [--suppliers N] [--cost-centres N] [--pg CONNINFO] [--reps N]"
				" [--reuse] [--no-sqlite]\n");
			return 64;
		}
	}
	if (o.small <= 0 || o.large <= 0 || o.suppliers <= 20 || o.cost_centres <= 0 ||
	    o.reps <= 0) {
		fprintf(stderr, "bench_dashboard: sizes must be positive (suppliers over 20)\n");
		return 64;
	}
	snprintf(small, sizeof(small), "%s/ulf-bench-dashboard-small.db", o.dir);
	snprintf(large, sizeof(large), "%s/ulf-bench-dashboard-large.db", o.dir);
	if (!o.no_sqlite)
		bench("sqlite", small, large, &o);
	if (o.pg)
		bench("postgresql", o.pg, o.pg, &o);
	return 0;
}
