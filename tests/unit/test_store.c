/*
 * test_store.c - the store's promises: durable intake with dedupe by
 * content, compare-and-set state transitions along allowed edges only, the
 * resume list, state counts, and an audit trail that cannot be edited;
 * patient data kept apart (masked texts, bytes in the care table);
 * and db.h's own: transactions that roll back, row collectors with a cap,
 * schema scripts written once for both dialects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "robot/config/config.h"
#include "robot/store/store.h"
#include "tests/support/support.h"

/*
 * The same tests run on SQLite (a temporary file) and, when
 * ULF_TEST_PG_CONNINFO names a database (tests/cli/store_postgresql.sh
 * starts a throwaway server), on PostgreSQL with an emptied schema: the
 * shared ts_store, whose backend, path and store the tests use.
 */
typedef ts_store fixture;

static int setup(void **state)
{
	*state = ts_store_new("store", 0);
	return 0;
}

static int teardown(void **state)
{
	ts_store_free(*state);
	return 0;
}

static void test_receive_dedupes_by_content(void **state)
{
	fixture *f = *state;
	int64_t a, b, c;
	bool dup;
	ulf_err err;
	void *data;
	size_t len;
	char *name;

	ulf_err_clear(&err);
	assert_int_equal(store_receive(&a, &dup, f->s, "inbox", "a.xml", "<x/>", 4, 100, &err), 0);
	assert_false(dup);
	assert_int_equal(store_receive(&b, &dup, f->s, "inbox", "copy.xml", "<x/>", 4, 101, &err), 0);
	assert_true(dup);
	assert_int_equal(a, b);
	assert_int_equal(store_receive(&c, &dup, f->s, "http", "b.xml", "<y/>", 4, 102, &err), 0);
	assert_false(dup);
	assert_true(c != a);
	assert_int_equal(store_load(&data, &len, &name, f->s, a, &err), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(data, "<x/>", 4);
	assert_string_equal(name, "a.xml");
	free(data);
	free(name);
}

/* One history row's detail, appended to the text ctx points at. */
static void history_detail(const store_history_row *r, void *ctx)
{
	char *all = ctx;
	size_t n = strlen(all);

	snprintf(all + n, 4096 - n, "%s|", r->detail ? r->detail : "");
}

/* Issue 12: the general tables keep no personal identity number - the
 * name, the event details, the summary, the booking, the audit trail mask
 * it - and bytes holding one are kept in the care table, read back by
 * store_load_kept; an invoice carrying a claim is moved there. */
static void test_patient_data_kept_apart(void **state)
{
	fixture *f = *state;
	const char *doc = "<Invoice><Note>Vård av 191212121212</Note></Invoice>";
	char history[4096] = "", *v = NULL;
	int64_t id, plain;
	store_summary sum;
	audit_entry e;
	bool dup, care;
	ulf_err err;
	void *data;
	size_t len;
	char *name;

	ulf_err_clear(&err);
	assert_int_equal(store_receive(&id, &dup, f->s, "http", "patient-19121212-1212.xml", doc,
				       strlen(doc), 100, &err), 0);
	assert_int_equal(store_get_text(&v, f->s, id, "name", &err), 0);
	assert_string_equal(v, "patient-19121212-****.xml");
	free(v);
	/* the general table holds none of its bytes; the care table all */
	assert_int_equal(store_load(&data, &len, &name, f->s, id, &err), 0);
	assert_int_equal(len, 0);
	free(data);
	free(name);
	assert_int_equal(store_load_kept(&data, &len, &name, &care, f->s, id, &err), 0);
	assert_true(care);
	assert_int_equal(len, strlen(doc));
	assert_memory_equal(data, doc, len);
	assert_string_equal(name, "patient-19121212-****.xml");
	free(data);
	free(name);

	/* texts kept masked; JSON stays JSON, numbers in it stay numbers */
	memset(&sum, 0, sizeof(sum));
	sum.seller_name = "Tolvan Tolvansson 19121212-1212";
	sum.invoice_number = "1212121212";    /* an identifier: as written */
	sum.result = "{\"booking\":{\"lines\":[{\"description\":\"Vård av 191212121212\"}]},"
		     "\"at\":1212121212}";
	assert_int_equal(store_set_summary(f->s, id, &sum, 101, &err), 0);
	assert_int_equal(store_get_text(&v, f->s, id, "seller_name", &err), 0);
	assert_string_equal(v, "Tolvan Tolvansson 19121212-****");
	free(v);
	assert_int_equal(store_get_text(&v, f->s, id, "invoice_number", &err), 0);
	assert_string_equal(v, "1212121212");
	free(v);
	assert_int_equal(store_get_text(&v, f->s, id, "result", &err), 0);
	assert_string_equal(v, "{\"booking\":{\"lines\":[{\"description\":\"Vård av 19121212-****\"}]},"
			       "\"at\":1212121212}");
	free(v);
	assert_int_equal(store_set_booking(f->s, id, "{\"lines\":[{\"description\":\"121212-1212\"}]}",
					   102, &err), 0);
	assert_int_equal(store_get_text(&v, f->s, id, "booking", &err), 0);
	assert_string_equal(v, "{\"lines\":[{\"description\":\"121212-****\"}]}");
	free(v);
	assert_int_equal(store_transition(f->s, id, ST_RECEIVED, ST_READ, "read", 0,
					  "document patient-191212121212.xml: line 3", 103, &err), 0);
	memset(&e, 0, sizeof(e));
	e.who = "anna";
	e.action = "comment";
	e.detail = "called about 121212+1212";
	e.before = "{\"note\":\"191212121212\"}";
	e.at = 104;
	e.doc_id = id;
	assert_int_equal(store_audit_entry(NULL, f->s, &e, &err), 0);
	assert_int_equal(store_history(f->s, id, history_detail, history, &err), 0);
	assert_non_null(strstr(history, "patient-19121212-****.xml: line 3"));
	assert_non_null(strstr(history, "called about 121212-****"));
	assert_null(strstr(history, "1212121212"));
	assert_null(strstr(history, "121212+1212"));

	/* an invoice read and found to carry a claim: its bytes move over */
	assert_int_equal(store_receive(&plain, &dup, f->s, "inbox", "plain.xml", "<x/>", 4, 105,
				       &err), 0);
	assert_int_equal(store_care_keep(f->s, plain, &err), 0);
	assert_int_equal(store_care_keep(f->s, plain, &err), 0);    /* there already */
	assert_int_equal(store_load(&data, &len, &name, f->s, plain, &err), 0);
	assert_int_equal(len, 0);
	free(data);
	free(name);
	assert_int_equal(store_load_kept(&data, &len, &name, &care, f->s, plain, &err), 0);
	assert_true(care);
	assert_int_equal(len, 4);
	assert_memory_equal(data, "<x/>", 4);
	free(data);
	free(name);
	/* kept bytes are no claim waiting for its invoice */
	{
		store_care_keys k = { "", "", "" };
		int64_t *ids = NULL;
		size_t n = 9;
		assert_int_equal(store_find_waiting(&ids, &n, f->s, PARTNER_CLAIM, &k, &err), 0);
		assert_int_equal(n, 0);
		free(ids);
	}
}

static void test_transitions_are_compare_and_set(void **state)
{
	fixture *f = *state;
	doc_state st;
	int64_t id;
	bool dup;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_receive(&id, &dup, f->s, "inbox", "a.xml", "abc", 3, 1, &err), 0);
	assert_int_equal(store_transition(f->s, id, ST_RECEIVED, ST_READ, "read", 10, NULL, 2, &err), 0);
	assert_int_equal(store_state(&st, f->s, id, &err), 0);
	assert_int_equal(st, ST_READ);

	/* a second worker that still believes "received" loses */
	ulf_err_clear(&err);
	assert_int_equal(store_transition(f->s, id, ST_RECEIVED, ST_READ, "read", 10, NULL, 3, &err),
			 ULF_ENOTFOUND);
	/* edges the state machine does not have are refused */
	ulf_err_clear(&err);
	assert_int_equal(store_transition(f->s, id, ST_READ, ST_POSTED, "post", 0, NULL, 3, &err),
			 ULF_EINVAL);
	assert_non_null(strstr(err.msg, "read -> posted"));
	/* anything may go to the queue; final states stay final */
	ulf_err_clear(&err);
	assert_int_equal(store_transition(f->s, id, ST_READ, ST_EXCEPTION, "validate", 0,
					  "{\"reasons\":[\"INVALID\"]}", 4, &err), 0);
	assert_int_equal(store_transition(f->s, id, ST_EXCEPTION, ST_REJECTED, "reject", 0, NULL, 5, &err), 0);
	assert_false(store_transition_allowed(ST_REJECTED, ST_READY));
	assert_false(store_transition_allowed(ST_POSTED, ST_EXCEPTION));
}

/* A group of store calls commits together or not at all, and a failed
 * call inside the group takes the whole group back. */
static void test_grouped_calls_are_one_transaction(void **state)
{
	fixture *f = *state;
	doc_state st;
	int64_t id;
	bool dup;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_receive(&id, &dup, f->s, "inbox", "g.xml", "ghi", 3, 1, &err), 0);

	/* rolled back by the caller: the inner commit did not reach the store */
	assert_int_equal(store_begin(f->s, &err), 0);
	assert_int_equal(store_transition(f->s, id, ST_RECEIVED, ST_READ, "read", 0, NULL, 2, &err), 0);
	store_rollback(f->s);
	assert_int_equal(store_state(&st, f->s, id, &err), 0);
	assert_int_equal(st, ST_RECEIVED);

	/* a failed step inside dooms the group: its commit fails */
	assert_int_equal(store_begin(f->s, &err), 0);
	assert_int_equal(store_transition(f->s, id, ST_RECEIVED, ST_READ, "read", 0, NULL, 2, &err), 0);
	assert_int_equal(store_attach(f->s, id, id, 3, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_true(store_commit(f->s, &err) < 0);
	assert_int_equal(store_state(&st, f->s, id, &err), 0);
	assert_int_equal(st, ST_RECEIVED);

	/* and one that goes through commits every step */
	assert_int_equal(store_begin(f->s, &err), 0);
	assert_int_equal(store_transition(f->s, id, ST_RECEIVED, ST_READ, "read", 0, NULL, 2, &err), 0);
	assert_int_equal(store_transition(f->s, id, ST_READ, ST_VALIDATED, "validate", 0, NULL, 2, &err), 0);
	assert_int_equal(store_commit(f->s, &err), 0);
	assert_int_equal(store_state(&st, f->s, id, &err), 0);
	assert_int_equal(st, ST_VALIDATED);
}

static void test_list_and_counts(void **state)
{
	fixture *f = *state;
	doc_state unfinished[] = { ST_RECEIVED, ST_READ };
	int64_t counts[ST_COUNT_], *ids, id[3];
	size_t n;
	bool dup;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_receive(&id[0], &dup, f->s, "inbox", "1", "1", 1, 1, &err), 0);
	assert_int_equal(store_receive(&id[1], &dup, f->s, "inbox", "2", "2", 1, 1, &err), 0);
	assert_int_equal(store_receive(&id[2], &dup, f->s, "inbox", "3", "3", 1, 1, &err), 0);
	assert_int_equal(store_transition(f->s, id[1], ST_RECEIVED, ST_READ, "read", 0, NULL, 2, &err), 0);
	assert_int_equal(store_transition(f->s, id[2], ST_RECEIVED, ST_EXCEPTION, "read", 0, NULL, 2, &err), 0);
	assert_int_equal(store_list(&ids, &n, f->s, unfinished, 2, 100, 0, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], id[0]);
	assert_int_equal(ids[1], id[1]);
	free(ids);
	assert_int_equal(store_count_states(counts, f->s, &err), 0);
	assert_int_equal(counts[ST_RECEIVED], 1);
	assert_int_equal(counts[ST_READ], 1);
	assert_int_equal(counts[ST_EXCEPTION], 1);
}

static void test_audit_is_append_only(void **state)
{
	fixture *f = *state;
	int64_t id;
	bool dup;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_receive(&id, &dup, f->s, "inbox", "a", "a", 1, 1, &err), 0);
	assert_int_equal(store_audit(f->s, id, "anna", "reject", "wrong buyer", 5, &err), 0);
	assert_int_not_equal(db_exec(store_db(f->s), "UPDATE audit SET who = 'eve'", &err), 0);
	assert_non_null(strstr(err.msg, "append-only"));
	ulf_err_clear(&err);
	assert_int_not_equal(db_exec(store_db(f->s), "DELETE FROM audit", &err), 0);
}

static void test_reopen_keeps_schema_and_data(void **state)
{
	fixture *f = *state;
	int64_t id, again;
	bool dup;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_receive(&id, &dup, f->s, "inbox", "a", "zz", 2, 1, &err), 0);
	store_close(f->s);
	assert_int_equal(store_open(&f->s, f->backend, f->path, &err), 0);
	assert_int_equal(store_receive(&again, &dup, f->s, "inbox", "a", "zz", 2, 1, &err), 0);
	assert_true(dup);
	assert_int_equal(id, again);
}

/* walks a document to `ready` the way the pipeline does */
static int64_t ready_document(store *s, const char *bytes)
{
	static const doc_state path[] = { ST_RECEIVED, ST_READ, ST_VALIDATED, ST_MATCHED, ST_READY };
	int64_t id;
	bool dup;
	ulf_err err;
	size_t i;

	ulf_err_clear(&err);
	assert_int_equal(store_receive(&id, &dup, s, "inbox", "x", bytes, strlen(bytes), 1, &err), 0);
	for (i = 0; i + 1 < sizeof(path) / sizeof(path[0]); i++)
		assert_int_equal(store_transition(s, id, path[i], path[i + 1], "t", 0, NULL, 1, &err), 0);
	return id;
}

static void test_posting_keeps_its_key_and_waits_for_its_time(void **state)
{
	fixture *f = *state;
	doc_state ready[] = { ST_READY }, st;
	store_posting p;
	int64_t id = ready_document(f->s, "posting"), *ids;
	size_t n;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_posting_get(&p, f->s, id, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_int_equal(store_posting_begin(f->s, id, "key-1", 0, 10, &err), 0);
	assert_int_equal(store_posting_get(&p, f->s, id, &err), 0);
	assert_string_equal(p.idem_key, "key-1");
	assert_int_equal(p.attempts, 1);
	assert_string_equal(p.state, "sent");

	/* a 503: back to ready, not due before t=100 */
	assert_int_equal(store_posting_retry(f->s, id, 503, "busy", 100, 11, &err), 0);
	assert_int_equal(store_list(&ids, &n, f->s, ready, 1, 10, 50, &err), 0);
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(store_list(&ids, &n, f->s, ready, 1, 10, 100, &err), 0);
	assert_int_equal(n, 1);
	free(ids);

	/* the second attempt sends the first key again, whatever it is given */
	assert_int_equal(store_posting_begin(f->s, id, "key-2", 0, 100, &err), 0);
	assert_int_equal(store_posting_get(&p, f->s, id, &err), 0);
	assert_string_equal(p.idem_key, "key-1");
	assert_int_equal(p.attempts, 2);
	assert_int_equal(store_posting_accepted(f->s, id, 201, "{\"voucher\":\"V1\"}", 101, &err), 0);
	assert_int_equal(store_state(&st, f->s, id, &err), 0);
	assert_int_equal(st, ST_POSTED);
	/* posted is final: no second posting */
	ulf_err_clear(&err);
	assert_int_not_equal(store_posting_begin(f->s, id, "key-1", 0, 102, &err), 0);
}

static void test_posting_rejected_goes_to_the_queue(void **state)
{
	fixture *f = *state;
	int64_t id = ready_document(f->s, "rejected"), autom, decided;
	doc_state st;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_posting_begin(f->s, id, "k", 0, 1, &err), 0);
	assert_int_equal(store_posting_rejected(f->s, id, 422, "unknown account 9999", 2, &err), 0);
	assert_int_equal(store_state(&st, f->s, id, &err), 0);
	assert_int_equal(st, ST_EXCEPTION);
	/* a person corrects the booking: revision 1 brings a new key */
	{
		store_posting p;
		assert_int_equal(store_transition_audited(f->s, id, ST_EXCEPTION, ST_READY, "anna",
							  "resolve", NULL, 3, &err), 0);
		assert_int_equal(store_posting_begin(f->s, id, "k-rev1", 1, 4, &err), 0);
		assert_int_equal(store_posting_get(&p, f->s, id, &err), 0);
		assert_string_equal(p.idem_key, "k-rev1");
		assert_int_equal(p.revision, 1);
		assert_int_equal(p.attempts, 1);
		assert_int_equal(store_posting_failed(f->s, id, 0, "certificate", 5, &err), 0);
		assert_int_equal(store_state(&st, f->s, id, &err), 0);
		assert_int_equal(st, ST_EXCEPTION);
	}
	assert_int_equal(store_automation(&autom, &decided, f->s, &err), 0);
	assert_int_equal(autom, 0);
	assert_int_equal(decided, 1);
}

/*
 * Waiting for the ERP: a posting with no answer waits in erp_wait with
 * its key and payload, marked unknown until the ERP answers for the key;
 * sent again from erp_wait (or found in posting after a crash) it keeps
 * both; its window ends in the queue, and a person's action starts a
 * fresh budget.
 */
static void test_posting_waits_for_the_erp(void **state)
{
	fixture *f = *state;
	doc_state due[] = { ST_ERP_WAIT }, st;
	int64_t id = ready_document(f->s, "erp-wait"), *ids;
	store_send snd = { ST_READY, "key-w", 0, "{\"p\":1}" };
	store_answer lost = { .to = ST_ERP_WAIT, .state = "retry", .response = "timed out",
			      .detail = "outcome unknown: timed out", .next_at = 50,
			      .unknown = 1 };
	store_answer busy = { .to = ST_ERP_WAIT, .state = "retry", .http_status = 503,
			      .response = "busy", .next_at = 60 };
	store_erp_wait w;
	store_posting p;
	char *payload;
	size_t n;
	ulf_err err;

	ulf_err_clear(&err);
	assert_true(store_transition_allowed(ST_POSTING, ST_ERP_WAIT));
	assert_true(store_transition_allowed(ST_ERP_WAIT, ST_POSTING));
	assert_true(store_transition_allowed(ST_ERP_WAIT, ST_EXCEPTION));
	assert_false(store_transition_allowed(ST_ERP_WAIT, ST_READY));
	assert_false(store_transition_allowed(ST_ERP_WAIT, ST_POSTED));
	assert_string_equal(store_state_name(ST_ERP_WAIT), "erp_wait");

	assert_int_equal(store_posting_send(f->s, id, &snd, 10, &err), 0);
	assert_int_equal(store_posting_answer(f->s, id, &lost, 11, &err), 0);
	assert_int_equal(store_state(&st, f->s, id, &err), 0);
	assert_int_equal(st, ST_ERP_WAIT);
	assert_int_equal(store_posting_get(&p, f->s, id, &err), 0);
	assert_true(p.unknown);
	assert_int_equal(p.window_from, 10);
	assert_int_equal(store_erp_waiting(&w, f->s, &err), 0);
	assert_int_equal(w.waiting, 1);
	assert_int_equal(w.unknown, 1);
	assert_int_equal(w.since, 10);
	/* due at 50, not before */
	assert_int_equal(store_list(&ids, &n, f->s, due, 1, 10, 49, &err), 0);
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(store_list(&ids, &n, f->s, due, 1, 10, 50, &err), 0);
	assert_int_equal(n, 1);
	free(ids);

	/* sent again from erp_wait: the first key and payload, whatever is given */
	snd.from = ST_ERP_WAIT;
	snd.idem_key = "key-other";
	snd.payload = NULL;
	assert_int_equal(store_posting_send(f->s, id, &snd, 50, &err), 0);
	assert_int_equal(store_posting_get(&p, f->s, id, &err), 0);
	assert_string_equal(p.idem_key, "key-w");
	assert_int_equal(p.attempts, 2);
	assert_int_equal(p.window_from, 10);
	assert_int_equal(store_posting_payload(&payload, f->s, id, &err), 0);
	assert_string_equal(payload, "{\"p\":1}");
	free(payload);
	/* a 503 says nothing of the lost answer: still unknown */
	assert_int_equal(store_posting_answer(f->s, id, &busy, 51, &err), 0);
	assert_int_equal(store_posting_get(&p, f->s, id, &err), 0);
	assert_true(p.unknown);

	/* the window ends while it waits: the queue, the posting failed */
	assert_int_equal(store_erp_wait_expired(&ids, &n, f->s, 9, 0, 0, 10, &err), 0);
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(store_erp_wait_expired(&ids, &n, f->s, 10, 0, 0, 10, &err), 0);
	assert_int_equal(n, 1);
	free(ids);
	assert_int_equal(store_posting_expire(f->s, id, "window ended", 70, &err), 0);
	assert_int_equal(store_state(&st, f->s, id, &err), 0);
	assert_int_equal(st, ST_EXCEPTION);
	assert_int_equal(store_erp_waiting(&w, f->s, &err), 0);
	assert_int_equal(w.waiting, 0);
	assert_int_equal(w.unknown_queued, 1);
	ulf_err_clear(&err);
	assert_int_equal(store_posting_expire(f->s, id, "again", 71, &err), ULF_ENOTFOUND);

	/* a person's retry: a fresh budget, the same key, still unknown */
	ulf_err_clear(&err);
	assert_int_equal(store_transition_audited(f->s, id, ST_EXCEPTION, ST_READY, "anna",
						  "resolve", NULL, 80, &err), 0);
	snd.from = ST_READY;
	assert_int_equal(store_posting_send(f->s, id, &snd, 90, &err), 0);
	assert_int_equal(store_posting_get(&p, f->s, id, &err), 0);
	assert_string_equal(p.idem_key, "key-w");
	assert_int_equal(p.attempts, 1);
	assert_int_equal(p.window_from, 90);
	assert_true(p.unknown);

	/* the robot killed mid-request: sent again from posting, unknown */
	snd.from = ST_POSTING;
	assert_int_equal(store_posting_send(f->s, id, &snd, 95, &err), 0);
	assert_int_equal(store_posting_get(&p, f->s, id, &err), 0);
	assert_int_equal(p.attempts, 2);
	/* the ERP answers for the key: known, posted */
	{
		store_answer ok = { .to = ST_POSTED, .state = "accepted", .http_status = 201,
				    .response = "SIM-1", .unknown = -1 };
		assert_int_equal(store_posting_answer(f->s, id, &ok, 96, &err), 0);
	}
	assert_int_equal(store_posting_get(&p, f->s, id, &err), 0);
	assert_false(p.unknown);
	assert_int_equal(store_state(&st, f->s, id, &err), 0);
	assert_int_equal(st, ST_POSTED);
	ulf_err_clear(&err);
	snd.from = ST_POSTING;
	assert_int_equal(store_posting_send(f->s, id, &snd, 97, &err), ULF_ENOTFOUND);
}

/* A 4xx that was the set-up's: taken back from the queue, once. */
static void test_posting_recalled_from_the_queue(void **state)
{
	fixture *f = *state;
	int64_t id = ready_document(f->s, "recall");
	store_send snd = { ST_READY, "key-r", 0, "{}" };
	store_answer rej = { .to = ST_EXCEPTION, .state = "rejected", .http_status = 400,
			     .response = "schema 2 required", .unknown = -1 };
	store_erp_wait w;
	store_posting p;
	doc_state st;
	char *reasons;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_posting_send(f->s, id, &snd, 1, &err), 0);
	assert_int_equal(store_posting_answer(f->s, id, &rej, 2, &err), 0);
	{
		store_summary sum = { .decision = "exception", .reasons = "[\"ERP_REJECTED\"]" };
		assert_int_equal(store_set_summary(f->s, id, &sum, 2, &err), 0);
	}
	/* another status: not this one's */
	assert_int_equal(store_posting_recall(f->s, id, 422, 3, &err), ULF_ENOTFOUND);
	ulf_err_clear(&err);
	assert_int_equal(store_posting_recall(f->s, id, 400, 3, &err), 0);
	assert_int_equal(store_state(&st, f->s, id, &err), 0);
	assert_int_equal(st, ST_ERP_WAIT);
	assert_int_equal(store_get_text(&reasons, f->s, id, "reasons", &err), 0);
	assert_null(reasons);
	assert_int_equal(store_posting_get(&p, f->s, id, &err), 0);
	assert_true(p.held_4xx);
	assert_string_equal(p.state, "held");
	assert_int_equal(store_erp_waiting(&w, f->s, &err), 0);
	assert_int_equal(w.held, 1);
	/* sent again and rejected again: its own; not taken back twice */
	snd.from = ST_ERP_WAIT;
	assert_int_equal(store_posting_send(f->s, id, &snd, 4, &err), 0);
	assert_int_equal(store_posting_answer(f->s, id, &rej, 5, &err), 0);
	ulf_err_clear(&err);
	assert_int_equal(store_posting_recall(f->s, id, 400, 6, &err), ULF_ENOTFOUND);
}

static void test_automation_counts_untouched_postings(void **state)
{
	fixture *f = *state;
	int64_t a = ready_document(f->s, "a"), b = ready_document(f->s, "b");
	int64_t c, autom, decided;
	bool dup;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_posting_begin(f->s, a, "ka", 0, 1, &err), 0);
	assert_int_equal(store_posting_accepted(f->s, a, 200, "ok", 2, &err), 0);
	/* b went through a person before it was posted */
	assert_int_equal(store_transition(f->s, b, ST_READY, ST_EXCEPTION, "t", 0, NULL, 2, &err), 0);
	assert_int_equal(store_transition_audited(f->s, b, ST_EXCEPTION, ST_READY, "anna",
						  "resolve", NULL, 3, &err), 0);
	/* two actions on one document: it is still one document touched */
	assert_int_equal(store_audit(f->s, b, "bo", "note", "checked again", 3, &err), 0);
	assert_int_equal(store_posting_begin(f->s, b, "kb", 0, 4, &err), 0);
	assert_int_equal(store_posting_accepted(f->s, b, 200, "ok", 5, &err), 0);
	assert_int_equal(store_receive(&c, &dup, f->s, "inbox", "c", "c", 1, 6, &err), 0);
	assert_int_equal(store_transition(f->s, c, ST_RECEIVED, ST_EXCEPTION, "read", 0, NULL, 6, &err), 0);
	assert_int_equal(store_automation(&autom, &decided, f->s, &err), 0);
	assert_int_equal(autom, 1);
	assert_int_equal(decided, 3);
}

/*
 * Statements are cached per connection: the same text twice while the
 * first is still in use gives two statements, and one handed out again
 * comes unbound and reset, whatever its last user left in it.
 */
static void test_statement_cache_hands_out_clean_statements(void **state)
{
	fixture *f = *state;
	db *d = store_db(f->s);
	db_stmt *a, *b;
	ulf_err err;
	int i, rc;

	ulf_err_clear(&err);
	assert_int_equal(db_exec(d, "CREATE TABLE cache_t (k INTEGER, v TEXT)", &err), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(db_prepare(&a, d, "INSERT INTO cache_t (k, v) VALUES (?, ?)", &err), 0);
		assert_int_equal(db_bind_row(a, &err, DBV_INT(i)), 0);
		if (i == 0)
			assert_int_equal(db_bind_text(a, 2, "first"), 0);
		/* later rows leave v unbound: NULL, not the first row's value */
		assert_int_equal(db_step(a, &err), 0);
		db_finalize(a);
	}
	assert_int_equal(db_prepare(&a, d, "SELECT k, v FROM cache_t ORDER BY k", &err), 0);
	assert_int_equal(db_step(a, &err), 1);
	/* the same text while `a` is mid-way: a statement of its own */
	assert_int_equal(db_prepare(&b, d, "SELECT k, v FROM cache_t ORDER BY k", &err), 0);
	assert_ptr_not_equal(a, b);
	assert_int_equal(db_step(b, &err), 1);
	assert_int_equal(db_step(b, &err), 1);
	assert_int_equal(db_col_int(b, 0), 1);
	assert_true(db_col_null(b, 1));
	assert_int_equal(db_col_int(a, 0), 0);
	assert_string_equal(db_col_text(a, 1), "first");
	db_finalize(b);
	db_finalize(a);
	/* handed out again from the start, not from where `a` stopped */
	assert_int_equal(db_prepare(&a, d, "SELECT k, v FROM cache_t ORDER BY k", &err), 0);
	assert_int_equal(db_step(a, &err), 1);
	assert_int_equal(db_col_int(a, 0), 0);
	db_finalize(a);
	/* more texts than the cache holds still work, cached or not */
	for (i = 0; i < 300; i++) {
		char sql[64];
		snprintf(sql, sizeof(sql), "SELECT count(*) + %d FROM cache_t", i);
		assert_int_equal(db_prepare(&a, d, sql, &err), 0);
		assert_int_equal(db_step(a, &err), 1);
		assert_int_equal(db_col_int(a, 0), 3 + i);
		db_finalize(a);
	}
	/* a statement that failed (SQLite at prepare, PostgreSQL at its
	 * step) works once its table is there */
	rc = db_prepare(&a, d, "SELECT n FROM later_t", &err);
	if (rc == 0) {
		rc = db_step(a, &err);
		db_finalize(a);
	}
	assert_true(rc < 0);
	ulf_err_clear(&err);
	assert_int_equal(db_exec(d, "CREATE TABLE later_t (n INTEGER)", &err), 0);
	assert_int_equal(db_prepare(&a, d, "SELECT n FROM later_t", &err), 0);
	assert_int_equal(db_step(a, &err), 0);
	db_finalize(a);
}

/* db_bind_row: a whole row in order, each type; a bad index is reported. */
static void test_bind_row_binds_a_row(void **state)
{
	fixture *f = *state;
	db *d = store_db(f->s);
	const unsigned char bytes[3] = { 1, 0, 2 };
	const void *p;
	db_stmt *st;
	size_t len;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(db_exec_schema(d, "CREATE TABLE bind_t (t TEXT, n {int64}, b {blob},"
					" z TEXT, nt TEXT)", &err), 0);
	assert_int_equal(db_prepare(&st, d, "INSERT INTO bind_t (t, n, b, z, nt)"
				    " VALUES (?, ?, ?, ?, ?)", &err), 0);
	assert_int_equal(db_bind_row(st, &err, DBV_TEXT("text"), DBV_INT(INT64_C(1) << 40),
				     DBV_BLOB(bytes, sizeof(bytes)), DBV_NULL, DBV_TEXT(NULL)), 0);
	assert_int_equal(db_run(st, &err), 0);
	assert_int_equal(db_prepare(&st, d, "SELECT t, n, b, z, nt FROM bind_t", &err), 0);
	assert_int_equal(db_step(st, &err), 1);
	assert_string_equal(db_col_text(st, 0), "text");
	assert_true(db_col_int(st, 1) == INT64_C(1) << 40);
	p = db_col_blob(st, 2, &len);
	assert_int_equal(len, sizeof(bytes));
	assert_memory_equal(p, bytes, sizeof(bytes));
	assert_true(db_col_null(st, 3));
	assert_true(db_col_null(st, 4));
	db_finalize(st);

	/* one value too many: parameter 2 does not exist */
	assert_int_equal(db_prepare(&st, d, "SELECT t FROM bind_t WHERE n = ?", &err), 0);
	assert_true(db_bind_row(st, &err, DBV_INT(1), DBV_TEXT("extra")) < 0);
	assert_string_equal(err.msg, "cannot bind parameter 2");
	db_finalize(st);
	/* the single binds report a bad index too */
	assert_int_equal(db_prepare(&st, d, "SELECT t FROM bind_t WHERE n = ?", &err), 0);
	assert_true(db_bind_int(st, 3, 1) < 0);
	assert_true(db_bind_text(st, 0, "x") < 0);
	db_finalize(st);
}

/* db_tx: a function that fails leaves nothing behind, and its error. */
static int insert_then(db *d, void *ctx, ulf_err *err)
{
	const int *fail = ctx;
	db_stmt *st;
	int rc = db_prepare(&st, d, "INSERT INTO tx_t (k) VALUES (?)", err);

	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(7));
	if (rc == 0)
		rc = db_run(st, err);
	else
		db_finalize(st);
	if (rc)
		return rc;
	return *fail ? ulf_err_set(err, ULF_EINVAL, "refused after the insert") : 0;
}

static int64_t count_rows(db *d, const char *sql)
{
	db_stmt *st;
	ulf_err err;
	int64_t n;

	ulf_err_clear(&err);
	assert_int_equal(db_prepare(&st, d, sql, &err), 0);
	assert_int_equal(db_step(st, &err), 1);
	n = db_col_int(st, 0);
	db_finalize(st);
	return n;
}

static void test_tx_rolls_back_when_fn_fails(void **state)
{
	fixture *f = *state;
	db *d = store_db(f->s);
	int fail = 1, ok = 0;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(db_exec(d, "CREATE TABLE tx_t (k INTEGER)", &err), 0);
	assert_int_equal(db_tx(d, insert_then, &fail, &err), ULF_EINVAL);
	assert_string_equal(err.msg, "refused after the insert");
	assert_int_equal(count_rows(d, "SELECT COUNT(*) FROM tx_t"), 0);
	/* the connection is free again: the next transaction commits */
	ulf_err_clear(&err);
	assert_int_equal(db_tx(d, insert_then, &ok, &err), 0);
	assert_int_equal(count_rows(d, "SELECT COUNT(*) FROM tx_t"), 1);
	/* inside a caller's transaction a failing one dooms it */
	assert_int_equal(db_begin(d, &err), 0);
	assert_int_equal(db_tx(d, insert_then, &ok, &err), 0);
	assert_int_equal(db_tx(d, insert_then, &fail, &err), ULF_EINVAL);
	assert_true(db_commit(d, &err) < 0);
	assert_int_equal(count_rows(d, "SELECT COUNT(*) FROM tx_t"), 1);
}

typedef struct kv {
	int64_t k;
	char v[8];
} kv;

static int fill_kv(void *elem, db_stmt *st, void *ctx, ulf_err *err)
{
	kv *e = elem;
	int64_t *stop_at = ctx;

	e->k = db_col_int(st, 0);
	snprintf(e->v, sizeof(e->v), "%s", db_col_text(st, 1));
	if (*stop_at && e->k == *stop_at)
		return ulf_err_set(err, ULF_ERANGE, "row %lld refused", (long long)e->k);
	return 0;
}

static int count_until(db_stmt *st, void *ctx, ulf_err *err)
{
	int *n = ctx;

	(void)st;
	(void)err;
	return ++*n == 3 ? 1 : 0;
}

/* db_collect and db_collect_ids keep at most `max` rows, and nothing on
 * failure; db_each stops where its function says. */
static void test_collect_stops_at_its_cap(void **state)
{
	fixture *f = *state;
	db *d = store_db(f->s);
	db_stmt *st;
	int64_t *ids, stop = 0;
	void *v;
	kv *rows;
	size_t n;
	ulf_err err;
	int i, seen = 0;

	ulf_err_clear(&err);
	assert_int_equal(db_exec(d, "CREATE TABLE rows_t (k INTEGER, v TEXT)", &err), 0);
	for (i = 1; i <= 50; i++) {
		assert_int_equal(db_prepare(&st, d, "INSERT INTO rows_t (k, v) VALUES (?, ?)", &err), 0);
		assert_int_equal(db_bind_row(st, &err, DBV_INT(i),
					     DBV_TEXT(i % 2 ? "odd" : "even")), 0);
		assert_int_equal(db_run(st, &err), 0);
	}
	/* the cap, below, at and above the rows there are */
	assert_int_equal(db_prepare(&st, d, "SELECT k FROM rows_t ORDER BY k", &err), 0);
	assert_int_equal(db_collect_ids(&ids, &n, st, 10, &err), 0);
	db_finalize(st);
	assert_int_equal(n, 10);
	for (i = 0; i < 10; i++)
		assert_int_equal(ids[i], i + 1);
	free(ids);
	assert_int_equal(db_prepare(&st, d, "SELECT k FROM rows_t ORDER BY k", &err), 0);
	assert_int_equal(db_collect_ids(&ids, &n, st, 50, &err), 0);
	db_finalize(st);
	assert_int_equal(n, 50);
	assert_int_equal(ids[49], 50);
	free(ids);
	assert_int_equal(db_prepare(&st, d, "SELECT k FROM rows_t ORDER BY k", &err), 0);
	assert_int_equal(db_collect_ids(&ids, &n, st, 1000, &err), 0);
	db_finalize(st);
	assert_int_equal(n, 50);
	free(ids);
	assert_int_equal(db_prepare(&st, d, "SELECT k FROM rows_t ORDER BY k", &err), 0);
	assert_int_equal(db_collect_ids(&ids, &n, st, 0, &err), 0);
	db_finalize(st);
	assert_null(ids);
	assert_int_equal(n, 0);
	/* elements of any size; a refused row leaves nothing */
	assert_int_equal(db_prepare(&st, d, "SELECT k, v FROM rows_t WHERE k > ? ORDER BY k", &err), 0);
	assert_int_equal(db_bind_row(st, &err, DBV_INT(40)), 0);
	assert_int_equal(db_collect(&v, &n, st, sizeof(kv), 5, fill_kv, &stop, &err), 0);
	db_finalize(st);
	rows = v;
	assert_int_equal(n, 5);
	assert_int_equal(rows[0].k, 41);
	assert_string_equal(rows[0].v, "odd");
	assert_string_equal(rows[1].v, "even");
	assert_int_equal(rows[4].k, 45);
	free(rows);
	stop = 45;
	assert_int_equal(db_prepare(&st, d, "SELECT k, v FROM rows_t WHERE k > ? ORDER BY k", &err), 0);
	assert_int_equal(db_bind_row(st, &err, DBV_INT(40)), 0);
	assert_int_equal(db_collect(&v, &n, st, sizeof(kv), 100, fill_kv, &stop, &err), ULF_ERANGE);
	db_finalize(st);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_string_equal(err.msg, "row 45 refused");
	/* db_each: 1 stops early, not an error */
	ulf_err_clear(&err);
	assert_int_equal(db_prepare(&st, d, "SELECT k FROM rows_t ORDER BY k", &err), 0);
	assert_int_equal(db_each(st, count_until, &seen, &err), 0);
	db_finalize(st);
	assert_int_equal(seen, 3);
}

/* The store answers the matcher's question: the same number from the same
 * seller, stored before, not rejected. */
static void test_find_duplicate(void **state)
{
	fixture *f = *state;
	db *d = store_db(f->s), *bare;
	store_summary sum = { .kind = "invoice", .invoice_number = "F-1",
			      .seller_org = "5560000001" };
	char path[64];
	int64_t a, b, c, id;
	doc_state ds;
	bool dup;
	ulf_err err;
	int fd;

	ulf_err_clear(&err);
	assert_int_equal(store_receive(&a, &dup, f->s, "inbox", "a.xml", "a", 1, 100, &err), 0);
	assert_int_equal(store_receive(&b, &dup, f->s, "inbox", "b.xml", "b", 1, 100, &err), 0);
	assert_int_equal(store_receive(&c, &dup, f->s, "inbox", "c.xml", "c", 1, 100, &err), 0);
	assert_int_equal(store_set_summary(f->s, a, &sum, 101, &err), 0);
	assert_int_equal(store_set_summary(f->s, b, &sum, 101, &err), 0);
	/* c: the same number, another seller */
	sum.seller_org = "5560000002";
	assert_int_equal(store_set_summary(f->s, c, &sum, 101, &err), 0);
	assert_int_equal(store_find_duplicate(&id, &ds, d, "invoice", b, "x", "5560000001", "F-1",
					      &err), 0);
	assert_int_equal(id, a);
	assert_int_equal(ds, ST_RECEIVED);
	/* not itself, not another kind, not another seller */
	assert_int_equal(store_find_duplicate(&id, &ds, d, "credit-note", b, "5560000001",
					      "5560000001", "F-1", &err), 0);
	assert_int_equal(id, 0);
	assert_int_equal(store_find_duplicate(&id, &ds, d, "invoice", c, "5560000002",
					      "5560000002", "F-1", &err), 0);
	assert_int_equal(id, 0);
	/* a rejected one does not count */
	assert_int_equal(store_transition(f->s, a, ST_RECEIVED, ST_EXCEPTION, "read", 0, NULL, 102,
					  &err), 0);
	assert_int_equal(store_transition(f->s, a, ST_EXCEPTION, ST_REJECTED, "handler", 0, NULL,
					  103, &err), 0);
	assert_int_equal(store_find_duplicate(&id, &ds, d, "invoice", a, "5560000001", "",
					      "F-1", &err), 0);
	assert_int_equal(id, b);
	assert_int_equal(store_find_duplicate(&id, &ds, d, "invoice", b, "5560000001", "",
					      "F-1", &err), 0);
	assert_int_equal(id, 0);
	/* a database that holds no store: not asked, no error */
	if (strcmp(f->backend, "sqlite") != 0)
		return;
	snprintf(path, sizeof(path), "/tmp/ulf-bare-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(db_open(&bare, "sqlite", path, &err), 0);
	assert_int_equal(store_find_duplicate(&id, &ds, bare, "invoice", 1, "a", "b", "F-1", &err),
			 ULF_ENOTFOUND);
	assert_string_equal(err.msg, "");
	db_close(bare);
	unlink(path);
}

/* store_history's rows, kept for the test to look at. */
typedef struct hist {
	char what[8][32], from[8][32], to[8][32], detail[8][512];
	size_t n;
} hist;

static void hist_row(const store_history_row *r, void *ctx)
{
	hist *h = ctx;

	if (h->n == 8 || r->is_audit)
		return;
	snprintf(h->what[h->n], sizeof(h->what[0]), "%s", r->what);
	snprintf(h->from[h->n], sizeof(h->from[0]), "%s", r->from ? r->from : "");
	snprintf(h->to[h->n], sizeof(h->to[0]), "%s", r->to ? r->to : "");
	snprintf(h->detail[h->n], sizeof(h->detail[0]), "%s", r->detail ? r->detail : "");
	h->n++;
}

/* Issue 16: the same bytes again are a resend in the history of the
 * document they are - counted, the state unchanged, nothing stored. */
static void test_resend_is_an_event_of_the_original(void **state)
{
	fixture *f = *state;
	int64_t a, b, n;
	bool dup;
	hist h;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_count_resends(&n, f->s, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_receive(&a, &dup, f->s, "inbox", "a.xml", "<x/>", 4, 100, &err), 0);
	assert_int_equal(store_transition(f->s, a, ST_RECEIVED, ST_EXCEPTION, "read", 0, NULL, 101,
					  &err), 0);
	assert_int_equal(store_receive(&b, &dup, f->s, "http", "again.xml", "<x/>", 4, 102, &err), 0);
	assert_true(dup);
	assert_int_equal(b, a);
	assert_int_equal(store_note_resend(f->s, a, "http", "sender-7", "again.xml", 102, &err), 0);
	assert_int_equal(store_note_resend(f->s, a, "inbox", NULL, "a2.xml", 103, &err), 0);
	assert_int_equal(store_count_resends(&n, f->s, &err), 0);
	assert_int_equal(n, 2);
	memset(&h, 0, sizeof(h));
	assert_int_equal(store_history(f->s, a, hist_row, &h, &err), 0);
	assert_int_equal(h.n, 4);
	assert_string_equal(h.what[2], "resend");
	assert_string_equal(h.from[2], "exception");
	assert_string_equal(h.to[2], "exception");
	assert_string_equal(h.detail[2], "{\"message\":\"received again over HTTP from sender sender-7"
			    " as again.xml: the same bytes as this document, not stored again\","
			    "\"source\":\"http\",\"sender\":\"sender-7\",\"name\":\"again.xml\"}");
	assert_non_null(strstr(h.detail[3], "received again from the inbox as a2.xml"));
	{
		doc_state st;
		assert_int_equal(store_state(&st, f->s, a, &err), 0);
		assert_int_equal(st, ST_EXCEPTION);
	}
	/* no such document */
	assert_int_equal(store_note_resend(f->s, 999, "inbox", NULL, "x.xml", 104, &err),
			 ULF_ENOTFOUND);
}

/* The documents of one content fingerprint, for duplicates on their way. */
static void test_find_same_content(void **state)
{
	fixture *f = *state;
	db *d = store_db(f->s);
	store_summary sum = { .kind = "invoice", .invoice_number = "C-1", .fingerprint = "fp1",
			      .refs = "{\"orders\":[\"O1\"]}" };
	store_content_doc *docs;
	int64_t a, b, c;
	size_t n;
	bool dup;
	char *text;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_receive(&a, &dup, f->s, "inbox", "a.xml", "a", 1, 100, &err), 0);
	assert_int_equal(store_receive(&b, &dup, f->s, "inbox", "b.xml", "b", 1, 100, &err), 0);
	assert_int_equal(store_receive(&c, &dup, f->s, "inbox", "c.xml", "c", 1, 100, &err), 0);
	assert_int_equal(store_set_summary(f->s, a, &sum, 101, &err), 0);
	sum.invoice_number = "C-2";
	sum.refs = NULL;
	assert_int_equal(store_set_summary(f->s, b, &sum, 101, &err), 0);
	assert_int_equal(store_get_text(&text, f->s, a, "fingerprint", &err), 0);
	assert_string_equal(text, "fp1");
	free(text);
	assert_int_equal(store_find_same_content(&docs, &n, d, "invoice", c, "fp1", 16, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(docs[0].id, a);
	assert_string_equal(docs[0].number, "C-1");
	assert_string_equal(docs[0].refs, "{\"orders\":[\"O1\"]}");
	assert_int_equal(docs[0].state, ST_RECEIVED);
	assert_null(docs[1].refs);
	store_content_docs_free(docs, n);
	/* not itself, at most max, not another kind or fingerprint */
	assert_int_equal(store_find_same_content(&docs, &n, d, "invoice", a, "fp1", 1, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(docs[0].id, b);
	store_content_docs_free(docs, n);
	assert_int_equal(store_find_same_content(&docs, &n, d, "credit-note", c, "fp1", 16, &err), 0);
	assert_int_equal(n, 0);
	assert_null(docs);
	/* a rejected one does not count */
	assert_int_equal(store_transition(f->s, a, ST_RECEIVED, ST_EXCEPTION, "read", 0, NULL, 102,
					  &err), 0);
	assert_int_equal(store_transition(f->s, a, ST_EXCEPTION, ST_REJECTED, "handler", 0, NULL,
					  103, &err), 0);
	assert_int_equal(store_find_same_content(&docs, &n, d, "invoice", c, "fp1", 16, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(docs[0].id, b);
	store_content_docs_free(docs, n);
	/* the bytes, by connection */
	{
		void *bytes;
		size_t len;
		assert_int_equal(store_load_bytes(&bytes, &len, d, c, &err), 0);
		assert_int_equal(len, 1);
		assert_string_equal(bytes, "c");
		free(bytes);
		assert_int_equal(store_load_bytes(&bytes, &len, d, 999, &err), ULF_ENOTFOUND);
	}
}

/* Schema scripts are written once: the tokens become the dialect's words,
 * other braces stay, an unknown token is an error. */
static void test_schema_tokens(void **state)
{
	fixture *f = *state;
	db *d = store_db(f->s);
	static const char *const good[] = {
		"CREATE TABLE tok_t (id {id}, n {int64} NOT NULL, b {blob}, j TEXT DEFAULT '{}');"
		"CREATE TABLE tok_log (at {int64});"
		"{append_only:tok_log}",
	};
	static const char *const bad[] = { "CREATE TABLE tok_u (n {int65});" };
	db_stmt *st;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(db_migrate(d, "tokens", good, 1, &err), 0);
	assert_int_equal(db_exec(d, "INSERT INTO tok_t (n) VALUES (5000000000)", &err), 0);
	assert_int_equal(db_prepare(&st, d, "SELECT id, n, j FROM tok_t", &err), 0);
	assert_int_equal(db_step(st, &err), 1);
	assert_true(db_col_int(st, 0) > 0);
	assert_int_equal(db_col_int(st, 1), 5000000000);
	assert_string_equal(db_col_text(st, 2), "{}");
	db_finalize(st);
	assert_int_equal(db_exec(d, "INSERT INTO tok_log (at) VALUES (1)", &err), 0);
	assert_int_not_equal(db_exec(d, "DELETE FROM tok_log", &err), 0);
	assert_non_null(strstr(err.msg, "append-only"));
	ulf_err_clear(&err);
	assert_int_equal(db_migrate(d, "tokens-bad", bad, 1, &err), ULF_EINVAL);
	assert_non_null(strstr(err.msg, "{int65}"));
}

/* The configuration names the backends the store has, no more, no less. */
static void test_config_names_the_backends(void **state)
{
	const char *const *names = config_choices("store_backend");
	const db_backend *be;
	size_t i, j, n = 0;

	(void)state;
	assert_non_null(names);
	for (i = 0; names[i]; i++) {
		assert_non_null(db_backend_find(names[i]));
		n++;
	}
	for (i = 0; (be = db_backend_at(i)) != NULL; i++) {
		for (j = 0; names[j] && strcmp(names[j], be->name) != 0; j++)
			;
		assert_non_null(names[j]);
	}
	assert_int_equal(i, n);
}

/* The store holds invoices, bank details and patient data: its file and
 * SQLite's -wal and -shm beside it are its owner's alone. */
static void test_store_files_are_private(void **state)
{
	static const char *const ends[] = { "", "-wal", "-shm" };
	mode_t old = umask(022);   /* the usual one, which let SQLite make 0644 */
	ts_store *t = ts_store_new("private", TS_SQLITE);
	char path[1100];
	struct stat sb;
	int64_t id;
	bool dup;
	size_t i;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(store_receive(&id, &dup, t->s, "inbox", "a", "a", 1, 1, &err), 0);
	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", t->path, ends[i]);
		assert_int_equal(stat(path, &sb), 0);
		if ((sb.st_mode & 0777) != 0600)
			fail_msg("%s has mode %03o", path, (unsigned)(sb.st_mode & 0777));
	}
	umask(old);
	ts_store_free(t);
}

static void test_unknown_backend(void **state)
{
	store *s;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(store_open(&s, "oracle", "x", &err), ULF_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err.msg, "oracle"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_receive_dedupes_by_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_patient_data_kept_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transitions_are_compare_and_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grouped_calls_are_one_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_is_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_schema_and_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_posting_keeps_its_key_and_waits_for_its_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_posting_rejected_goes_to_the_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_posting_waits_for_the_erp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_posting_recalled_from_the_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_automation_counts_untouched_postings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement_cache_hands_out_clean_statements, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_row_binds_a_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tx_rolls_back_when_fn_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_collect_stops_at_its_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_duplicate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resend_is_an_event_of_the_original, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_same_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_tokens, setup, teardown),
		cmocka_unit_test(test_config_names_the_backends),
		cmocka_unit_test(test_store_files_are_private),
		cmocka_unit_test(test_unknown_backend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
