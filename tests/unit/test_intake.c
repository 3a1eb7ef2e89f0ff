/*
 * test_intake.c - group commit of received documents: many threads at
 * once, every document stored once with its own id, the same bytes one
 * document (and a resend in its history), and a failed commit
 * acknowledging nothing it held.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "robot/store/db.h"
#include "robot/pipeline/intake.h"
#include "robot/store/store.h"
#include "tests/support/support.h"

#define THREADS 8
#define PER_THREAD 40

typedef struct fixture {
	ts_store *t;
	store *s;
	intake *in;
} fixture;

/* SQLite always: the tests make the store fail with an SQLite trigger. */
static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	ulf_err err;

	ulf_err_clear(&err);
	assert_non_null(f);
	f->t = ts_store_new("intake", TS_SQLITE);
	f->s = f->t->s;
	assert_int_equal(intake_new(&f->in, f->s, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	intake_free(f->in);
	ts_store_free(f->t);
	free(f);
	return 0;
}

static int64_t count(store *s, const char *sql)
{
	db_stmt *st;
	ulf_err err;
	int64_t n;

	ulf_err_clear(&err);
	assert_int_equal(db_prepare(&st, store_db(s), sql, &err), 0);
	assert_int_equal(db_step(st, &err), 1);
	n = db_col_int(st, 0);
	db_finalize(st);
	return n;
}

typedef struct worker {
	fixture *f;
	int no;
	int64_t ids[PER_THREAD];
	int64_t shared_id;
	bool shared_dup;
	int failures;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	char doc[64];
	ulf_err err;
	bool dup;
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		ulf_err_clear(&err);
		snprintf(doc, sizeof(doc), "<doc thread=\"%d\" n=\"%d\"/>", w->no, i);
		if (intake_receive(&w->ids[i], &dup, w->f->in, "http", "t", doc, strlen(doc),
				   1000, &err) || dup)
			w->failures++;
		if (i == PER_THREAD / 2) {
			/* every thread sends this one: it is one document */
			ulf_err_clear(&err);
			if (intake_receive(&w->shared_id, &w->shared_dup, w->f->in, "http", "shared",
					   "<shared/>", 9, 1000, &err))
				w->failures++;
		}
	}
	return NULL;
}

static void test_many_threads_each_document_once(void **state)
{
	fixture *f = *state;
	worker w[THREADS];
	pthread_t t[THREADS];
	int i, k, firsts = 0;

	for (i = 0; i < THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].f = f;
		w[i].no = i;
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(w[i].failures, 0);
		assert_int_equal(w[i].shared_id, w[0].shared_id);
		firsts += !w[i].shared_dup;
		for (k = 0; k < PER_THREAD; k++)
			assert_true(w[i].ids[k] > 0);
	}
	assert_true(w[0].shared_id > 0);
	assert_int_equal(firsts, 1);
	assert_int_equal(count(f->s, "SELECT count(*) FROM documents"), THREADS * PER_THREAD + 1);
	assert_int_equal(count(f->s, "SELECT count(DISTINCT id) FROM documents"),
			 THREADS * PER_THREAD + 1);
	/* each id holds the bytes its sender sent */
	for (i = 0; i < THREADS; i++) {
		for (k = 0; k < PER_THREAD; k += 13) {
			void *data;
			size_t len;
			char *name, doc[64];
			ulf_err err;

			ulf_err_clear(&err);
			snprintf(doc, sizeof(doc), "<doc thread=\"%d\" n=\"%d\"/>", i, k);
			assert_int_equal(store_load(&data, &len, &name, f->s, w[i].ids[k], &err), 0);
			assert_int_equal(len, strlen(doc));
			assert_memory_equal(data, doc, len);
			free(data);
			free(name);
		}
	}
	assert_int_equal(count(f->s, "SELECT count(*) FROM events WHERE step = 'receive'"),
			 THREADS * PER_THREAD + 1);
	/* the shared document arrived THREADS times: the others are resends */
	assert_int_equal(count(f->s, "SELECT count(*) FROM events WHERE step = 'resend'"),
			 THREADS - 1);
}

/* Issue 16: the same bytes again are a resend noted on the first, from
 * the sender who sent them; a sender is not told they were taken unless
 * the note was made. */
static void test_same_bytes_again_are_a_resend(void **state)
{
	fixture *f = *state;
	ulf_err err;
	int64_t id, id2, n;
	bool dup;

	ulf_err_clear(&err);
	assert_int_equal(intake_receive_from(&id, &dup, f->in, "http", "sender-a", "one.xml",
					     "<one/>", 6, 1000, &err), 0);
	assert_false(dup);
	assert_int_equal(intake_receive_from(&id2, &dup, f->in, "http", "sender-b", "again.xml",
					     "<one/>", 6, 1001, &err), 0);
	assert_true(dup);
	assert_int_equal(id2, id);
	assert_int_equal(count(f->s, "SELECT count(*) FROM documents"), 1);
	assert_int_equal(count(f->s, "SELECT count(*) FROM events WHERE step = 'resend' AND"
			       " detail LIKE '%received again over HTTP from sender sender-b as"
			       " again.xml%'"), 1);
	assert_int_equal(store_count_resends(&n, f->s, &err), 0);
	assert_int_equal(n, 1);
	/* the note refused: the sender hears an error, and may send again */
	assert_int_equal(db_exec(store_db(f->s), "CREATE TRIGGER refuse BEFORE INSERT ON events"
				 " WHEN NEW.step = 'resend'"
				 " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END", &err), 0);
	assert_int_not_equal(intake_receive(&id2, &dup, f->in, "http", "third.xml", "<one/>", 6,
					    1002, &err), 0);
	assert_non_null(strstr(err.msg, "refused by the test"));
	assert_int_equal(count(f->s, "SELECT count(*) FROM documents"), 1);
}

/* A commit that fails stores nothing and says so to its sender; the next
 * one goes through. */
static void test_failed_commit_acknowledges_nothing(void **state)
{
	fixture *f = *state;
	ulf_err err;
	int64_t id = -1;
	bool dup;

	ulf_err_clear(&err);
	assert_int_equal(db_exec(store_db(f->s), "CREATE TRIGGER refuse BEFORE INSERT ON bodies"
				 " WHEN length(NEW.bytes) = 7"
				 " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END", &err), 0);
	assert_int_not_equal(intake_receive(&id, &dup, f->in, "http", "bad", "<seven>", 7, 1000,
					    &err), 0);
	assert_non_null(strstr(err.msg, "refused by the test"));
	assert_int_equal(id, 0);
	assert_int_equal(count(f->s, "SELECT count(*) FROM documents"), 0);
	ulf_err_clear(&err);
	assert_int_equal(intake_receive(&id, &dup, f->in, "http", "good", "<eight/>", 8, 1000,
					&err), 0);
	assert_true(id > 0);
	assert_false(dup);
	assert_int_equal(count(f->s, "SELECT count(*) FROM documents"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_many_threads_each_document_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_commit_acknowledges_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_bytes_again_are_a_resend, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
