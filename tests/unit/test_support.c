/*
 * test_support.c - the unit tests' shared equipment (tests/support) does
 * what the tests rely on: a temporary store is fresh and leaves nothing
 * behind, the sample reference data loads whole, and the ERP simulator
 * starts on a port of its own and stops.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "robot/store/refdata.h"
#include "robot/store/store.h"
#include "tests/support/support.h"

static int setup(void **state)
{
	*state = ts_store_new("support", TS_REFDATA);
	return 0;
}

static int teardown(void **state)
{
	ts_store_free(*state);
	return 0;
}

static void temporary_store_leaves_nothing(void **state)
{
	ts_store *t = ts_store_new("support", TS_SQLITE | TS_REFDATA);
	char dir[sizeof(t->dir)];
	int64_t id;
	bool dup;
	ulf_err err;

	(void)state;
	assert_string_equal(t->backend, "sqlite");
	assert_non_null(t->r);
	assert_int_equal(strncmp(t->path, t->dir, strlen(t->dir)), 0);
	ulf_err_clear(&err);
	assert_int_equal(store_receive(&id, &dup, t->s, "inbox", "a.xml", "<a/>", 4, 1, &err), 0);
	assert_false(dup);
	assert_int_equal(access(t->path, F_OK), 0);
	snprintf(dir, sizeof(dir), "%s", t->dir);
	ts_store_free(t);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(errno, ENOENT);
	ts_store_free(NULL);
}

static void sample_refdata_loads(void **state)
{
	ts_store *t = *state;
	ref_supplier sup;
	ref_order *o = NULL;
	ref_history h;
	size_t n;
	bool found;
	ulf_err err;

	(void)state;
	ts_refdata_load_samples(t->r);
	ulf_err_clear(&err);
	/* the register */
	assert_int_equal(refdata_supplier_find(&sup, &n, t->r, REF_BY_NUMBER, "10042", &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(sup.name, "Exempelgrossisten Mälardalen AB");
	/* orders from the CSV export and from the PEPPOL Order */
	assert_int_equal(refdata_order_get(&o, t->r, "30458812", &err), 0);
	assert_true(o->nlines >= 2);
	refdata_order_free(o);
	assert_int_equal(refdata_order_get(&o, t->r, "DLL0852417", &err), 0);
	refdata_order_free(o);
	/* the booking history */
	assert_int_equal(refdata_history(&h, &found, t->r, "10077", "item", "UH-200M", &err), 0);
	assert_true(found);
	assert_string_equal(h.account, "4410");
}

static void simulator_starts_and_stops(void **state)
{
	ts_sim sm;
	erpsim_opts o;
	erpsim_stats st;
	char want[64];

	(void)state;
	ts_need_certs();
	o = ts_sim_opts(&sm);
	ts_sim_start(&sm, &o);
	assert_non_null(sm.s);
	snprintf(want, sizeof(want), "https://127.0.0.1:%u/postings", erpsim_port(sm.s));
	assert_string_equal(sm.url, want);
	erpsim_stats_get(sm.s, &st);
	assert_int_equal(st.requests, 0);
	ts_sim_stop(&sm);
	assert_null(sm.s);
	ts_sim_stop(&sm);   /* stopped twice: nothing happens */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(temporary_store_leaves_nothing),
		cmocka_unit_test_setup_teardown(sample_refdata_loads, setup, teardown),
		cmocka_unit_test(simulator_starts_and_stops),
	};

	return cmocka_run_group_tests(tests, ts_erp_setup, ts_erp_teardown);
}
