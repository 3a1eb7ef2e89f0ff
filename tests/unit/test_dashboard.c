/*
 * test_dashboard.c - the controllers' figures (robot/store/dashboard.h)
 * against values this test computes itself.
 *
 * A fixture store is filled through the store's own calls (receipts,
 * summaries, transitions, persons' actions, a byte-identical resend, the
 * supplier register, registered paper counts), as the pipeline and the
 * workbench would; alongside, the test keeps its own record of what
 * happened to each document.  Every figure is then computed from that
 * record by the definitions of docs/dashboard.md - with the test's own
 * calendar, holidays, buckets and rounding - and compared with what the
 * rollups say, for the whole period and split by region, cost centre and
 * flow.  A few figures are also checked against numbers worked out by
 * hand, so that the record and the rollups cannot agree on a mistake.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "connectors/erp_payload.h"
#include "core/calendar.h"
#include "core/json.h"
#include "robot/config/config.h"
#include "robot/pipeline/pipeline.h"
#include "robot/service/metrics.h"
#include "robot/store/dash_load.h"
#include "robot/store/dashboard.h"
#include "robot/store/refdata.h"
#include "robot/store/rollup.h"
#include "robot/store/store.h"
#include "tests/support/support.h"

/* ---- the test's own calendar (2025-2026) --------------------------------- */

/* Days since 1970-01-01 of a date, by timegm. */
static int32_t tday(int y, int m, int d)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	return (int32_t)(timegm(&tm) / 86400);
}

/* A Swedish wall-clock time in 2025/2026 as an instant: CEST from the
 * last Sunday of March to the last Sunday of October. */
static int64_t ts(int y, int m, int d, int h, int mi)
{
	int32_t day = tday(y, m, d);
	bool summer = (y == 2026 && day >= tday(2026, 3, 29) && day < tday(2026, 10, 25)) ||
		      (y == 2025 && day >= tday(2025, 3, 30) && day < tday(2025, 10, 26));
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm) - (summer ? 7200 : 3600);
}

/* The Swedish day of an instant of the fixture (all between 07:00 and
 * 17:00, so the offset never moves it across midnight). */
static int32_t day_of(int64_t t)
{
	return (int32_t)((t + 3600) / 86400);
}

/* Weekdays of 2026 that are not working days (holidays and the eves). */
static const int holidays_2026[][2] = {
	{ 1, 1 }, { 1, 6 }, { 4, 3 }, { 4, 6 }, { 5, 1 }, { 5, 14 }, { 6, 19 },
	{ 12, 24 }, { 12, 25 }, { 12, 31 },
};

static bool working(int32_t day)
{
	int wd = (int)((day + 3) % 7);   /* 0 Monday; 1970-01-01 a Thursday */
	size_t i;

	if (wd >= 5)
		return false;
	for (i = 0; i < sizeof(holidays_2026) / sizeof(holidays_2026[0]); i++)
		if (day == tday(2026, holidays_2026[i][0], holidays_2026[i][1]))
			return false;
	return true;
}

static int working_between(int32_t from, int32_t to)
{
	int n = 0;
	int32_t d;

	for (d = from + 1; d <= to; d++)
		n += working(d);
	return n;
}

static int age_bucket(int wd)
{
	return wd <= 1 ? 0 : wd <= 5 ? 1 : wd <= 10 ? 2 : 3;
}

static const int64_t bounds[] = {
	60, 300, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 259200, 432000,
	604800, 864000, 1209600, 1814400, 2592000, 3888000, 5184000, 7776000,
};

static int lead_bucket(int64_t s)
{
	int b;

	for (b = 0; b < 21; b++)
		if (s <= bounds[b])
			return b;
	return 21;
}

static int64_t rate(int64_t num, int64_t den)
{
	return den ? (num * 10000 * 2 + den) / (den * 2) : -1;
}

/* ---- what the test records ------------------------------------------------ */

#define MAXQ 4
#define MAXA 4

typedef struct tdoc {
	int64_t id;
	const char *cls;               /* invoice, paper, other, resend */
	const char *region, *cc, *flow, *supplier, *name, *kind, *currency;
	int64_t amount;                /* öre as spend (credit notes negative) */
	int32_t issue, due;            /* days; due 0: none */
	int64_t recv;
	int nq;
	struct { int64_t in, out; char reasons[128]; bool erp; } q[MAXQ];
	int na;
	struct { int64_t at; const char *who; bool erp; } a[MAXA];
	int64_t decided_at;            /* 0: not decided */
	bool by_queue, touchless;
	int64_t final_at;
	bool posted, erp_held;
	int lines, same;
} tdoc;

typedef struct tdup { int64_t at; const tdoc *of; } tdup;
typedef struct paper { int32_t day; const char *region, *cc; int64_t n; } paper;

typedef struct world {
	ts_store *t;
	tdoc d[24];
	int nd;
	tdup dups[4];
	int ndups;
	paper papers[4];
	int npapers;
	unsigned seq;
} world;

/* What a figure looks at, as the test filters its record. */
typedef struct tf {
	int32_t from, to;
	const char *region, *cc, *flow;
} tf;

static bool keys_ok(const tf *f, const char *region, const char *cc, const char *flow)
{
	return (!f->region || strcmp(f->region, region) == 0) &&
	       (!f->cc || strcmp(f->cc, cc) == 0) && (!f->flow || strcmp(f->flow, flow) == 0);
}

static bool doc_ok(const tf *f, const tdoc *d)
{
	return keys_ok(f, d->region, d->cc, d->flow);
}

static bool in_p(const tf *f, int64_t t)
{
	int32_t day = day_of(t);

	return t && day >= f->from && day < f->to;
}

static dash_filter dfilter(const tf *f)
{
	dash_filter x = dash_period(f->from, f->to);

	x.region = f->region;
	x.cost_centre = f->cc;
	x.flow = f->flow;
	return x;
}

/* ---- driving the store ----------------------------------------------------- */

static ulf_err err;

#define OK(call) do { ulf_err_clear(&err); int rc_ = (call); \
	if (rc_) fail_msg("%s: %d %s", #call, rc_, err.msg); } while (0)

static tdoc *doc(world *w, const char *cls, const char *region, const char *cc,
		 const char *flow, const char *supplier, const char *kind, const char *amount,
		 const char *currency, int32_t issue, int32_t due, int64_t recv, int lines)
{
	tdoc *d = &w->d[w->nd++];
	char bytes[64], payable[32], issue_s[16], facts[64], sig[ROLLUP_SIG_MAX];
	store_summary sum;
	bool dupl;
	int i;
	dec a;

	memset(d, 0, sizeof(*d));
	d->cls = cls;
	d->region = region;
	d->cc = cc;
	d->flow = flow;
	d->supplier = supplier;
	d->name = supplier[0] ? "Leverantören AB" : "";
	d->kind = kind;
	d->currency = currency;
	d->issue = issue;
	d->due = due;
	d->recv = recv;
	d->lines = lines;
	snprintf(bytes, sizeof(bytes), "<document n=\"%u\"/>", ++w->seq);
	OK(store_receive(&d->id, &dupl, w->t->s, "inbox", "d.xml", bytes, strlen(bytes), recv,
			 &err));
	assert_false(dupl);
	if (!kind)
		return d;      /* never read as an invoice */
	assert_int_equal(dec_parse(&a, amount, strlen(amount)), 0);
	assert_int_equal(dec_to_units(&d->amount, a, 2), 0);
	if (strcmp(kind, "credit-note") == 0)
		d->amount = -d->amount;
	if (strcmp(currency, "SEK") != 0)
		d->amount = 0;
	snprintf(payable, sizeof(payable), "%s", amount);
	cal_format(issue_s, issue);
	if (due) {
		char due_s[CAL_DATE_MAX];
		cal_format(due_s, due);
		snprintf(facts, sizeof(facts), "{\"due_date\":\"%s\"}", due_s);
	} else {
		snprintf(facts, sizeof(facts), "{}");
	}
	/* the robot's lines: any signatures of its own, one per line */
	sig[0] = '\0';
	for (i = 0; i < lines; i++)
		snprintf(sig + strlen(sig), sizeof(sig) - strlen(sig), "%s%c%012d", i ? "," : "",
			 'a' + i, (int)w->seq);
	memset(&sum, 0, sizeof(sum));
	sum.kind = kind;
	sum.buyer_org = region;
	sum.seller_org = supplier;
	sum.seller_name = d->name;
	sum.flow = flow;
	sum.payable = payable;
	sum.currency = currency;
	sum.issue_date = issue_s;
	sum.facts = facts;
	sum.cost_centre = cc;
	sum.lines_sig = sig;
	OK(store_set_summary(w->t->s, d->id, &sum, recv, &err));
	return d;
}

static void walk(world *w, tdoc *d, const doc_state *path, size_t n, int64_t t)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		OK(store_transition(w->t->s, d->id, path[i], path[i + 1], "step", 0, NULL, t, &err));
}

/* Received to ready, as the robot takes it. */
static void to_ready(world *w, tdoc *d, int64_t t)
{
	static const doc_state p[] = { ST_RECEIVED, ST_READ, ST_VALIDATED, ST_MATCHED, ST_READY };

	walk(w, d, p, 5, t);
}

static bool erp_reasons(const char *reasons)
{
	return strcmp(reasons, "[\"ERP_SETUP\"]") == 0 ||
	       strcmp(reasons, "[\"ERP_UNREACHABLE\"]") == 0;
}

/* Into the queue from `from` with `reasons` (a JSON array). */
static void queue(world *w, tdoc *d, doc_state from, const char *reasons, int64_t t)
{
	store_summary sum;

	memset(&sum, 0, sizeof(sum));
	sum.decision = "exception";
	sum.reasons = reasons;
	OK(store_set_summary(w->t->s, d->id, &sum, t, &err));
	OK(store_transition(w->t->s, d->id, from, ST_EXCEPTION, "step", 0, NULL, t, &err));
	assert_true(d->nq < MAXQ);
	d->q[d->nq].in = t;
	d->q[d->nq].erp = erp_reasons(reasons);
	snprintf(d->q[d->nq].reasons, sizeof(d->q[d->nq].reasons), "%s", reasons);
	d->nq++;
	if (d->q[d->nq - 1].erp)
		d->erp_held = true;
	/* decided: the first real exception of an invoice */
	if (strcmp(d->cls, "invoice") == 0 && !d->decided_at && !d->q[d->nq - 1].erp) {
		d->decided_at = t;
		d->by_queue = true;
		d->touchless = false;
	}
}

/* A person's action out of the queue: exception -> to. */
static void act(world *w, tdoc *d, const char *who, const char *action, doc_state to,
		int64_t t)
{
	bool erp = d->nq && d->q[d->nq - 1].erp;

	OK(store_transition_audited(w->t->s, d->id, ST_EXCEPTION, to, who, action, NULL, t,
				    &err));
	d->q[d->nq - 1].out = t;
	assert_true(d->na < MAXA);
	d->a[d->na].at = t;
	d->a[d->na].who = who;
	d->a[d->na].erp = erp;
	d->na++;
	if (strcmp(d->cls, "resend") == 0 && to == ST_READY)
		d->cls = "invoice";
}

static int touches(const tdoc *d)
{
	int i, n = 0;

	for (i = 0; i < d->na; i++)
		n += !d->a[i].erp;
	return n;
}

static void finish(tdoc *d, bool posted, int64_t t)
{
	d->final_at = t;
	d->posted = posted;
	if (strcmp(d->cls, "invoice") != 0)
		return;
	if (!d->decided_at) {
		d->decided_at = t;
		d->touchless = posted && touches(d) == 0;
	}
	if (posted && !d->same && !touches(d))
		d->same = d->lines;
}

/* ready -> posting -> posted. */
static void post(world *w, tdoc *d, int64_t t)
{
	static const doc_state p[] = { ST_READY, ST_POSTING, ST_POSTED };

	walk(w, d, p, 3, t);
	finish(d, true, t);
}

static void reject(world *w, tdoc *d, const char *who, int64_t t)
{
	act(w, d, who, "reject", ST_REJECTED, t);
	finish(d, false, t);
}

/* ---- the fixture -------------------------------------------------------------- */

#define RA "2321000032"      /* Region Sörmland */
#define RB "2321000172"      /* Region Västmanland */
#define S1 "5561234567"
#define S2 "5569876543"
#define S3 "8001011234"      /* a sole trader: a personal identity number */
#define S4 "5560001112"

static void supplier(world *w, const char *no, const char *org, bool contract,
		     const char *from, const char *to, const char *registered)
{
	ref_supplier s;
	bool updated;

	memset(&s, 0, sizeof(s));
	snprintf(s.supplier_no, sizeof(s.supplier_no), "%s", no);
	snprintf(s.name, sizeof(s.name), "Leverantör %s", no);
	snprintf(s.org_no, sizeof(s.org_no), "%s", org);
	s.contract = contract;
	snprintf(s.contract_from, sizeof(s.contract_from), "%s", from);
	snprintf(s.contract_to, sizeof(s.contract_to), "%s", to);
	snprintf(s.registered, sizeof(s.registered), "%s", registered);
	OK(refdata_put_supplier(&updated, w->t->r, &s, ts(2026, 1, 2, 8, 0), &err));
}

/* D2's robot booking, and the person's with one line recoded. */
static const char robot_booking[] =
	"{\"lines\":[{\"invoice_line_id\":\"1\",\"account\":\"4010\",\"cost_centre\":\"100\","
	"\"vat_code\":\"25\",\"net_amount\":\"20000.00\",\"vat_amount\":\"5000.00\"},"
	"{\"invoice_line_id\":\"2\",\"account\":\"4010\",\"cost_centre\":\"100\","
	"\"vat_code\":\"25\",\"net_amount\":\"4000.00\",\"vat_amount\":\"1000.00\"}]}";
static const char person_booking[] =
	"{\"lines\":[{\"invoice_line_id\":\"1\",\"account\":\"4010\",\"cost_centre\":\"100\","
	"\"vat_code\":\"25\",\"net_amount\":\"20000.00\",\"vat_amount\":\"5000.00\"},"
	"{\"invoice_line_id\":\"2\",\"account\":\"4090\",\"cost_centre\":\"100\","
	"\"vat_code\":\"25\",\"net_amount\":\"4000.00\",\"vat_amount\":\"1000.00\"}]}";

/* The signature rollup_booking_keys gives a booking (the one place the
 * test uses ulf's code for an expected value: a hash of its own). */
static void booking_sig(char sig[ROLLUP_SIG_MAX], const char *json)
{
	ujson *tree = NULL;
	erp_posting p;
	char cc[ROLLUP_CC_MAX];

	assert_int_equal(ujson_parse(&tree, json, strlen(json), "booking", NULL), 0);
	erp_posting_init(&p);
	assert_int_equal(erp_posting_read_booking(&p, tree, NULL), 0);
	rollup_booking_keys(cc, sig, &p);
	assert_string_equal(cc, "100");
	erp_posting_release(&p);
	ujson_free(tree);
}

static world *W;
static int32_t MAR, APR, FEB;

static void build(world *w)
{
	static const doc_state recv_ready[] = { ST_RECEIVED, ST_READ, ST_VALIDATED, ST_MATCHED,
						ST_READY };
	static const doc_state retry_ready[] = { ST_RECEIVED, ST_READ, ST_VALIDATED, ST_MATCHED,
						 ST_READY, ST_POSTING, ST_POSTED };
	char sig[ROLLUP_SIG_MAX];
	store_summary sum;
	dash_counts c;
	dash_filter mar = dash_period(MAR, APR);
	tdoc *d;
	bool dupl;
	int64_t dup_id;
	void *bytes;
	size_t len;
	char *name;

	supplier(w, "L1", S1, true, "2026-01-01", "2026-12-31", "2025-06-10");
	supplier(w, "L2", S2, false, "", "", "2026-03-02");
	supplier(w, "L4", S4, true, "", "2026-03-15", "2026-03-20");

	/* D1: posted by the robot alone, 5 minutes after receipt */
	d = doc(w, "invoice", RA, "100", "po", S1, "invoice", "12000.00", "SEK",
		tday(2026, 3, 2), tday(2026, 4, 1), ts(2026, 3, 2, 9, 0), 3);
	to_ready(w, d, ts(2026, 3, 2, 9, 1));
	post(w, d, ts(2026, 3, 2, 9, 5));

	/* D2: a price deviation; a person recodes one of two lines */
	d = doc(w, "invoice", RA, "100", "po", S1, "invoice", "30000.00", "SEK",
		tday(2026, 3, 3), tday(2026, 4, 2), ts(2026, 3, 3, 10, 0), 2);
	booking_sig(sig, robot_booking);
	memset(&sum, 0, sizeof(sum));
	sum.lines_sig = sig;
	OK(store_set_summary(w->t->s, d->id, &sum, d->recv, &err));
	walk(w, d, recv_ready, 3, ts(2026, 3, 3, 10, 1));
	queue(w, d, ST_VALIDATED, "[\"PRICE_DEVIATION\"]", ts(2026, 3, 3, 10, 1));
	OK(store_set_booking(w->t->s, d->id, person_booking, ts(2026, 3, 4, 11, 0), &err));
	act(w, d, "anna", "resolve", ST_READY, ts(2026, 3, 4, 11, 0));
	d->same = 1;
	post(w, d, ts(2026, 3, 4, 11, 5));

	/* D3: held up by the ERP's set-up fault; a person retries; posted.
	 * While it waits it is not decided: it counts when posted. */
	d = doc(w, "invoice", RB, "200", "non-po", S2, "invoice", "1500.00", "SEK",
		tday(2026, 3, 5), tday(2026, 4, 4), ts(2026, 3, 5, 8, 0), 1);
	to_ready(w, d, ts(2026, 3, 5, 8, 0));
	OK(store_transition(w->t->s, d->id, ST_READY, ST_POSTING, "post", 0, NULL,
			    ts(2026, 3, 5, 8, 1), &err));
	queue(w, d, ST_POSTING, "[\"ERP_SETUP\"]", ts(2026, 3, 5, 8, 1));
	OK(dash_counts_get(NULL, &c, w->t->s, &mar, &err));
	assert_int_equal(c.decided, 2);       /* D1 and D2 only: D3 waits for the ERP */
	assert_int_equal(c.erp_holds, 1);
	act(w, d, "bo", "retry", ST_RECEIVED, ts(2026, 3, 5, 9, 0));
	walk(w, d, retry_ready, 7, ts(2026, 3, 5, 9, 1));
	finish(d, true, ts(2026, 3, 5, 9, 1));

	/* D4: no order; rejected by a person four days later */
	d = doc(w, "invoice", RB, "200", "non-po", S2, "invoice", "800.00", "SEK",
		tday(2026, 3, 6), tday(2026, 4, 5), ts(2026, 3, 6, 12, 0), 1);
	walk(w, d, recv_ready, 3, ts(2026, 3, 6, 12, 0));
	queue(w, d, ST_VALIDATED, "[\"NO_ORDER\",\"NO_BOOKING\"]", ts(2026, 3, 6, 12, 0));
	reject(w, d, "anna", ts(2026, 3, 10, 9, 0));

	/* D5: an invoice sent again with other bytes: apart, rejected */
	d = doc(w, "resend", RA, "100", "po", S1, "invoice", "12000.00", "SEK",
		tday(2026, 3, 2), tday(2026, 4, 1), ts(2026, 3, 9, 8, 0), 3);
	walk(w, d, recv_ready, 3, ts(2026, 3, 9, 8, 0));
	queue(w, d, ST_VALIDATED, "[\"DUPLICATE\"]", ts(2026, 3, 9, 8, 0));
	reject(w, d, "bo", ts(2026, 3, 9, 9, 0));

	/* D6: D1's very bytes again */
	OK(store_load(&bytes, &len, &name, w->t->s, w->d[0].id, &err));
	OK(store_receive(&dup_id, &dupl, w->t->s, "http", "again.xml", bytes, len,
			 ts(2026, 3, 9, 10, 0), &err));
	free(bytes);
	free(name);
	assert_true(dupl);
	assert_int_equal(dup_id, w->d[0].id);
	w->dups[w->ndups++] = (tdup){ ts(2026, 3, 9, 10, 0), &w->d[0] };

	/* D7: a scanned PDF (NOT_EINVOICE), D8: XML that is no invoice; both wait */
	d = doc(w, "paper", "", "", "", "", NULL, NULL, NULL, 0, 0, ts(2026, 3, 10, 8, 0), 0);
	queue(w, d, ST_RECEIVED, "[\"NOT_EINVOICE\"]", ts(2026, 3, 10, 8, 0));
	d = doc(w, "other", "", "", "", "", NULL, NULL, NULL, 0, 0, ts(2026, 3, 11, 8, 0), 0);
	queue(w, d, ST_RECEIVED, "[\"NOT_AN_INVOICE\"]", ts(2026, 3, 11, 8, 0));

	/* D9: a sole trader's care invoice, posted by the robot */
	d = doc(w, "invoice", RA, "300", "care", S3, "invoice", "5000.00", "SEK",
		tday(2026, 3, 12), tday(2026, 4, 11), ts(2026, 3, 12, 8, 0), 2);
	to_ready(w, d, ts(2026, 3, 12, 8, 0));
	post(w, d, ts(2026, 3, 12, 8, 30));

	/* D10: waits in the queue since Friday 20 March, due 2 April */
	d = doc(w, "invoice", RA, "100", "po", S1, "invoice", "1000.00", "SEK",
		tday(2026, 3, 20), tday(2026, 4, 2), ts(2026, 3, 20, 8, 0), 1);
	walk(w, d, recv_ready, 3, ts(2026, 3, 20, 8, 0));
	queue(w, d, ST_VALIDATED, "[\"QUANTITY_DEVIATION\"]", ts(2026, 3, 20, 8, 0));

	/* D11: in the queue since 1 April, overdue (due 25 March) */
	d = doc(w, "invoice", RB, "200", "non-po", S2, "invoice", "2500.50", "SEK",
		tday(2026, 3, 20), tday(2026, 3, 25), ts(2026, 4, 1, 8, 0), 1);
	walk(w, d, recv_ready, 3, ts(2026, 4, 1, 8, 0));
	queue(w, d, ST_VALIDATED, "[\"NO_ORDER\"]", ts(2026, 4, 1, 8, 0));

	/* D12: in the queue since Maundy Thursday, 2 April */
	d = doc(w, "invoice", RA, "100", "po", S1, "invoice", "640.00", "SEK",
		tday(2026, 4, 2), tday(2026, 5, 2), ts(2026, 4, 2, 8, 0), 1);
	walk(w, d, recv_ready, 3, ts(2026, 4, 2, 8, 0));
	queue(w, d, ST_VALIDATED, "[\"QUANTITY_DEVIATION\",\"PRICE_DEVIATION\"]",
	      ts(2026, 4, 2, 8, 0));

	/* D13: a credit note, posted by the robot */
	d = doc(w, "invoice", RA, "100", "po", S1, "credit-note", "200.00", "SEK",
		tday(2026, 3, 16), 0, ts(2026, 3, 16, 8, 0), 1);
	to_ready(w, d, ts(2026, 3, 16, 8, 0));
	post(w, d, ts(2026, 3, 16, 8, 2));

	/* D14: February, posted by the robot */
	d = doc(w, "invoice", RA, "100", "po", S1, "invoice", "8000.00", "SEK",
		tday(2026, 2, 10), tday(2026, 3, 12), ts(2026, 2, 10, 8, 0), 1);
	to_ready(w, d, ts(2026, 2, 10, 8, 0));
	post(w, d, ts(2026, 2, 10, 8, 20));

	/* D15: decided in February (no order), released and posted in March */
	d = doc(w, "invoice", RB, "200", "non-po", S2, "invoice", "700.00", "SEK",
		tday(2026, 2, 20), tday(2026, 3, 22), ts(2026, 2, 20, 8, 0), 1);
	walk(w, d, recv_ready, 3, ts(2026, 2, 20, 8, 0));
	queue(w, d, ST_VALIDATED, "[\"NO_ORDER\"]", ts(2026, 2, 20, 8, 0));
	act(w, d, "anna", "resolve", ST_READY, ts(2026, 3, 2, 14, 0));
	d->same = 1;
	post(w, d, ts(2026, 3, 2, 14, 5));

	/* D16: in euro from a supplier whose contract ended 15 March */
	d = doc(w, "invoice", RB, "200", "non-po", S4, "invoice", "900.00", "EUR",
		tday(2026, 3, 18), tday(2026, 4, 17), ts(2026, 3, 18, 8, 0), 1);
	to_ready(w, d, ts(2026, 3, 18, 8, 0));
	post(w, d, ts(2026, 3, 18, 8, 3));

	/* invoices that came on paper, counted by the scanning bureau */
	OK(dash_register_paper(w->t->s, tday(2026, 3, 15), RA, "100", 4, &err));
	w->papers[w->npapers++] = (paper){ tday(2026, 3, 15), RA, "100", 4 };
}

static int setup(void **state)
{
	world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->t = ts_store_new("dashboard", TS_REFDATA);
	FEB = tday(2026, 2, 1);
	MAR = tday(2026, 3, 1);
	APR = tday(2026, 4, 1);
	W = w;
	build(w);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	world *w = *state;

	ts_store_free(w->t);
	free(w);
	return 0;
}

/* ---- the figures, as the test computes them --------------------------------------- */

static void expect_counts(dash_counts *e, const world *w, const tf *f)
{
	int i, k;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < w->nd; i++) {
		const tdoc *d = &w->d[i];
		if (!doc_ok(f, d))
			continue;
		/* documents in, by the day received, under their class at the end */
		if (in_p(f, d->recv)) {
			if (!strcmp(d->cls, "invoice"))
				e->in_invoices++;
			else if (!strcmp(d->cls, "paper"))
				e->in_paper++;
			else if (!strcmp(d->cls, "resend"))
				e->in_resends++;
			else
				e->in_other++;
		}
		for (k = 0; k < d->nq; k++) {
			e->queue_in += in_p(f, d->q[k].in);
			e->queue_out += in_p(f, d->q[k].out);
			e->erp_holds += in_p(f, d->q[k].in) && d->q[k].erp;
		}
		if (strcmp(d->cls, "invoice") != 0)
			continue;
		if (in_p(f, d->decided_at)) {
			e->decided++;
			e->touchless += d->touchless;
			e->exceptions += d->by_queue;
		}
		if (in_p(f, d->final_at)) {
			e->finals++;
			e->touches += touches(d);
			e->touched += touches(d) > 0;
			for (k = 0; k < d->na; k++)
				e->erp_actions += d->a[k].erp;
			if (d->posted) {
				e->posted++;
				e->posted_robot += d->touchless;
				e->erp_posted += d->erp_held;
				e->lines_posted += d->lines;
				e->lines_unchanged += d->same;
				if (d->touchless)
					e->lead_robot[lead_bucket(d->final_at - d->recv)]++;
				else
					e->lead_person[lead_bucket(d->final_at - d->recv)]++;
			} else {
				e->rejected++;
			}
		}
	}
	for (i = 0; i < w->ndups; i++)
		if (doc_ok(f, w->dups[i].of) && in_p(f, w->dups[i].at))
			e->dup_bytes++;
	for (i = 0; i < w->npapers; i++) {
		const paper *p = &w->papers[i];
		if (keys_ok(f, p->region, p->cc, "") && p->day >= f->from && p->day < f->to)
			e->in_paper += p->n;
	}
}

static void check_counts(const world *w, const tf *f)
{
	dash_filter x = dfilter(f);
	dash_counts got, want;

	expect_counts(&want, w, f);
	OK(dash_counts_get(NULL, &got, w->t->s, &x, &err));
#define FIELD(n) assert_int_equal(got.n, want.n)
	FIELD(in_invoices); FIELD(in_paper); FIELD(in_other); FIELD(in_resends);
	FIELD(dup_bytes); FIELD(decided); FIELD(touchless); FIELD(exceptions);
	FIELD(queue_in); FIELD(queue_out); FIELD(erp_holds); FIELD(posted);
	FIELD(posted_robot); FIELD(rejected); FIELD(erp_posted); FIELD(finals);
	FIELD(touches); FIELD(touched); FIELD(erp_actions); FIELD(lines_posted);
	FIELD(lines_unchanged);
#undef FIELD
	assert_memory_equal(got.lead_robot, want.lead_robot, sizeof(want.lead_robot));
	assert_memory_equal(got.lead_person, want.lead_person, sizeof(want.lead_person));
}

/* The splits the figures are checked under. */
static const tf *splits(int i)
{
	static tf t[8];

	t[0] = (tf){ MAR, APR, NULL, NULL, NULL };
	t[1] = (tf){ MAR, APR, RA, NULL, NULL };
	t[2] = (tf){ MAR, APR, RB, NULL, NULL };
	t[3] = (tf){ MAR, APR, NULL, "100", NULL };
	t[4] = (tf){ MAR, APR, NULL, NULL, "po" };
	t[5] = (tf){ MAR, APR, RB, "200", "non-po" };
	t[6] = (tf){ FEB, APR, NULL, NULL, NULL };                 /* months */
	t[7] = (tf){ tday(2026, 2, 25), tday(2026, 4, 3), NULL, NULL, NULL };   /* days, month, days */
	return i < 8 ? &t[i] : NULL;
}

/* ---- the tests ------------------------------------------------------------------- */

static void test_counts_equal_the_record(void **state)
{
	const tf *f;
	int i;

	for (i = 0; (f = splits(i)) != NULL; i++)
		check_counts(*state, f);
}

static void test_touchless_rate(void **state)
{
	world *w = *state;
	dash_filter mar = dash_period(MAR, APR);
	dash_rate_row *r;
	size_t n;
	int fl, i;

	OK(dash_touchless(&r, &n, w->t->s, &mar, &err));
	assert_int_equal(n, DASH_FLOW_COUNT + 1);
	/* by hand: decided in March D1 D2 D3 D4 D9 D10 D13 D16, touchless D1 D3
	 * D9 D13 D16 - the resend D5, D1's bytes again, the PDF and the XML
	 * that is no invoice are apart, and D3 (ERP hold-up) counts */
	assert_int_equal(r[DASH_FLOW_COUNT].decided, 8);
	assert_int_equal(r[DASH_FLOW_COUNT].touchless, 5);
	assert_int_equal(r[DASH_FLOW_COUNT].rate, 6250);
	assert_int_equal(r[DASH_FLOW_COUNT].resends, 1);
	assert_int_equal(r[DASH_FLOW_COUNT].dup_bytes, 1);
	assert_int_equal(r[DASH_FLOW_COUNT].not_einvoice, 5);   /* the PDF and 4 on paper */
	assert_int_equal(r[DASH_FLOW_COUNT].not_invoice, 1);
	assert_int_equal(r[DASH_FLOW_COUNT].erp_posted, 1);
	/* per flow, from the record */
	for (fl = 0; fl < DASH_FLOW_COUNT; fl++) {
		int64_t ndec = 0, tl = 0, lp = 0, lu = 0;
		for (i = 0; i < w->nd; i++) {
			const tdoc *d = &w->d[i];
			if (strcmp(d->cls, "invoice") || strcmp(d->flow, dash_flow_key(fl)))
				continue;
			if (in_p(&(tf){ MAR, APR, 0, 0, 0 }, d->decided_at)) {
				ndec++;
				tl += d->touchless;
			}
			if (d->posted && in_p(&(tf){ MAR, APR, 0, 0, 0 }, d->final_at)) {
				lp += d->lines;
				lu += d->same;
			}
		}
		assert_int_equal(r[fl].decided, ndec);
		assert_int_equal(r[fl].touchless, tl);
		assert_int_equal(r[fl].rate, rate(tl, ndec));
		assert_int_equal(r[fl].lines_posted, lp);
		assert_int_equal(r[fl].lines_unchanged, lu);
		assert_int_equal(r[fl].coding_rate, rate(lu, lp));
	}
	/* po: D1 D2 D10 D13 decided, D1 D13 touchless */
	assert_int_equal(r[DASH_FLOW_PO].decided, 4);
	assert_int_equal(r[DASH_FLOW_PO].rate, 5000);
	/* auto-coding: D1 3, D2 1 of 2, D3 1, D9 2, D13 1, D15 1, D16 1 */
	assert_int_equal(r[DASH_FLOW_COUNT].lines_posted, 11);
	assert_int_equal(r[DASH_FLOW_COUNT].lines_unchanged, 10);
	free(r);
}

static void test_reasons_and_suppliers(void **state)
{
	world *w = *state;
	const tf *f;
	dash_reason_row *r;
	dash_supplier_row *s;
	size_t n, ns, i, k;
	int64_t entries;
	int j, q;

	for (j = 0; (f = splits(j)) != NULL; j++) {
		dash_filter x = dfilter(f);
		OK(dash_reasons(&r, &n, &entries, w->t->s, &x, &err));
		/* every reason of every entry into the queue in the period */
		for (i = 0; i < n; i++) {
			int64_t want = 0, all = 0;
			char quoted[64];
			snprintf(quoted, sizeof(quoted), "\"%s\"", r[i].reason);
			for (k = 0; k < (size_t)w->nd; k++)
				for (q = 0; q < w->d[k].nq; q++)
					if (doc_ok(f, &w->d[k]) && in_p(f, w->d[k].q[q].in)) {
						all++;
						want += strstr(w->d[k].q[q].reasons, quoted) != NULL;
					}
			assert_int_equal(r[i].n, want);
			assert_int_equal(entries, all);
			assert_int_equal(r[i].share, rate(want, all));
			assert_true(i == 0 || r[i - 1].n >= r[i].n);
		}
		free(r);
	}
	{
		dash_filter mar = dash_period(MAR, APR);
		OK(dash_reasons(&r, &n, &entries, w->t->s, &mar, &err));
		/* by hand: D2 PRICE, D3 ERP_SETUP, D4 NO_ORDER+NO_BOOKING, D5
		 * DUPLICATE, D7 NOT_EINVOICE, D8 NOT_AN_INVOICE, D10 QUANTITY */
		assert_int_equal(entries, 7);
		assert_int_equal(n, 8);
		free(r);
		OK(dash_suppliers(&s, &ns, w->t->s, &mar, 0, &err));
	}
	/* per supplier: decided, touchless, entries; the sole trader withheld */
	for (i = 0; i < ns; i++) {
		int64_t ndec = 0, tl = 0, ent = 0;
		const char *key = NULL;
		for (k = 0; k < (size_t)w->nd; k++) {
			const tdoc *d = &w->d[k];
			if (!d->supplier[0])
				continue;
			if ((s[i].personal && !strcmp(d->supplier, S3)) ||
			    (!s[i].personal && !strcmp(d->supplier, s[i].supplier)))
				key = d->supplier;
			else
				continue;
			if (!strcmp(d->cls, "invoice") && in_p(&(tf){ MAR, APR, 0, 0, 0 }, d->decided_at)) {
				ndec++;
				tl += d->touchless;
			}
			for (q = 0; q < d->nq; q++)
				ent += in_p(&(tf){ MAR, APR, 0, 0, 0 }, d->q[q].in);
		}
		assert_non_null(key);
		assert_int_equal(s[i].decided, ndec);
		assert_int_equal(s[i].touchless, tl);
		assert_int_equal(s[i].entries, ent);
		assert_int_equal(s[i].first_time_right, rate(tl, ndec));
		assert_null(strstr(s[i].supplier, S3));
	}
	/* by hand: S1 has D2 D5 D10 entries (3), then S2 D3 D4 (2) */
	assert_int_equal(ns, 4);
	assert_string_equal(s[0].supplier, S1);
	assert_int_equal(s[0].entries, 3);
	assert_string_equal(s[0].name, "Leverantören AB");
	assert_string_equal(s[1].supplier, S2);
	free(s);
	/* the ten with most: a limit */
	{
		dash_filter mar = dash_period(MAR, APR);
		OK(dash_suppliers(&s, &ns, w->t->s, &mar, 1, &err));
		assert_int_equal(ns, 1);
		assert_string_equal(s[0].supplier, S1);
		free(s);
	}
}

static void test_queue_now_ages_in_working_days(void **state)
{
	world *w = *state;
	int32_t today = tday(2026, 4, 7);     /* Tuesday after Easter Monday */
	const tf *f;
	int j, k, q, b;

	for (j = 0; (f = splits(j)) != NULL; j++) {
		dash_filter x = dfilter(f);
		dash_queue got;
		int64_t size = 0, amount = 0, age_n[4] = { 0 }, age_a[4] = { 0 };
		int64_t over = 0, over_a = 0, d3 = 0, d3_a = 0, d7 = 0, d7_a = 0, nodue = 0;

		OK(dash_queue_now(&got, w->t->s, &x, today, &err));
		for (k = 0; k < w->nd; k++) {
			const tdoc *d = &w->d[k];
			bool open = false;
			for (q = 0; q < d->nq; q++)
				open = d->q[q].out == 0;
			if (!open || !doc_ok(f, d))
				continue;
			size++;
			amount += d->amount;
			b = age_bucket(working_between(day_of(d->recv), today));
			age_n[b]++;
			age_a[b] += d->amount;
			if (!d->due) {
				nodue++;
			} else if (d->due < today) {
				over++;
				over_a += d->amount;
			} else {
				if (d->due <= today + 3) {
					d3++;
					d3_a += d->amount;
				}
				if (d->due <= today + 7) {
					d7++;
					d7_a += d->amount;
				}
			}
		}
		assert_int_equal(got.size, size);
		assert_int_equal(got.amount, amount);
		for (b = 0; b < 4; b++) {
			assert_int_equal(got.age_n[b], age_n[b]);
			assert_int_equal(got.age_amount[b], age_a[b]);
		}
		assert_int_equal(got.overdue_n, over);
		assert_int_equal(got.overdue_amount, over_a);
		assert_int_equal(got.due3_n, d3);
		assert_int_equal(got.due3_amount, d3_a);
		assert_int_equal(got.due7_n, d7);
		assert_int_equal(got.due7_amount, d7_a);
		assert_int_equal(got.no_due_n, nodue);
		dash_queue_release(&got);
	}
	{
		/* by hand: D12 came on Maundy Thursday: Good Friday, Easter and
		 * Easter Monday are not working days, so on Tuesday it is one
		 * working day old (five calendar days); D10 (Friday 20 March) ten;
		 * D11 (1 April) two; the PDF and the XML more than ten */
		dash_filter all = dash_period(MAR, APR);
		dash_queue got;
		OK(dash_queue_now(&got, w->t->s, &all, today, &err));
		assert_int_equal(got.size, 5);
		assert_int_equal(got.age_n[0], 1);
		assert_int_equal(got.age_n[1], 1);
		assert_int_equal(got.age_n[2], 1);
		assert_int_equal(got.age_n[3], 2);
		assert_int_equal(got.overdue_n, 2);              /* D11, and D10 due 2 April */
		assert_int_equal(got.overdue_amount, 250050 + 100000);
		assert_int_equal(got.no_due_n, 2);               /* the PDF and the XML */
		assert_int_equal(got.nreasons, 5);
		assert_string_equal(got.reasons[0].reason, "QUANTITY_DEVIATION");
		assert_int_equal(got.reasons[0].n, 2);
		dash_queue_release(&got);
	}
}

static void test_lead_time_and_touches(void **state)
{
	world *w = *state;
	dash_filter mar = dash_period(MAR, APR);
	dash_lead l;
	dash_counts want;
	int64_t both[DASH_LEAD_BUCKETS];
	int b;

	OK(dash_lead_time(&l, w->t->s, &mar, &err));
	expect_counts(&want, w, &(tf){ MAR, APR, 0, 0, 0 });
	for (b = 0; b < DASH_LEAD_BUCKETS; b++)
		both[b] = want.lead_robot[b] + want.lead_person[b];
	/* by hand, robot alone: D1 300 s, D3 3660 s, D9 1800 s, D13 120 s, D16
	 * 180 s: buckets 1, 5, 3, 1, 1: median (3rd of 5) bucket 1 (at most 5
	 * minutes), p90 (5th) bucket 5 (at most 2 h) */
	assert_int_equal(l.robot.n, 5);
	assert_int_equal(l.robot.median, 1);
	assert_int_equal(l.robot.p90, 5);
	assert_int_equal(l.robot.median, dash_percentile(want.lead_robot, 50));
	assert_int_equal(l.person.median, dash_percentile(want.lead_person, 50));
	assert_int_equal(l.all.p90, dash_percentile(both, 90));
	/* with a person: D2 (1 day 1 h 5 min), D15 (10 days 6 h 5 min) */
	assert_int_equal(l.person.n, 2);
	assert_int_equal(l.person.median, 10);
	assert_int_equal(l.person.p90, 15);
	/* touches: D2 1, D4 1, D15 1 of 8 finished (D3's retry is the ERP's) */
	assert_int_equal(l.finals, 8);
	assert_int_equal(l.touches, 3);
	assert_int_equal(l.touches_per_invoice, 38);
}

static void test_weekly_board(void **state)
{
	world *w = *state;
	dash_filter f = dash_period(MAR, APR);
	dash_week_row *r;
	dash_handler_row *h;
	size_t n, nh, i;
	int k, q, a;

	OK(dash_board(&r, &n, w->t->s, &f, 5, &err));
	assert_int_equal(n, 5);
	assert_int_equal(r[0].week_start, tday(2026, 3, 2));
	assert_int_equal(r[4].week_start, tday(2026, 3, 30));
	assert_int_equal(r[0].iso_week, 10);
	for (i = 0; i < n; i++) {
		int32_t from = r[i].week_start, to = from + 7;
		tf wk = { from, to, NULL, NULL, NULL };
		dash_counts e;
		int64_t backlog = 0;
		expect_counts(&e, w, &wk);
		assert_int_equal(r[i].in, e.in_invoices + e.in_paper + e.in_other + e.in_resends);
		assert_int_equal(r[i].posted_robot, e.posted_robot);
		assert_int_equal(r[i].handled_people, e.posted - e.posted_robot + e.rejected);
		assert_int_equal(r[i].rejected, e.rejected);
		for (k = 0; k < w->nd; k++)
			for (q = 0; q < w->d[k].nq; q++)
				backlog += day_of(w->d[k].q[q].in) < to &&
					   (!w->d[k].q[q].out || day_of(w->d[k].q[q].out) >= to);
		assert_int_equal(r[i].backlog, backlog);
	}
	/* by hand: the week of 30 March ends with D7 D8 D10 D11 D12 waiting */
	assert_int_equal(r[4].backlog, 5);
	free(r);
	OK(dash_handlers(&h, &nh, w->t->s, &f, 5, &err));
	for (i = 0; i < nh; i++) {
		int64_t want = 0;
		for (k = 0; k < w->nd; k++)
			for (a = 0; a < w->d[k].na; a++)
				want += !strcmp(w->d[k].a[a].who, h[i].who) &&
					day_of(w->d[k].a[a].at) >= h[i].week_start &&
					day_of(w->d[k].a[a].at) < h[i].week_start + 7;
		assert_int_equal(h[i].actions, want);
	}
	/* by hand: week 10 anna (D2 and D15 resolved), bo (D3 retried); week
	 * 11 anna (D4 rejected), bo (D5 rejected) */
	assert_int_equal(nh, 4);
	assert_string_equal(h[0].who, "anna");
	assert_int_equal(h[0].actions, 2);
	free(h);
}

static void test_trends_and_compare(void **state)
{
	world *w = *state;
	dash_filter f = dash_period(MAR, APR);
	dash_trend_row *t, cmp[2];
	size_t n, i;

	OK(dash_trend_months(&t, &n, w->t->s, &f, 12, &err));
	assert_int_equal(n, 12);
	assert_int_equal(t[11].start, MAR);
	assert_int_equal(t[10].start, FEB);
	for (i = 0; i < n; i++) {
		dash_counts e;
		expect_counts(&e, w, &(tf){ t[i].start, t[i].end, 0, 0, 0 });
		assert_int_equal(t[i].c.decided, e.decided);
		assert_int_equal(t[i].touchless_rate, rate(e.touchless, e.decided));
		assert_int_equal(t[i].einvoice_share, rate(e.in_invoices, e.in_invoices + e.in_paper));
	}
	/* February: D14 posted, D15 decided as an exception: 1 of 2 */
	assert_int_equal(t[10].touchless_rate, 5000);
	free(t);
	OK(dash_trend_weeks(&t, &n, w->t->s, &f, 12, &err));
	assert_int_equal(n, 12);
	for (i = 0; i < n; i++) {
		dash_counts e;
		expect_counts(&e, w, &(tf){ t[i].start, t[i].end, 0, 0, 0 });
		assert_int_equal(t[i].end - t[i].start, 7);
		assert_int_equal(t[i].c.decided, e.decided);
		assert_int_equal(t[i].c.touchless, e.touchless);
		assert_int_equal(t[i].coding_rate, rate(e.lines_unchanged, e.lines_posted));
	}
	free(t);
	OK(dash_compare(cmp, w->t->s, &f, &err));
	assert_int_equal(cmp[0].start, MAR);
	assert_int_equal(cmp[1].start, FEB);
	assert_int_equal(cmp[1].end, MAR);
	assert_int_equal(cmp[0].touchless_rate, 6250);
	assert_int_equal(cmp[1].touchless_rate, 5000);
}

static void test_unit_indicators(void **state)
{
	world *w = *state;
	dash_filter f = dash_period(MAR, APR);
	dash_einvoice e;
	dash_tail t;
	dash_contract c;
	dash_spend_row *s;
	dash_month_row *m;
	size_t n, i;
	dynbuf csv;
	int k;
	int64_t spend = 0, contract = 0, docs = 0, cdocs = 0;

	/* e-invoices: 8 in March, against the PDF and 4 on paper */
	OK(dash_einvoice_share(&e, w->t->s, &f, &err));
	assert_int_equal(e.einvoices, 8);
	assert_int_equal(e.not_einvoices, 5);
	assert_int_equal(e.share, rate(8, 13));

	/* the tail over April 2025 - March 2026: S1 49 800 kr, S2 2 200, S3
	 * 5 000, S4 (euro only) 0: three under 20 000 */
	OK(dash_supplier_tail(&t, NULL, NULL, w->t->s, &f, 0, 0, &err));
	assert_int_equal(t.from, tday(2025, 4, 1));
	assert_int_equal(t.to, APR);
	assert_int_equal(t.suppliers, 4);
	assert_int_equal(t.tail_suppliers, 3);
	assert_int_equal(t.invoices, 8);
	assert_int_equal(t.tail_invoices, 4);
	assert_int_equal(t.spend, 5700000);
	assert_int_equal(t.tail_spend, 720000);
	assert_int_equal(t.spend_share, rate(720000, 5700000));
	{
		dash_tail t2;
		OK(dash_supplier_tail(&t2, &s, &n, w->t->s, &f, 0, 0, &err));
		assert_memory_equal(&t2, &t, sizeof(t));
	}
	assert_int_equal(n, 3);
	assert_int_equal(s[0].spend, 0);                 /* S4 */
	assert_true(s[2].personal);                      /* S3, withheld */
	assert_string_equal(s[2].supplier, "");
	dynbuf_init(&csv, 1 << 20);
	assert_int_equal(dash_csv_spend(&csv, s, n), 0);
	assert_null(strstr(dynbuf_ptr(&csv), S3));
	dynbuf_release(&csv);
	free(s);

	/* contract compliance, by invoice date in March, SEK */
	for (k = 0; k < w->nd; k++) {
		const tdoc *d = &w->d[k];
		bool valid;
		if (strcmp(d->cls, "invoice") || !d->posted || d->issue < MAR || d->issue >= APR)
			continue;
		valid = !strcmp(d->supplier, S1) ||
			(!strcmp(d->supplier, S4) && d->issue <= tday(2026, 3, 15));
		docs++;
		spend += d->amount;
		cdocs += valid;
		contract += valid ? d->amount : 0;
	}
	OK(dash_contract_compliance(&c, w->t->s, &f, &err));
	assert_int_equal(c.spend, spend);
	assert_int_equal(c.contract_spend, contract);
	assert_int_equal(c.invoices, docs);
	assert_int_equal(c.contract_invoices, cdocs);
	assert_int_equal(c.share, rate(contract, spend));
	/* by hand: 12 000 + 30 000 - 200 of 48 300 */
	assert_int_equal(c.spend, 4830000);
	assert_int_equal(c.contract_spend, 4180000);
	OK(dash_without_contract(&s, &n, w->t->s, &f, 0, &err));
	assert_int_equal(n, 2);
	assert_true(s[0].personal);
	assert_int_equal(s[0].spend, 500000);
	assert_string_equal(s[1].supplier, S2);
	assert_int_equal(s[1].spend - s[1].contract_spend, 150000);
	free(s);

	/* new suppliers: S2 and S4 in March 2026, S1 in June 2025 */
	OK(dash_new_suppliers(&m, &n, w->t->s, &f, 12, &err));
	assert_int_equal(n, 12);
	assert_int_equal(m[11].month, MAR);
	assert_int_equal(m[11].n, 2);
	assert_int_equal(m[2].month, tday(2025, 6, 1));
	assert_int_equal(m[2].n, 1);
	for (i = 0; i < n; i++)
		if (i != 11 && i != 2)
			assert_int_equal(m[i].n, 0);
	free(m);
}

/* Every table's CSV: a header, a line per row, and no personal number. */
static void test_csv_exports(void **state)
{
	world *w = *state;
	dash_filter f = dash_period(MAR, APR);
	dash_rate_row *r;
	dash_supplier_row *s;
	dash_reason_row *rs;
	dash_queue q;
	dash_lead l;
	dash_week_row *b;
	dash_handler_row *h;
	dash_trend_row *t;
	dash_einvoice e;
	dash_tail tl;
	dash_contract c;
	dash_month_row *m;
	size_t n;
	dynbuf out;
	const char *p;
	int lines = 0;

	dynbuf_init(&out, 1 << 20);
	OK(dash_touchless(&r, &n, w->t->s, &f, &err));
	assert_int_equal(dash_csv_touchless(&out, r, n), 0);
	assert_non_null(strstr(dynbuf_ptr(&out), "\nall,8,5,0.6250,11,10,0.9091,1,1,5,1,1\n"));
	for (p = dynbuf_ptr(&out); *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, (int)n + 1);
	free(r);
	OK(dash_suppliers(&s, &n, w->t->s, &f, 0, &err));
	assert_int_equal(dash_csv_suppliers(&out, s, n), 0);
	free(s);
	OK(dash_reasons(&rs, &n, NULL, w->t->s, &f, &err));
	assert_int_equal(dash_csv_reasons(&out, rs, n), 0);
	free(rs);
	OK(dash_queue_now(&q, w->t->s, &f, tday(2026, 4, 7), &err));
	assert_int_equal(dash_csv_queue(&out, &q), 0);
	assert_int_equal(dash_csv_queue_reasons(&out, &q), 0);
	assert_non_null(strstr(dynbuf_ptr(&out), "overdue,2,3500.50\n"));
	dash_queue_release(&q);
	OK(dash_lead_time(&l, w->t->s, &f, &err));
	assert_int_equal(dash_csv_lead(&out, &l), 0);
	assert_non_null(strstr(dynbuf_ptr(&out), "robot alone,5,300,7200\n"));
	OK(dash_board(&b, &n, w->t->s, &f, 5, &err));
	assert_int_equal(dash_csv_board(&out, b, n), 0);
	free(b);
	OK(dash_handlers(&h, &n, w->t->s, &f, 5, &err));
	assert_int_equal(dash_csv_handlers(&out, h, n), 0);
	free(h);
	OK(dash_trend_weeks(&t, &n, w->t->s, &f, 12, &err));
	assert_int_equal(dash_csv_trend(&out, t, n), 0);
	free(t);
	OK(dash_einvoice_share(&e, w->t->s, &f, &err));
	assert_int_equal(dash_csv_einvoice(&out, &e), 0);
	OK(dash_supplier_tail(&tl, NULL, NULL, w->t->s, &f, 0, 0, &err));
	assert_int_equal(dash_csv_tail(&out, &tl), 0);
	OK(dash_contract_compliance(&c, w->t->s, &f, &err));
	assert_int_equal(dash_csv_contract(&out, &c), 0);
	assert_non_null(strstr(dynbuf_ptr(&out), "\n48300.00,41800.00,6500.00,6,3,0.8654\n"));
	OK(dash_new_suppliers(&m, &n, w->t->s, &f, 12, &err));
	assert_int_equal(dash_csv_new_suppliers(&out, m, n), 0);
	free(m);
	assert_null(strstr(dynbuf_ptr(&out), S3));
	dynbuf_release(&out);
}

/* A supplier name that a spreadsheet would run is defused in exports. */
static void test_csv_quotes_and_defuses(void **state)
{
	dash_spend_row row;
	dynbuf out;

	(void)state;
	memset(&row, 0, sizeof(row));
	snprintf(row.supplier, sizeof(row.supplier), "5561234567");
	snprintf(row.name, sizeof(row.name), "=HYPERLINK(\"x\",\"y\")");
	row.invoices = 1;
	row.spend = -1050;
	dynbuf_init(&out, 4096);
	assert_int_equal(dash_csv_spend(&out, &row, 1), 0);
	assert_non_null(strstr(dynbuf_ptr(&out),
			       "\n5561234567,\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\",1,-10.50,0.00,-10.50\n"));
	dynbuf_release(&out);
}

/* A registered count comes from CSV; a bad row loads nothing. */
static void test_paper_import(void **state)
{
	world *w = *state;
	static const char good[] = "date;count;region;cost_centre\n2026-03-16;3;" RA ";100\n"
				   "2026-03-17;2;;\n";
	static const char bad[] = "date,count\n2026-03-18,4\n2026-13-01,1\n";
	dash_filter f = dash_period(tday(2026, 3, 16), tday(2026, 3, 19));
	dash_counts c;
	int64_t rows, total;

	OK(dash_import_paper(&rows, &total, w->t->s, good, sizeof(good) - 1, "paper.csv", &err));
	assert_int_equal(rows, 2);
	assert_int_equal(total, 5);
	ulf_err_clear(&err);
	assert_int_equal(dash_import_paper(&rows, &total, w->t->s, bad, sizeof(bad) - 1, "bad.csv",
					   &err), ULF_EPARSE);
	assert_non_null(strstr(err.msg, "bad.csv:3:"));
	OK(dash_counts_get(NULL, &c, w->t->s, &f, &err));
	assert_int_equal(c.in_paper, 5);
	f.region = RA;
	f.cost_centre = "100";
	OK(dash_counts_get(NULL, &c, w->t->s, &f, &err));
	assert_int_equal(c.in_paper, 3);
}

/* The store's own answers and the rollups agree on what is in the queue. */
static void test_queue_matches_the_states(void **state)
{
	world *w = *state;
	int64_t counts[ST_COUNT_];
	dash_queue q;
	dash_filter f = dash_period(MAR, APR);

	OK(store_count_states(counts, w->t->s, &err));
	OK(dash_queue_now(&q, w->t->s, &f, APR, &err));
	assert_int_equal(q.size, counts[ST_EXCEPTION]);
	dash_queue_release(&q);
}


/* The main cost centre of a booking (JSON), worked out here: the line
 * with the largest net amount, the first of equals. */
static void main_cc(char *out, size_t n, const char *result)
{
	ujson *tree = NULL;
	const ujson *lines;
	size_t i;
	long long best = -1;

	out[0] = '\0';
	assert_int_equal(ujson_parse(&tree, result, strlen(result), "result", NULL), 0);
	lines = ujson_get(ujson_get(tree, "booking"), "lines");
	for (i = 0; i < ujson_array_size(lines); i++) {
		const ujson *l = ujson_array_get(lines, i);
		const char *cc = ujson_get_str(l, "cost_centre"), *net = ujson_get_str(l, "net_amount");
		long long cents = 0;
		const char *p;
		for (p = net; p && *p; p++)
			if (*p >= '0' && *p <= '9')
				cents = cents * 10 + (*p - '0');
		if (cc && *cc && cents > best) {
			best = cents;
			snprintf(out, n, "%s", cc);
		}
	}
	ujson_free(tree);
}

/*
 * The pipeline feeds the rollups: a PDF and a scanned image are received
 * and queued as NOT_EINVOICE, an invoice from an unknown supplier goes to
 * the queue decided, one the robot books is split by the main cost centre
 * of its booking and, posted, counts all of its lines as the robot's.
 */
static void test_pipeline_feeds_the_rollups(void **state)
{
	static const char pdf[] = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n";
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	ts_store *t = ts_store_new("dashboard-pipeline", TS_REFDATA | TS_SQLITE);
	int32_t today = cal_day_of(ts(2026, 5, 4, 9, 0));
	dash_filter f = dash_period(today, today + 1);
	char path[1024], *xml, *result = NULL, *reasons = NULL, cc[64];
	ulf_config cfg;
	pipeline *p = NULL;
	doc_state st;
	dash_counts c;
	dash_rate_row *r;
	size_t len, n;
	int64_t id, auto_id;
	bool dupl;

	(void)state;
	ts_refdata_load_samples(t->r);
	config_init(&cfg);
	snprintf(cfg.match_rules_file, sizeof(cfg.match_rules_file), "%s",
		 ts_samples_path(path, sizeof(path), "rules/regions.rules"));
	OK(pipeline_new(&p, t->s, &cfg, &err));

	OK(pipeline_receive(&id, &dupl, &st, p, "inbox", "scan.pdf", pdf, sizeof(pdf) - 1,
			    ts(2026, 5, 4, 9, 0), &err));
	assert_int_equal(st, ST_EXCEPTION);
	OK(store_get_text(&reasons, t->s, id, "reasons", &err));
	assert_string_equal(reasons, "[\"NOT_EINVOICE\"]");
	free(reasons);
	OK(pipeline_receive(&id, &dupl, &st, p, "inbox", "scan.png", png, sizeof(png) - 1,
			    ts(2026, 5, 4, 9, 1), &err));
	assert_int_equal(st, ST_EXCEPTION);

	xml = ts_slurp(&len, ts_samples_path(path, sizeof(path),
					     "invoices/peppol-invoice-unknown-supplier.xml"));
	OK(pipeline_receive(&id, &dupl, &st, p, "inbox", "unknown.xml", xml, len,
			    ts(2026, 5, 4, 9, 2), &err));
	free(xml);
	assert_int_equal(st, ST_EXCEPTION);

	xml = ts_slurp(&len, ts_samples_path(path, sizeof(path),
					     "invoices/peppol-invoice-vastmanland-partial.xml"));
	OK(pipeline_receive(&auto_id, &dupl, &st, p, "inbox", "partial.xml", xml, len,
			    ts(2026, 5, 4, 9, 3), &err));
	free(xml);
	assert_int_equal(st, ST_READY);           /* no ERP: it waits to be posted */
	OK(store_posting_begin(t->s, auto_id, "key-1", 0, ts(2026, 5, 4, 9, 4), &err));
	OK(store_posting_accepted(t->s, auto_id, 201, "V1", ts(2026, 5, 4, 9, 4), &err));

	OK(dash_counts_get(NULL, &c, t->s, &f, &err));
	assert_int_equal(c.in_paper, 2);
	assert_int_equal(c.in_invoices, 2);
	assert_int_equal(c.decided, 2);
	assert_int_equal(c.touchless, 1);
	assert_int_equal(c.exceptions, 1);
	assert_int_equal(c.queue_in, 3);
	/* the posted one: its booking's lines, under its main cost centre */
	OK(store_get_text(&result, t->s, auto_id, "result", &err));
	main_cc(cc, sizeof(cc), result);
	{
		ujson *tree = NULL;
		assert_int_equal(ujson_parse(&tree, result, strlen(result), "r", NULL), 0);
		assert_int_equal(c.lines_posted,
				 ujson_array_size(ujson_get(ujson_get(tree, "booking"), "lines")));
		assert_int_equal(c.lines_unchanged, c.lines_posted);
		ujson_free(tree);
	}
	free(result);
	assert_true(cc[0] != '\0');
	f.cost_centre = cc;
	OK(dash_touchless(&r, &n, t->s, &f, &err));
	assert_int_equal(r[DASH_FLOW_COUNT].decided, 1);
	assert_int_equal(r[DASH_FLOW_COUNT].touchless, 1);
	assert_int_equal(r[DASH_FLOW_PO].touchless, 1);
	free(r);
	pipeline_free(p);
	ts_store_free(t);
}


/* /metrics: the counters per region and flow equal the record's, the
 * queue's gauges the queue's, and no label is anything but region, flow
 * and a bucket; no personal number. */
static void test_metrics(void **state)
{
	world *w = *state;
	dynbuf out;
	dash_counts e;
	char want[256];
	const char *line, *p;
	tf all = { 0, tday(2026, 5, 1), RB, NULL, "non-po" };

	dynbuf_init(&out, 1 << 22);
	OK(metrics_dashboard(&out, w->t->s, ts(2026, 4, 7, 12, 0), NULL, &err));
	expect_counts(&e, w, &all);
	snprintf(want, sizeof(want), "\nulf_invoices_decided_total{region=\"%s\",flow=\"non-po\"} %lld\n",
		 RB, (long long)e.decided);
	assert_non_null(strstr(dynbuf_ptr(&out), want));
	snprintf(want, sizeof(want), "\nulf_invoices_touchless_total{region=\"%s\",flow=\"non-po\"} %lld\n",
		 RB, (long long)e.touchless);
	assert_non_null(strstr(dynbuf_ptr(&out), want));
	/* the queue: D10 and D12 in region A, po; D10 overdue since 2 April */
	assert_non_null(strstr(dynbuf_ptr(&out),
			       "\nulf_queue_documents{region=\"" RA "\",flow=\"po\"} 2\n"));
	assert_non_null(strstr(dynbuf_ptr(&out), "\nulf_queue_due_documents{region=\"" RA
			       "\",flow=\"po\",due=\"overdue\"} 1\n"));
	assert_non_null(strstr(dynbuf_ptr(&out), "\nulf_queue_aging_documents{region=\"" RA
			       "\",flow=\"po\",age=\"0-1\"} 1\n"));
	/* D1 300 s and D13 120 s at most 5 minutes; D14 20 minutes */
	assert_non_null(strstr(dynbuf_ptr(&out), "ulf_lead_time_robot_seconds_bucket{region=\""
			       RA "\",flow=\"po\",le=\"300\"} 2\n"));
	assert_null(strstr(dynbuf_ptr(&out), S3));
	/* every label is one of the few */
	for (line = dynbuf_ptr(&out); *line; line = p + (*p == '\n')) {
		const char *brace = strchr(line, '{');
		p = strchr(line, '\n');
		if (!p)
			p = line + strlen(line);
		if (*line == '#' || !brace || brace > p)
			continue;
		for (brace++; brace < p && *brace != '}'; ) {
			assert_true(!strncmp(brace, "region=", 7) || !strncmp(brace, "flow=", 5) ||
				    !strncmp(brace, "le=", 3) || !strncmp(brace, "age=", 4) ||
				    !strncmp(brace, "due=", 4) || !strncmp(brace, "of=", 3));
			brace = strchr(brace, '"');
			brace = strchr(brace + 1, '"') + 1;
			if (*brace == ',')
				brace++;
		}
	}
	dynbuf_release(&out);
}


/* Lives loaded from CSV count as the same lives lived: once, whole. */
static void test_import_lives(void **state)
{
	static const char csv[] =
		"id,received,kind,region,supplier,supplier_name,flow,cost_centre,lines,"
		"lines_changed,amount,issue_date,due_date,outcome,reasons,decided,acted,posted,"
		"again,handler\n"
		"a1,2026-03-02 09:00,invoice," RA "," S1 ",Leverantören AB,po,100,3,,"
		"1000.00,2026-03-02,2026-04-01,auto,,,,2026-03-02 09:05,,\n"
		"a2,2026-03-03 10:00,invoice," RA "," S1 ",Leverantören AB,po,100,2,1,"
		"2000.00,2026-03-03,2026-04-02,resolve,PRICE_DEVIATION,2026-03-03 10:01,"
		"2026-03-04 11:00,2026-03-04 11:05,,anna\n"
		"a3,2026-03-05 08:00,invoice," RB "," S2 ",X AB,non-po,200,1,,500.00,,,erp-hold,,"
		"2026-03-05 08:01,2026-03-05 09:00,2026-03-05 09:01,2026-03-05 10:00,bo\n"
		"a4,2026-03-10 08:00,paper," RA ",,,,,,,,,,open,,2026-03-10 08:00,,,,\n";
	static const char bad[] = "id,received,kind,outcome,posted\n"
				  "b1,2026-03-02 09:00,invoice,auto,2026-03-02 09:05\n"
				  "b2,2026-03-02 09:00,invoice,auto,\n";
	ts_store *t = ts_store_new("dashboard-lives", TS_SQLITE);
	dash_filter f = dash_period(MAR, APR);
	dash_counts c;
	int64_t loaded, skipped;

	(void)state;
	OK(dash_import_lives(&loaded, &skipped, t->s, csv, sizeof(csv) - 1, "lives.csv", &err));
	assert_int_equal(loaded, 4);
	assert_int_equal(skipped, 0);
	OK(dash_counts_get(NULL, &c, t->s, &f, &err));
	assert_int_equal(c.in_invoices, 3);
	assert_int_equal(c.in_paper, 1);
	assert_int_equal(c.dup_bytes, 1);
	assert_int_equal(c.decided, 3);          /* a1, a2 (the queue), a3 (posted) */
	assert_int_equal(c.touchless, 2);        /* a1, and a3 held up by the ERP alone */
	assert_int_equal(c.erp_posted, 1);
	assert_int_equal(c.lines_posted, 6);
	assert_int_equal(c.lines_unchanged, 5);  /* a2: one of two recoded */
	assert_int_equal(c.lead_robot[1], 1);    /* a1, 5 minutes */
	assert_int_equal(c.touches, 1);
	assert_int_equal(c.erp_actions, 1);
	/* again: nothing new */
	OK(dash_import_lives(&loaded, &skipped, t->s, csv, sizeof(csv) - 1, "lives.csv", &err));
	assert_int_equal(loaded, 0);
	assert_int_equal(skipped, 4);
	OK(dash_counts_get(NULL, &c, t->s, &f, &err));
	assert_int_equal(c.in_invoices, 3);
	assert_int_equal(c.dup_bytes, 1);
	/* a wrong row loads nothing, and says which */
	ulf_err_clear(&err);
	assert_int_equal(dash_import_lives(&loaded, &skipped, t->s, bad, sizeof(bad) - 1, "bad.csv",
					   &err), ULF_EINVAL);
	assert_non_null(strstr(err.msg, "bad.csv:3: b2:"));
	OK(dash_counts_get(NULL, &c, t->s, &f, &err));
	assert_int_equal(c.in_invoices, 3);
	ts_store_free(t);
}

static void test_calendar_basics(void **state)
{
	(void)state;
	assert_int_equal(cal_easter(2026), tday(2026, 4, 5));
	assert_int_equal(cal_easter(2024), tday(2024, 3, 31));
	assert_int_equal(cal_day_from_ymd(2026, 3, 1), MAR);
	assert_int_equal(cal_day_of(ts(2026, 3, 28, 23, 30)), tday(2026, 3, 28));
	assert_int_equal(cal_day_of(ts(2026, 3, 30, 0, 30)), tday(2026, 3, 30));
	assert_int_equal(cal_day_of(ts(2026, 3, 29, 23, 30)), tday(2026, 3, 29));
	assert_int_equal(cal_day_of(ts(2026, 10, 25, 23, 30)), tday(2026, 10, 25));
	assert_int_equal(cal_day_start(tday(2026, 7, 1)), ts(2026, 7, 1, 0, 0));
	assert_int_equal(cal_working_days(tday(2026, 4, 2), tday(2026, 4, 7)), 1);
	assert_int_equal(cal_working_days(tday(2026, 6, 18), tday(2026, 6, 22)), 1);
	assert_true(cal_is_holiday(tday(2026, 6, 20), NULL));      /* midsommardagen */
	assert_true(cal_is_holiday(tday(2026, 10, 31), NULL));     /* alla helgons dag */
	assert_false(cal_is_working_day(tday(2026, 5, 14)));       /* Kristi himmelsfärd */
	assert_true(cal_is_working_day(tday(2026, 5, 15)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts_equal_the_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_touchless_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reasons_and_suppliers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_now_ages_in_working_days, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lead_time_and_touches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_weekly_board, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trends_and_compare, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unit_indicators, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_exports, setup, teardown),
		cmocka_unit_test(test_csv_quotes_and_defuses),
		cmocka_unit_test_setup_teardown(test_paper_import, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_matches_the_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_calendar_basics, setup, teardown),
		cmocka_unit_test(test_pipeline_feeds_the_rollups),
		cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_lives, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
