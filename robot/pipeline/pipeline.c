/*
 * pipeline.c - the loop that runs the stages.  See pipeline.h.
 *
 * A document goes through its stages before posting inside one
 * transaction (several documents' in one, in batches), and posts outside
 * any: no lock is held over the network.  The stages themselves are in
 * stages.c, partners.c and post.c (pipeline_int.h has the map).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "robot/pipeline/pipeline_int.h"

/* Documents whose stages before posting share one transaction. */
#define PIPELINE_BATCH 16

static int64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Each state's stage: what takes a document on from it. */
static const struct stage stages[] = {
	{ ST_RECEIVED, "read", stage_read },
	{ ST_READ, "validate", stage_validate },
	{ ST_VALIDATED, "match", stage_match },
	{ ST_MATCHED, "suggest", stage_suggest },
	{ ST_READY, "post", stage_post },
	{ ST_POSTING, "post", stage_post },
	{ ST_ERP_WAIT, "post", stage_post },
};

const struct stage *stage_for(doc_state s)
{
	size_t i;

	for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++)
		if (stages[i].from == s)
			return &stages[i];
	return NULL;
}

int pipeline_new(pipeline **out, store *s, const ulf_config *cfg, ulf_err *err)
{
	pipeline *p = calloc(1, sizeof(*p));
	struct timespec ts;
	erp_config ec;
	int rc;

	*out = NULL;
	if (!p)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	p->s = s;
	p->cfg = *cfg;
	config_reader_opts(&p->reader, &p->cfg);
	p->reader.claims = true;
	/*
	 * What the pipeline writes can be redone from the stored bytes, and a
	 * posting resends its recorded key, so its commits need not wait for
	 * the disk; store_receive() still makes each receipt durable.  Left
	 * durable, every step of every document waited for an fsync.
	 */
	rc = store_set_durable(s, false, err);
	if (rc == 0) {
		erp_guard_opts go;
		erp_guard_opts_init(&go, &p->cfg);
		rc = erp_guard_new(&p->guard, &go, err);
		p->own_guard = rc == 0;
	}
	if (rc == 0)
		rc = care_rules_load(&p->care, p->cfg.care_rules_file, err);
	if (rc == 0)
		rc = rules_load(&p->rules, p->cfg.match_rules_file, NULL, NULL, err);
	if (rc == 0)
		rc = matcher_new(&p->m, store_db(s), p->rules, err);
	if (rc) {
		pipeline_free(p);
		return rc;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	p->jitter = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	if (p->cfg.erp_url[0]) {
		config_erp(&ec, &p->cfg);
		rc = erp_client_new(&p->erp, &ec, err);
		if (rc) {
			pipeline_free(p);
			return rc;
		}
	}
	*out = p;
	return 0;
}

void pipeline_free(pipeline *p)
{
	if (!p)
		return;
	erp_client_free(p->erp);
	if (p->own_guard)
		erp_guard_free(p->guard);
	matcher_free(p->m);
	rules_free(p->rules);
	care_rules_free(p->care);
	free(p);
}

void job_init(job *j, pipeline *p, int64_t id, int64_t now)
{
	memset(j, 0, sizeof(*j));
	j->p = p;
	j->id = id;
	j->now = now;
}

void job_release(job *j)
{
	erp_posting_release(&j->post);
	free(j->payload);
	free(j->correction_payload);
	reader_document_release(&j->doc);
	claim_free(j->env_claim);
	claim_free(j->inv_claim);
	if (j->validated)
		findings_release(&j->f);
	ujson_free(j->detail);
	ujson_free(j->reasons);
}

int jobs_new(job **out, pipeline *p, const int64_t *ids, size_t n, int64_t now, ulf_err *err)
{
	size_t i;

	*out = calloc(n, sizeof(**out));
	if (!*out)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		job_init(&(*out)[i], p, ids[i], now);
	return 0;
}

int jobs_commit(pipeline *p, int rc, ulf_err *err)
{
	if (rc == 0)
		return store_commit(p->s, err);
	store_rollback(p->s);
	return rc;
}

void jobs_free(job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		job_release(&jobs[i]);
	free(jobs);
}

/*
 * Reading and checking an invoice need nothing of the store but its bytes,
 * and they are most of a document's time: done here, before the stages'
 * transaction, the store's write lock is held only for the store's own
 * work, and intake (whose durable receipts wait for that lock) goes on
 * meanwhile.  What fails here is done again by its stage, which reports it.
 */
static void prepare(job *j, doc_state state)
{
	ulf_err none;

	if (state != ST_RECEIVED && state != ST_READ)
		return;
	ulf_err_clear(&none);
	if (job_read(j, &none) || !j->doc.inv)
		return;
	job_validate(j, &none);
	/* a care invoice's embedded claim, for validation's note and the join */
	job_invoice_claim(j);
}

/*
 * One stage of job j from *state: 1 when the document moved on and the
 * next stage may follow, 0 when it rests where it is, negative on error.
 */
int job_step(doc_state *state, job *j, const struct stage *st, ulf_err *err)
{
	int64_t t0 = monotonic_us();
	doc_state to = *state;
	char *detail = NULL;
	int rc;

	j->recorded = j->stop = false;
	rc = st->run(&to, j, err);
	if (rc)
		return rc;
	if (to == *state && !j->recorded)
		return 0;
	if (j->recorded) {
		/* the stage wrote its transitions itself */
		ujson_free(j->detail);
		j->detail = NULL;
		*state = to;
		return j->stop ? 0 : 1;
	}
	if (to == ST_EXCEPTION && j->reasons) {
		rc = ujson_set_new(j->detail, "reasons", j->reasons);
		j->reasons = NULL;      /* taken, whatever the outcome */
		if (rc)
			return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	detail = j->detail ? ujson_dump(j->detail, UJSON_COMPACT) : NULL;
	if (j->detail && !detail)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	if (to == ST_EXCEPTION)
		rc = job_record_exception(j, detail, err);
	if (rc == 0)
		rc = store_transition(j->p->s, j->id, *state, to, st->name, monotonic_us() - t0,
				      detail, j->now, err);
	free(detail);
	ujson_free(j->detail);
	j->detail = NULL;
	if (rc)
		return rc;
	*state = to;
	return 1;
}

/*
 * The stages before posting, inside the caller's transaction (one write of
 * the pages they touch instead of one per stage): 1 when the document
 * reached posting or its end, 0 when it rests before, negative on error.
 */
static int run_local(doc_state *state, job *j, ulf_err *err)
{
	const struct stage *st;
	int rc;

	while ((st = stage_for(*state)) != NULL && st->run != stage_post) {
		rc = job_step(state, j, st, err);
		if (rc <= 0)
			return rc;
	}
	return 1;
}

/* Posting, outside any transaction: no lock is held over the network, and
 * the posting's record is committed before the request leaves. */
static int run_post(doc_state *state, job *j, ulf_err *err)
{
	const struct stage *st;
	int rc;

	while ((st = stage_for(*state)) != NULL && st->run == stage_post) {
		rc = job_step(state, j, st, err);
		if (rc <= 0)
			return rc < 0 ? rc : 0;
	}
	return 0;
}

/* What follows a document's run: the posting threads hear of it, and the
 * partner it completed goes on now, not next tick. */
static int after_run(pipeline *p, int64_t id, doc_state state, int64_t wake, int64_t now,
		     ulf_err *err)
{
	doc_state ignored;

	if (state == ST_READY && p->on_ready)
		p->on_ready(p->on_ready_ctx, id);
	return wake ? pipeline_process(&ignored, p, wake, now, err) : 0;
}

int pipeline_process(doc_state *out_state, pipeline *p, int64_t id, int64_t now,
		     ulf_err *err)
{
	const struct stage *st;
	doc_state state;
	int go_on = 1;
	int64_t wake;
	job j;
	int rc;

	job_init(&j, p, id, now);
	rc = store_state(&state, p->s, id, err);
	if (rc == 0)
		prepare(&j, state);
	if (rc == 0 && (st = stage_for(state)) != NULL && st->run != stage_post) {
		rc = store_begin(p->s, err);
		if (rc == 0) {
			go_on = run_local(&state, &j, err);
			rc = go_on < 0 ? go_on : store_commit(p->s, err);
			if (rc) {
				/* nothing of this run stays: the document is where it was */
				store_rollback(p->s);
				j.wake = 0;
				store_state(&state, p->s, id, NULL);
			}
		}
	}
	if (rc == 0 && go_on > 0)
		rc = run_post(&state, &j, err);
	wake = j.wake;
	job_release(&j);
	*out_state = state;
	return rc ? rc : after_run(p, id, state, wake, now, err);
}

/*
 * A batch that failed, each document on its own as pipeline_process runs
 * it: the first failure is reported, the others still go on.  *advanced
 * (when not NULL) counts those whose state changed.
 */
int jobs_run_alone(size_t *advanced, pipeline *p, const int64_t *ids, size_t n,
		     int64_t now, ulf_err *err)
{
	doc_state before, after;
	size_t i;
	int rc, first = 0;

	for (i = 0; i < n; i++) {
		rc = store_state(&before, p->s, ids[i], err);
		if (rc == 0)
			rc = pipeline_process(&after, p, ids[i], now, err);
		if (rc == 0 && after != before && advanced)
			(*advanced)++;
		if (rc && !first)
			first = rc;
	}
	return first;
}

/*
 * Several documents' stages before posting in one transaction: each
 * document is read and checked first, outside it, and the pages they all
 * touch (the state index, the event log) are written once.  When any of
 * them fails, the batch is rolled back and each is run on its own, as
 * pipeline_process does, so one bad document holds up no other.
 * *advanced counts the documents whose state changed.
 */
static int process_batch(size_t *advanced, pipeline *p, const int64_t *ids, size_t n,
			 int64_t now, ulf_err *err)
{
	doc_state before[PIPELINE_BATCH], state[PIPELINE_BATCH];
	int go_on[PIPELINE_BATCH];
	job *jobs;
	ulf_err berr;
	size_t i;
	int rc;

	rc = jobs_new(&jobs, p, ids, n, now, err);
	if (rc)
		return rc;
	ulf_err_clear(&berr);
	for (i = 0; i < n && rc == 0; i++) {
		rc = store_state(&before[i], p->s, ids[i], &berr);
		if (rc == 0)
			prepare(&jobs[i], before[i]);
	}
	if (rc == 0)
		rc = store_begin(p->s, &berr);
	if (rc == 0) {
		for (i = 0; i < n && rc == 0; i++) {
			/* an earlier one in the batch may have moved it on */
			rc = store_state(&state[i], p->s, ids[i], &berr);
			if (rc == 0) {
				go_on[i] = run_local(&state[i], &jobs[i], &berr);
				rc = go_on[i] < 0 ? go_on[i] : 0;
			}
		}
		rc = jobs_commit(p, rc, &berr);
	}
	if (rc) {
		jobs_free(jobs, n);
		return jobs_run_alone(advanced, p, ids, n, now, err);
	}
	for (i = 0; i < n; i++) {
		int64_t wake = jobs[i].wake;

		if (rc == 0 && go_on[i] > 0)
			rc = run_post(&state[i], &jobs[i], err);
		job_release(&jobs[i]);
		if (rc == 0 && state[i] != before[i])
			(*advanced)++;
		if (rc == 0)
			rc = after_run(p, ids[i], state[i], wake, now, err);
	}
	free(jobs);
	return rc;
}

int pipeline_receive(int64_t *out_id, bool *out_dup, doc_state *out_state, pipeline *p,
		     const char *source, const char *name, const void *data, size_t len,
		     int64_t now, ulf_err *err)
{
	int rc = store_receive(out_id, out_dup, p->s, source, name, data, len, now, err);

	*out_state = 0;
	if (rc)
		return rc;
	if (*out_dup)
		return store_state(out_state, p->s, *out_id, err);
	return pipeline_process(out_state, p, *out_id, now, err);
}

store *pipeline_store(pipeline *p)
{
	return p->s;
}

void pipeline_leave_posting(pipeline *p)
{
	p->not_posting = true;
}

void pipeline_share_guard(pipeline *p, erp_guard *g)
{
	if (p->own_guard)
		erp_guard_free(p->guard);
	p->guard = g;
	p->own_guard = false;
}

erp_guard *pipeline_guard(pipeline *p)
{
	return p->guard;
}

void pipeline_on_ready(pipeline *p, pipeline_ready_fn fn, void *ctx)
{
	p->on_ready = fn;
	p->on_ready_ctx = ctx;
}

int pipeline_resume(size_t *out_n, pipeline *p, int64_t now, ulf_err *err)
{
	static const doc_state unfinished[] = {
		ST_RECEIVED, ST_READ, ST_VALIDATED, ST_MATCHED, ST_READY, ST_POSTING, ST_ERP_WAIT
	};
	/* the first four when posting threads take the other three */
	size_t nstates = p->not_posting ? 4 : sizeof(unfinished) / sizeof(unfinished[0]);
	int64_t *ids = NULL;
	size_t n = 0, i, advanced = 0;
	int rc, failed = 0;

	*out_n = 0;
	rc = store_list(&ids, &n, p->s, unfinished, nstates, 1000000, now, err);
	/* a document that fails is reported, and the others still go on */
	for (i = 0; rc == 0 && i < n; i += PIPELINE_BATCH) {
		int r = process_batch(&advanced, p, ids + i,
				      n - i < PIPELINE_BATCH ? n - i : PIPELINE_BATCH, now, err);
		if (r && !failed)
			failed = r;
	}
	free(ids);
	if (rc == 0)
		rc = partners_rejoin(&n, p, now, err);
	advanced += n;
	n = 0;
	if (rc == 0)
		rc = pipeline_expire(&n, p, now, err);
	advanced += n;
	n = 0;
	if (rc == 0 && p->erp && !p->not_posting)
		rc = post_expire_waiting(&n, p, now, 0, 0, err);
	*out_n = advanced + n;
	return rc ? rc : failed;
}
