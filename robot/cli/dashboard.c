/*
 * dashboard.c - `ulf dashboard`: the controllers' figures on the command
 * line (robot/store/dashboard.h), and the two ways figures come in that
 * are not documents arriving.
 *
 *   ulf dashboard show [options]          the figures of a period, as text
 *   ulf dashboard csv TABLE [options]     one table as CSV (the pages' export)
 *   ulf dashboard import-paper FILE       counts of invoices that came on paper
 *   ulf dashboard import-lives FILE       documents' lives (history, generated)
 *
 * Exit 0, 2 when the store or a file cannot be read or loaded, 64 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/fileio.h"
#include "robot/cli/cli.h"
#include "robot/store/dash_load.h"
#include "robot/store/dashboard.h"
#include "robot/store/refdata.h"

static void dash_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf dashboard show [options]\n"
		"       ulf dashboard csv TABLE [options]\n"
		"       ulf dashboard import-paper [--config FILE] [--store PATH] FILE\n"
		"       ulf dashboard import-lives [--config FILE] [--store PATH] FILE\n"
		"The controllers' figures (docs/dashboard.md), from the store's rollups.\n"
		"  --config FILE      take the store from FILE\n"
		"  --store PATH       the store\n"
		"  --from DATE        first day of the period (default: the first of this month)\n"
		"  --to DATE          last day of the period (default: today)\n"
		"  --today DATE       the day the queue is aged on (default: today)\n"
		"  --region ORG       one region (the buyer's org number)\n"
		"  --cost-centre CC   one cost centre\n"
		"  --flow FLOW        po, non-po or care\n"
		"TABLE: touchless, reasons, suppliers, queue, queue-reasons, lead, board,\n"
		"  handlers, trend-weeks, trend-months, compare, einvoice, tail,\n"
		"  tail-suppliers, new-suppliers, contract, without-contract\n"
		"import-paper FILE: CSV with date and count (and region, cost_centre).\n"
		"import-lives FILE: CSV of documents' lives (docs/dashboard.md).\n");
}

typedef struct opts {
	const char *config, *store_path;
	dash_filter f;
	int32_t today;
} opts;

static int parse_day(int32_t *out, const char *s, const char *what)
{
	if (!cal_parse(out, s) || strlen(s) != 10) {
		fprintf(stderr, "ulf dashboard: %s '%s' is not YYYY-MM-DD\n", what, s);
		return CLI_USAGE;
	}
	return 0;
}

static int parse_opts(opts *o, int argc, char **argv, int first)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "today", required_argument, NULL, 'D' },
		{ "region", required_argument, NULL, 'r' },
		{ "cost-centre", required_argument, NULL, 'k' },
		{ "flow", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int32_t last;
	int c, rc = 0;
	bool from = false, to = false;

	memset(o, 0, sizeof(*o));
	o->today = cal_day_of((int64_t)time(NULL));
	last = o->today;
	optind = first;
	while (rc == 0 && (c = getopt_long(argc, argv, "c:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 's': o->store_path = optarg; break;
		case 'F': rc = parse_day(&o->f.from, optarg, "--from"); from = true; break;
		case 'T': rc = parse_day(&last, optarg, "--to"); to = true; break;
		case 'D': rc = parse_day(&o->today, optarg, "--today"); break;
		case 'r': o->f.region = optarg; break;
		case 'k': o->f.cost_centre = optarg; break;
		case 'f': o->f.flow = optarg; break;
		case 'h': dash_usage(stdout); return -1;
		default: dash_usage(stderr); return CLI_USAGE;
		}
	}
	if (rc)
		return rc;
	if (!to && !from)
		last = o->today;
	o->f.to = last + 1;
	if (!from)
		o->f.from = cal_month_start(last);
	if (o->f.from >= o->f.to) {
		fprintf(stderr, "ulf dashboard: --from is after --to\n");
		return CLI_USAGE;
	}
	return 0;
}

static int open_store(store **out, const opts *o, ulf_err *err)
{
	ulf_config cfg;
	int rc;

	*out = NULL;
	rc = cli_load_config(&cfg, o->config, o->store_path, NULL, err);
	if (rc == 0)
		rc = store_open(out, cfg.store_backend, cfg.store_path, err);
	return rc;
}

static void pct(char *buf, size_t n, int64_t rate)
{
	if (rate < 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%lld.%02lld %%", (long long)(rate / 100), (long long)(rate % 100));
}

static void sek(char *buf, size_t n, int64_t ore)
{
	dash_format_ore(buf, n, ore);
}

/* The figures of the period, as text. */
static int show(store *s, const opts *o, ulf_err *err)
{
	const dash_filter *f = &o->f;
	dash_rate_row *r = NULL;
	dash_reason_row *rs = NULL;
	dash_supplier_row *sp = NULL;
	dash_queue q;
	dash_lead l;
	dash_einvoice e;
	dash_tail t;
	dash_contract c;
	size_t n, i;
	char a[48], b[48], from[CAL_DATE_MAX], to[CAL_DATE_MAX];
	int rc;

	memset(&q, 0, sizeof(q));
	cal_format(from, f->from);
	cal_format(to, f->to - 1);
	printf("period %s .. %s%s%s%s%s%s%s\n", from, to, f->region ? ", region " : "",
	       f->region ? f->region : "", f->cost_centre ? ", cost centre " : "",
	       f->cost_centre ? f->cost_centre : "", f->flow ? ", flow " : "",
	       f->flow ? f->flow : "");
	rc = dash_touchless(&r, &n, s, f, err);
	if (rc)
		goto out;
	printf("\ntouchless (posted with no person's action, of those decided):\n");
	for (i = 0; i < n; i++) {
		pct(a, sizeof(a), r[i].rate);
		pct(b, sizeof(b), r[i].coding_rate);
		printf("  %-14s %8lld of %8lld  %9s   auto-coding %9s (%lld of %lld lines)\n",
		       i == n - 1 ? "all" : dash_flow_label(r[i].flow), (long long)r[i].touchless,
		       (long long)r[i].decided, a, b, (long long)r[i].lines_unchanged,
		       (long long)r[i].lines_posted);
	}
	printf("  apart: %lld resends, %lld same bytes again, %lld not e-invoices, %lld not"
	       " invoices; %lld posted after an ERP hold-up\n", (long long)r[n - 1].resends,
	       (long long)r[n - 1].dup_bytes, (long long)r[n - 1].not_einvoice,
	       (long long)r[n - 1].not_invoice, (long long)r[n - 1].erp_posted);
	rc = dash_reasons(&rs, &n, NULL, s, f, err);
	if (rc)
		goto out;
	printf("\nexception reasons:\n");
	for (i = 0; i < n; i++) {
		pct(a, sizeof(a), rs[i].share);
		printf("  %-26s %8lld  %9s\n", rs[i].reason, (long long)rs[i].n, a);
	}
	rc = dash_suppliers(&sp, &n, s, f, 10, err);
	if (rc)
		goto out;
	printf("\nthe ten suppliers with most exceptions:\n");
	for (i = 0; i < n; i++) {
		pct(a, sizeof(a), sp[i].first_time_right);
		printf("  %-12s %6lld exceptions, first time right %9s  %s\n",
		       sp[i].personal ? "(withheld)" : sp[i].supplier, (long long)sp[i].entries, a,
		       sp[i].name);
	}
	rc = dash_queue_now(&q, s, f, o->today, err);
	if (rc)
		goto out;
	sek(a, sizeof(a), q.amount);
	printf("\nthe queue now: %lld documents, %s SEK\n  age in working days:", (long long)q.size,
	       a);
	for (i = 0; i < DASH_AGE_BUCKETS; i++)
		printf(" %s: %lld", dash_age_label((int)i), (long long)q.age_n[i]);
	sek(a, sizeof(a), q.overdue_amount);
	sek(b, sizeof(b), q.due7_amount);
	printf("\n  overdue %lld (%s SEK), due within 3 days %lld, within 7 days %lld (%s SEK)\n",
	       (long long)q.overdue_n, a, (long long)q.due3_n, (long long)q.due7_n, b);
	rc = dash_lead_time(&l, s, f, err);
	if (rc)
		goto out;
	printf("\nlead time, receipt to posting (median / 90th percentile at most):\n");
	printf("  robot alone    %lld invoices, %lld s / %lld s\n", (long long)l.robot.n,
	       l.robot.median < 0 ? 0LL : (long long)dash_lead_bound(l.robot.median),
	       l.robot.p90 < 0 ? 0LL : (long long)dash_lead_bound(l.robot.p90));
	printf("  with a person  %lld invoices, %lld s / %lld s\n", (long long)l.person.n,
	       l.person.median < 0 ? 0LL : (long long)dash_lead_bound(l.person.median),
	       l.person.p90 < 0 ? 0LL : (long long)dash_lead_bound(l.person.p90));
	printf("  touches per invoice: %lld.%02lld\n",
	       (long long)(l.touches_per_invoice < 0 ? 0 : l.touches_per_invoice / 100),
	       (long long)(l.touches_per_invoice < 0 ? 0 : l.touches_per_invoice % 100));
	rc = dash_einvoice_share(&e, s, f, err);
	if (rc == 0)
		rc = dash_supplier_tail(&t, NULL, NULL, s, f, 0, 0, err);
	if (rc == 0)
		rc = dash_contract_compliance(&c, s, f, err);
	if (rc)
		goto out;
	pct(a, sizeof(a), e.share);
	printf("\nthe unit's indicators:\n  e-invoices: %s (%lld of %lld)\n", a,
	       (long long)e.einvoices, (long long)(e.einvoices + e.not_einvoices));
	pct(a, sizeof(a), t.supplier_share);
	pct(b, sizeof(b), t.spend_share);
	printf("  supplier tail (under 20 000 SEK in 12 months): %lld of %lld suppliers (%s),"
	       " %s of spend\n", (long long)t.tail_suppliers, (long long)t.suppliers, a, b);
	pct(a, sizeof(a), c.share);
	sek(b, sizeof(b), c.without_spend);
	printf("  contract compliance: %s of spend; %s SEK without a contract\n", a, b);
out:
	free(r);
	free(rs);
	free(sp);
	dash_queue_release(&q);
	return rc;
}

/* One table as CSV on stdout. */
static int table(store *s, const opts *o, const char *name, ulf_err *err)
{
	const dash_filter *f = &o->f;
	dynbuf out;
	void *rows = NULL;
	size_t n = 0;
	int rc = 0, wr = 0;

	dynbuf_init(&out, 1u << 28);
	if (!strcmp(name, "touchless")) {
		rc = dash_touchless((dash_rate_row **)&rows, &n, s, f, err);
		wr = rc ? 0 : dash_csv_touchless(&out, rows, n);
	} else if (!strcmp(name, "reasons")) {
		rc = dash_reasons((dash_reason_row **)&rows, &n, NULL, s, f, err);
		wr = rc ? 0 : dash_csv_reasons(&out, rows, n);
	} else if (!strcmp(name, "suppliers")) {
		rc = dash_suppliers((dash_supplier_row **)&rows, &n, s, f, 0, err);
		wr = rc ? 0 : dash_csv_suppliers(&out, rows, n);
	} else if (!strcmp(name, "queue") || !strcmp(name, "queue-reasons")) {
		dash_queue q;
		rc = dash_queue_now(&q, s, f, o->today, err);
		if (rc == 0)
			wr = !strcmp(name, "queue") ? dash_csv_queue(&out, &q)
						    : dash_csv_queue_reasons(&out, &q);
		dash_queue_release(&q);
	} else if (!strcmp(name, "lead")) {
		dash_lead l;
		rc = dash_lead_time(&l, s, f, err);
		wr = rc ? 0 : dash_csv_lead(&out, &l);
	} else if (!strcmp(name, "board")) {
		rc = dash_board((dash_week_row **)&rows, &n, s, f, 12, err);
		wr = rc ? 0 : dash_csv_board(&out, rows, n);
	} else if (!strcmp(name, "handlers")) {
		rc = dash_handlers((dash_handler_row **)&rows, &n, s, f, 12, err);
		wr = rc ? 0 : dash_csv_handlers(&out, rows, n);
	} else if (!strcmp(name, "trend-weeks")) {
		rc = dash_trend_weeks((dash_trend_row **)&rows, &n, s, f, 12, err);
		wr = rc ? 0 : dash_csv_trend(&out, rows, n);
	} else if (!strcmp(name, "trend-months")) {
		rc = dash_trend_months((dash_trend_row **)&rows, &n, s, f, 12, err);
		wr = rc ? 0 : dash_csv_trend(&out, rows, n);
	} else if (!strcmp(name, "compare")) {
		dash_trend_row two[2];
		rc = dash_compare(two, s, f, err);
		wr = rc ? 0 : dash_csv_trend(&out, two, 2);
	} else if (!strcmp(name, "einvoice")) {
		dash_einvoice e;
		rc = dash_einvoice_share(&e, s, f, err);
		wr = rc ? 0 : dash_csv_einvoice(&out, &e);
	} else if (!strcmp(name, "tail")) {
		dash_tail t;
		rc = dash_supplier_tail(&t, NULL, NULL, s, f, 0, 0, err);
		wr = rc ? 0 : dash_csv_tail(&out, &t);
	} else if (!strcmp(name, "tail-suppliers")) {
		dash_tail t;
		rc = dash_supplier_tail(&t, (dash_spend_row **)&rows, &n, s, f, 0, 0, err);
		wr = rc ? 0 : dash_csv_spend(&out, rows, n);
	} else if (!strcmp(name, "new-suppliers")) {
		rc = dash_new_suppliers((dash_month_row **)&rows, &n, s, f, 12, err);
		wr = rc ? 0 : dash_csv_new_suppliers(&out, rows, n);
	} else if (!strcmp(name, "contract")) {
		dash_contract c;
		rc = dash_contract_compliance(&c, s, f, err);
		wr = rc ? 0 : dash_csv_contract(&out, &c);
	} else if (!strcmp(name, "without-contract")) {
		rc = dash_without_contract((dash_spend_row **)&rows, &n, s, f, 0, err);
		wr = rc ? 0 : dash_csv_spend(&out, rows, n);
	} else {
		rc = ulf_err_set(err, ULF_EINVAL, "no table '%s'", name);
	}
	if (rc == 0 && wr)
		rc = ulf_err_set(err, wr, "the table does not fit in memory");
	if (rc == 0 && dynbuf_len(&out))
		fputs(dynbuf_ptr(&out), stdout);
	free(rows);
	dynbuf_release(&out);
	return rc;
}

static int import(store *s, const char *what, const char *path, ulf_err *err)
{
	char *text = NULL;
	size_t len = 0;
	int64_t a = 0, b = 0;
	refdata *r = NULL;
	int rc;

	rc = file_read(&text, &len, path, 256u << 20, err);
	if (rc)
		return rc;
	if (!strcmp(what, "import-paper")) {
		rc = dash_import_paper(&a, &b, s, text, len, path, err);
		if (rc == 0)
			printf("%s: %lld rows, %lld invoices registered as not e-invoices\n", path,
			       (long long)a, (long long)b);
	} else {
		/* the register's contract columns, for the contracts checked as
		 * the lives are posted */
		rc = refdata_open(&r, store_db(s), err);
		if (rc == 0)
			rc = dash_import_lives(&a, &b, s, text, len, path, err);
		if (rc == 0)
			printf("%s: %lld documents loaded, %lld loaded before\n", path, (long long)a,
			       (long long)b);
		refdata_free(r);
	}
	free(text);
	return rc;
}

int cli_dashboard(int argc, char **argv)
{
	const char *verb, *arg = NULL;
	store *s = NULL;
	ulf_err err;
	opts o;
	int rc, first = 2;

	if (argc < 2) {
		dash_usage(stderr);
		return CLI_USAGE;
	}
	verb = argv[1];
	if (!strcmp(verb, "--help") || !strcmp(verb, "help")) {
		dash_usage(stdout);
		return CLI_OK;
	}
	if (strcmp(verb, "show") && strcmp(verb, "csv") && strcmp(verb, "import-paper") &&
	    strcmp(verb, "import-lives")) {
		fprintf(stderr, "ulf dashboard: unknown action '%s'\n", verb);
		dash_usage(stderr);
		return CLI_USAGE;
	}
	rc = parse_opts(&o, argc, argv, first);
	if (rc)
		return rc < 0 ? CLI_OK : rc;
	if (strcmp(verb, "show") != 0) {
		if (optind + 1 != argc) {
			dash_usage(stderr);
			return CLI_USAGE;
		}
		arg = argv[optind];
	} else if (optind != argc) {
		dash_usage(stderr);
		return CLI_USAGE;
	}
	ulf_err_clear(&err);
	rc = open_store(&s, &o, &err);
	if (rc == 0) {
		if (!strcmp(verb, "show"))
			rc = show(s, &o, &err);
		else if (!strcmp(verb, "csv"))
			rc = table(s, &o, arg, &err);
		else
			rc = import(s, verb, arg, &err);
	}
	store_close(s);
	if (rc) {
		fprintf(stderr, "ulf dashboard: %s\n", err.msg);
		return rc == ULF_EINVAL && !strcmp(verb, "csv") ? CLI_USAGE : CLI_UNREADABLE;
	}
	return CLI_OK;
}
