/*
 * test_erp_guard.c - the circuit breaker and the set-up fault
 * (robot/pipeline/erp_guard.h) on a fake clock: a run of failures pauses
 * posting, one probe at a time after the pause, a failed probe doubles
 * the pause up to its cap, an answer resumes full speed; a set-up fault
 * stops posting until a reload, probed now and then; the same 4xx for
 * different invoices in a row is a set-up fault, the same invoice twice
 * or different words are not, and a posting held once for it is judged
 * on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "robot/pipeline/erp_guard.h"

static erp_result outcome(erp_outcome o, int status, const char *message)
{
	erp_result r;

	memset(&r, 0, sizeof(r));
	r.outcome = o;
	r.http_status = status;
	snprintf(r.message, sizeof(r.message), "%s", message);
	return r;
}

static erp_guard *guard(unsigned failures, long wait, long wait_max, unsigned same)
{
	erp_guard_opts o = { failures, wait, wait_max, same };
	erp_guard *g = NULL;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(erp_guard_new(&g, &o, &err), 0);
	return g;
}

static erp_guard_mode mode(erp_guard *g)
{
	erp_guard_status st;

	erp_guard_status_get(g, &st);
	return st.mode;
}

static void test_breaker(void **state)
{
	erp_guard *g = guard(3, 1000, 4000, 0);
	erp_result down = outcome(ERP_RETRY, 503, "unavailable");
	erp_result ok = outcome(ERP_ACCEPTED, 201, "");
	erp_result busy = outcome(ERP_RETRY, 409, "in process");
	erp_guard_status st;
	int64_t t = 100000;
	bool fresh;

	(void)state;
	assert_int_equal(erp_guard_gate(g, t, &fresh), ERP_GATE_SEND);
	/* two failures and a success: the run is broken */
	erp_guard_report(g, &down, 1, 0, t);
	erp_guard_report(g, &down, 2, 0, t);
	erp_guard_report(g, &ok, 3, 0, t);
	erp_guard_report(g, &down, 4, 0, t);
	erp_guard_report(g, &busy, 5, 0, t);   /* 409 is an answer, neither way */
	erp_guard_report(g, &down, 6, 0, t);
	assert_int_equal(mode(g), ERP_GUARD_FLOWING);
	/* the third in a row pauses posting */
	erp_guard_report(g, &down, 7, 0, t);
	erp_guard_status_get(g, &st);
	assert_int_equal(st.mode, ERP_GUARD_PAUSED);
	assert_int_equal(st.since_ms, t);
	assert_int_equal(st.next_probe_ms, t + 1000);
	assert_non_null(strstr(st.reason, "unavailable"));
	assert_int_equal(st.changes, 1);
	assert_int_equal(erp_guard_gate(g, t + 999, &fresh), ERP_GATE_WAIT);
	/* one probe, and only one, once the pause is over */
	assert_int_equal(erp_guard_gate(g, t + 1000, &fresh), ERP_GATE_PROBE);
	assert_false(fresh);
	assert_int_equal(erp_guard_gate(g, t + 1000, &fresh), ERP_GATE_WAIT);
	/* it fails: the pause doubles, to the cap */
	erp_guard_report(g, &down, 8, ERP_REPORT_PROBE, t + 1100);
	erp_guard_status_get(g, &st);
	assert_int_equal(st.next_probe_ms, t + 1100 + 2000);
	assert_int_equal(st.since_ms, t);
	assert_int_equal(erp_guard_gate(g, t + 3100, NULL), ERP_GATE_PROBE);
	erp_guard_report(g, &down, 8, ERP_REPORT_PROBE, t + 3100);
	assert_int_equal(erp_guard_gate(g, t + 7099, NULL), ERP_GATE_WAIT);
	assert_int_equal(erp_guard_gate(g, t + 7100, NULL), ERP_GATE_PROBE);
	erp_guard_report(g, &down, 8, ERP_REPORT_PROBE, t + 7100);
	erp_guard_status_get(g, &st);
	assert_int_equal(st.next_probe_ms, t + 7100 + 4000);   /* capped */
	/* a probe that found nothing to post gives the probe back */
	assert_int_equal(erp_guard_gate(g, t + 11100, NULL), ERP_GATE_PROBE);
	erp_guard_probe_unused(g);
	assert_int_equal(erp_guard_gate(g, t + 11100, NULL), ERP_GATE_PROBE);
	/* an answer: full speed at once */
	erp_guard_report(g, &ok, 8, ERP_REPORT_PROBE, t + 11200);
	erp_guard_status_get(g, &st);
	assert_int_equal(st.mode, ERP_GUARD_FLOWING);
	assert_int_equal(st.since_ms, 0);
	assert_int_equal(st.changes, 2);
	assert_int_equal(erp_guard_gate(g, t + 11200, NULL), ERP_GATE_SEND);
	/* and the next pause starts from the first wait again */
	erp_guard_report(g, &down, 9, 0, t + 20000);
	erp_guard_report(g, &down, 9, 0, t + 20000);
	erp_guard_report(g, &down, 9, 0, t + 20000);
	erp_guard_status_get(g, &st);
	assert_int_equal(st.next_probe_ms, t + 21000);
	erp_guard_free(g);
}

static void test_setup_fault(void **state)
{
	erp_guard *g = guard(3, 1000, 60000, 0);
	erp_result tls = outcome(ERP_FAILED, 0, "SSL certificate problem: unable to get local issuer");
	erp_result down = outcome(ERP_RETRY, 0, "connection refused");
	erp_result rej = outcome(ERP_REJECTED, 422, "unknown account");
	erp_guard_status st;
	erp_guard_opts o = { 3, 1000, 60000, 0 };
	int64_t t = 5000;

	(void)state;
	assert_int_equal(erp_guard_report(g, &tls, 1, 0, t), ERP_VERDICT_AS_IS);
	erp_guard_status_get(g, &st);
	assert_int_equal(st.mode, ERP_GUARD_SETUP);
	assert_false(st.from_rejections);
	assert_non_null(strstr(st.reason, "unable to get local issuer"));
	assert_non_null(strstr(st.reason, "reloaded"));
	assert_int_equal(erp_guard_gate(g, t + 59999, NULL), ERP_GATE_WAIT);
	/* probed now and then; still wrong: still stopped */
	assert_int_equal(erp_guard_gate(g, t + 60000, NULL), ERP_GATE_PROBE);
	erp_guard_report(g, &tls, 1, ERP_REPORT_PROBE, t + 60000);
	erp_guard_status_get(g, &st);
	assert_int_equal(st.mode, ERP_GUARD_SETUP);
	assert_int_equal(st.since_ms, t);
	assert_int_equal(st.changes, 1);
	/* a reload: posting goes again at once */
	erp_guard_configure(g, &o);
	assert_int_equal(erp_guard_gate(g, t + 60001, NULL), ERP_GATE_SEND);
	/* stopped again; a probe meets an ERP that is down: paused instead */
	erp_guard_report(g, &tls, 1, 0, t + 70000);
	assert_int_equal(erp_guard_gate(g, t + 130000, NULL), ERP_GATE_PROBE);
	erp_guard_report(g, &down, 1, ERP_REPORT_PROBE, t + 130000);
	assert_int_equal(mode(g), ERP_GUARD_PAUSED);
	/* a rejection is an answer: the ERP is there */
	assert_int_equal(erp_guard_gate(g, t + 131000, NULL), ERP_GATE_PROBE);
	assert_int_equal(erp_guard_report(g, &rej, 1, ERP_REPORT_PROBE, t + 131000),
			 ERP_VERDICT_AS_IS);
	assert_int_equal(mode(g), ERP_GUARD_FLOWING);
	erp_guard_free(g);
}

static void test_same_rejection_for_every_invoice(void **state)
{
	erp_guard *g = guard(10, 1000, 60000, 3);
	erp_result schema = outcome(ERP_REJECTED, 400, "schema ulf.erp.posting/2 required");
	erp_result other = outcome(ERP_REJECTED, 422, "invoice 17 has an unknown account");
	erp_result ok = outcome(ERP_ACCEPTED, 201, "");
	erp_guard_status st;
	int64_t ids[8];
	int status = 0;
	bool fresh;

	(void)state;
	/* the same invoice twice, and different words between: no run */
	assert_int_equal(erp_guard_report(g, &schema, 1, 0, 10), ERP_VERDICT_AS_IS);
	assert_int_equal(erp_guard_report(g, &schema, 1, 0, 10), ERP_VERDICT_AS_IS);
	assert_int_equal(erp_guard_report(g, &other, 2, 0, 10), ERP_VERDICT_AS_IS);
	assert_int_equal(erp_guard_report(g, &schema, 3, 0, 10), ERP_VERDICT_AS_IS);
	assert_int_equal(erp_guard_report(g, &schema, 4, 0, 10), ERP_VERDICT_AS_IS);
	/* an acceptance breaks a run too */
	erp_guard_report(g, &ok, 5, 0, 10);
	assert_int_equal(erp_guard_report(g, &schema, 6, 0, 10), ERP_VERDICT_AS_IS);
	assert_int_equal(erp_guard_report(g, &schema, 7, 0, 10), ERP_VERDICT_AS_IS);
	assert_int_equal(mode(g), ERP_GUARD_FLOWING);
	/* a posting held once for a run is judged alone */
	assert_int_equal(erp_guard_report(g, &schema, 99, ERP_REPORT_HELD_BEFORE, 10),
			 ERP_VERDICT_AS_IS);
	/* the third different invoice: the set-up's fault */
	assert_int_equal(erp_guard_report(g, &schema, 8, 0, 20), ERP_VERDICT_SETUP);
	erp_guard_status_get(g, &st);
	assert_int_equal(st.mode, ERP_GUARD_SETUP);
	assert_true(st.from_rejections);
	assert_non_null(strstr(st.reason, "schema ulf.erp.posting/2 required"));
	assert_int_equal(erp_guard_take_recall(g, ids, 8, &status), 2);
	assert_int_equal(ids[0], 6);
	assert_int_equal(ids[1], 7);
	assert_int_equal(status, 400);
	assert_int_equal(erp_guard_take_recall(g, ids, 8, &status), 0);
	/* one more of it, in flight: held too; another answer is its own */
	assert_int_equal(erp_guard_report(g, &schema, 9, 0, 21), ERP_VERDICT_SETUP);
	assert_int_equal(erp_guard_report(g, &other, 10, 0, 21), ERP_VERDICT_AS_IS);
	assert_int_equal(mode(g), ERP_GUARD_SETUP);
	/* its probe is a document never sent */
	assert_int_equal(erp_guard_gate(g, 20 + 60000, &fresh), ERP_GATE_PROBE);
	assert_true(fresh);
	erp_guard_report(g, &ok, 11, ERP_REPORT_PROBE, 20 + 60000);
	assert_int_equal(mode(g), ERP_GUARD_FLOWING);
	erp_guard_free(g);

	/* 0: never */
	g = guard(10, 1000, 60000, 0);
	assert_int_equal(erp_guard_report(g, &schema, 1, 0, 10), ERP_VERDICT_AS_IS);
	assert_int_equal(erp_guard_report(g, &schema, 2, 0, 10), ERP_VERDICT_AS_IS);
	assert_int_equal(erp_guard_report(g, &schema, 3, 0, 10), ERP_VERDICT_AS_IS);
	assert_int_equal(mode(g), ERP_GUARD_FLOWING);
	erp_guard_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_breaker),
		cmocka_unit_test(test_setup_fault),
		cmocka_unit_test(test_same_rejection_for_every_invoice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
