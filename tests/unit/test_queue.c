/*
 * test_queue.c - the exception queue as the workbench uses it
 * (robot/pipeline/queue.h): the list's filters, sorts, paging and counts
 * per reason; two handlers on one invoice; a corrected booking checked
 * when saved; approve as suggested posting the robot's booking with the
 * reasons kept in the history; reject with an Invoice Response; hold,
 * assign and comment audited with the values before and after; a
 * correction remembered for the next invoice; a care claim shown masked
 * and unmasked only with a reason on record; attachments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/json.h"
#include "robot/config/config.h"
#include "robot/pipeline/queue.h"
#include "tests/support/support.h"

/* 2025-04-10 12:00 UTC: "today" for the due dates below */
#define NOW 1744286400

typedef struct fixture {
	ts_store *t;
	store *s;
	pipeline *p;
	ts_sim sm;
	bool sim;
} fixture;

static fixture *fx_new(bool with_erp)
{
	fixture *f = calloc(1, sizeof(*f));
	ulf_config cfg;
	erpsim_opts o;
	ulf_err err;

	assert_non_null(f);
	ulf_err_clear(&err);
	f->t = ts_store_new("queue", TS_REFDATA);
	f->s = f->t->s;
	config_init(&cfg);
	if (with_erp) {
		ts_need_certs();
		o = ts_sim_opts(&f->sm);
		ts_sim_start(&f->sm, &o);
		f->sim = true;
		snprintf(cfg.erp_url, sizeof(cfg.erp_url), "%s", f->sm.url);
		ts_erp_file(cfg.erp_ca_file, sizeof(cfg.erp_ca_file), "ca.pem");
	}
	if (pipeline_new(&f->p, f->s, &cfg, &err))
		fail_msg("pipeline_new: %s", err.msg);
	return f;
}

static void fx_free(fixture *f)
{
	pipeline_free(f->p);
	if (f->sim)
		ts_sim_stop(&f->sm);
	ts_store_free(f->t);
	free(f);
}

static doc_state state_of(store *s, int64_t id)
{
	doc_state st;
	ulf_err err;

	ulf_err_clear(&err);
	if (store_state(&st, s, id, &err))
		fail_msg("store_state: %s", err.msg);
	return st;
}

/* ---- the list, on documents put into the queue directly ------------------ */

/* A waiting document with these columns (reasons: JSON array text). */
static int64_t waiting(store *s, int n, const char *seller, const char *org, const char *amount,
		       const char *due, const char *flow, const char *reasons, int64_t received)
{
	char name[32], body[64], facts[96];
	store_summary sum;
	int64_t id;
	bool dup;
	ulf_err err;

	ulf_err_clear(&err);
	snprintf(name, sizeof(name), "doc-%d.xml", n);
	snprintf(body, sizeof(body), "<doc n=\"%d\"/>", n);
	if (store_receive(&id, &dup, s, "test", name, body, strlen(body), received, &err))
		fail_msg("store_receive: %s", err.msg);
	memset(&sum, 0, sizeof(sum));
	sum.kind = "invoice";
	sum.seller_name = seller;
	sum.seller_org = org;
	sum.invoice_number = name;
	sum.payable = amount;
	sum.currency = "SEK";
	sum.flow = flow;
	sum.reasons = reasons;
	if (due) {
		snprintf(facts, sizeof(facts), "{\"due_date\":\"%s\"}", due);
		sum.facts = facts;
	}
	if (store_set_summary(s, id, &sum, received, &err) ||
	    store_transition(s, id, ST_RECEIVED, ST_EXCEPTION, "read", 0, NULL, received, &err))
		fail_msg("into the queue: %s", err.msg);
	return id;
}

typedef struct listing {
	queue_page pg;
	int64_t ids[64];
} listing;

static void list(listing *l, fixture *f, const queue_filter *qf)
{
	ulf_err err;
	size_t i;

	ulf_err_clear(&err);
	if (queue_list(&l->pg, f->s, qf, NOW, &err))
		fail_msg("queue_list: %s", err.msg);
	for (i = 0; i < l->pg.n && i < 64; i++)
		l->ids[i] = l->pg.items[i].id;
}

static int64_t count_of(const queue_page *pg, const char *reason)
{
	size_t i;

	for (i = 0; i < pg->ncounts; i++)
		if (!strcmp(pg->counts[i].reason, reason))
			return pg->counts[i].n;
	return 0;
}

static void test_list(void **state)
{
	fixture *f = fx_new(false);
	queue_filter qf;
	listing l;
	int64_t a, b, c, d, e;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	/* received in this order; due and amount in other orders */
	a = waiting(f->s, 1, "Exempelgrossisten Mälardalen AB", "5592117310", "1198.00",
		    "2025-04-20", "po", "[\"PRICE_DEVIATION\",\"AMOUNT_DEVIATION\"]", NOW - 5000);
	b = waiting(f->s, 2, "ÄLVSBYHUS Städ AB", "5560360793", "999.50", "2025-04-12", "non-po",
		    "[\"NO_ORDER\",\"NO_BOOKING\"]", NOW - 4000);
	c = waiting(f->s, 3, "Region Örebro län", "2321000164", "48125.00", NULL, "care",
		    "[\"CARE_MISMATCH\"]", NOW - 3000);
	d = waiting(f->s, 4, "Exempelgrossisten Mälardalen AB", "5592117310", "10.00",
		    "2025-04-01", "po", "[\"PRICE_DEVIATION\"]", NOW - 2000);
	e = waiting(f->s, 5, "Nyföretaget 50% AB", "5561234567", "7425.00", "2025-05-30", "non-po",
		    "[\"UNKNOWN_SUPPLIER\",\"NO_ORDER\"]", NOW - 1000);

	/* everything, soonest due first, none last; counts per reason */
	list(&l, f, NULL);
	assert_int_equal(l.pg.total, 5);
	assert_int_equal(l.pg.n, 5);
	assert_int_equal(l.ids[0], d);
	assert_int_equal(l.ids[1], b);
	assert_int_equal(l.ids[2], a);
	assert_int_equal(l.ids[3], e);
	assert_int_equal(l.ids[4], c);
	assert_int_equal(count_of(&l.pg, "PRICE_DEVIATION"), 2);
	assert_int_equal(count_of(&l.pg, "NO_ORDER"), 2);
	assert_int_equal(count_of(&l.pg, "CARE_MISMATCH"), 1);
	assert_string_equal(l.pg.counts[0].reason, "NO_ORDER");   /* most first, then by name */
	/* the row: exact amount, due date, reasons, supplier, version */
	assert_string_equal(l.pg.items[2].amount, "1198.00");
	assert_true(l.pg.items[2].amount_set);
	assert_string_equal(l.pg.items[2].due_date, "2025-04-20");
	assert_int_equal(l.pg.items[2].nreasons, 2);
	assert_string_equal(l.pg.items[2].reasons[0], "PRICE_DEVIATION");
	assert_string_equal(l.pg.items[2].supplier_name, "Exempelgrossisten Mälardalen AB");
	assert_string_equal(l.pg.items[2].flow, "po");
	assert_int_equal(l.pg.items[2].received_at, NOW - 5000);
	assert_true(l.pg.items[2].version > 0);
	queue_page_release(&l.pg);

	/* a reason: counts stay those of the other filters */
	memset(&qf, 0, sizeof(qf));
	qf.reason = "PRICE_DEVIATION";
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 2);
	assert_int_equal(l.ids[0], d);
	assert_int_equal(l.ids[1], a);
	assert_int_equal(count_of(&l.pg, "NO_ORDER"), 2);
	queue_page_release(&l.pg);

	/* supplier: part of the name in any case (Swedish letters too), or org number */
	memset(&qf, 0, sizeof(qf));
	qf.supplier = "älvsbyhus";
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 1);
	assert_int_equal(l.ids[0], b);
	queue_page_release(&l.pg);
	qf.supplier = "559211-7310";
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 2);
	queue_page_release(&l.pg);
	qf.supplier = "50%";         /* LIKE's own characters are literal */
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 1);
	assert_int_equal(l.ids[0], e);
	queue_page_release(&l.pg);
	/* ... and the reason counts follow the supplier */
	qf.supplier = "mälardalen";
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 2);
	assert_int_equal(count_of(&l.pg, "PRICE_DEVIATION"), 2);
	assert_int_equal(count_of(&l.pg, "NO_ORDER"), 0);
	queue_page_release(&l.pg);

	/* flow */
	memset(&qf, 0, sizeof(qf));
	qf.flow = "non-po";
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 2);
	queue_page_release(&l.pg);
	qf.flow = "care";
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 1);
	assert_int_equal(l.ids[0], c);
	queue_page_release(&l.pg);
	qf.flow = "nonsense";
	assert_int_equal(queue_list(&l.pg, f->s, &qf, NOW, &err), ULF_EINVAL);
	queue_page_release(&l.pg);

	/* due within N days: overdue ones too, none without a due date */
	memset(&qf, 0, sizeof(qf));
	qf.due_within_set = true;
	qf.due_within_days = 2;          /* up to 2025-04-12 */
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 2);
	assert_int_equal(l.ids[0], d);
	assert_int_equal(l.ids[1], b);
	queue_page_release(&l.pg);

	/* sorts: age, amount (as numbers, not texts), descending */
	memset(&qf, 0, sizeof(qf));
	qf.sort = QUEUE_SORT_AGE;
	list(&l, f, &qf);
	assert_int_equal(l.ids[0], a);
	assert_int_equal(l.ids[4], e);
	queue_page_release(&l.pg);
	qf.sort = QUEUE_SORT_AMOUNT;
	list(&l, f, &qf);
	assert_int_equal(l.ids[0], d);   /* 10.00 */
	assert_int_equal(l.ids[1], b);   /* 999.50 */
	assert_int_equal(l.ids[2], a);   /* 1198.00 */
	assert_int_equal(l.ids[3], e);   /* 7425.00 */
	assert_int_equal(l.ids[4], c);   /* 48125.00 */
	queue_page_release(&l.pg);
	qf.descending = true;
	list(&l, f, &qf);
	assert_int_equal(l.ids[0], c);
	assert_int_equal(l.ids[4], d);
	queue_page_release(&l.pg);

	/* paging: offset and limit over the whole, total of all pages */
	memset(&qf, 0, sizeof(qf));
	qf.limit = 2;
	qf.offset = 2;
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 5);
	assert_int_equal(l.pg.n, 2);
	assert_int_equal(l.ids[0], a);
	assert_int_equal(l.ids[1], e);
	queue_page_release(&l.pg);
	qf.offset = 4;
	list(&l, f, &qf);
	assert_int_equal(l.pg.n, 1);
	queue_page_release(&l.pg);

	/* assignee: mine, a user's, unassigned */
	list(&l, f, NULL);
	assert_int_equal(queue_assign(f->p, a, "anna", l.pg.items[2].version, "anna", NOW, &err), 0);
	queue_page_release(&l.pg);
	memset(&qf, 0, sizeof(qf));
	qf.who = QUEUE_MINE;
	qf.user = "anna";
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 1);
	assert_int_equal(l.ids[0], a);
	assert_string_equal(l.pg.items[0].assignee, "anna");
	queue_page_release(&l.pg);
	qf.who = QUEUE_USER;
	qf.user = "bert";
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 0);
	queue_page_release(&l.pg);
	qf.who = QUEUE_UNASSIGNED;
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 4);
	queue_page_release(&l.pg);

	/* on hold: left out or only */
	{
		queue_doc doc;
		assert_int_equal(queue_get(&doc, f->s, b, &err), 0);
		assert_int_equal(queue_hold(f->p, b, "anna", doc.version, "2025-04-30",
					    "waiting for the credit note", NOW, &err), 0);
		queue_doc_release(&doc);
	}
	memset(&qf, 0, sizeof(qf));
	qf.held = QUEUE_HELD_NOT;
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 4);
	queue_page_release(&l.pg);
	qf.held = QUEUE_HELD_ONLY;
	list(&l, f, &qf);
	assert_int_equal(l.pg.total, 1);
	assert_int_equal(l.ids[0], b);
	assert_true(l.pg.items[0].held);
	assert_string_equal(l.pg.items[0].hold_until, "2025-04-30");
	queue_page_release(&l.pg);

	/* a document that leaves the queue leaves the list and its counts */
	assert_int_equal(store_transition(f->s, c, ST_EXCEPTION, ST_RECEIVED, "retry", 0, NULL,
					  NOW, &err), 0);
	list(&l, f, NULL);
	assert_int_equal(l.pg.total, 4);
	assert_int_equal(count_of(&l.pg, "CARE_MISMATCH"), 0);
	queue_page_release(&l.pg);
	fx_free(f);
}

/* ---- the invoice: actions on the sample with a price deviation ------------ */

/* An invoice of samples/invoices received and run, its id. */
static int64_t arrive(fixture *f, const char *file, const char *from, const char *to,
		      doc_state want)
{
	char path[1024], *text, *changed;
	size_t len;
	int64_t id;
	bool dup;
	doc_state st;
	ulf_err err;

	ulf_err_clear(&err);
	text = ts_slurp(&len, ts_samples_path(path, sizeof(path), "invoices/%s", file));
	if (from) {
		changed = ts_replace(text, from, to);
		free(text);
		text = changed;
		len = strlen(text);
	}
	if (pipeline_receive(&id, &dup, &st, f->p, "test", file, text, len, NOW, &err))
		fail_msg("pipeline_receive: %s", err.msg);
	free(text);
	if (st != want)
		fail_msg("%s: %s, expected %s", file, store_state_name(st), store_state_name(want));
	return id;
}

static int64_t version_of(fixture *f, int64_t id)
{
	queue_doc d;
	int64_t v;
	ulf_err err;

	ulf_err_clear(&err);
	if (queue_get(&d, f->s, id, &err))
		fail_msg("queue_get: %s", err.msg);
	v = d.version;
	queue_doc_release(&d);
	return v;
}

/* The detail of the last audit row of document id for `action`, malloc'd. */
static char *audit_of(fixture *f, int64_t id, const char *action)
{
	queue_doc d;
	char *out = NULL;
	size_t i;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(queue_get(&d, f->s, id, &err), 0);
	for (i = 0; i < d.nhistory; i++)
		if (d.history[i].person && !strcmp(d.history[i].what, action)) {
			free(out);
			out = strdup(d.history[i].detail ? d.history[i].detail : "");
		}
	queue_doc_release(&d);
	if (!out)
		fail_msg("no audit row '%s' on document %lld", action, (long long)id);
	return out;
}

static void test_invoice_page(void **state)
{
	fixture *f = fx_new(false);
	queue_doc d;
	size_t i;
	bool price = false;
	int64_t id;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	ts_refdata_load_samples(f->t->r);
	id = arrive(f, "peppol-invoice-sormland-price-deviation.xml", NULL, NULL, ST_EXCEPTION);
	assert_int_equal(queue_get(&d, f->s, id, &err), 0);
	assert_string_equal(d.state, "exception");
	assert_string_equal(d.payable, "2669.38");
	assert_string_equal(d.net_total, "2135.50");
	assert_string_equal(d.item.reasons[0], "PRICE_DEVIATION");
	assert_int_equal(d.nlines, 2);
	/* the invoice line beside its order line, and the price check with its tolerance */
	assert_string_equal(d.lines[0].price, "59.90");
	assert_string_equal(d.lines[0].order_no, "DLL0861502");
	assert_string_equal(d.lines[0].order_price, "54.90");
	assert_non_null(d.lines[0].received_quantity);
	assert_true(d.lines[0].deviation);
	assert_false(d.lines[1].deviation);
	for (i = 0; i < d.lines[0].nchecks; i++) {
		const queue_check *c = &d.lines[0].checks[i];
		if (strcmp(c->check, "unit price"))
			continue;
		price = true;
		assert_string_equal(c->result, "deviation");
		assert_string_equal(c->invoice, "59.90");
		assert_string_equal(c->expected, "54.90");
		assert_string_equal(c->difference, "5.00");
		assert_string_equal(c->allowed, "0.00");
		assert_non_null(c->tolerance);
		assert_true(c->rules_line > 0);
	}
	assert_true(price);
	/* how it was matched, the reasons in words, the suggestion with sources */
	assert_string_equal(d.match.order_no, "DLL0861502");
	assert_non_null(strstr(d.match.order_source, "BT-13"));
	assert_string_equal(d.match.supplier_no, "10042");
	assert_non_null(d.match.supplier_how);
	assert_int_equal(d.nreasons, 3);
	assert_non_null(strstr(d.reasons[0].message, "59.90"));
	assert_int_equal(d.nsuggestion, 2);
	assert_string_equal(d.suggestion[0].f[QUEUE_ACCOUNT].value, "6110");
	assert_string_equal(d.suggestion[0].f[QUEUE_ACCOUNT].source, "order");
	assert_string_equal(d.suggestion[0].f[QUEUE_VAT_CODE].source, "vatcodes");
	assert_true(d.suggestion_complete);
	assert_null(d.booking_json);
	assert_true(d.nhistory >= 4);
	assert_false(d.history[0].person);
	assert_true(d.version > 0);
	assert_string_equal(d.changed_by, "robot");
	queue_doc_release(&d);

	assert_int_equal(queue_get(&d, f->s, 9999, &err), ULF_ENOTFOUND);
	queue_doc_release(&d);
	fx_free(f);
}

static void test_booking_checked_when_saved(void **state)
{
	static const char one_krona[] =
		"{\"lines\":[{\"invoice_line_id\":\"1\",\"account\":\"6110\",\"vat_code\":\"25\","
		"\"net_amount\":\"1.00\",\"vat_amount\":\"0.25\"}]}";
	static const char wrong[] =
		"{\"lines\":[{\"invoice_line_id\":\"1\",\"account\":\"9999\",\"cost_centre\":\"41510\","
		"\"vat_code\":\"12\",\"net_amount\":\"1198.00\",\"vat_amount\":\"299.50\"},"
		"{\"invoice_line_id\":\"2\",\"vat_code\":\"MP1\",\"net_amount\":\"937.5\","
		"\"vat_amount\":\"234.38\"}]}";
	static const char right[] =
		"{\"lines\":[{\"invoice_line_id\":\"1\",\"account\":\"6110\",\"cost_centre\":\"41510\","
		"\"vat_code\":\"25\",\"net_amount\":\"1198.00\",\"vat_amount\":\"299.50\"},"
		"{\"invoice_line_id\":\"2\",\"account\":\"6110\",\"vat_code\":\"25\","
		"\"net_amount\":\"937.50\",\"vat_amount\":\"234.38\"}]}";
	fixture *f = fx_new(false);
	queue_problems pr;
	int64_t id, v;
	ulf_err err;
	size_t i;
	char all[QUEUE_MAX_PROBLEMS * 240 + 1] = "";
	size_t used;

	(void)state;
	ulf_err_clear(&err);
	ts_refdata_load_samples(f->t->r);
	{
		/* the chart of accounts, as `ulf import dimensions` loads it */
		static const char csv[] = "dimension;code;name;active\n"
					  "account;6110;Kontorsmaterial;ja\n"
					  "account;5010;Lokalhyra;\n"
					  "account;9999;Stängt konto;nej\n";
		refdata_stats st;
		assert_int_equal(refdata_import_buffer(&st, f->t->r, REFDATA_DIMENSIONS, csv,
						       strlen(csv), "accounts.csv", NULL, NULL, NOW,
						       &err), 0);
		assert_int_equal(st.records, 3);
	}
	id = arrive(f, "peppol-invoice-sormland-price-deviation.xml", NULL, NULL, ST_EXCEPTION);
	v = version_of(f, id);

	/* 1.00 of 2 135.50: refused when saved, with what is missing */
	assert_int_equal(queue_approve_booking(&pr, f->p, id, "anna", v, one_krona, NULL, NOW, &err),
			 ULF_EINVAL);
	assert_int_equal(pr.n, 2);
	assert_int_equal(pr.items[0].line, -1);
	assert_non_null(strstr(pr.items[0].message, "add up to 1.00"));
	assert_non_null(strstr(pr.items[0].message, "2135.50"));
	assert_non_null(strstr(pr.items[0].message, "2134.50 missing"));
	assert_non_null(strstr(err.msg, "add up to 1.00"));
	assert_int_equal(state_of(f->s, id), ST_EXCEPTION);

	/* a message per problem, at its line and field */
	ulf_err_clear(&err);
	assert_int_equal(queue_booking_check(&pr, f->p, id, wrong, &err), ULF_EINVAL);
	for (i = 0, used = 0; i < pr.n; i++) {
		int w = snprintf(all + used, sizeof(all) - used, "%s\n", pr.items[i].message);
		assert_true(w > 0 && (size_t)w < sizeof(all) - used);
		used += (size_t)w;
	}
	assert_non_null(strstr(all, "line 1: account 9999 is not in the chart of accounts"));
	assert_non_null(strstr(all, "line 1: VAT code 12 does not fit invoice line 1"));
	assert_non_null(strstr(all, "line 2: the account is missing"));
	assert_non_null(strstr(all, "line 2: VAT code MP1 is not one the rules know"));
	for (i = 0; i < pr.n; i++)
		if (strstr(pr.items[i].message, "9999")) {
			assert_int_equal(pr.items[i].line, 0);
			assert_int_equal(pr.items[i].field, QUEUE_ACCOUNT);
		}
	assert_int_equal(queue_booking_check(&pr, f->p, id, "{\"lines\":", &err), ULF_EINVAL);
	assert_int_equal(pr.n, 1);

	/* the right one goes through, saved with who corrected it */
	ulf_err_clear(&err);
	assert_int_equal(queue_booking_check(&pr, f->p, id, right, &err), 0);
	assert_int_equal(pr.n, 0);
	assert_int_equal(queue_approve_booking(&pr, f->p, id, "anna", v, right, "price agreed", NOW,
					       &err), 0);
	assert_int_equal(state_of(f->s, id), ST_READY);
	{
		char *b = NULL;
		assert_int_equal(store_get_text(&b, f->s, id, "booking", &err), 0);
		assert_non_null(strstr(b, "\"corrected_by\":\"anna\""));
		assert_non_null(strstr(b, "\"corrected_on\":\"2025-04-10\""));
		free(b);
	}
	fx_free(f);
}

static void test_conflict(void **state)
{
	fixture *f = fx_new(false);
	int64_t id, v;
	char *detail;
	queue_doc d;
	size_t i, approvals = 0;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	ts_refdata_load_samples(f->t->r);
	id = arrive(f, "peppol-invoice-sormland-price-deviation.xml", NULL, NULL, ST_EXCEPTION);
	v = version_of(f, id);
	/* both opened version v; anna approves first */
	assert_int_equal(queue_approve(f->p, id, "anna", v, NULL, NOW, &err), 0);
	assert_int_equal(queue_approve(f->p, id, "bert", v, NULL, NOW + 60, &err), ULF_ECONFLICT);
	assert_non_null(strstr(err.msg, "changed by anna at 2025-04-10 12:00"));
	assert_non_null(strstr(err.msg, "reload"));
	/* nor does any other action of bert's go through on what he saw */
	ulf_err_clear(&err);
	assert_int_equal(queue_reject(f->p, id, "bert", v, "PRI", "too dear", NOW + 60, &err),
			 ULF_ECONFLICT);
	ulf_err_clear(&err);
	assert_int_equal(queue_comment(f->p, id, "bert", v, "hm", NOW + 60, &err), ULF_ECONFLICT);
	assert_int_equal(state_of(f->s, id), ST_READY);
	/* with the new version he learns it is no longer waiting */
	ulf_err_clear(&err);
	assert_int_equal(queue_approve(f->p, id, "bert", version_of(f, id), NULL, NOW + 60, &err),
			 ULF_EINVAL);
	assert_non_null(strstr(err.msg, "not in the exception queue"));
	ulf_err_clear(&err);
	assert_int_equal(queue_get(&d, f->s, id, &err), 0);
	for (i = 0; i < d.nhistory; i++)
		approvals += d.history[i].person && !strcmp(d.history[i].what, "approve");
	assert_int_equal(approvals, 1);
	assert_string_equal(d.changed_by, "anna");
	queue_doc_release(&d);
	detail = audit_of(f, id, "approve");
	assert_non_null(strstr(detail, "\"booking\":\"as suggested\""));
	free(detail);
	fx_free(f);
}

static void test_approve_as_suggested_posts(void **state)
{
	fixture *f = fx_new(true);
	char *detail, *reasons = NULL;
	int64_t id;
	doc_state st;
	queue_doc d;
	size_t i;
	bool queued = false;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	ts_refdata_load_samples(f->t->r);
	id = arrive(f, "peppol-invoice-sormland-price-deviation.xml", NULL, NULL, ST_EXCEPTION);
	assert_int_equal(queue_approve(f->p, id, "anna", version_of(f, id), "price agreed by phone",
				       NOW, &err), 0);
	/* posted as the robot suggested it: not sent back as NO_BOOKING */
	assert_int_equal(pipeline_process(&st, f->p, id, NOW, &err), 0);
	assert_int_equal(st, ST_POSTED);
	/* the reasons it waited for are on record: the audit row's before, the
	 * document's reasons, the history */
	detail = audit_of(f, id, "approve");
	assert_non_null(strstr(detail, "\"before\":{"));
	assert_non_null(strstr(detail, "PRICE_DEVIATION"));
	assert_non_null(strstr(detail, "\"note\":\"price agreed by phone\""));
	assert_non_null(strstr(detail, "\"state\":\"exception\""));
	assert_non_null(strstr(detail, "\"state\":\"ready\""));
	free(detail);
	assert_int_equal(store_get_text(&reasons, f->s, id, "reasons", &err), 0);
	assert_non_null(strstr(reasons, "PRICE_DEVIATION"));
	assert_null(strstr(reasons, "NO_BOOKING"));
	free(reasons);
	assert_int_equal(queue_get(&d, f->s, id, &err), 0);
	for (i = 0; i < d.nhistory; i++)
		if (!d.history[i].person && d.history[i].to && !strcmp(d.history[i].to, "exception"))
			queued = strstr(d.history[i].detail, "PRICE_DEVIATION") != NULL;
	assert_true(queued);
	assert_string_equal(d.state, "posted");
	queue_doc_release(&d);
	fx_free(f);
}

static void test_correction_learned(void **state)
{
	static const char booking[] =
		"{\"lines\":[{\"invoice_line_id\":\"1\",\"account\":\"5010\",\"cost_centre\":\"41510\","
		"\"vat_code\":\"25\",\"net_amount\":\"38500.00\",\"vat_amount\":\"9625.00\"}]}";
	fixture *f = fx_new(true);
	int64_t id, next;
	doc_state st;
	queue_doc d;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	ts_refdata_load_samples(f->t->r);
	/* the rent: no order, no booking the robot could make */
	id = arrive(f, "peppol-invoice-rent-nonpo.xml", NULL, NULL, ST_EXCEPTION);
	assert_int_equal(queue_approve(f->p, id, "anna", version_of(f, id), NULL, NOW, &err),
			 ULF_EINVAL);
	ulf_err_clear(&err);
	assert_int_equal(queue_approve_booking(NULL, f->p, id, "anna", version_of(f, id), booking,
					       NULL, NOW, &err), 0);
	assert_int_equal(pipeline_process(&st, f->p, id, NOW, &err), 0);
	assert_int_equal(st, ST_POSTED);
	/* next month's rent: the robot suggests anna's booking, and says so */
	next = arrive(f, "peppol-invoice-rent-nonpo.xml", "H-2025-04-117", "H-2025-05-118",
		      ST_EXCEPTION);
	assert_int_equal(queue_get(&d, f->s, next, &err), 0);
	assert_true(d.nsuggestion >= 1);
	assert_string_equal(d.suggestion[0].f[QUEUE_ACCOUNT].value, "5010");
	assert_string_equal(d.suggestion[0].f[QUEUE_COST_CENTRE].value, "41510");
	assert_string_equal(d.suggestion[0].f[QUEUE_ACCOUNT].source, "history");
	assert_non_null(strstr(d.suggestion[0].f[QUEUE_ACCOUNT].detail,
			       "learned from anna's correction on 2025-04-10"));
	queue_doc_release(&d);
	fx_free(f);
}

static void test_reject_response(void **state)
{
	fixture *f = fx_new(false);
	char *xml = NULL, *detail;
	size_t len;
	int64_t id;
	queue_doc d;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	ts_refdata_load_samples(f->t->r);
	id = arrive(f, "peppol-invoice-sormland-price-deviation.xml", NULL, NULL, ST_EXCEPTION);
	assert_int_equal(queue_reject(f->p, id, "anna", version_of(f, id), "XYZ", "no", NOW, &err),
			 ULF_EINVAL);
	ulf_err_clear(&err);
	assert_int_equal(queue_reject(f->p, id, "anna", version_of(f, id), "PRI", "", NOW, &err),
			 ULF_EINVAL);
	ulf_err_clear(&err);
	assert_int_equal(queue_response_get(&xml, &len, f->s, id, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_int_equal(queue_reject(f->p, id, "anna", version_of(f, id), "PRI",
				      "unit price 59.90 is not the agreed 54.90", NOW, &err), 0);
	assert_int_equal(state_of(f->s, id), ST_REJECTED);
	assert_int_equal(queue_response_get(&xml, &len, f->s, id, &err), 0);
	assert_non_null(strstr(xml, "ApplicationResponse"));
	assert_non_null(strstr(xml, ">RE</cbc:ResponseCode>"));
	assert_non_null(strstr(xml, "listID=\"OPStatusReason\">PRI<"));
	assert_non_null(strstr(xml, "unit price 59.90 is not the agreed 54.90"));
	assert_non_null(strstr(xml, "2025100512"));
	free(xml);
	assert_int_equal(queue_get(&d, f->s, id, &err), 0);
	assert_string_equal(d.response_code, "PRI");
	queue_doc_release(&d);
	detail = audit_of(f, id, "reject");
	assert_non_null(strstr(detail, "\"reason_code\":\"PRI\""));
	assert_non_null(strstr(detail, "\"response\":\"made\""));
	free(detail);
	fx_free(f);
}

static void test_hold_assign_comment_audited(void **state)
{
	fixture *f = fx_new(false);
	char *detail;
	int64_t id, v;
	doc_state st;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	ts_refdata_load_samples(f->t->r);
	id = arrive(f, "peppol-invoice-sormland-price-deviation.xml", NULL, NULL, ST_EXCEPTION);

	/* assign: to someone, then to oneself */
	v = version_of(f, id);
	assert_int_equal(queue_assign(f->p, id, "anna", v, "bert", NOW, &err), 0);
	assert_int_equal(queue_assign(f->p, id, "bert", version_of(f, id), "bert", NOW, &err), 0);
	detail = audit_of(f, id, "assign");
	assert_non_null(strstr(detail, "\"after\":{\"assignee\":\"bert\""));
	assert_non_null(strstr(detail, "\"before\":{\"assignee\":\"bert\""));
	free(detail);
	assert_int_equal(queue_assign(f->p, id, "bert", v, "cecilia", NOW, &err), ULF_ECONFLICT);

	/* hold: a date after today, with why; then off again */
	ulf_err_clear(&err);
	assert_int_equal(queue_hold(f->p, id, "bert", version_of(f, id), "2025-04-09", NULL, NOW,
				    &err), ULF_EINVAL);
	ulf_err_clear(&err);
	assert_int_equal(queue_hold(f->p, id, "bert", version_of(f, id), "2025-02-30", NULL, NOW,
				    &err), ULF_EINVAL);
	ulf_err_clear(&err);
	assert_int_equal(queue_hold(f->p, id, "bert", version_of(f, id), "2025-04-25",
				    "waiting for the credit note", NOW, &err), 0);
	detail = audit_of(f, id, "hold");
	assert_non_null(strstr(detail, "\"after\":{\"assignee\":\"bert\",\"booking\":null,"
			       "\"hold_until\":\"2025-04-25\""));
	assert_non_null(strstr(detail, "\"before\":{\"assignee\":\"bert\",\"booking\":null,"
			       "\"hold_until\":null"));
	assert_non_null(strstr(detail, "\"note\":\"waiting for the credit note\""));
	free(detail);
	assert_int_equal(queue_hold(f->p, id, "bert", version_of(f, id), NULL, NULL, NOW, &err), 0);
	detail = audit_of(f, id, "release");
	assert_non_null(strstr(detail, "\"hold_until\":\"2025-04-25\""));
	free(detail);

	/* a comment: on the record, the document where it was */
	assert_int_equal(queue_comment(f->p, id, "bert", version_of(f, id), "", NOW, &err),
			 ULF_EINVAL);
	ulf_err_clear(&err);
	assert_int_equal(queue_comment(f->p, id, "bert", version_of(f, id),
				       "called the supplier, credit note coming", NOW, &err), 0);
	detail = audit_of(f, id, "comment");
	assert_non_null(strstr(detail, "\"comment\":\"called the supplier, credit note coming\""));
	assert_non_null(strstr(detail, "\"state\":\"exception\""));
	free(detail);
	assert_int_equal(state_of(f->s, id), ST_EXCEPTION);

	/* retry: through the pipeline again, back in the queue, still bert's */
	assert_int_equal(queue_retry(&st, f->p, id, "bert", version_of(f, id), NOW, &err), 0);
	assert_int_equal(st, ST_EXCEPTION);
	{
		queue_doc d;
		assert_int_equal(queue_get(&d, f->s, id, &err), 0);
		assert_string_equal(d.item.assignee, "bert");
		assert_string_equal(d.changed_by, "robot");
		queue_doc_release(&d);
	}
	detail = audit_of(f, id, "retry");
	assert_non_null(strstr(detail, "\"state\":\"received\""));
	free(detail);
	fx_free(f);
}

/* samples/care/<name> received and run */
static int64_t arrive_care(fixture *f, const char *name)
{
	char path[1024], *text;
	size_t len;
	int64_t id;
	bool dup;
	doc_state st;
	ulf_err err;

	ulf_err_clear(&err);
	text = ts_slurp(&len, ts_samples_path(path, sizeof(path), "care/%s", name));
	if (pipeline_receive(&id, &dup, &st, f->p, "test", name, text, len, NOW, &err))
		fail_msg("pipeline_receive %s: %s", name, err.msg);
	free(text);
	return id;
}

static void test_care_claim_and_attachments(void **state)
{
	fixture *f = fx_new(false);
	char *ctext, *detail, *name = NULL, *mime = NULL;
	void *bytes = NULL;
	size_t len = 0;
	ujson *open_claim = NULL;
	int64_t inv, ubl;
	queue_doc d;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	arrive_care(f, "claim-matched.xml");
	inv = arrive_care(f, "invoice-matched.xml");
	/* the claim beside its invoice, masked */
	assert_int_equal(queue_get(&d, f->s, inv, &err), 0);
	assert_non_null(d.claim);
	ctext = ujson_dump(d.claim, UJSON_COMPACT);
	assert_non_null(strstr(ctext, "\"masked\":true"));
	assert_non_null(strstr(ctext, "-****"));
	assert_null(strstr(ctext, "19121212-1212"));
	assert_null(strstr(ctext, "191212121212"));
	free(ctext);
	/* its booking suggestion: the care booking, line by line */
	assert_true(d.nsuggestion > 0);
	assert_non_null(d.suggestion[0].f[QUEUE_ACCOUNT].value);
	assert_string_equal(d.suggestion[0].f[QUEUE_ACCOUNT].source, "care");
	queue_doc_release(&d);
	/* unmasked only with a reason, and on record first */
	assert_int_equal(queue_claim_unmask(&open_claim, f->s, inv, "carin", "", NOW, &err),
			 ULF_EINVAL);
	assert_null(open_claim);
	ulf_err_clear(&err);
	assert_int_equal(queue_claim_unmask(&open_claim, f->s, inv, "carin",
					    "checking the patient's home county", NOW, &err), 0);
	ctext = ujson_dump(open_claim, UJSON_COMPACT);
	assert_non_null(strstr(ctext, "\"masked\":false"));
	assert_null(strstr(ctext, "-****"));
	free(ctext);
	ujson_free(open_claim);
	detail = audit_of(f, inv, "unmask");
	assert_non_null(strstr(detail, "checking the patient's home county"));
	free(detail);

	/* an invoice's embedded attachment, listed and fetched */
	ubl = arrive_care(f, "ubl-embedded-invoice.xml");
	assert_int_equal(queue_get(&d, f->s, ubl, &err), 0);
	assert_true(d.nattachments >= 1);
	assert_true(d.attachments[0].size > 0);
	assert_non_null(d.claim);
	assert_int_equal(queue_attachment_get(&bytes, &len, &name, &mime, f->s, ubl, 0, &err), 0);
	assert_int_equal(len, d.attachments[0].size);
	assert_non_null(strstr(mime, "xml"));
	queue_doc_release(&d);
	free(bytes);
	free(name);
	free(mime);
	assert_int_equal(queue_attachment_get(&bytes, &len, &name, &mime, f->s, ubl, 99, &err),
			 ULF_ENOTFOUND);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_invoice_page),
		cmocka_unit_test(test_booking_checked_when_saved),
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_approve_as_suggested_posts),
		cmocka_unit_test(test_correction_learned),
		cmocka_unit_test(test_reject_response),
		cmocka_unit_test(test_hold_assign_comment_audited),
		cmocka_unit_test(test_care_claim_and_attachments),
	};

	return cmocka_run_group_tests(tests, ts_erp_setup, ts_erp_teardown);
}
