/*
 * Pipeline recovery: a care claim and its invoice that missed each other
 * (the robot died between storing the claim and looking for its invoice,
 * or two robots took them at the same moment) meet on the next resume;
 * a document that fails in a batch holds up none of the others; a copy is
 * caught while the first is on its way.
 *
 * Posting when the ERP is not there (docs/erp.md), against the simulator
 * in this process, on a fake clock (the `now` the pipeline is given; the
 * simulator's outage alone runs on real time): an outage longer than the
 * old attempt budget never queues; a run of failures pauses posting and
 * probes; an unknown outcome ends in the queue as ERP_OUTCOME_UNKNOWN with
 * its key, and a person's retry starts a fresh window and sends the same
 * key; a set-up fault, and the same 4xx for every invoice, hold the
 * invoices until the configuration is reloaded; a corrected booking waits
 * for the ERP's answer on the original key, sent again or looked up.
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
#include "core/digest.h"
#include "robot/config/config.h"
#include "robot/store/db.h"
#include "robot/pipeline/pipeline.h"
#include "robot/pipeline/queue.h"
#include "robot/store/store.h"
#include "tests/crash/care_gen.h"
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

/* ---- posting when the ERP is not there ----------------------------------- */

typedef struct efix {
	ts_store *t;
	ts_sim sm;
	ulf_config cfg;
	pipeline *p;
	care_gen *gen;
	char ca[512], lookup[160];
} efix;

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The robot's settings for the simulator sm: quick backoff, a minute's
 * window, no pause unless a test asks for one. */
static void erp_cfg(efix *f, const ts_sim *sm)
{
	config_init(&f->cfg);
	snprintf(f->cfg.erp_url, sizeof(f->cfg.erp_url), "%s", sm->url);
	snprintf(f->cfg.erp_ca_file, sizeof(f->cfg.erp_ca_file), "%s",
		 ts_erp_file(f->ca, sizeof(f->ca), "ca.pem"));
	f->cfg.erp_timeout_ms = 3000;
	f->cfg.erp_connections = 1;
	f->cfg.erp_backoff_ms = 10;
	f->cfg.erp_backoff_max_ms = 60000;
	f->cfg.erp_retry_window = 60;
	f->cfg.erp_breaker_failures = 100;
	f->cfg.erp_breaker_wait_ms = 5000;
}

static pipeline *new_pipeline(efix *f)
{
	pipeline *p = NULL;
	ulf_err err;

	ulf_err_clear(&err);
	if (pipeline_new(&p, f->t->s, &f->cfg, &err))
		fail_msg("pipeline: %s", err.msg);
	return p;
}

/* The store, the simulator with the faults asked for, the pipeline
 * (its settings tuned by `tune`), the invoices. */
static efix *efix_new(const erpsim_opts *faults, void (*tune)(efix *))
{
	efix *f = calloc(1, sizeof(*f));
	erpsim_opts o;
	char path[1024];

	assert_non_null(f);
	ts_need_certs();
	f->t = ts_store_new("pipeline-erp", TS_SQLITE);
	o = ts_sim_opts(&f->sm);
	o.fail_first = faults->fail_first;
	o.drop_first = faults->drop_first;
	o.reset_first = faults->reset_first;
	o.outage_after = faults->outage_after;
	o.outage_ms = faults->outage_ms;
	o.reject_invoice = faults->reject_invoice;
	ts_sim_start(&f->sm, &o);
	erp_cfg(f, &f->sm);
	if (tune)
		tune(f);
	f->p = new_pipeline(f);
	f->gen = care_gen_load(ts_samples_path(path, sizeof(path), "care/ubl-embedded-invoice.xml"));
	assert_non_null(f->gen);
	return f;
}

static void efix_free(efix *f)
{
	pipeline_free(f->p);
	ts_sim_stop(&f->sm);
	care_gen_free(f->gen);
	ts_store_free(f->t);
	free(f);
}

/* Invoice copy n received and taken as far as it goes at `now`. */
static int64_t receive_copy(efix *f, unsigned long n, int64_t now)
{
	size_t len;
	char *bytes = care_gen_make(f->gen, n, &len), name[32];
	int64_t id;
	doc_state st;
	bool dup;
	ulf_err err;

	assert_non_null(bytes);
	snprintf(name, sizeof(name), "copy-%lu.xml", n);
	ulf_err_clear(&err);
	if (pipeline_receive(&id, &dup, &st, f->p, "inbox", name, bytes, len, now, &err))
		fail_msg("receive: %s", err.msg);
	free(bytes);
	return id;
}

static void resume(pipeline *p, int64_t now)
{
	size_t n;
	ulf_err err;

	ulf_err_clear(&err);
	if (pipeline_resume(&n, p, now, &err))
		fail_msg("resume: %s", err.msg);
}

static store_posting posting_of(efix *f, int64_t id)
{
	store_posting sp;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_posting_get(&sp, f->t->s, id, &err), 0);
	return sp;
}

static char *column(efix *f, int64_t id, const char *name)
{
	char *v = NULL;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_get_text(&v, f->t->s, id, name, &err), 0);
	return v;
}

/* Whether any event of document id says `words`. */
static bool history_says(efix *f, int64_t id, const char *words)
{
	char sql[256];
	int64_t n = 0;
	db_stmt *st = NULL;
	ulf_err err;

	ulf_err_clear(&err);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM events WHERE doc_id = %lld"
		 " AND detail LIKE ?", (long long)id);
	assert_int_equal(db_prepare(&st, store_db(f->t->s), sql, &err), 0);
	{
		char like[256];
		snprintf(like, sizeof(like), "%%%s%%", words);
		assert_int_equal(db_bind_row(st, &err, DBV_TEXT(like)), 0);
		assert_int_equal(db_step(st, &err), 1);
		n = db_col_int(st, 0);
	}
	db_finalize(st);
	return n > 0;
}

/* The version of a waiting document, as a handler's page would show it. */
static int64_t version_of(efix *f, int64_t id)
{
	queue_doc d;
	int64_t v;
	ulf_err err;

	ulf_err_clear(&err);
	if (queue_get(&d, f->t->s, id, &err))
		fail_msg("%s", err.msg);
	v = d.version;
	queue_doc_release(&d);
	return v;
}

static erpsim_stats sim_stats(efix *f)
{
	erpsim_stats st;

	erpsim_stats_get(f->sm.s, &st);
	return st;
}

static void short_backoff(efix *f)
{
	f->cfg.erp_backoff_max_ms = 2000;
}

/* Twelve 503s in a row, more than the old erp_max_attempts (8): the
 * invoice waits in erp_wait all along, never the queue, and is posted once. */
static void test_outage_waits_never_queues(void **state)
{
	erpsim_opts o;
	efix *f;
	int64_t id, now = 1000;
	int i;

	(void)state;
	ts_need_certs();
	memset(&o, 0, sizeof(o));
	o.fail_first = 12;
	f = efix_new(&o, short_backoff);
	id = receive_copy(f, 1, now);
	for (i = 0; i < 30 && state_of(f->t->s, id) != ST_POSTED; i++) {
		assert_int_equal(state_of(f->t->s, id), ST_ERP_WAIT);
		resume(f->p, now += 3);
	}
	assert_int_equal(state_of(f->t->s, id), ST_POSTED);
	assert_true(posting_of(f, id).attempts > f->cfg.erp_max_attempts);
	assert_int_equal(sim_stats(f).bookings, 1);
	assert_int_equal(sim_stats(f).failed, 12);
	efix_free(f);
}

static void pause_after_three(efix *f)
{
	f->cfg.erp_breaker_failures = 3;
}

/* Three failures in a row pause posting; one probe after the pause, the
 * pause doubles after a failed one; an answer resumes full speed. */
static void test_breaker_pauses_and_probes(void **state)
{
	erp_guard_status gs;
	erpsim_opts o;
	efix *f;
	int64_t a, b;

	(void)state;
	ts_need_certs();
	memset(&o, 0, sizeof(o));
	o.fail_first = 4;
	f = efix_new(&o, pause_after_three);
	a = receive_copy(f, 1, 1000);
	b = receive_copy(f, 2, 1000);
	resume(f->p, 1002);         /* a fails the third time: paused */
	assert_int_equal(sim_stats(f).requests, 3);
	erp_guard_status_get(pipeline_guard(f->p), &gs);
	assert_int_equal(gs.mode, ERP_GUARD_PAUSED);
	assert_int_equal(gs.since_ms, 1002 * 1000);
	assert_non_null(strstr(gs.reason, "3 failures in a row"));
	assert_int_equal(state_of(f->t->s, b), ST_ERP_WAIT);
	resume(f->p, 1006);         /* the ERP is left alone */
	assert_int_equal(sim_stats(f).requests, 3);
	resume(f->p, 1007);         /* one probe: it fails, the pause doubles */
	assert_int_equal(sim_stats(f).requests, 4);
	resume(f->p, 1016);
	assert_int_equal(sim_stats(f).requests, 4);
	resume(f->p, 1017);         /* the probe is answered: full speed */
	assert_int_equal(state_of(f->t->s, a), ST_POSTED);
	assert_int_equal(state_of(f->t->s, b), ST_POSTED);
	erp_guard_status_get(pipeline_guard(f->p), &gs);
	assert_int_equal(gs.mode, ERP_GUARD_FLOWING);
	assert_int_equal(sim_stats(f).bookings, 2);
	efix_free(f);
}

/*
 * Booked, and the answer lost; then the ERP is down past the window: the
 * queue, as ERP_OUTCOME_UNKNOWN with the key and the words.  A person's
 * retry during the outage starts a fresh window (it waits, it does not
 * come back "after 9 attempts"), and sends the same key: one booking.
 */
static void test_unknown_outcome_queued_then_retried(void **state)
{
	erpsim_opts o;
	efix *f;
	doc_state st;
	store_posting sp;
	char *reasons, *detail, key[96];
	int64_t id;
	ulf_err err;

	(void)state;
	ts_need_certs();
	memset(&o, 0, sizeof(o));
	o.drop_first = 1;
	o.outage_after = 1;
	o.outage_ms = 2500;
	f = efix_new(&o, NULL);
	id = receive_copy(f, 1, 1000);
	assert_int_equal(state_of(f->t->s, id), ST_ERP_WAIT);
	sp = posting_of(f, id);
	assert_true(sp.unknown);
	snprintf(key, sizeof(key), "%s", sp.idem_key);
	assert_true(history_says(f, id, "outcome unknown"));
	assert_int_equal(sim_stats(f).bookings, 1);
	resume(f->p, 1030);          /* the outage: 503, still unknown */
	assert_int_equal(state_of(f->t->s, id), ST_ERP_WAIT);
	assert_true(posting_of(f, id).unknown);
	resume(f->p, 1061);          /* the window ends */
	assert_int_equal(state_of(f->t->s, id), ST_EXCEPTION);
	reasons = column(f, id, "reasons");
	detail = column(f, id, "result");
	assert_non_null(strstr(reasons, "ERP_OUTCOME_UNKNOWN"));
	assert_non_null(strstr(detail, "the ERP may already have booked this"));
	assert_non_null(strstr(detail, key));
	assert_non_null(strstr(detail, "\"idempotency_key\""));
	free(reasons);
	free(detail);

	/* a person's retry, the ERP still down: a fresh window, waiting */
	ulf_err_clear(&err);
	assert_true(erpsim_outage_tick(f->sm.s));
	assert_int_equal(queue_retry(&st, f->p, id, "anna", version_of(f, id), 1062, &err), 0);
	assert_int_equal(st, ST_ERP_WAIT);
	sp = posting_of(f, id);
	assert_int_equal(sp.attempts, 1);
	assert_int_equal(sp.window_from, 1062);
	assert_string_equal(sp.idem_key, key);
	/* the ERP back: the same key, its first answer, one booking */
	while (erpsim_outage_tick(f->sm.s))
		sleep_ms(50);
	resume(f->p, 1064);
	assert_int_equal(state_of(f->t->s, id), ST_POSTED);
	assert_int_equal(sim_stats(f).bookings, 1);
	assert_true(sim_stats(f).replays >= 1);
	efix_free(f);
}

static void rogue_sim(ts_sim *sm, erpsim_opts *o)
{
	char cert[512], key[512];

	*o = ts_sim_opts(sm);
	o->cert_file = ts_erp_file(cert, sizeof(cert), "rogue.pem");
	o->key_file = ts_erp_file(key, sizeof(key), "rogue.key");
	ts_sim_start(sm, o);
}

/* The configuration fixed and reloaded: a new pipeline at the good
 * simulator, sharing the first one's guard, which the reload resets. */
static pipeline *reload(efix *f, ts_sim *good)
{
	erp_guard_opts go;
	pipeline *p2;

	snprintf(f->cfg.erp_url, sizeof(f->cfg.erp_url), "%s", good->url);
	p2 = new_pipeline(f);
	pipeline_share_guard(p2, pipeline_guard(f->p));
	erp_guard_opts_init(&go, &f->cfg);
	erp_guard_configure(pipeline_guard(f->p), &go);
	return p2;
}

/* An ERP whose certificate we do not trust: posting stops, the invoices
 * wait (one held, one never sent), none in the queue; the reload resumes. */
static void test_setup_fault_holds_until_reload(void **state)
{
	ts_sim bad;
	erpsim_opts o;
	erp_guard_status gs;
	erpsim_stats st;
	efix *f;
	pipeline *p2;
	int64_t a, b;

	(void)state;
	ts_need_certs();
	memset(&o, 0, sizeof(o));
	f = efix_new(&o, NULL);      /* its simulator is the one we trust */
	rogue_sim(&bad, &o);
	pipeline_free(f->p);
	snprintf(f->cfg.erp_url, sizeof(f->cfg.erp_url), "%s", bad.url);
	f->p = new_pipeline(f);
	a = receive_copy(f, 1, 1000);
	b = receive_copy(f, 2, 1000);
	assert_int_equal(state_of(f->t->s, a), ST_ERP_WAIT);
	assert_int_equal(state_of(f->t->s, b), ST_READY);
	assert_string_equal(posting_of(f, a).state, "held");
	assert_true(history_says(f, a, "held: the ERP's set-up is wrong"));
	erp_guard_status_get(pipeline_guard(f->p), &gs);
	assert_int_equal(gs.mode, ERP_GUARD_SETUP);
	assert_non_null(strstr(gs.reason, "certificate"));
	resume(f->p, 1050);          /* nothing moves until the configuration is fixed */
	assert_int_equal(state_of(f->t->s, a), ST_ERP_WAIT);
	assert_int_equal(state_of(f->t->s, b), ST_READY);
	/* but for one probe now and then (erp_backoff_max_ms): b, still refused */
	resume(f->p, 1061);
	assert_int_equal(state_of(f->t->s, b), ST_ERP_WAIT);
	assert_string_equal(posting_of(f, b).state, "held");
	erp_guard_status_get(pipeline_guard(f->p), &gs);
	assert_int_equal(gs.mode, ERP_GUARD_SETUP);
	assert_int_equal(gs.since_ms, 1000 * 1000);

	p2 = reload(f, &f->sm);
	resume(p2, 1101);
	assert_int_equal(state_of(f->t->s, a), ST_POSTED);
	assert_int_equal(state_of(f->t->s, b), ST_POSTED);
	erpsim_stats_get(f->sm.s, &st);
	assert_int_equal(st.bookings, 2);
	pipeline_free(p2);
	ts_sim_stop(&bad);
	efix_free(f);
}

static void refuse_all(efix *f)
{
	f->cfg.erp_setup_rejections = 3;
}

/* The same 400 for three different invoices in a row: the set-up's, not
 * theirs.  The two that went to the queue come back to wait with the
 * third; a fourth is not sent; after the reload all four are posted. */
static void test_same_4xx_for_every_invoice(void **state)
{
	ts_sim good;
	erpsim_opts og;
	erpsim_opts o;
	erp_guard_status gs;
	efix *f;
	pipeline *p2;
	int64_t ids[4];
	int i;

	(void)state;
	ts_need_certs();
	memset(&o, 0, sizeof(o));
	o.reject_invoice = "*";
	f = efix_new(&o, refuse_all);
	for (i = 0; i < 3; i++)
		ids[i] = receive_copy(f, (unsigned long)i + 1, 1000);
	for (i = 0; i < 3; i++)
		assert_int_equal(state_of(f->t->s, ids[i]), ST_ERP_WAIT);
	erp_guard_status_get(pipeline_guard(f->p), &gs);
	assert_int_equal(gs.mode, ERP_GUARD_SETUP);
	assert_true(gs.from_rejections);
	assert_non_null(strstr(gs.reason, "another payload schema"));
	ids[3] = receive_copy(f, 4, 1001);
	assert_int_equal(state_of(f->t->s, ids[3]), ST_READY);
	assert_true(posting_of(f, ids[0]).held_4xx);
	{
		char *reasons = column(f, ids[0], "reasons");
		assert_null(reasons);
	}
	og = ts_sim_opts(&good);
	ts_sim_start(&good, &og);
	p2 = reload(f, &good);
	resume(p2, 1002);
	for (i = 0; i < 4; i++)
		assert_int_equal(state_of(f->t->s, ids[i]), ST_POSTED);
	pipeline_free(p2);
	ts_sim_stop(&good);
	efix_free(f);
}

/* The posting's payload with its first account replaced: a correction. */
static char *corrected(efix *f, int64_t id)
{
	char *payload = NULL, *out, *a, *e;
	size_t n;
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(store_posting_payload(&payload, f->t->s, id, &err), 0);
	assert_non_null(payload);
	a = strstr(payload, "\"account\":\"");
	assert_non_null(a);
	a += strlen("\"account\":\"");
	e = strchr(a, '"');
	n = strlen(payload) + 8;
	out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%.*s4999%s", (int)(a - payload), payload, e);
	free(payload);
	return out;
}

/* Down until the window ends after a first request with no answer. */
static int64_t unknown_then_queued(efix *f)
{
	int64_t id = receive_copy(f, 1, 1000);

	assert_true(posting_of(f, id).unknown);
	resume(f->p, 1061);
	assert_int_equal(state_of(f->t->s, id), ST_EXCEPTION);
	while (erpsim_outage_tick(f->sm.s))
		sleep_ms(50);
	return id;
}

/* Without a lookup: the original goes again first; the ERP had booked it,
 * so the correction is not sent, and the history says so. */
static void test_correction_waits_for_the_original(void **state)
{
	queue_problems problems;
	erpsim_opts o;
	efix *f;
	char *fix;
	int64_t id;
	ulf_err err;

	(void)state;
	ts_need_certs();
	memset(&o, 0, sizeof(o));
	o.drop_first = 1;
	o.outage_after = 1;
	o.outage_ms = 1500;
	f = efix_new(&o, NULL);
	id = unknown_then_queued(f);
	fix = corrected(f, id);
	ulf_err_clear(&err);
	if (queue_approve_booking(&problems, f->p, id, "anna", version_of(f, id), fix, NULL, 1062,
				  &err))
		fail_msg("%s (%s)", err.msg, problems.n ? problems.items[0].message : "");
	resume(f->p, 1063);
	assert_int_equal(state_of(f->t->s, id), ST_POSTED);
	assert_true(history_says(f, id, "the correction was not sent"));
	assert_int_equal(sim_stats(f).bookings, 1);
	assert_int_equal(sim_stats(f).lookups, 0);
	free(fix);
	efix_free(f);
}

static void with_lookup(efix *f)
{
	snprintf(f->cfg.erp_lookup_url, sizeof(f->cfg.erp_lookup_url), "%s/lookup", f->sm.url);
}

/* With a lookup: the ERP never saw the key (the connection was reset
 * before booking), so the correction goes under the original key. */
static void test_correction_after_lookup(void **state)
{
	char hex[DIGEST_HEX_LEN + 1], *log, *payload = NULL;
	queue_problems problems;
	erpsim_opts o;
	efix *f;
	char *fix;
	int64_t id;
	size_t len;
	ulf_err err;

	(void)state;
	ts_need_certs();
	memset(&o, 0, sizeof(o));
	o.reset_first = 1;
	o.outage_after = 1;
	o.outage_ms = 1500;
	f = efix_new(&o, with_lookup);
	id = unknown_then_queued(f);
	assert_int_equal(sim_stats(f).bookings, 0);
	fix = corrected(f, id);
	ulf_err_clear(&err);
	if (queue_approve_booking(&problems, f->p, id, "anna", version_of(f, id), fix, NULL, 1062,
				  &err))
		fail_msg("%s (%s)", err.msg, problems.n ? problems.items[0].message : "");
	resume(f->p, 1063);
	assert_int_equal(state_of(f->t->s, id), ST_POSTED);
	assert_int_equal(sim_stats(f).lookups, 1);
	assert_int_equal(sim_stats(f).bookings, 1);
	/* what the ERP booked is the correction, and the store says so */
	assert_int_equal(store_posting_payload(&payload, f->t->s, id, &err), 0);
	assert_non_null(strstr(payload, "\"4999\""));
	assert_int_equal(digest_sha256_hex(hex, payload, strlen(payload)), 0);
	log = ts_slurp(&len, f->sm.log);
	assert_non_null(strstr(log, hex));
	free(log);
	free(payload);
	free(fix);
	efix_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_waiting_pair_meets_on_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_alone_keeps_waiting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_document_holds_up_no_other, setup, teardown),
		cmocka_unit_test(test_copy_caught_before_the_first_is_posted),
		cmocka_unit_test(test_outage_waits_never_queues),
		cmocka_unit_test(test_breaker_pauses_and_probes),
		cmocka_unit_test(test_unknown_outcome_queued_then_retried),
		cmocka_unit_test(test_setup_fault_holds_until_reload),
		cmocka_unit_test(test_same_4xx_for_every_invoice),
		cmocka_unit_test(test_correction_waits_for_the_original),
		cmocka_unit_test(test_correction_after_lookup),
	};
	return cmocka_run_group_tests(tests, ts_erp_setup, ts_erp_teardown);
}
