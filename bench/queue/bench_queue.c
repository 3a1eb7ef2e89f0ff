/*
 * bench_queue.c - how fast the workbench lists the exception queue.
 *
 *   bench_queue [--dir DIR] [--small N] [--large N] [--runs N]
 *               [--backend sqlite|postgresql --target CONNINFO] [--keep]
 *
 * Fills two stores in DIR (default /tmp) with --small (1 000) and --large
 * (10 000) documents waiting in the exception queue, the way the pipeline
 * puts them there (summary, facts with a due date, reasons, the transition
 * that writes the queue's index): 60 suppliers, one to three reasons of
 * eleven, three flows, due dates over three months, amounts from 10 to
 * 100 000 kronor, a tenth assigned to a handler and a twentieth on hold.
 * (With --backend postgresql one THROWAWAY database is filled twice, its
 * public schema dropped first.
 * --keep leaves the SQLite files in DIR, to look at the plans.)
 *
 * Then times queue_list - the server's part of the list page: the query,
 * the reason counts, the page of 50 rows copied out - for the default
 * list, each filter and each sort, and prints the median and the slowest
 * of --runs (21) runs in milliseconds for both sizes side by side.  The
 * target is under 100 ms on the large store for every line; the last
 * line reads
 *   ratio 10k/1k (default list): R
 * Figures are doubles: for people, never money.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "robot/pipeline/queue.h"
#include "robot/store/store.h"

typedef struct opts {
	const char *dir, *backend, *target;
	long small, large, runs;
	bool keep;
} opts;

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: the same data every run */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* 2025-04-10 12:00 UTC */
#define NOW 1744286400

static const char *const reasons[] = {
	"PRICE_DEVIATION", "QUANTITY_DEVIATION", "AMOUNT_DEVIATION", "TOTAL_DEVIATION",
	"NO_ORDER", "NO_BOOKING", "UNKNOWN_SUPPLIER", "NOT_RECEIVED", "DUPLICATE",
	"RECURRING_DEVIATION", "INVALID",
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

static const char *const flows[] = { "po", "po", "po", "non-po", "care" };
static const char *const users[] = { "anna", "bert", "cecilia" };

static void die(const char *what, const ulf_err *err)
{
	fprintf(stderr, "bench_queue: %s: %s\n", what, err ? err->msg : "failed");
	exit(1);
}

/* Documents first..first+n-1 received in one commit, then each put into
 * the queue the way the pipeline does it, in one transaction. */
static void put_batch(int64_t *ids, store *s, long first, long n)
{
	store_intake in[500];
	char names[500][48], bodies[500][96];
	int64_t received[500];
	ulf_err err;
	long i;

	ulf_err_clear(&err);
	for (i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "invoice-%ld.xml", first + i);
		snprintf(bodies[i], sizeof(bodies[i]), "<Invoice n=\"%ld\" r=\"%llu\"/>", first + i,
			 (unsigned long long)rnd());
		memset(&in[i], 0, sizeof(in[i]));
		in[i].source = "bench";
		in[i].name = names[i];
		in[i].data = bodies[i];
		in[i].len = strlen(bodies[i]);
		received[i] = NOW - 86400 * 30 + (int64_t)(rnd() % (86400 * 30));
	}
	if (store_receive_many(in, (size_t)n, s, NOW - 86400 * 30, &err))
		die("store_receive_many", &err);
	if (store_begin(s, &err))
		die("begin", &err);
	for (i = 0; i < n; i++) {
		char facts[64], seller[64], org[16], amount[32], codes[160];
		const char *a = reasons[rnd() % NREASONS], *b = reasons[rnd() % NREASONS];
		store_summary sum;
		struct tm tm;
		time_t due = NOW - 20 * 86400 + (time_t)(rnd() % 90) * 86400;

		gmtime_r(&due, &tm);
		strftime(facts, sizeof(facts), "{\"due_date\":\"%Y-%m-%d\"}", &tm);
		snprintf(seller, sizeof(seller), "Leverantör %02d AB", (int)(rnd() % 60));
		snprintf(org, sizeof(org), "55%08d", (int)(rnd() % 60));
		snprintf(amount, sizeof(amount), "%llu.%02llu",
			 (unsigned long long)(10 + rnd() % 100000), (unsigned long long)(rnd() % 100));
		switch (rnd() % 3) {
		case 0:
			snprintf(codes, sizeof(codes), "[\"%s\"]", a);
			break;
		case 1:
			snprintf(codes, sizeof(codes), "[\"%s\",\"%s\"]", a, b);
			break;
		default:
			snprintf(codes, sizeof(codes), "[\"%s\",\"%s\",\"%s\"]", a, b,
				 reasons[rnd() % NREASONS]);
			break;
		}
		memset(&sum, 0, sizeof(sum));
		sum.kind = "invoice";
		sum.syntax = "peppol-bis3";
		sum.invoice_number = names[i];
		sum.seller_name = seller;
		sum.seller_org = org;
		sum.currency = "SEK";
		sum.payable = amount;
		sum.flow = flows[rnd() % 5];
		sum.decision = "exception";
		sum.reasons = codes;
		sum.facts = facts;
		ids[first + i] = in[i].id;
		if (store_set_summary(s, in[i].id, &sum, received[i], &err) ||
		    store_transition(s, in[i].id, ST_RECEIVED, ST_EXCEPTION, "match", 0, NULL,
				     received[i], &err))
			die("into the queue", &err);
	}
	if (store_commit(s, &err))
		die("commit", &err);
}

static store *fill(const opts *o, const char *label, long n)
{
	char path[1024];
	store *s = NULL;
	int64_t *ids;
	ulf_err err;
	long i;
	int64_t t0 = now_ns();

	ulf_err_clear(&err);
	if (!strcmp(o->backend, "sqlite")) {
		snprintf(path, sizeof(path), "%s/ulf-bench-queue-%s-%ld.db", o->dir, label,
			 (long)getpid());
		unlink(path);
	} else {
		/* a throwaway database: its public schema emptied, as the tests do */
		db *d = NULL;
		snprintf(path, sizeof(path), "%s", o->target);
		if (db_open(&d, o->backend, path, &err) ||
		    db_exec(d, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", &err))
			die("emptying the database", &err);
		db_close(d);
	}
	if (store_open(&s, o->backend, path, &err))
		die("store_open", &err);
	if (db_set_durable(store_db(s), false, &err))
		die("durability", &err);
	ids = calloc((size_t)n, sizeof(*ids));
	if (!ids)
		die("memory", NULL);
	for (i = 0; i < n; i += 500)
		put_batch(ids, s, i, n - i < 500 ? n - i : 500);
	/* a tenth assigned, a twentieth on hold: as handlers would */
	for (i = 0; i < n / 10; i++) {
		queue_item it;
		queue_act a;
		arena mem;
		bool found, waiting;

		arena_init(&mem, 1u << 20);
		if (queue_index_get(&it, &found, &waiting, s, ids[rnd() % (uint64_t)n], &mem, &err))
			die("queue_index_get", &err);
		memset(&a, 0, sizeof(a));
		a.id = it.id;
		a.version = it.version;
		a.who = users[i % 3];
		a.action = i % 2 ? "assign" : "hold";
		a.now = NOW;
		a.must_wait = true;
		a.set_assignee = true;
		a.assignee = users[rnd() % 3];
		a.set_hold = i % 2 == 0;
		a.hold_until = "2025-05-01";
		if (found && queue_index_act(s, &a, &err))
			die("queue_index_act", &err);
		arena_release(&mem);
	}
	free(ids);
	if (db_set_durable(store_db(s), true, &err))
		die("durability", &err);
	fprintf(stderr, "bench_queue: %ld waiting documents filled in %.1f s\n", n,
		(double)(now_ns() - t0) / 1e9);
	return s;
}

typedef struct scenario {
	const char *name;
	queue_filter f;
} scenario;

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Median and slowest of `runs` runs, in ms; *total gets the page's total. */
static void time_list(double *median, double *worst, int64_t *total, store *s,
		      const queue_filter *f, long runs)
{
	int64_t *t = calloc((size_t)runs, sizeof(*t));
	queue_page pg;
	ulf_err err;
	long r;

	if (!t)
		die("memory", NULL);
	ulf_err_clear(&err);
	for (r = 0; r < runs; r++) {
		int64_t t0 = now_ns();
		if (queue_list(&pg, s, f, NOW, &err))
			die("queue_list", &err);
		t[r] = now_ns() - t0;
		*total = pg.total;
		queue_page_release(&pg);
	}
	qsort(t, (size_t)runs, sizeof(*t), cmp_i64);
	*median = (double)t[runs / 2] / 1e6;
	*worst = (double)t[runs - 1] / 1e6;
	free(t);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "small", required_argument, NULL, 's' },
		{ "large", required_argument, NULL, 'l' },
		{ "runs", required_argument, NULL, 'r' },
		{ "backend", required_argument, NULL, 'b' },
		{ "target", required_argument, NULL, 't' },
		{ "keep", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	opts o = { "/tmp", "sqlite", NULL, 1000, 10000, 21, false };
	scenario sc[16];
	size_t n = 0, i;
	store *small, *large;
	double base_small = 0, base_large = 0, worst_median = 0;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.dir = optarg; break;
		case 's': o.small = atol(optarg); break;
		case 'l': o.large = atol(optarg); break;
		case 'r': o.runs = atol(optarg); break;
		case 'b': o.backend = optarg; break;
		case 't': o.target = optarg; break;
		case 'k': o.keep = true; break;
		default:
			fprintf(stderr, "usage: bench_queue [--dir DIR] [--small N] [--large N]"
				" [--runs N] [--backend B --target T]\n");
			return 2;
		}
	}
	if (o.small < 1 || o.large < 1 || o.runs < 1 ||
	    (strcmp(o.backend, "sqlite") && !o.target)) {
		fprintf(stderr, "bench_queue: sizes and runs must be positive; another backend"
			" needs --target\n");
		return 2;
	}
	memset(sc, 0, sizeof(sc));
	sc[n++].name = "default (due date, first page)";
	sc[n].name = "reason PRICE_DEVIATION";
	sc[n++].f.reason = "PRICE_DEVIATION";
	sc[n].name = "supplier \"leverantör 1\"";
	sc[n++].f.supplier = "leverantör 1";
	sc[n].name = "supplier org number";
	sc[n++].f.supplier = "5500000007";
	sc[n].name = "flow non-po";
	sc[n++].f.flow = "non-po";
	sc[n].name = "mine (anna)";
	sc[n].f.who = QUEUE_MINE;
	sc[n++].f.user = "anna";
	sc[n].name = "unassigned";
	sc[n++].f.who = QUEUE_UNASSIGNED;
	sc[n].name = "due within 7 days";
	sc[n].f.due_within_set = true;
	sc[n++].f.due_within_days = 7;
	sc[n].name = "not on hold";
	sc[n++].f.held = QUEUE_HELD_NOT;
	sc[n].name = "sort by age";
	sc[n++].f.sort = QUEUE_SORT_AGE;
	sc[n].name = "sort by amount, largest first";
	sc[n].f.sort = QUEUE_SORT_AMOUNT;
	sc[n++].f.descending = true;
	sc[n].name = "last page (offset 9 950)";
	sc[n++].f.offset = 9950;
	sc[n].name = "reason + unassigned + due 30 d";
	sc[n].f.reason = "NO_BOOKING";
	sc[n].f.who = QUEUE_UNASSIGNED;
	sc[n].f.due_within_set = true;
	sc[n++].f.due_within_days = 30;
	sc[n].name = "page of 500 rows";
	sc[n++].f.limit = 500;

	small = fill(&o, "small", o.small);
	/* PostgreSQL: one database, measured before it is filled again */
	if (strcmp(o.backend, "sqlite") != 0) {
		double m, w;
		int64_t tot;
		time_list(&m, &w, &tot, small, &sc[0].f, o.runs);
		base_small = m;
		store_close(small);
		small = NULL;
	}
	large = fill(&o, "large", o.large);

	printf("queue_list, median (slowest) of %ld runs, ms     %8ld docs          %8ld docs\n",
	       o.runs, o.small, o.large);
	for (i = 0; i < n; i++) {
		double ms = 0, ws = 0, ml, wl;
		int64_t ts = 0, tl;
		if (small)
			time_list(&ms, &ws, &ts, small, &sc[i].f, o.runs);
		time_list(&ml, &wl, &tl, large, &sc[i].f, o.runs);
		if (i == 0) {
			if (small)
				base_small = ms;
			base_large = ml;
		}
		if (ml > worst_median)
			worst_median = ml;
		if (small)
			printf("  %-38s %7.2f (%7.2f) %6lld   %7.2f (%7.2f) %6lld\n", sc[i].name, ms, ws,
			       (long long)ts, ml, wl, (long long)tl);
		else
			printf("  %-38s %25s   %7.2f (%7.2f) %6lld\n", sc[i].name, "-", ml, wl,
			       (long long)tl);
	}
	printf("slowest median on %ld documents: %.2f ms (target < 100 ms): %s\n", o.large,
	       worst_median, worst_median < 100 ? "ok" : "TOO SLOW");
	printf("ratio %ldk/%ldk (default list): %.2f\n", o.large / 1000, o.small / 1000,
	       base_small > 0 ? base_large / base_small : 0.0);
	store_close(small);
	store_close(large);
	if (!strcmp(o.backend, "sqlite") && !o.keep) {
		static const char *const which[] = { "small", "large" };
		static const char *const ext[] = { "", "-wal", "-shm" };
		char path[1024];
		size_t k, e;
		for (k = 0; k < 2; k++)
			for (e = 0; e < 3; e++) {
				snprintf(path, sizeof(path), "%s/ulf-bench-queue-%s-%ld.db%s", o.dir,
					 which[k], (long)getpid(), ext[e]);
				unlink(path);
			}
	}
	return worst_median < 100 ? 0 : 1;
}
