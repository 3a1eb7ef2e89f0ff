/*
 * Pipeline recovery: a care claim and its invoice that missed each other
 * (the robot died between storing the claim and looking for its invoice,
 * or two robots took them at the same moment) meet on the next resume;
 * a document that fails in a batch holds up none of the others; a copy is
 * caught while the first is on its way.
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

/*
 * Issue 16, through the stages: the match stage keeps each invoice's
 * content fingerprint and references on its document, so a copy under
 * another number is caught while the first still waits in `ready` (no ERP
 * here), not only once it is posted; a re-issue under the first's number
 * names it and what differs.  The crash test saw 2-3 of 200 identical
 * rent copies posted before.
 */
static void test_copy_caught_before_the_first_is_posted(void **state)
{
	ts_store *t = ts_store_new("pipeline-dup", TS_SQLITE | TS_REFDATA);
	char path[1024], *rent, *copy, *reissue, *result = NULL, *fp = NULL;
	pipeline *p = NULL;
	ulf_config cfg;
	int64_t a, b, c;
	doc_state st;
	size_t len;
	bool dup;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	ts_refdata_load_samples(t->r);
	config_init(&cfg);
	snprintf(cfg.match_rules_file, sizeof(cfg.match_rules_file), "%s",
		 ts_samples_path(path, sizeof(path), "rules/regions.rules"));
	if (pipeline_new(&p, t->s, &cfg, &err))
		fail_msg("%s", err.msg);
	rent = ts_slurp(&len, ts_samples_path(path, sizeof(path),
					      "invoices/peppol-invoice-rent-nonpo.xml"));
	copy = ts_replace(rent, "<cbc:ID>H-2025-04-117</cbc:ID>", "<cbc:ID>H-2025-04-118</cbc:ID>");
	reissue = ts_replace(rent, "<cbc:DueDate>2025-04-01</cbc:DueDate>",
			     "<cbc:DueDate>2025-04-30</cbc:DueDate>");

	assert_int_equal(pipeline_receive(&a, &dup, &st, p, "inbox", "a.xml", rent, len, 1000,
					  &err), 0);
	assert_int_equal(st, ST_READY);
	assert_int_equal(store_get_text(&fp, t->s, a, "fingerprint", &err), 0);
	assert_non_null(fp);
	assert_int_equal(strlen(fp), 64);
	/* the same content under another number: a copy of a, still in ready */
	assert_int_equal(pipeline_receive(&b, &dup, &st, p, "inbox", "b.xml", copy, strlen(copy),
					  1001, &err), 0);
	assert_int_equal(st, ST_EXCEPTION);
	assert_int_equal(store_get_text(&result, t->s, b, "reasons", &err), 0);
	assert_string_equal(result, "[\"DUPLICATE\"]");
	free(result);
	assert_int_equal(store_get_text(&result, t->s, b, "result", &err), 0);
	assert_non_null(strstr(result, "\"duplicate_of\":{\"how\":\"content\","
			       "\"invoice_number\":\"H-2025-04-117\",\"document\":1,\"state\":\"ready\"}"));
	free(result);
	/* the first's number with other bytes: a re-issue, with what differs */
	assert_int_equal(pipeline_receive(&c, &dup, &st, p, "inbox", "c.xml", reissue,
					  strlen(reissue), 1002, &err), 0);
	assert_int_equal(st, ST_EXCEPTION);
	assert_int_equal(store_get_text(&result, t->s, c, "result", &err), 0);
	assert_non_null(strstr(result, "{\"what\":\"due date (BT-9)\",\"original\":\"2025-04-01\","
			       "\"this\":\"2025-04-30\"}"));
	assert_non_null(strstr(result, "\"message\":\"invoice H-2025-04-117 from this seller is"
			       " already in the store as document 1 (ready); this one differs in:"
			       " due date (BT-9) 2025-04-01, now 2025-04-30\""));
	free(result);
	free(fp);
	free(rent);
	free(copy);
	free(reissue);
	pipeline_free(p);
	ts_store_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_waiting_pair_meets_on_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_alone_keeps_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_document_holds_up_no_other, setup, teardown),
		cmocka_unit_test(test_copy_caught_before_the_first_is_posted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
