/*
 * post.c - the post stage: ready -> posting -> posted, exactly once.  The
 * key is recorded as sent before the request leaves; a document found in
 * `posting` (we stopped mid-request) sends the recorded key again, and the
 * ERP answers a known key with its first answer (docs/erp.md).
 *
 * One document posts with two transactions (stage_post); the service's
 * posting threads post several with one commit before their requests and
 * one after (pipeline_post_due), from the facts kept at reading, without
 * reading the documents again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/pipeline/pipeline_int.h"

/*
 * The booking to send, parsed in *tree (the caller frees it): a person's
 * (documents.booking), else the robot's suggestion (member "booking" of
 * documents.result).  *out points into *tree; NULL when there is none.
 */
static int load_booking(const ujson **out, ujson **tree, job *j, ulf_err *err)
{
	const char *member = NULL;
	const ujson *b;
	char *text = NULL;
	int rc;

	*out = NULL;
	*tree = NULL;
	rc = store_get_text(&text, j->p->s, j->id, "booking", err);
	if (rc == 0 && !text) {
		member = "booking";
		rc = store_get_text(&text, j->p->s, j->id, "result", err);
	}
	if (rc == 0 && text && ujson_parse(tree, text, strlen(text), "booking", NULL) == 0) {
		b = member ? ujson_get(*tree, member) : *tree;
		/* a booking is an object (or, wrongly, an array: refused later) */
		if (ujson_is_object(b) || ujson_is_array(b))
			*out = b;
	}
	free(text);
	return rc;
}

/*
 * The invoice's part of the posting in j->post: built when this job read
 * the document, else taken from the facts kept at reading (a posting
 * thread has not read the document); the document is read again only when
 * they are missing (stored by an older ulf).
 */
static int posting_head(job *j, ulf_err *err)
{
	char *text = NULL;
	ulf_err none;
	int rc;

	if (j->post_head)
		return 0;
	if (!j->read) {
		rc = store_get_text(&text, j->p->s, j->id, "facts", err);
		if (rc)
			return rc;
		ulf_err_clear(&none);
		rc = text ? erp_posting_read_facts(&j->post, text, strlen(text), &none)
			  : ULF_ENOTFOUND;
		free(text);
		if (rc == ULF_ENOMEM)
			return ulf_err_set(err, rc, "%s", none.msg);
		j->post_head = rc == 0;
		if (j->post_head)
			return 0;
	}
	rc = job_read(j, err);
	if (rc == 0 && !j->doc.inv)
		rc = ulf_err_set(err, ULF_ESYNTAX, "document %lld is not an invoice",
				 (long long)j->id);
	if (rc == 0)
		rc = posting_from_invoice(&j->post, j->doc.inv, err);
	j->post_head = rc == 0;
	return rc;
}

/* The payload of j->post with the booking `bk`, or ULF_EINVAL (`why` says
 * why) when this booking cannot be sent. */
static int build_payload(char **out, job *j, const ujson *bk, ulf_err *why)
{
	erp_posting *p = &j->post;
	char url[CONFIG_STR_MAX + 48];
	int rc;

	*out = NULL;
	rc = erp_posting_read_booking(p, bk, why);
	if (rc)
		return rc;
	p->document_id = j->id;
	if (j->p->cfg.erp_link_base[0])
		snprintf(url, sizeof(url), "%s/documents/%lld", j->p->cfg.erp_link_base,
			 (long long)j->id);
	else
		snprintf(url, sizeof(url), "urn:ulf:document:%lld", (long long)j->id);
	rc = erp_posting_set(&p->invoice_url, url, why);
	if (rc == 0)
		rc = erp_payload_build(out, p, why);
	return rc;
}

/* The key of this document's posting and its revision. */
static int posting_key(char key[ERP_IDEM_KEY_MAX], int64_t *revision, job *j,
		       doc_state state, ulf_err *err)
{
	const erp_posting *head = &j->post;
	store_posting sp;
	ulf_err none;
	int rc;

	*revision = 0;
	ulf_err_clear(&none);
	rc = store_posting_get(&sp, j->p->s, j->id, &none);
	if (rc && rc != ULF_ENOTFOUND)
		return ulf_err_set(err, rc, "%s", none.msg);
	if (rc == 0 && state == ST_POSTING) {
		/* in flight when we stopped: the same request again */
		size_t kl = strlen(sp.idem_key);
		if (kl >= ERP_IDEM_KEY_MAX)
			return ulf_err_set(err, ULF_ESTORE, "document %lld: recorded key too long",
					   (long long)j->id);
		memcpy(key, sp.idem_key, kl + 1);
		*revision = sp.revision;
		return 0;
	}
	if (rc == 0)
		*revision = sp.revision + (strcmp(sp.state, "rejected") == 0);
	return erp_idempotency_key(key, head->supplier_org_number ? head->supplier_org_number
								  : head->supplier_vat_number,
				   head->type_code, head->invoice_number, head->issue_date,
				   (unsigned)*revision, err);
}

/* Sends the document to the queue from the post stage, which records its
 * own transitions. */
static int post_exception(job *j, const char *reason, const erp_result *res, ulf_err *err)
{
	char *detail;
	int rc;

	j->reasons = ujson_array();
	j->detail = ujson_object();
	if ((rc = ujson_append_str(j->reasons, reason)) != 0)
		return ujson_error(err, rc, "reasons");
	if ((rc = ujson_set_str(j->detail, "message", res->message)) != 0 ||
	    (rc = ujson_set_int(j->detail, "http_status", res->http_status)) != 0)
		return ujson_error(err, rc, "message");
	rc = ujson_set_new(j->detail, "reasons", j->reasons);
	j->reasons = NULL;      /* taken, whatever the outcome */
	detail = rc ? NULL : ujson_dump(j->detail, UJSON_COMPACT);
	if (!detail)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	rc = job_record_exception(j, detail, err);
	if (rc == 0)
		rc = res->outcome == ERP_REJECTED
		     ? store_posting_rejected(j->p->s, j->id, res->http_status, res->message, j->now, err)
		     : store_posting_failed(j->p->s, j->id, res->http_status, res->message, j->now, err);
	free(detail);
	return rc;
}

/* A posted invoice teaches the matcher: invoiced quantities, duplicates,
 * recurrence and booking history (care invoices are booked by their claim). */
static int remember_posted(job *j, ulf_err *err)
{
	char *flow = NULL, *handler = NULL;
	match_input in;
	match_result *r = NULL;
	int rc;

	rc = store_get_text(&flow, j->p->s, j->id, "flow", err);
	if (rc || (flow && strcmp(flow, "care") == 0))
		goto out;
	rc = store_get_text(&handler, j->p->s, j->id, "booking", err);
	if (rc)
		goto out;
	/* a posting thread posts from the kept facts; what is learnt needs
	 * the whole invoice */
	rc = job_read(j, err);
	if (rc == 0 && !j->doc.inv)
		rc = ulf_err_set(err, ULF_ESYNTAX, "document %lld is not an invoice",
				 (long long)j->id);
	if (rc)
		goto out;
	memset(&in, 0, sizeof(in));
	in.valid = true;
	in.doc_id = j->id;
	rc = match_invoice(&r, j->p->m, j->doc.inv, &in, err);
	if (rc == 0)
		rc = match_record(j->p->m, j->doc.inv, r, handler, j->id, j->now, err);
out:
	match_result_free(r);
	free(flow);
	free(handler);
	return rc;
}

/*
 * Posting, first part, inside a transaction: the payload and the key, and
 * for a document in `ready` the key recorded as sent (ready -> posting)
 * before the request leaves.  j->send says whether there is a request to
 * send; when there is none the document went to the queue.
 */
static int stage_post_begin(doc_state *to, job *j, ulf_err *err)
{
	const ujson *bk;
	ujson *tree = NULL;
	doc_state state = *to;
	int64_t revision;
	ulf_err why;
	int rc;

	j->send = false;
	free(j->payload);
	j->payload = NULL;
	ulf_err_clear(&why);
	rc = posting_head(j, &why);
	if (rc == ULF_ESTORE || rc == ULF_ENOMEM)
		return ulf_err_set(err, rc, "%s", why.msg);
	if (rc)
		return job_to_queue(j, to, "UNREADABLE", why.msg, err);
	rc = load_booking(&bk, &tree, j, err);
	if (rc == 0 && !bk)
		rc = job_to_queue(j, to, "NO_BOOKING", "there is no booking to post", err);
	if (rc || !bk)
		goto out;
	ulf_err_clear(&why);
	rc = build_payload(&j->payload, j, bk, &why);
	if (rc == ULF_ENOMEM) {
		rc = ulf_err_set(err, rc, "out of memory");
		goto out;
	}
	if (rc) {
		rc = job_to_queue(j, to, "BOOKING_INVALID", why.msg, err);
		goto out;
	}
	rc = posting_key(j->key, &revision, j, state, err);
	if (rc == 0 && state == ST_READY)
		rc = store_posting_begin(j->p->s, j->id, j->key, revision, j->now, err);
	if (rc == 0) {
		j->recorded = true;
		j->send = true;
		*to = ST_POSTING;
	}
out:
	ujson_free(tree);
	return rc;
}

/* Posting, last part, inside a transaction: the ERP's answer (j->res)
 * recorded, and the document on to posted, the queue or a retry. */
static int stage_post_finish(doc_state *to, job *j, ulf_err *err)
{
	erp_result *res = &j->res;
	store_posting sp;
	int rc;

	j->recorded = true;
	switch (res->outcome) {
	case ERP_ACCEPTED:
		rc = store_posting_accepted(j->p->s, j->id, res->http_status,
					    res->voucher_id[0] ? res->voucher_id : res->response,
					    j->now, err);
		if (rc == 0)
			rc = remember_posted(j, err);
		*to = ST_POSTED;
		return rc;
	case ERP_REJECTED:
		*to = ST_EXCEPTION;
		return post_exception(j, "ERP_REJECTED", res, err);
	case ERP_FAILED:
		*to = ST_EXCEPTION;
		return post_exception(j, "ERP_SETUP", res, err);
	case ERP_RETRY:
	default:
		rc = store_posting_get(&sp, j->p->s, j->id, err);
		if (rc)
			return rc;
		if (sp.attempts >= j->p->cfg.erp_max_attempts) {
			snprintf(res->message + strlen(res->message),
				 sizeof(res->message) - strlen(res->message),
				 " (after %lld attempts)", (long long)sp.attempts);
			res->outcome = ERP_FAILED;
			*to = ST_EXCEPTION;
			return post_exception(j, "ERP_UNREACHABLE", res, err);
		}
		j->p->jitter = j->p->jitter * 6364136223846793005ULL + 1442695040888963407ULL;
		{
			long ms = erp_retry_delay_ms(res, (unsigned)sp.attempts,
						     j->p->cfg.erp_backoff_ms,
						     j->p->cfg.erp_backoff_max_ms, j->p->jitter >> 11);
			rc = store_posting_retry(j->p->s, j->id, res->http_status, res->message,
						 j->now + (ms + 999) / 1000, j->now, err);
		}
		*to = ST_READY;
		j->stop = true;
		return rc;
	}
}

/* The request itself, outside any transaction.  False when nothing is
 * known of it (the document stays in `posting` and is sent again later,
 * with the same key). */
static bool post_send(job *j)
{
	ulf_err none;

	ulf_err_clear(&none);
	return erp_post(&j->res, j->p->erp, j->key, j->payload, &none) == 0;
}

/*
 * ready -> posting -> posted, exactly once: the key is recorded as sent
 * before the request leaves; a document found in `posting` (we stopped
 * mid-request) sends the recorded key again, and the ERP answers a known
 * key with its first answer.  The two records are two transactions here;
 * pipeline_post_due puts several documents' in one.
 */
int stage_post(doc_state *to, job *j, ulf_err *err)
{
	int rc;

	if (!j->p->erp || j->p->not_posting)
		return 0;               /* posting is off or elsewhere: stay ready */
	rc = stage_post_begin(to, j, err);
	if (rc || !j->send)
		return rc;
	if (!post_send(j)) {
		j->stop = true;
		*to = ST_POSTING;
		return 0;
	}
	return stage_post_finish(to, j, err);
}

/* Documents a posting thread posts with one commit before their requests
 * and one after. */
#define POST_BATCH 8

static const struct stage post_begin_stage = { ST_READY, "post", stage_post_begin };
static const struct stage post_finish_stage = { ST_POSTING, "post", stage_post_finish };

/* The batch's requests, in flight together (erp_connections of them at a
 * time); a job whose request has no known end stops sending (send false):
 * it stays in `posting` and goes again. */
static void send_batch(job *jobs, size_t n)
{
	const char *keys[POST_BATCH], *payloads[POST_BATCH];
	erp_result res[POST_BATCH];
	int rcs[POST_BATCH];
	size_t idx[POST_BATCH], k = 0, i;
	ulf_err none;

	for (i = 0; i < n; i++) {
		if (!jobs[i].send)
			continue;
		idx[k] = i;
		keys[k] = jobs[i].key;
		payloads[k] = jobs[i].payload;
		k++;
	}
	if (k == 0)
		return;
	ulf_err_clear(&none);
	if (erp_post_many(res, rcs, jobs[0].p->erp, keys, payloads, k, &none))
		for (i = 0; i < k; i++)
			rcs[i] = rcs[i] ? rcs[i] : ULF_ENET;
	for (i = 0; i < k; i++) {
		job *j = &jobs[idx[i]];
		j->send = rcs[i] == 0;
		if (j->send)
			j->res = res[i];
	}
}

/*
 * Posts several documents: their keys recorded as sent in one commit, the
 * requests with no lock held, the answers recorded in one commit.  If the
 * first commit fails, nothing was sent and each document is posted alone;
 * if the last fails, the documents stay in `posting` and are sent again
 * with the same keys, which the ERP answers from its record.
 */
static int post_batch(pipeline *p, const int64_t *ids, size_t n, int64_t now, ulf_err *err)
{
	doc_state state[POST_BATCH];
	const struct stage *st;
	job *jobs;
	ulf_err berr;
	size_t i;
	int rc;

	rc = jobs_new(&jobs, p, ids, n, now, err);
	if (rc)
		return rc;
	ulf_err_clear(&berr);
	rc = store_begin(p->s, &berr);
	for (i = 0; rc == 0 && i < n; i++) {
		rc = store_state(&state[i], p->s, ids[i], &berr);
		st = rc == 0 ? stage_for(state[i]) : NULL;
		if (st && st->run == stage_post) {
			int r = job_step(&state[i], &jobs[i], &post_begin_stage, &berr);
			rc = r < 0 ? r : 0;
		}
	}
	rc = jobs_commit(p, rc, &berr);
	if (rc) {
		jobs_free(jobs, n);
		return jobs_run_alone(NULL, p, ids, n, now, err);
	}
	send_batch(jobs, n);
	rc = store_begin(p->s, err);
	for (i = 0; rc == 0 && i < n; i++) {
		if (jobs[i].send) {
			int r = job_step(&state[i], &jobs[i], &post_finish_stage, err);
			rc = r < 0 ? r : 0;
		}
	}
	rc = jobs_commit(p, rc, err);
	jobs_free(jobs, n);
	return rc;
}

int pipeline_post_due(size_t *out_n, bool *out_more, pipeline *p, int64_t now,
		      unsigned shard, unsigned nshards, size_t max, ulf_err *err)
{
	static const doc_state postable[] = { ST_READY, ST_POSTING };
	int64_t *ids = NULL;
	size_t n = 0, i, k;
	doc_state after;
	int rc;

	*out_n = 0;
	*out_more = false;
	if (nshards == 0 || shard >= nshards)
		return ulf_err_set(err, ULF_EINVAL, "posting shard %u of %u", shard, nshards);
	rc = store_list_shard(&ids, &n, p->s, postable, 2, max, now, shard, nshards, err);
	for (i = 0; rc == 0 && i < n; i += k) {
		k = n - i < POST_BATCH ? n - i : POST_BATCH;
		if (p->erp && !p->not_posting) {
			rc = post_batch(p, ids + i, k, now, err);
		} else {
			k = 1;
			rc = pipeline_process(&after, p, ids[i], now, err);
		}
		*out_n += k;
	}
	*out_more = rc == 0 && n == max;
	free(ids);
	return rc;
}
