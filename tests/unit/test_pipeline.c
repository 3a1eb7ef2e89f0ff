/*
 * Pipeline recovery: a care claim and its invoice that missed each other
 * (the robot died between storing the claim and looking for its invoice,
 * or two robots took them at the same moment) meet on the next resume;
 * a document that fails in a batch holds up none of the others.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/err.h"
#include "parsers/claim.h"
#include "robot/care/care.h"
#include "robot/config/config.h"
#include "robot/store/db.h"
#include "robot/pipeline/pipeline.h"
#include "robot/store/store.h"
#include "tests/support/support.h"

typedef struct fixture {
	ts_store *t;
	store *s;
	pipeline *p;
} fixture;

/* SQLite always: a test makes the store fail with an SQLite trigger. */
static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	ulf_config cfg;
	ulf_err err;

	ulf_err_clear(&err);
	assert_non_null(f);
	f->t = ts_store_new("pipeline", TS_SQLITE);
	f->s = f->t->s;
	config_init(&cfg);
	assert_int_equal(pipeline_new(&f->p, f->s, &cfg, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	pipeline_free(f->p);
	ts_store_free(f->t);
	free(f);
	return 0;
}

/* samples/care/<name>, whole */
static char *slurp(const char *name, size_t *out_len)
{
	char path[1024];

	return ts_slurp(out_len, ts_samples_path(path, sizeof(path), "care/%s", name));
}

static doc_state state_of(store *s, int64_t id)
{
	doc_state st;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_state(&st, s, id, &err), 0);
	return st;
}

/* The claim stored and waiting, as take_claim leaves it when the robot
 * dies before it looks for the invoice. */
static int64_t claim_taken_then_killed(fixture *f, int64_t now)
{
	size_t len;
	char *bytes = slurp("claim-matched.xml", &len);
	store_care_keys sk;
	care_keys ck;
	claim *c = NULL;
	int64_t id;
	bool dup;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_receive(&id, &dup, f->s, "inbox", "claim-matched.xml", bytes, len,
				       now, &err), 0);
	assert_int_equal(claim_read_buffer(&c, bytes, len, "claim-matched.xml", NULL, NULL, &err),
			 0);
	care_claim_keys(&ck, c);
	sk.claim_id = ck.claim_id;
	sk.invoice_number = ck.invoice_number;
	sk.seller_org = ck.seller_org;
	assert_int_equal(store_care_take(f->s, id, &sk, now, &err), 0);
	claim_free(c);
	free(bytes);
	return id;
}

static void test_waiting_pair_meets_on_resume(void **state)
{
	fixture *f = *state;
	const int64_t now = 1795000000;
	size_t len, n;
	char *bytes = slurp("invoice-matched.xml", &len);
	int64_t inv, cl;
	doc_state st;
	bool dup;
	ulf_err err;

	ulf_err_clear(&err);
	/* the invoice first: no claim yet, it waits */
	assert_int_equal(pipeline_receive(&inv, &dup, &st, f->p, "inbox", "invoice-matched.xml",
					  bytes, len, now, &err), 0);
	assert_int_equal(st, ST_WAITING);
	cl = claim_taken_then_killed(f, now);
	assert_int_equal(state_of(f->s, cl), ST_WAITING);

	assert_int_equal(pipeline_resume(&n, f->p, now + 1, &err), 0);
	assert_true(n >= 1);
	assert_int_equal(state_of(f->s, cl), ST_ATTACHED);
	st = state_of(f->s, inv);
	assert_true(st == ST_READY || st == ST_MATCHED || st == ST_POSTED);

	/* nothing more to do: a second resume leaves both where they are */
	assert_int_equal(pipeline_resume(&n, f->p, now + 2, &err), 0);
	assert_int_equal(state_of(f->s, cl), ST_ATTACHED);
	free(bytes);
}

static void test_claim_alone_keeps_waiting(void **state)
{
	fixture *f = *state;
	const int64_t now = 1795000000;
	int64_t cl;
	size_t n;
	ulf_err err;

	ulf_err_clear(&err);
	cl = claim_taken_then_killed(f, now);
	assert_int_equal(pipeline_resume(&n, f->p, now + 1, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(state_of(f->s, cl), ST_WAITING);
}

/*
 * Documents are resumed in batches that share one transaction.  One whose
 * stages fail (here the store refuses its events) is reported and stays
 * where it was; the others in its batch still go on.
 */
static void test_failing_document_holds_up_no_other(void **state)
{
	fixture *f = *state;
	size_t len, n;
	char *bytes = slurp("ubl-embedded-invoice.xml", &len);
	char *copy = malloc(len + 32), sql[256];
	int64_t ids[3];
	bool dup;
	ulf_err err;
	int i;

	assert_non_null(copy);
	ulf_err_clear(&err);
	for (i = 0; i < 3; i++) {
		/* different bytes, the same invoice */
		int k = snprintf(copy, len + 32, "%s<!-- %d -->", bytes, i);
		assert_int_equal(store_receive(&ids[i], &dup, f->s, "inbox", "copy.xml", copy,
					       (size_t)k, 1000, &err), 0);
	}
	snprintf(sql, sizeof(sql), "CREATE TRIGGER refuse BEFORE INSERT ON events"
		 " WHEN NEW.doc_id = %lld AND NEW.step <> 'receive'"
		 " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END", (long long)ids[1]);
	assert_int_equal(db_exec(store_db(f->s), sql, &err), 0);
	assert_int_not_equal(pipeline_resume(&n, f->p, 1000, &err), 0);
	assert_non_null(strstr(err.msg, "refused by the test"));
	assert_int_equal(state_of(f->s, ids[1]), ST_RECEIVED);
	assert_int_not_equal(state_of(f->s, ids[0]), ST_RECEIVED);
	assert_int_not_equal(state_of(f->s, ids[2]), ST_RECEIVED);
	/* once the store takes it, it goes on too */
	ulf_err_clear(&err);
	assert_int_equal(db_exec(store_db(f->s), "DROP TRIGGER refuse", &err), 0);
	assert_int_equal(pipeline_resume(&n, f->p, 1000, &err), 0);
	assert_int_not_equal(state_of(f->s, ids[1]), ST_RECEIVED);
	free(copy);
	free(bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_waiting_pair_meets_on_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_alone_keeps_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_document_holds_up_no_other, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
