/*
 * postings.c - waiting for the ERP: a posting's request recorded before
 * it leaves, its outcome (an answer, or none: the outcome unknown), the
 * retry window, and the way back from the queue for a 4xx that was the
 * set-up's.  See store.h ("Waiting for the ERP") and docs/states.md.
 *
 * Every write is one transaction (db_tx) and every state change a
 * compare-and-set (store_tx_transition), as in store.c.
 */
#include <stdlib.h>
#include <string.h>

#include "robot/store/store.h"
#include "core/pnr.h"
#include "robot/store/store_int.h"

/*
 * The payload as the postings table may keep it: a payload that holds a
 * personal identity number (line texts sent unmasked to a care ERP,
 * erp_care_unmasked_texts) is not kept outside the care table; a resend
 * builds it again from the same facts and booking, byte for byte.
 */
static const char *kept_payload(const char *payload)
{
	if (payload && pnr_contains(payload, strlen(payload)))
		return NULL;
	return payload;
}

/* ---- the request ---------------------------------------------------------- */

struct send_tx {
	int64_t id;
	const store_send *snd;
	int64_t now;
};

/* ready / erp_wait -> posting, and the posting row: the key kept unless
 * the revision is newer, the budget fresh after a new revision or a
 * posting that went to the queue unanswered. */
static int send_first_tx(db *d, void *ctx, ulf_err *err)
{
	const struct send_tx *t = ctx;
	const store_send *snd = t->snd;
	db_stmt *st = NULL;
	int rc;

	rc = store_tx_transition(d, t->id, snd->from, ST_POSTING, "post", 0, snd->idem_key, t->now,
				 err);
	if (rc)
		return rc;
	rc = db_prepare(&st, d, "INSERT INTO postings (doc_id, idem_key, revision, state,"
			" attempts, next_at, sent_at, payload, window_from)"
			" VALUES (?, ?, ?, 'sent', 1, 0, ?, ?, ?)"
			" ON CONFLICT (doc_id) DO UPDATE SET state = 'sent',"
			" attempts = CASE WHEN excluded.revision > postings.revision"
			"  OR postings.state = 'failed' THEN 1 ELSE postings.attempts + 1 END,"
			" window_from = CASE WHEN excluded.revision > postings.revision"
			"  OR postings.state = 'failed' OR postings.window_from = 0"
			"  THEN excluded.window_from ELSE postings.window_from END,"
			" outcome_unknown = CASE WHEN excluded.revision > postings.revision THEN 0"
			"  ELSE postings.outcome_unknown END,"
			" held_4xx = CASE WHEN excluded.revision > postings.revision THEN 0"
			"  ELSE postings.held_4xx END,"
			" idem_key = CASE WHEN excluded.revision > postings.revision"
			"  THEN excluded.idem_key ELSE postings.idem_key END,"
			" revision = CASE WHEN excluded.revision > postings.revision"
			"  THEN excluded.revision ELSE postings.revision END,"
			" payload = COALESCE(excluded.payload, postings.payload),"
			" sent_at = excluded.sent_at", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(t->id), DBV_TEXT(snd->idem_key), DBV_INT(snd->revision),
			 DBV_INT(t->now), DBV_TEXT(kept_payload(snd->payload)),
			 DBV_INT(t->now));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

/* Found in `posting`: the robot stopped mid-request, or could not record
 * the answer.  Sent again with the same key; what became of the last
 * request is unknown. */
static int send_again_tx(db *d, void *ctx, ulf_err *err)
{
	const struct send_tx *t = ctx;
	db_stmt *st = NULL;
	int rc;

	rc = db_exec_row(d, err, "UPDATE postings SET outcome_unknown = 1, attempts = attempts + 1,"
			" sent_at = ?, payload = COALESCE(?, payload),"
			" window_from = CASE WHEN window_from = 0 THEN ? ELSE window_from END"
			" WHERE doc_id = ? AND EXISTS (SELECT 1 FROM documents"
			"  WHERE id = postings.doc_id AND state = 'posting')",
			 DBV_INT(t->now), DBV_TEXT(kept_payload(t->snd->payload)),
			 DBV_INT(t->now), DBV_INT(t->id));
	if (rc)
		return rc;
	if (db_changes(d) != 1)
		return ulf_err_set(err, ULF_ENOTFOUND, "document %lld is no longer posting",
				   (long long)t->id);
	rc = db_prepare(&st, d, "INSERT INTO events (doc_id, at, step, from_state, to_state,"
			" duration_us, detail) VALUES (?, ?, 'post', 'posting', 'posting', 0, ?)",
			err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(t->id), DBV_INT(t->now),
			 DBV_TEXT("outcome unknown: the last request got no answer; sent again"
				  " with the same key"));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

int store_posting_send(store *s, int64_t id, const store_send *snd, int64_t now,
		       ulf_err *err)
{
	struct send_tx t = { .id = id, .snd = snd, .now = now };

	if (snd->from == ST_POSTING)
		return db_tx(store_db(s), send_again_tx, &t, err);
	if (snd->from != ST_READY && snd->from != ST_ERP_WAIT)
		return ulf_err_set(err, ULF_EINVAL, "document %lld: nothing is posted from %s",
				   (long long)id, store_state_name(snd->from));
	return db_tx(store_db(s), send_first_tx, &t, err);
}

/* ---- the outcome ---------------------------------------------------------- */

struct answer_tx {
	int64_t id;
	const store_answer *a;
	int64_t now;
};

static int answer_tx(db *d, void *ctx, ulf_err *err)
{
	const struct answer_tx *t = ctx;
	const store_answer *a = t->a;
	int rc;

	rc = db_exec_row(d, err, "UPDATE postings SET state = ?, http_status = ?, response = ?,"
			" next_at = ?, answered_at = ?,"
			" outcome_unknown = CASE WHEN ? > 0 THEN 1 WHEN ? < 0 THEN 0"
			"  ELSE outcome_unknown END,"
			" held_4xx = CASE WHEN ? <> 0 THEN 1 ELSE held_4xx END,"
			" window_from = CASE WHEN ? = 'held' THEN 0 ELSE window_from END,"
			" payload = COALESCE(?, payload)"
			" WHERE doc_id = ?",
			 DBV_TEXT(a->state), DBV_INT(a->http_status),
			 DBV_TEXT(a->response), DBV_INT(a->next_at), DBV_INT(t->now),
			 DBV_INT(a->unknown), DBV_INT(a->unknown), DBV_INT(a->held_4xx),
			 DBV_TEXT(a->state), DBV_TEXT(kept_payload(a->payload)),
			 DBV_INT(t->id));
	if (rc)
		return rc;
	if (db_changes(d) != 1)
		return ulf_err_set(err, ULF_ENOTFOUND, "document %lld has no posting",
				   (long long)t->id);
	return store_tx_transition(d, t->id, ST_POSTING, a->to, "post", 0,
				   a->detail ? a->detail : a->response, t->now, err);
}

int store_posting_answer(store *s, int64_t id, const store_answer *a, int64_t now,
			 ulf_err *err)
{
	struct answer_tx t = { .id = id, .a = a, .now = now };

	if (!store_transition_allowed(ST_POSTING, a->to))
		return ulf_err_set(err, ULF_EINVAL, "document %lld: posting -> %s is not allowed",
				   (long long)id, store_state_name(a->to));
	return db_tx(store_db(s), answer_tx, &t, err);
}

/* ---- leaving erp_wait for the queue, and coming back ---------------------- */

struct move_tx {
	int64_t id;
	const char *text;
	int http_status;
	int64_t now;
};

static int expire_tx(db *d, void *ctx, ulf_err *err)
{
	const struct move_tx *t = ctx;
	int rc;

	rc = db_exec_row(d, err, "UPDATE postings SET state = 'failed', response = ?,"
			" answered_at = ? WHERE doc_id = ? AND state = 'retry'",
			 DBV_TEXT(t->text), DBV_INT(t->now), DBV_INT(t->id));
	if (rc)
		return rc;
	if (db_changes(d) != 1)
		return ulf_err_set(err, ULF_ENOTFOUND, "document %lld is not waiting to retry",
				   (long long)t->id);
	return store_tx_transition(d, t->id, ST_ERP_WAIT, ST_EXCEPTION, "post", 0, t->text, t->now,
				   err);
}

int store_posting_expire(store *s, int64_t id, const char *why, int64_t now, ulf_err *err)
{
	struct move_tx t = { .id = id, .text = why, .now = now };

	return db_tx(store_db(s), expire_tx, &t, err);
}

static int recall_tx(db *d, void *ctx, ulf_err *err)
{
	const struct move_tx *t = ctx;
	db_stmt *st = NULL;
	int rc;

	rc = db_exec_row(d, err, "UPDATE postings SET state = 'held', held_4xx = 1, next_at = ?,"
			" window_from = 0 WHERE doc_id = ? AND state = 'rejected'"
			" AND http_status = ? AND held_4xx = 0",
			 DBV_INT(t->now), DBV_INT(t->id), DBV_INT(t->http_status));
	if (rc)
		return rc;
	if (db_changes(d) != 1)
		return ulf_err_set(err, ULF_ENOTFOUND, "document %lld: no rejection to take back",
				   (long long)t->id);
	rc = store_tx_transition(d, t->id, ST_EXCEPTION, ST_ERP_WAIT, "post", 0,
				 "the ERP's 4xx was the set-up's, not the invoice's: waiting for the"
				 " ERP", t->now, err);
	if (rc)
		return rc;
	/* it is not in the queue any more: its reasons no longer hold */
	rc = db_prepare(&st, d, "UPDATE documents SET decision = 'auto', reasons = NULL"
			" WHERE id = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(t->id));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

int store_posting_recall(store *s, int64_t id, int http_status, int64_t now, ulf_err *err)
{
	struct move_tx t = { .id = id, .http_status = http_status, .now = now };

	return db_tx(store_db(s), recall_tx, &t, err);
}

/* ---- reading -------------------------------------------------------------- */

int store_posting_payload(char **out, store *s, int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	const char *v;
	int rc;

	*out = NULL;
	rc = db_prepare(&st, store_db(s), "SELECT payload FROM postings WHERE doc_id = ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(id));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 0)
		rc = ulf_err_set(err, ULF_ENOTFOUND, "document %lld was never sent", (long long)id);
	if (rc == 1) {
		rc = 0;
		v = db_col_text(st, 0);
		if (v && !(*out = strdup(v)))
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	db_finalize(st);
	return rc;
}

int store_erp_wait_expired(int64_t **out, size_t *out_n, store *s, int64_t began_by,
			   unsigned shard, unsigned nshards, size_t limit, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out = NULL;
	*out_n = 0;
	rc = db_prepare(&st, store_db(s), "SELECT d.id FROM documents d"
			" JOIN postings p ON p.doc_id = d.id"
			" WHERE d.state = 'erp_wait' AND p.state = 'retry'"
			" AND p.window_from > 0 AND p.window_from <= ?"
			" AND (? = 0 OR d.id % ? = ?) ORDER BY d.id LIMIT ?", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(began_by), DBV_INT(nshards),
			 DBV_INT(nshards ? nshards : 1), DBV_INT(shard),
			 DBV_INT((int64_t)limit));
	if (rc == 0)
		rc = db_collect_ids(out, out_n, st, limit, err);
	db_finalize(st);
	return rc;
}

int store_erp_waiting(store_erp_wait *out, store *s, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_prepare(&st, store_db(s), "SELECT COUNT(*),"
			" COALESCE(SUM(CASE WHEN p.outcome_unknown <> 0 THEN 1 ELSE 0 END), 0),"
			" COALESCE(SUM(CASE WHEN p.state = 'held' THEN 1 ELSE 0 END), 0),"
			" COALESCE(MIN(CASE WHEN p.window_from > 0 THEN p.window_from"
			"  ELSE p.sent_at END), 0),"
			" (SELECT COUNT(*) FROM documents x JOIN postings y ON y.doc_id = x.id"
			"  WHERE x.state = 'exception' AND y.outcome_unknown <> 0)"
			" FROM documents d JOIN postings p ON p.doc_id = d.id"
			" WHERE d.state = 'erp_wait'", err);
	if (rc)
		return rc;
	rc = db_step(st, err);
	if (rc == 1) {
		out->waiting = db_col_int(st, 0);
		out->unknown = db_col_int(st, 1);
		out->held = db_col_int(st, 2);
		out->since = db_col_int(st, 3);
		out->unknown_queued = db_col_int(st, 4);
		rc = 0;
	}
	db_finalize(st);
	return rc;
}
