/*
 * post.c - the post stage: ready -> posting -> posted, exactly once.  The
 * key and the payload are recorded as sent before the request leaves; a
 * document found in `posting` (we stopped mid-request) sends the recorded
 * ones again, and the ERP answers a known key with its first answer
 * (docs/erp.md).
 *
 * When the ERP gives no final answer the document waits in `erp_wait`
 * (docs/states.md) and goes again with the same key and payload, with
 * backoff, for erp_retry_window; a request met by silence marks the
 * outcome unknown until the ERP answers for the key.  The guard
 * (erp_guard.h) sees every outcome and says when posting goes, pauses or
 * stops; a set-up fault holds the documents in erp_wait instead of the
 * queue.  A corrected booking for a posting whose outcome is unknown goes
 * out only once the ERP has answered for the original key: asked by its
 * lookup when it has one, else by sending the original again first.
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
	/* the care ERP may have the texts as written: read from the document's
	 * bytes, kept in the care table when they hold patients */
	if (strcmp(j->p->cfg.erp_care_unmasked_texts, "yes") == 0 &&
	    posting_has_masked_texts(p)) {
		rc = job_read(j, why);
		if (rc == 0 && j->doc.inv)
			rc = posting_unmask_texts(p, j->doc.inv, why);
		if (rc)
			return rc == ULF_ENOMEM ? rc : ULF_ESTORE;
	}
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

/* The key of this document's posting and its revision: the recorded ones
 * (sp), or, for a first posting or a re-booking after a rejection, one
 * derived from the invoice with revision `next`. */
static int posting_key(char key[ERP_IDEM_KEY_MAX], int64_t *revision, job *j,
		       const store_posting *sp, int64_t next, ulf_err *err)
{
	const erp_posting *head = &j->post;

	if (sp) {
		/* the same request again */
		size_t kl = strlen(sp->idem_key);
		if (kl >= ERP_IDEM_KEY_MAX)
			return ulf_err_set(err, ULF_ESTORE, "document %lld: recorded key too long",
					   (long long)j->id);
		memcpy(key, sp->idem_key, kl + 1);
		*revision = sp->revision;
		return 0;
	}
	*revision = next;
	return erp_idempotency_key(key, head->supplier_org_number ? head->supplier_org_number
								  : head->supplier_vat_number,
				   head->type_code, head->invoice_number, head->issue_date,
				   (unsigned)next, err);
}

/* A retry window as people write it: 1d, 12h, 30m, 90s. */
static void window_text(char *out, size_t n, long s)
{
	if (s % 86400 == 0)
		snprintf(out, n, "%ldd", s / 86400);
	else if (s % 3600 == 0)
		snprintf(out, n, "%ldh", s / 3600);
	else if (s % 60 == 0)
		snprintf(out, n, "%ldm", s / 60);
	else
		snprintf(out, n, "%lds", s);
}

/*
 * The document's reasons and detail for the queue (job_record_exception):
 * the reason code, the words, the ERP's status and, when the ERP may have
 * booked it, the key every later action sends first.
 */
static int queue_detail(job *j, const char *reason, const char *message, int http_status,
			const char *key, ulf_err *err)
{
	char *detail;
	int rc;

	j->reasons = ujson_array();
	j->detail = ujson_object();
	if (!j->reasons || !j->detail)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	if ((rc = ujson_append_str(j->reasons, reason)) != 0)
		return ujson_error(err, rc, "reasons");
	if ((rc = ujson_set_str(j->detail, "message", message)) != 0 ||
	    (rc = ujson_set_int(j->detail, "http_status", http_status)) != 0)
		return ujson_error(err, rc, "message");
	if (key && (rc = ujson_set_str(j->detail, "idempotency_key", key)) != 0)
		return ujson_error(err, rc, "idempotency_key");
	rc = ujson_set_new(j->detail, "reasons", j->reasons);
	j->reasons = NULL;      /* taken, whatever the outcome */
	detail = rc ? NULL : ujson_dump(j->detail, UJSON_COMPACT);
	if (!detail)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	rc = job_record_exception(j, detail, err);
	free(detail);
	return rc;
}

/* Why a posting's window ended, for the queue: its reason code and words. */
static const char *give_up_text(char *out, size_t n, const pipeline *p, const store_posting *sp,
				bool unknown, const char *last)
{
	char w[32];

	window_text(w, sizeof(w), p->cfg.erp_retry_window);
	if (unknown) {
		snprintf(out, n, "the ERP may already have booked this: a request with idempotency key"
			 " %s got no answer, and the ERP gave none for that key within the retry"
			 " window (%s, %lld attempts; last: %.300s).  Any action on it sends the same"
			 " key first; a corrected booking goes out only once the ERP has answered"
			 " for that key", sp->idem_key, w, (long long)sp->attempts,
			 last && *last ? last : "no answer");
		return "ERP_OUTCOME_UNKNOWN";
	}
	snprintf(out, n, "the ERP did not take the posting within the retry window (%s, %lld"
		 " attempts); every answer said it was not booked.  Last: %.300s", w,
		 (long long)sp->attempts, last && *last ? last : "no answer");
	return "ERP_UNREACHABLE";
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

/* What the stage may send again as it was: the payload recorded with the
 * key (NULL when an older ulf kept none). */
static int kept_payload(char **out, job *j, bool have_sp, ulf_err *err)
{
	ulf_err none;
	int rc;

	*out = NULL;
	if (!have_sp)
		return 0;
	ulf_err_clear(&none);
	rc = store_posting_payload(out, j->p->s, j->id, &none);
	if (rc && rc != ULF_ENOTFOUND)
		return ulf_err_set(err, rc, "%s", none.msg);
	return 0;
}

/*
 * The payload of the booking as it is now, in j->payload; 0 with *queued
 * when it cannot be sent (the document went to the queue: *to), unless
 * `fallback` (a payload recorded with the key) can go instead.
 */
static int current_payload(doc_state *to, bool *queued, job *j, bool fallback, ulf_err *err)
{
	const char *reason = NULL;
	const ujson *bk;
	ujson *tree = NULL;
	ulf_err why;
	int rc;

	*queued = false;
	ulf_err_clear(&why);
	rc = posting_head(j, &why);
	if (rc == ULF_ESTORE || rc == ULF_ENOMEM)
		return ulf_err_set(err, rc, "%s", why.msg);
	if (rc) {
		reason = "UNREADABLE";
	} else {
		rc = load_booking(&bk, &tree, j, err);
		if (rc)
			goto out;
		if (!bk) {
			reason = "NO_BOOKING";
			snprintf(why.msg, sizeof(why.msg), "there is no booking to post");
		} else {
			ulf_err_clear(&why);
			rc = build_payload(&j->payload, j, bk, &why);
			if (rc == ULF_ENOMEM || rc == ULF_ESTORE) {
				/* not the booking's fault: the document stays */
				rc = ulf_err_set(err, rc, "%s",
						 rc == ULF_ENOMEM ? "out of memory" : why.msg);
				goto out;
			}
			if (rc)
				reason = "BOOKING_INVALID";
		}
	}
	rc = 0;
	if (reason && !fallback) {
		*queued = true;
		rc = job_to_queue(j, to, reason, why.msg, err);
	}
out:
	ujson_free(tree);
	return rc;
}

/*
 * Posting, first part, inside a transaction: the payload and the key,
 * recorded as sent (ready / erp_wait -> posting; found in posting: sent
 * again, its outcome unknown) before the request leaves.  j->send says
 * whether there is a request to send; when there is none the document
 * went to the queue.
 */
static int stage_post_begin(doc_state *to, job *j, ulf_err *err)
{
	doc_state state = *to;
	store_posting sp;
	store_send snd;
	char *kept = NULL;
	bool have_sp, queued, same_key;
	int64_t revision = 0;
	ulf_err none;
	int rc;

	j->send = j->correction = j->lookup = j->sent_correction = false;
	free(j->payload);
	free(j->correction_payload);
	j->payload = j->correction_payload = NULL;
	ulf_err_clear(&none);
	rc = store_posting_get(&sp, j->p->s, j->id, &none);
	if (rc && rc != ULF_ENOTFOUND)
		return ulf_err_set(err, rc, "%s", none.msg);
	have_sp = rc == 0;
	rc = kept_payload(&kept, j, have_sp, err);
	if (rc)
		return rc;
	j->held_before = have_sp && sp.held_4xx;
	same_key = have_sp && !(state == ST_READY && strcmp(sp.state, "rejected") == 0);
	if (kept && (state == ST_POSTING || state == ST_ERP_WAIT)) {
		/* the same request again, as it went */
		j->payload = kept;
		kept = NULL;
	} else {
		/* a person's booking may have changed: built again, or, when it
		 * cannot be, the one that went with the key goes again */
		rc = current_payload(to, &queued, j, kept && same_key, err);
		if (rc || queued)
			goto out;
		if (kept && same_key && !j->payload) {
			j->payload = kept;
			kept = NULL;
		} else if (kept && same_key && sp.unknown && strcmp(j->payload, kept) != 0) {
			/* the ERP may have booked the original under this key: it
			 * answers for that key before anything else goes */
			j->correction = true;
			j->lookup = erp_can_lookup(j->p->erp);
			if (j->lookup)
				j->correction_payload = j->payload;
			else
				free(j->payload);
			j->payload = kept;
			kept = NULL;
		}
	}
	rc = posting_key(j->key, &revision, j, same_key ? &sp : NULL,
			 have_sp ? sp.revision + 1 : 0, err);
	if (rc)
		goto out;
	if (!same_key)
		j->held_before = false;   /* a new key: a new posting */
	snd.from = state;
	snd.idem_key = j->key;
	snd.revision = revision;
	snd.payload = j->payload;
	rc = store_posting_send(j->p->s, j->id, &snd, j->now, err);
	if (rc == 0) {
		j->recorded = true;
		j->send = true;
		*to = ST_POSTING;
	}
out:
	free(kept);
	return rc;
}

/* The answer's words for the event log. */
static void answer_detail(char *out, size_t n, const char *prefix, const erp_result *res)
{
	snprintf(out, n, "%s%.900s", prefix, res->message);
}

/* posting -> erp_wait, held for a set-up fault: due again at once, and
 * sent when posting goes again. */
static int hold(doc_state *to, job *j, bool for_4xx, ulf_err *err)
{
	erp_result *res = &j->res;
	erp_guard_status gs;
	char detail[ERP_MESSAGE_MAX + 300];
	store_answer a;

	erp_guard_status_get(j->p->guard, &gs);
	snprintf(detail, sizeof(detail), "held: %.1100s", gs.reason[0] ? gs.reason : res->message);
	memset(&a, 0, sizeof(a));
	a.to = ST_ERP_WAIT;
	a.state = "held";
	a.http_status = res->http_status;
	a.response = res->message;
	a.detail = detail;
	a.next_at = j->now;
	a.unknown = res->unknown ? 1 : for_4xx ? -1 : 0;
	a.held_4xx = for_4xx;
	a.payload = j->sent_correction ? j->payload : NULL;
	*to = ST_ERP_WAIT;
	j->stop = true;
	return store_posting_answer(j->p->s, j->id, &a, j->now, err);
}

/* The documents of a run of the same 4xx that went to the queue before
 * it told: back to wait with this one. */
static int recall_run(job *j, ulf_err *err)
{
	int64_t ids[100];
	int status = 0;
	size_t n, i;
	ulf_err none;
	int rc;

	n = erp_guard_take_recall(j->p->guard, ids, sizeof(ids) / sizeof(ids[0]), &status);
	for (i = 0; i < n; i++) {
		ulf_err_clear(&none);
		rc = store_posting_recall(j->p->s, ids[i], status, j->now, &none);
		/* moved by a person meanwhile, or by another robot: it stays */
		if (rc && rc != ULF_ENOTFOUND)
			return ulf_err_set(err, rc, "%s", none.msg);
	}
	return 0;
}

/* Posting, last part, inside a transaction: the ERP's answer (j->res)
 * recorded, and the document on to posted, the queue, or erp_wait. */
static int stage_post_finish(doc_state *to, job *j, ulf_err *err)
{
	erp_result *res = &j->res;
	char detail[ERP_MESSAGE_MAX + 400];
	unsigned flags = (j->probe ? ERP_REPORT_PROBE : 0) |
			 (j->held_before ? ERP_REPORT_HELD_BEFORE : 0);
	erp_verdict verdict;
	store_posting sp;
	store_answer a;
	bool unknown;
	int rc;

	verdict = erp_guard_report(j->p->guard, res, j->id, flags, j->now * 1000);
	j->probe = false;
	j->recorded = true;
	memset(&a, 0, sizeof(a));
	a.http_status = res->http_status;
	a.payload = j->sent_correction ? j->payload : NULL;
	switch (res->outcome) {
	case ERP_ACCEPTED:
		a.to = ST_POSTED;
		a.state = "accepted";
		a.response = res->voucher_id[0] ? res->voucher_id : res->response;
		a.unknown = -1;
		if (j->correction) {
			snprintf(detail, sizeof(detail), "the ERP had booked the original booking under"
				 " key %s (voucher %.200s); the correction was not sent: correct it in"
				 " the ERP", j->key, res->voucher_id);
			a.detail = detail;
		}
		rc = store_posting_answer(j->p->s, j->id, &a, j->now, err);
		if (rc == 0)
			rc = remember_posted(j, err);
		*to = ST_POSTED;
		return rc;
	case ERP_REJECTED:
		if (verdict == ERP_VERDICT_SETUP) {
			rc = hold(to, j, true, err);
			return rc ? rc : recall_run(j, err);
		}
		a.state = "rejected";
		a.response = res->message;
		a.unknown = -1;
		if (j->correction) {
			/* the original is not booked: the correction goes next,
			 * under a new key */
			a.to = ST_READY;
			snprintf(detail, sizeof(detail), "the ERP rejected the original booking under"
				 " key %s; the correction goes next: %.800s", j->key, res->message);
			a.detail = detail;
			*to = ST_READY;
			return store_posting_answer(j->p->s, j->id, &a, j->now, err);
		}
		a.to = ST_EXCEPTION;
		*to = ST_EXCEPTION;
		rc = queue_detail(j, "ERP_REJECTED", res->message, res->http_status, NULL, err);
		return rc ? rc : store_posting_answer(j->p->s, j->id, &a, j->now, err);
	case ERP_FAILED:
		return hold(to, j, false, err);
	case ERP_RETRY:
	default:
		break;
	}
	rc = store_posting_get(&sp, j->p->s, j->id, err);
	if (rc)
		return rc;
	unknown = sp.unknown || res->unknown;
	a.response = res->message;
	a.unknown = res->unknown ? 1 : 0;
	if (sp.window_from + j->p->cfg.erp_retry_window <= j->now) {
		char msg[ERP_MESSAGE_MAX + 600];
		const char *reason = give_up_text(msg, sizeof(msg), j->p, &sp, unknown, res->message);

		a.to = ST_EXCEPTION;
		a.state = "failed";
		*to = ST_EXCEPTION;
		rc = queue_detail(j, reason, msg, res->http_status, unknown ? sp.idem_key : NULL, err);
		return rc ? rc : store_posting_answer(j->p->s, j->id, &a, j->now, err);
	}
	j->p->jitter = j->p->jitter * 6364136223846793005ULL + 1442695040888963407ULL;
	{
		long ms = erp_retry_delay_ms(res, (unsigned)sp.attempts, j->p->cfg.erp_backoff_ms,
					     j->p->cfg.erp_backoff_max_ms, j->p->jitter >> 11);
		a.next_at = j->now + (ms + 999) / 1000;
	}
	answer_detail(detail, sizeof(detail), unknown ? "outcome unknown: " : "", res);
	a.to = ST_ERP_WAIT;
	a.state = "retry";
	a.detail = detail;
	*to = ST_ERP_WAIT;
	j->stop = true;
	return store_posting_answer(j->p->s, j->id, &a, j->now, err);
}

/*
 * A correction waits on the original key: asks the ERP's lookup.  True
 * when the request is still to be sent (the ERP never saw the key: the
 * correction goes under it); false with j->res set when the lookup
 * answered (the original's answer) or could not tell.
 */
static bool lookup_first(job *j)
{
	erp_key_state ks;
	ulf_err none;

	ulf_err_clear(&none);
	if (erp_lookup(&ks, &j->res, j->p->erp, j->key, &none) != 0) {
		memset(&j->res, 0, sizeof(j->res));
		j->res.outcome = ERP_RETRY;
		snprintf(j->res.message, sizeof(j->res.message), "%s", none.msg);
		return false;
	}
	if (ks != ERP_KEY_UNSEEN)
		return false;
	free(j->payload);
	j->payload = j->correction_payload;
	j->correction_payload = NULL;
	j->correction = false;
	j->sent_correction = true;
	return true;
}

/* The request itself, outside any transaction.  False when nothing is
 * known of it (the document stays in `posting` and is sent again later,
 * with the same key). */
static bool post_send(job *j)
{
	ulf_err none;

	if (j->lookup && !lookup_first(j))
		return true;
	ulf_err_clear(&none);
	return erp_post(&j->res, j->p->erp, j->key, j->payload, &none) == 0;
}

/*
 * ready / erp_wait -> posting -> posted, exactly once: the key is recorded
 * as sent before the request leaves; a document found in `posting` (we
 * stopped mid-request) sends the recorded key again, and the ERP answers a
 * known key with its first answer.  The two records are two transactions
 * here; pipeline_post_due puts several documents' in one.
 */
int stage_post(doc_state *to, job *j, ulf_err *err)
{
	bool fresh_only;
	erp_gate gate;
	int rc;

	if (!j->p->erp || j->p->not_posting)
		return 0;               /* posting is off or elsewhere: stay ready */
	gate = erp_guard_gate(j->p->guard, j->now * 1000, &fresh_only);
	if (gate == ERP_GATE_WAIT)
		return 0;               /* posting pauses: it waits where it is */
	if (gate == ERP_GATE_PROBE && fresh_only && *to != ST_READY) {
		erp_guard_probe_unused(j->p->guard);
		return 0;
	}
	j->probe = gate == ERP_GATE_PROBE;
	rc = stage_post_begin(to, j, err);
	if (rc || !j->send) {
		if (j->probe)
			erp_guard_probe_unused(j->p->guard);
		j->probe = false;
		return rc;
	}
	if (!post_send(j)) {
		if (j->probe)
			erp_guard_probe_unused(j->p->guard);
		j->probe = false;
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
 * it stays in `posting` and goes again.  A correction that waits on its
 * original key asks the ERP's lookup first. */
static void send_batch(job *jobs, size_t n)
{
	const char *keys[POST_BATCH], *payloads[POST_BATCH];
	erp_result res[POST_BATCH];
	int rcs[POST_BATCH];
	size_t idx[POST_BATCH], k = 0, i;
	ulf_err none;

	for (i = 0; i < n; i++) {
		if (!jobs[i].send || (jobs[i].lookup && !lookup_first(&jobs[i])))
			continue;   /* nothing to send, or the lookup answered */
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
 * with the same keys, which the ERP answers from its record.  `probe`: the
 * one document is the guard's probe.
 */
static int post_batch(pipeline *p, const int64_t *ids, size_t n, int64_t now, bool probe,
		      ulf_err *err)
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
		if (probe)
			erp_guard_probe_unused(p->guard);
		return jobs_run_alone(NULL, p, ids, n, now, err);
	}
	if (probe && n == 1)
		jobs[0].probe = jobs[0].send;
	send_batch(jobs, n);
	if (probe && n == 1 && !jobs[0].send)
		erp_guard_probe_unused(p->guard);   /* sent, and nothing came of it */
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

int post_expire_waiting(size_t *out_n, pipeline *p, int64_t now, unsigned shard,
			unsigned nshards, ulf_err *err)
{
	int64_t *ids = NULL;
	size_t n = 0, i;
	int rc;

	*out_n = 0;
	rc = store_erp_wait_expired(&ids, &n, p->s, now - p->cfg.erp_retry_window, shard, nshards,
				    1000, err);
	for (i = 0; rc == 0 && i < n; i++) {
		char msg[ERP_MESSAGE_MAX + 600];
		const char *reason;
		store_posting sp;
		job j;

		job_init(&j, p, ids[i], now);
		rc = store_begin(p->s, err);
		if (rc == 0)
			rc = store_posting_get(&sp, p->s, ids[i], err);
		if (rc == 0) {
			char last[64];
			snprintf(last, sizeof(last), sp.http_status ? "HTTP %d" : "no answer",
				 sp.http_status);
			reason = give_up_text(msg, sizeof(msg), p, &sp, sp.unknown, last);
			rc = queue_detail(&j, reason, msg, sp.http_status,
					  sp.unknown ? sp.idem_key : NULL, err);
		}
		if (rc == 0)
			rc = store_posting_expire(p->s, ids[i], msg, now, err);
		if (rc == ULF_ENOTFOUND) {
			/* sent meanwhile by another thread: it is not waiting */
			store_rollback(p->s);
			rc = 0;
		} else {
			rc = jobs_commit(p, rc, err);
			if (rc == 0)
				(*out_n)++;
		}
		job_release(&j);
	}
	free(ids);
	return rc;
}

int pipeline_post_due(size_t *out_n, bool *out_more, pipeline *p, int64_t now,
		      unsigned shard, unsigned nshards, size_t max, ulf_err *err)
{
	static const doc_state postable[] = { ST_READY, ST_POSTING, ST_ERP_WAIT };
	static const doc_state fresh[] = { ST_READY };
	int64_t *ids = NULL;
	size_t n = 0, i, k, expired;
	doc_state after;
	bool fresh_only = false;
	erp_gate gate = ERP_GATE_SEND;
	int rc = 0;

	*out_n = 0;
	*out_more = false;
	if (nshards == 0 || shard >= nshards)
		return ulf_err_set(err, ULF_EINVAL, "posting shard %u of %u", shard, nshards);
	if (p->erp && !p->not_posting) {
		/* windows that ended while the documents waited: about every half minute */
		if (now - p->erp_swept >= 30) {
			p->erp_swept = now;
			rc = post_expire_waiting(&expired, p, now, shard, nshards, err);
			if (rc)
				return rc;
		}
		gate = erp_guard_gate(p->guard, now * 1000, &fresh_only);
		if (gate == ERP_GATE_WAIT)
			return 0;
	}
	rc = gate == ERP_GATE_PROBE
	     ? store_list_shard(&ids, &n, p->s, fresh_only ? fresh : postable,
				fresh_only ? 1 : 3, 1, now, shard, nshards, err)
	     : store_list_shard(&ids, &n, p->s, postable, 3, max, now, shard, nshards, err);
	if (rc == 0 && gate == ERP_GATE_PROBE && n == 0)
		erp_guard_probe_unused(p->guard);
	for (i = 0; rc == 0 && i < n; i += k) {
		k = n - i < POST_BATCH ? n - i : POST_BATCH;
		if (p->erp && !p->not_posting) {
			if (gate == ERP_GATE_SEND && i > 0 &&
			    (gate = erp_guard_gate(p->guard, now * 1000, NULL)) != ERP_GATE_SEND) {
				/* posting paused meanwhile: the rest waits */
				if (gate == ERP_GATE_PROBE)
					erp_guard_probe_unused(p->guard);
				break;
			}
			rc = post_batch(p, ids + i, k, now, gate == ERP_GATE_PROBE, err);
		} else {
			k = 1;
			rc = pipeline_process(&after, p, ids[i], now, err);
		}
		*out_n += k;
	}
	*out_more = rc == 0 && gate == ERP_GATE_SEND && n == max;
	free(ids);
	return rc;
}
