/*
 * store.c - documents, states, events and the audit trail (whose rows and
 * hash chain are audit.c's).  See store.h; the questions about documents
 * seen before (duplicates, resends) are in store_seen.c.
 *
 * The schema and every statement are written once for both SQL dialects;
 * where the dialects differ (identity columns, blobs, the append-only
 * guard) the schema names the difference and the backend fills it in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/digest.h"
#include "core/dynbuf.h"
#include "core/pnr.h"
#include "robot/store/keep.h"
#include "robot/store/queue_index.h"
#include "robot/store/rollup.h"
#include "robot/store/store.h"
#include "robot/store/store_int.h"

struct store {
	db *d;
};

static const char *const state_names[ST_COUNT_] = {
	[ST_RECEIVED] = "received",
	[ST_READ] = "read",
	[ST_VALIDATED] = "validated",
	[ST_WAITING] = "waiting",
	[ST_MATCHED] = "matched",
	[ST_READY] = "ready",
	[ST_POSTING] = "posting",
	[ST_POSTED] = "posted",
	[ST_EXCEPTION] = "exception",
	[ST_REJECTED] = "rejected",
	[ST_ATTACHED] = "attached",
	[ST_ERP_WAIT] = "erp_wait",
};

const char *store_state_name(doc_state s)
{
	return s > 0 && s < ST_COUNT_ ? state_names[s] : "unknown";
}

doc_state store_state_parse(const char *name)
{
	int i;

	for (i = 1; i < ST_COUNT_; i++)
		if (name && strcmp(state_names[i], name) == 0)
			return (doc_state)i;
	return 0;
}

bool store_state_final(doc_state s)
{
	return s == ST_POSTED || s == ST_REJECTED || s == ST_ATTACHED;
}

bool store_transition_allowed(doc_state from, doc_state to)
{
	if (store_state_final(from) || from == to)
		return false;
	if (to == ST_EXCEPTION)
		return true;   /* any step may give up and ask a person */
	switch (from) {
	case ST_RECEIVED:  return to == ST_READ || to == ST_WAITING;
	case ST_READ:      return to == ST_VALIDATED || to == ST_WAITING;
	case ST_VALIDATED: return to == ST_MATCHED || to == ST_WAITING;
	case ST_WAITING:   return to == ST_VALIDATED || to == ST_MATCHED || to == ST_ATTACHED;
	case ST_MATCHED:   return to == ST_READY;
	case ST_READY:     return to == ST_POSTING;
	case ST_POSTING:   return to == ST_POSTED || to == ST_READY || to == ST_ERP_WAIT;
	case ST_ERP_WAIT:  return to == ST_POSTING;
	/* erp_wait: the robot's, when a run of 4xx turns out to be its set-up */
	case ST_EXCEPTION: return to == ST_READY || to == ST_REJECTED || to == ST_RECEIVED ||
				  to == ST_ERP_WAIT;
	default:           return false;
	}
}

/* Version 1 of the schema.  The {tokens} are the dialect's words
 * (db_migrate): identity columns, 64-bit integers, blobs, the audit
 * trail's append-only guard. */
static const char *const v1 =
	"CREATE TABLE documents ("
	" id {id},"
	" sha256 TEXT NOT NULL UNIQUE,"
	" source TEXT NOT NULL, name TEXT NOT NULL,"
	" received_at {int64} NOT NULL, updated_at {int64} NOT NULL,"
	" size {int64} NOT NULL, bytes {blob} NOT NULL,"
	" state TEXT NOT NULL,"
	" syntax TEXT, kind TEXT, invoice_number TEXT, seller_org TEXT, seller_name TEXT,"
	" buyer_org TEXT, issue_date TEXT, currency TEXT, payable TEXT, flow TEXT,"
	" decision TEXT, reasons TEXT, result TEXT);"
	"CREATE INDEX documents_state ON documents(state, id);"
	"CREATE INDEX documents_seller_number ON documents(seller_org, invoice_number);"
	"CREATE TABLE events ("
	" id {id},"
	" doc_id {int64} NOT NULL REFERENCES documents(id),"
	" at {int64} NOT NULL, step TEXT NOT NULL, from_state TEXT, to_state TEXT NOT NULL,"
	" duration_us {int64} NOT NULL, detail TEXT);"
	"CREATE INDEX events_doc ON events(doc_id, id);"
	"CREATE TABLE audit ("
	" id {id},"
	" doc_id {int64} REFERENCES documents(id),"
	" at {int64} NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL, detail TEXT);"
	"CREATE INDEX audit_doc ON audit(doc_id, id);"
	"{append_only:audit}"
	"CREATE TABLE postings ("
	" doc_id {int64} PRIMARY KEY REFERENCES documents(id),"
	" idem_key TEXT NOT NULL UNIQUE, state TEXT NOT NULL,"
	" attempts INTEGER NOT NULL DEFAULT 0, next_at {int64} NOT NULL DEFAULT 0,"
	" sent_at {int64}, answered_at {int64}, http_status INTEGER, response TEXT);"
	/* care data apart from invoice data, so access can be restricted apart */
	"CREATE TABLE care_claims ("
	" id {id},"
	" claim_id TEXT, invoice_number TEXT, seller_org TEXT,"
	" received_at {int64} NOT NULL, state TEXT NOT NULL, partner_doc {int64},"
	" sha256 TEXT NOT NULL UNIQUE, bytes {blob} NOT NULL);"
	"CREATE INDEX care_claims_keys ON care_claims(claim_id, invoice_number, seller_org);";

/* Version 2: the booking a handler corrected or completed, kept apart
 * from the robot's own suggestion in `result`. */
static const char *const v2 = "ALTER TABLE documents ADD COLUMN booking TEXT;";

/* Version 3: a booking corrected after the ERP rejected it is a new
 * posting with a new idempotency key; the revision counts them. */
static const char *const v3 =
	"ALTER TABLE postings ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;";

/* Version 4: the care join's keys - the claim's own document, and the
 * fakturaunderlags-id an invoice names. */
static const char *const v4 =
	"ALTER TABLE care_claims ADD COLUMN doc_id INTEGER;"
	"CREATE INDEX care_claims_doc ON care_claims(doc_id);"
	"ALTER TABLE documents ADD COLUMN care_key TEXT;";

/*
 * Version 5: a document's bytes move to a table of their own.  A row is
 * rewritten whole on every update, and the state changes a document goes
 * through each rewrote its (often tens of kB) bytes; apart, they are
 * written once, when received.
 */
static const char *const v5 =
	"CREATE TABLE bodies (doc_id {int64} PRIMARY KEY, bytes {blob} NOT NULL);"
	"INSERT INTO bodies (doc_id, bytes) SELECT id, bytes FROM documents WHERE size > 0;"
	"ALTER TABLE documents DROP COLUMN bytes;";

/* Version 6: what posting needs of the invoice, kept when it is read, so
 * that a posting thread does not read the whole document again. */
static const char *const v6 = "ALTER TABLE documents ADD COLUMN facts TEXT;";

/*
 * Version 7: duplicates and resends (issue 16).  The matcher's content
 * fingerprint of an invoice and the references that tell apart invoices of
 * the same content (orders, goods receipts, the invoice a credit note
 * corrects), kept when it is matched, so that a copy is caught while the
 * first is still on its way and not only once it is posted; and the
 * resends, counted often by /metrics, found by an index that holds only
 * them.
 */
static const char *const v7 =
	"ALTER TABLE documents ADD COLUMN fingerprint TEXT;"
	"ALTER TABLE documents ADD COLUMN refs TEXT;"
	"CREATE INDEX documents_fingerprint ON documents(fingerprint);"
	"CREATE INDEX events_resends ON events(doc_id) WHERE step = 'resend';";

/*
 * Version 8: waiting for the ERP (robot/store/postings.c).  The payload
 * that went out with the key, so that a resend is the same request; the
 * outcome unknown (sent, no answer: the ERP may have booked it) until the
 * ERP answers for the key; when the retry window began; and whether the
 * posting was held once because its 4xx looked like every invoice's.
 */
static const char *const v8 =
	"ALTER TABLE postings ADD COLUMN payload TEXT;"
	"ALTER TABLE postings ADD COLUMN outcome_unknown INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE postings ADD COLUMN window_from {int64} NOT NULL DEFAULT 0;"
	"ALTER TABLE postings ADD COLUMN held_4xx INTEGER NOT NULL DEFAULT 0;";

int store_open(store **out, const char *backend, const char *target, ulf_err *err)
{
	const char *const steps[] = { v1, v2, v3, v4, v5, v6, v7, v8 };
	store *s = calloc(1, sizeof(*s));
	int rc;

	*out = NULL;
	if (!s)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	rc = db_open(&s->d, backend, target, err);
	if (rc)
		goto out;
	rc = db_migrate(s->d, "store", steps, sizeof(steps) / sizeof(steps[0]), err);
	if (rc)
		goto out;
	/* the audit trail's chain, and its columns for the user and the
	 * values before and after (audit.h) */
	rc = audit_migrate(s->d, err);
	/* the exception queue's index: its tables, and rows for documents
	 * that waited before there was one */
	if (rc == 0)
		rc = queue_index_migrate(s->d, err);
	if (rc == 0)
		rc = queue_index_backfill(s->d, (int64_t)time(NULL), err);
	/* the dashboard's rollups, which every transition keeps */
	if (rc == 0)
		rc = rollup_migrate(s->d, err);
	if (rc)
		goto out;
	*out = s;
	s = NULL;
out:
	store_close(s);
	return rc;
}

void store_close(store *s)
{
	if (!s)
		return;
	db_close(s->d);
	free(s);
}

db *store_db(store *s)
{
	return s->d;
}

void store_set_write_lock(store *s, pthread_mutex_t *lock)
{
	db_set_write_lock(s->d, lock);
}

int store_begin(store *s, ulf_err *err)
{
	return db_begin(s->d, err);
}

int store_checkpoint(store *s, ulf_err *err)
{
	return db_checkpoint(s->d, err);
}

int store_set_durable(store *s, bool durable, ulf_err *err)
{
	return db_set_durable(s->d, durable, err);
}

int store_commit(store *s, ulf_err *err)
{
	return db_commit(s->d, err);
}

void store_rollback(store *s)
{
	db_rollback(s->d);
}

/* One-row lookups: the first column of the first row as an integer. */
static int query_int(int64_t *out, bool *found, db *d, const char *sql,
		     const char *text_arg, int64_t int_arg, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*found = false;
	rc = db_prepare(&st, d, sql, err);
	if (rc)
		return rc;
	if (text_arg)
		rc = db_bind_row(st, err, DBV_TEXT(text_arg));
	else
		rc = db_bind_row(st, err, DBV_INT(int_arg));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		*out = db_col_int(st, 0);
		*found = true;
		rc = 0;
	}
	db_finalize(st);
	return rc;
}

/*
 * The bytes of a document that hold patient data go to the care table,
 * as a care claim's do (store_care_take), and the general one never holds
 * them: state 'kept' says they are no claim waiting for its invoice.
 */
static int keep_care_bytes(db *d, int64_t id, const char *sha, const void *data, size_t len,
			   int64_t now, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	rc = db_prepare(&st, d, "INSERT INTO care_claims (doc_id, received_at, state, sha256,"
			" bytes) VALUES (?, ?, 'kept', ?, ?)", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(id), DBV_INT(now), DBV_TEXT(sha), DBV_BLOB(data, len));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

/* One received document's rows, inside the caller's transaction.  Its
 * name is kept masked; bytes holding a personal identity number in clear
 * are kept in the care table. */
static int receive_one(store_intake *in, db *d, int64_t now, ulf_err *err)
{
	char sha[DIGEST_HEX_LEN + 1], *masked = NULL;
	const char *name;
	db_stmt *st = NULL;
	bool found;
	int rc;

	in->id = 0;
	in->duplicate = false;
	rc = store_keep_masked(&masked, in->name, err);
	if (rc)
		return rc;
	name = store_keep_text(masked, in->name);
	if (digest_sha256_hex(sha, in->data, in->len)) {
		rc = ulf_err_set(err, ULF_ERROR, "%s: cannot fingerprint", name);
		goto out;
	}
	rc = query_int(&in->id, &found, d, "SELECT id FROM documents WHERE sha256 = ?",
		       sha, 0, err);
	if (rc || found) {
		in->duplicate = found;
		/* the same bytes again: counted apart on the dashboard */
		if (rc == 0 && found)
			rc = rollup_duplicate(d, in->id, now, err);
		goto out;
	}
	rc = db_prepare(&st, d,
		"INSERT INTO documents (sha256, source, name, received_at, updated_at, size,"
		" state) VALUES (?, ?, ?, ?, ?, ?, 'received') RETURNING id", err);
	if (rc)
		goto out;
	rc = db_bind_row(st, err, DBV_TEXT(sha), DBV_TEXT(in->source), DBV_TEXT(name),
			 DBV_INT(now), DBV_INT(now), DBV_INT((int64_t)in->len));
	if (rc == 0)
		rc = db_step(st, err);
	if (rc == 1) {
		in->id = db_col_int(st, 0);
		rc = 0;
	} else if (rc == 0) {
		rc = ulf_err_set(err, ULF_ESTORE, "%s: insert returned no id", name);
	}
	db_finalize(st);
	st = NULL;
	if (rc)
		goto out;
	if (pnr_contains(in->data, in->len)) {
		rc = keep_care_bytes(d, in->id, sha, in->data, in->len, now, err);
	} else {
		rc = db_prepare(&st, d, "INSERT INTO bodies (doc_id, bytes) VALUES (?, ?)", err);
		if (rc)
			goto out;
		rc = db_bind_row(st, err, DBV_INT(in->id), DBV_BLOB(in->data, in->len));
		if (rc == 0)
			rc = db_run(st, err);
		else
			db_finalize(st);
	}
	if (rc)
		goto out;
	rc = db_prepare(&st, d, "INSERT INTO events (doc_id, at, step, from_state,"
		" to_state, duration_us, detail) VALUES (?, ?, 'receive', NULL, 'received', 0, ?)",
		err);
	if (rc)
		goto out;
	rc = db_bind_row(st, err, DBV_INT(in->id), DBV_INT(now), DBV_TEXT(in->source));
	if (rc == 0)
		rc = db_run(st, err);
	else
		db_finalize(st);
out:
	free(masked);
	return rc;
}

/* What store_receive_many's transaction receives. */
struct receipt {
	store_intake *docs;
	size_t n;
	int64_t now;
};

static int receive_tx(db *d, void *ctx, ulf_err *err)
{
	struct receipt *r = ctx;
	size_t i;
	int rc = 0;

	for (i = 0; i < r->n && rc == 0; i++)
		rc = receive_one(&r->docs[i], d, r->now, err);
	return rc;
}

int store_receive_many(store_intake *docs, size_t n, store *s, int64_t now, ulf_err *err)
{
	struct receipt rcpt = { docs, n, now };
	size_t i;
	int rc, r;

	/* this commit is the receipt: it must be on disk when it returns */
	rc = db_set_durable(s->d, true, err);
	if (rc)
		goto out;
	rc = db_tx(s->d, receive_tx, &rcpt, err);
	if (rc) {
		/* not committed, not ours: the senders still hold them */
		for (i = 0; i < n; i++) {
			docs[i].id = 0;
			docs[i].duplicate = false;
		}
	}
out:
	/* what follows can be redone from the stored bytes: no wait for the
	 * disk, whether this receipt went through or not */
	r = db_set_durable(s->d, false, rc ? NULL : err);
	return rc ? rc : r;
}

int store_receive(int64_t *out_id, bool *out_dup, store *s, const char *source,
		  const char *name, const void *data, size_t len, int64_t now,
		  ulf_err *err)
{
	store_intake in = { .source = source, .name = name, .data = data, .len = len };
	int rc = store_receive_many(&in, 1, s, now, err);

	*out_id = in.id;
	*out_dup = in.duplicate;
	return rc;
}

/*
 * Prepares `sql` (one '?' for the document id) and steps to its row.
 * ULF_ENOTFOUND, with *out finalized, when the document has no row.
 */
int store_select_by_id(db_stmt **out, store *s, const char *sql, int64_t id,
		       const char *what, ulf_err *err)
{
	int rc;

	rc = db_prepare(out, s->d, sql, err);
	if (rc)
		return rc;
	rc = db_bind_row(*out, err, DBV_INT(id));
	if (rc == 0)
		rc = db_step(*out, err);
	if (rc == 1)
		return 0;
	db_finalize(*out);
	*out = NULL;
	if (rc == 0)
		return ulf_err_set(err, ULF_ENOTFOUND, "document %lld %s", (long long)id, what);
	return rc;
}

int store_load(void **out_data, size_t *out_len, char **out_name, store *s,
	       int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	const void *p;
	size_t n = 0;
	int rc;

	*out_data = NULL;
	*out_len = 0;
	*out_name = NULL;
	rc = store_select_by_id(&st, s, "SELECT b.bytes, d.name FROM documents d"
			  " LEFT JOIN bodies b ON b.doc_id = d.id WHERE d.id = ?", id,
			  "not found", err);
	if (rc)
		return rc;
	p = db_col_blob(st, 0, &n);
	*out_data = malloc(n + 1);
	*out_name = strdup(db_col_text(st, 1) ? db_col_text(st, 1) : "");
	if (!*out_data || !*out_name) {
		free(*out_data);
		free(*out_name);
		*out_data = NULL;
		*out_name = NULL;
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory loading document %lld",
				 (long long)id);
		goto out;
	}
	if (n)
		memcpy(*out_data, p, n);
	((char *)*out_data)[n] = '\0';
	*out_len = n;
	rc = 0;
out:
	db_finalize(st);
	return rc;
}

int store_state(doc_state *out, store *s, int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out = 0;
	rc = store_select_by_id(&st, s, "SELECT state FROM documents WHERE id = ?", id, "not found",
			  err);
	if (rc)
		return rc;
	*out = store_state_parse(db_col_text(st, 0));
	db_finalize(st);
	return 0;
}

/* The transition and its event, inside the caller's transaction; the
 * event's detail is kept masked. */
static int transition_locked(db *d, int64_t id, doc_state from, doc_state to,
			     const char *step, int64_t duration_us, const char *detail,
			     int64_t now, ulf_err *err)
{
	db_stmt *st = NULL;
	char *masked = NULL;
	int rc;

	rc = db_exec_row(d, err, "UPDATE documents SET state = ?, updated_at = ?"
			" WHERE id = ? AND state = ?",
			 DBV_TEXT(store_state_name(to)), DBV_INT(now), DBV_INT(id),
			 DBV_TEXT(store_state_name(from)));
	if (rc)
		return rc;
	if (db_changes(d) != 1)
		return ulf_err_set(err, ULF_ENOTFOUND, "document %lld is no longer %s",
				   (long long)id, store_state_name(from));
	rc = store_keep_masked(&masked, detail, err);
	if (rc)
		return rc;
	rc = db_prepare(&st, d, "INSERT INTO events (doc_id, at, step, from_state,"
			" to_state, duration_us, detail) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
	if (rc == 0) {
		rc = db_bind_row(st, err, DBV_INT(id), DBV_INT(now), DBV_TEXT(step),
				 DBV_TEXT(store_state_name(from)),
				 DBV_TEXT(store_state_name(to)), DBV_INT(duration_us),
				 DBV_TEXT(store_keep_text(masked, detail)));
		if (rc == 0)
			rc = db_run(st, err);
		else
			db_finalize(st);
	}
	free(masked);
	/* the dashboard's figures move with the document */
	if (rc == 0)
		rc = rollup_transition(d, id, from, to, now, err);
	/* the queue's index follows the document in and out, in the same
	 * transaction */
	if (rc == 0 && to == ST_EXCEPTION)
		rc = queue_index_enter(d, id, now, err);
	else if (rc == 0 && from == ST_EXCEPTION)
		rc = queue_index_leave(d, id, NULL, now, err);
	return rc;
}

int store_tx_transition_unchecked(db *d, int64_t id, doc_state from, doc_state to,
				  const char *step, int64_t duration_us, const char *detail, int64_t now,
				  ulf_err *err)
{
	return transition_locked(d, id, from, to, step, duration_us, detail, now, err);
}

int store_tx_transition(db *d, int64_t id, doc_state from, doc_state to, const char *step,
			int64_t duration_us, const char *detail, int64_t now, ulf_err *err)
{
	if (!store_transition_allowed(from, to))
		return ulf_err_set(err, ULF_EINVAL, "document %lld: %s -> %s is not allowed",
				   (long long)id, store_state_name(from), store_state_name(to));
	return transition_locked(d, id, from, to, step, duration_us, detail, now, err);
}

/* A row of the trail's hash chain (audit.c), inside the caller's
 * transaction. */
int store_tx_audit(db *d, int64_t id, const char *who, const char *action,
		   const char *detail, int64_t now, ulf_err *err)
{
	audit_entry e = {
		.doc_id = id > 0 ? id : 0, .who = who, .action = action, .detail = detail,
		.at = now,
	};

	return audit_append(NULL, d, &e, err);
}

/* A transition for db_tx, and a person's audit record when there is one. */
struct transition {
	int64_t id;
	doc_state from, to;
	const char *step;
	int64_t duration_us;
	const char *detail;      /* the event's */
	int64_t now;
	const audit_entry *audit;   /* NULL: the robot's own step */
};

static int transition_tx(db *d, void *ctx, ulf_err *err)
{
	const struct transition *t = ctx;
	int rc;

	rc = transition_locked(d, t->id, t->from, t->to, t->step, t->duration_us, t->detail,
			       t->now, err);
	if (rc == 0 && t->audit)
		rc = audit_append(NULL, d, t->audit, err);
	return rc;
}

int store_transition(store *s, int64_t id, doc_state from, doc_state to,
		     const char *step, int64_t duration_us, const char *detail,
		     int64_t now, ulf_err *err)
{
	struct transition t = {
		.id = id, .from = from, .to = to, .step = step,
		.duration_us = duration_us, .detail = detail, .now = now,
	};

	if (!store_transition_allowed(from, to))
		return ulf_err_set(err, ULF_EINVAL, "document %lld: %s -> %s is not allowed",
				   (long long)id, store_state_name(from), store_state_name(to));
	return db_tx(s->d, transition_tx, &t, err);
}

int store_transition_audit(store *s, int64_t id, doc_state from, doc_state to,
			   const audit_entry *e, ulf_err *err)
{
	/* the event names the handler's action; the audit row names the handler */
	audit_entry a = *e;
	struct transition t = {
		.id = id, .from = from, .to = to, .step = "handler", .detail = e->action,
		.now = e->at, .audit = &a,
	};

	a.doc_id = id;
	if (!store_transition_allowed(from, to))
		return ulf_err_set(err, ULF_EINVAL, "document %lld: %s -> %s is not allowed",
				   (long long)id, store_state_name(from), store_state_name(to));
	return db_tx(s->d, transition_tx, &t, err);
}

int store_transition_audited(store *s, int64_t id, doc_state from, doc_state to,
			     const char *who, const char *action, const char *detail,
			     int64_t now, ulf_err *err)
{
	audit_entry e = { .who = who, .action = action, .detail = detail, .at = now };

	return store_transition_audit(s, id, from, to, &e, err);
}

int store_set_summary(store *s, int64_t id, const store_summary *sum, int64_t now,
		      ulf_err *err)
{
	/* the texts from outside, kept masked; numbers, codes and the facts
	 * (references the ERP needs as written) as they are */
	char *name = NULL, *reasons = NULL, *result = NULL;
	db_stmt *st = NULL;
	int rc;

	rc = store_keep_masked(&name, sum->seller_name, err);
	if (rc == 0)
		rc = store_keep_masked(&reasons, sum->reasons, err);
	if (rc == 0)
		rc = store_keep_masked(&result, sum->result, err);
	if (rc == 0)
		rc = db_prepare(&st, s->d, "UPDATE documents SET"
			" syntax = COALESCE(?, syntax), kind = COALESCE(?, kind),"
			" invoice_number = COALESCE(?, invoice_number),"
			" seller_org = COALESCE(?, seller_org),"
			" seller_name = COALESCE(?, seller_name), buyer_org = COALESCE(?, buyer_org),"
			" issue_date = COALESCE(?, issue_date), currency = COALESCE(?, currency),"
			" payable = COALESCE(?, payable), flow = COALESCE(?, flow),"
			" decision = COALESCE(?, decision), reasons = COALESCE(?, reasons),"
			" result = COALESCE(?, result), facts = COALESCE(?, facts),"
			" fingerprint = COALESCE(?, fingerprint), refs = COALESCE(?, refs), updated_at = ?"
			" WHERE id = ?", err);
	if (rc)
		goto out;
	/* no err: the message names the document */
	rc = db_bind_row(st, NULL, DBV_TEXT(sum->syntax), DBV_TEXT(sum->kind),
			 DBV_TEXT(sum->invoice_number), DBV_TEXT(sum->seller_org),
			 DBV_TEXT(store_keep_text(name, sum->seller_name)),
			 DBV_TEXT(sum->buyer_org), DBV_TEXT(sum->issue_date),
			 DBV_TEXT(sum->currency), DBV_TEXT(sum->payable), DBV_TEXT(sum->flow),
			 DBV_TEXT(sum->decision), DBV_TEXT(store_keep_text(reasons, sum->reasons)),
			 DBV_TEXT(store_keep_text(result, sum->result)), DBV_TEXT(sum->facts),
			 DBV_TEXT(sum->fingerprint), DBV_TEXT(sum->refs), DBV_INT(now),
			 DBV_INT(id));
	if (rc) {
		db_finalize(st);
		rc = ulf_err_set(err, rc, "document %lld: cannot bind its summary", (long long)id);
		goto out;
	}
	rc = db_run(st, err);
	if (rc == 0)
		rc = rollup_summary(s->d, id, sum->cost_centre, sum->lines_sig, err);
out:
	free(name);
	free(reasons);
	free(result);
	return rc;
}

int store_get_text(char **out, store *s, int64_t id, const char *column, ulf_err *err)
{
	static const char *const columns[] = {
		"syntax", "kind", "invoice_number", "seller_org", "seller_name", "buyer_org",
		"issue_date", "currency", "payable", "flow", "decision", "reasons", "result",
		"name", "source", "state", "booking", "sha256", "facts", "fingerprint", "refs",
	};
	char sql[96];
	const char *v;
	db_stmt *st = NULL;
	size_t i;
	int rc;

	*out = NULL;
	for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++)
		if (strcmp(columns[i], column) == 0)
			break;
	if (i == sizeof(columns) / sizeof(columns[0]))
		return ulf_err_set(err, ULF_EINVAL, "no document column '%s'", column);
	/* the column name comes from the list above, never from the caller */
	snprintf(sql, sizeof(sql), "SELECT %s FROM documents WHERE id = ?", columns[i]);
	rc = store_select_by_id(&st, s, sql, id, "not found", err);
	if (rc)
		return rc;
	v = db_col_text(st, 0);
	if (v && !(*out = strdup(v)))
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
	db_finalize(st);
	return rc;
}

int store_set_booking(store *s, int64_t id, const char *booking_json, int64_t now,
		      ulf_err *err)
{
	db_stmt *st = NULL;
	char *masked = NULL;
	int rc;

	/* a handler's texts are kept masked like the robot's */
	rc = store_keep_masked(&masked, booking_json, err);
	if (rc)
		return rc;
	rc = db_prepare(&st, s->d, "UPDATE documents SET booking = ?, updated_at = ? WHERE id = ?",
			err);
	if (rc == 0) {
		rc = db_bind_row(st, err, DBV_TEXT(store_keep_text(masked, booking_json)),
				 DBV_INT(now), DBV_INT(id));
		if (rc == 0)
			rc = db_run(st, err);
		else
			db_finalize(st);
	}
	free(masked);
	if (rc)
		return rc;
	if (db_changes(s->d) != 1)
		return ulf_err_set(err, ULF_ENOTFOUND, "document %lld not found", (long long)id);
	return 0;
}

int store_list(int64_t **out, size_t *out_n, store *s, const doc_state *states,
	       size_t nstates, size_t limit, int64_t due_by, ulf_err *err)
{
	return store_list_shard(out, out_n, s, states, nstates, limit, due_by, 0, 0, err);
}

int store_list_shard(int64_t **out, size_t *out_n, store *s, const doc_state *states,
		     size_t nstates, size_t limit, int64_t due_by, unsigned shard,
		     unsigned nshards, ulf_err *err)
{
	db_stmt *st = NULL;
	int64_t *part = NULL;
	dynbuf ids;   /* every state's, in order: `limit` at most */
	char *mem = NULL;
	size_t n = 0, npart, i;
	int rc = 0;

	*out = NULL;
	*out_n = 0;
	dynbuf_init(&ids, limit < SIZE_MAX / sizeof(*part) ? limit * sizeof(*part) : SIZE_MAX - 1);
	/* state by state, so that each state's oldest come first */
	for (i = 0; i < nstates && n < limit; i++) {
		rc = db_prepare(&st, s->d, "SELECT d.id FROM documents d"
				" LEFT JOIN postings p ON p.doc_id = d.id"
				" WHERE d.state = ? AND (? = 0 OR p.next_at IS NULL OR p.next_at <= ?)"
				" AND (? = 0 OR d.id % ? = ?)"
				" ORDER BY d.id LIMIT ?", err);
		if (rc)
			goto out;
		rc = db_bind_row(st, err, DBV_TEXT(store_state_name(states[i])), DBV_INT(due_by),
				 DBV_INT(due_by), DBV_INT(nshards),
				 DBV_INT(nshards ? nshards : 1), DBV_INT(shard),
				 DBV_INT((int64_t)(limit - n)));
		if (rc == 0)
			rc = db_collect_ids(&part, &npart, st, limit - n, err);
		db_finalize(st);
		if (rc)
			goto out;
		if (npart && dynbuf_add(&ids, part, npart * sizeof(*part)) != 0) {
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
			goto out;
		}
		free(part);
		part = NULL;
		n += npart;
	}
	/* none: *out stays NULL */
	if (n && dynbuf_take(&mem, NULL, &ids) != 0) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	*out = (int64_t *)(void *)mem;
	*out_n = n;
out:
	free(part);
	dynbuf_release(&ids);
	return rc;
}

/* What a posting's transaction writes: its start, or the ERP's answer. */
struct posting {
	int64_t id;
	const char *idem_key;    /* start */
	int64_t revision;
	doc_state to;            /* answer: where the document goes */
	const char *state;       /* answer: the posting row's state */
	int http_status;
	const char *response;
	int64_t next_at;
	int64_t now;
};

static int posting_begin_tx(db *d, void *ctx, ulf_err *err)
{
	const struct posting *p = ctx;
	db_stmt *st = NULL;
	int rc;

	rc = transition_locked(d, p->id, ST_READY, ST_POSTING, "post", 0, p->idem_key, p->now,
			       err);
	if (rc)
		return rc;
	/* A retry keeps its key: the ERP must see the same request again.  Only
	 * a newer revision (a re-booking after a rejection) brings a new key. */
	rc = db_prepare(&st, d, "INSERT INTO postings (doc_id, idem_key, revision, state,"
			" attempts, next_at, sent_at) VALUES (?, ?, ?, 'sent', 1, 0, ?)"
			" ON CONFLICT (doc_id) DO UPDATE SET state = 'sent',"
			" attempts = CASE WHEN excluded.revision > postings.revision THEN 1"
			"  ELSE postings.attempts + 1 END,"
			" idem_key = CASE WHEN excluded.revision > postings.revision"
			"  THEN excluded.idem_key ELSE postings.idem_key END,"
			" revision = CASE WHEN excluded.revision > postings.revision"
			"  THEN excluded.revision ELSE postings.revision END,"
			" sent_at = excluded.sent_at", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(p->id), DBV_TEXT(p->idem_key), DBV_INT(p->revision),
			 DBV_INT(p->now));
	if (rc) {
		db_finalize(st);
		return rc;
	}
	return db_run(st, err);
}

int store_posting_begin(store *s, int64_t id, const char *idem_key, int64_t revision,
			int64_t now, ulf_err *err)
{
	struct posting p = { .id = id, .idem_key = idem_key, .revision = revision, .now = now };

	return db_tx(s->d, posting_begin_tx, &p, err);
}

/* The posting row's answer and the document's transition. */
static int posting_end_tx(db *d, void *ctx, ulf_err *err)
{
	const struct posting *p = ctx;
	db_stmt *st = NULL;
	char *masked = NULL;
	int rc;

	/* the ERP's answer may quote what it was sent */
	rc = store_keep_masked(&masked, p->response, err);
	if (rc)
		return rc;
	rc = db_prepare(&st, d, "UPDATE postings SET state = ?, http_status = ?,"
			" response = ?, next_at = ?, answered_at = ? WHERE doc_id = ?", err);
	if (rc == 0) {
		rc = db_bind_row(st, err, DBV_TEXT(p->state), DBV_INT(p->http_status),
				 DBV_TEXT(store_keep_text(masked, p->response)),
				 DBV_INT(p->next_at), DBV_INT(p->now), DBV_INT(p->id));
		if (rc == 0)
			rc = db_run(st, err);
		else
			db_finalize(st);
	}
	free(masked);
	if (rc)
		return rc;
	if (db_changes(d) != 1)
		return ulf_err_set(err, ULF_ENOTFOUND, "document %lld has no posting",
				   (long long)p->id);
	return transition_locked(d, p->id, ST_POSTING, p->to, "post", 0, p->response, p->now,
				 err);
}

static int posting_end(store *s, int64_t id, doc_state to, const char *state,
		       int http_status, const char *response, int64_t next_at, int64_t now,
		       ulf_err *err)
{
	struct posting p = {
		.id = id, .to = to, .state = state, .http_status = http_status,
		.response = response, .next_at = next_at, .now = now,
	};

	return db_tx(s->d, posting_end_tx, &p, err);
}

int store_posting_accepted(store *s, int64_t id, int http_status, const char *response,
			   int64_t now, ulf_err *err)
{
	return posting_end(s, id, ST_POSTED, "accepted", http_status, response, 0, now, err);
}

int store_posting_rejected(store *s, int64_t id, int http_status, const char *response,
			   int64_t now, ulf_err *err)
{
	return posting_end(s, id, ST_EXCEPTION, "rejected", http_status, response, 0, now, err);
}

int store_posting_retry(store *s, int64_t id, int http_status, const char *response,
			int64_t next_at, int64_t now, ulf_err *err)
{
	return posting_end(s, id, ST_READY, "retry", http_status, response, next_at, now, err);
}

int store_posting_failed(store *s, int64_t id, int http_status, const char *response,
			 int64_t now, ulf_err *err)
{
	return posting_end(s, id, ST_EXCEPTION, "failed", http_status, response, 0, now, err);
}

int store_posting_get(store_posting *out, store *s, int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_select_by_id(&st, s, "SELECT idem_key, attempts, next_at, http_status, state,"
			  " revision, outcome_unknown, window_from, held_4xx, sent_at FROM postings"
			  " WHERE doc_id = ?", id, "was never sent", err);
	if (rc)
		return rc;
	snprintf(out->idem_key, sizeof(out->idem_key), "%s", db_col_text(st, 0));
	out->attempts = db_col_int(st, 1);
	out->next_at = db_col_int(st, 2);
	out->http_status = (int)db_col_int(st, 3);
	snprintf(out->state, sizeof(out->state), "%s", db_col_text(st, 4));
	out->revision = db_col_int(st, 5);
	out->unknown = db_col_int(st, 6) != 0;
	out->window_from = db_col_int(st, 7);
	out->held_4xx = db_col_int(st, 8) != 0;
	out->sent_at = db_col_int(st, 9);
	db_finalize(st);
	return 0;
}

static int count_row(db_stmt *st, void *ctx, ulf_err *err)
{
	int64_t *counts = ctx;
	doc_state k = store_state_parse(db_col_text(st, 0));

	(void)err;
	if (k)
		counts[k] = db_col_int(st, 1);
	return 0;
}

int store_count_states(int64_t counts[ST_COUNT_], store *s, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	memset(counts, 0, sizeof(int64_t) * ST_COUNT_);
	rc = db_prepare(&st, s->d, "SELECT state, COUNT(*) FROM documents GROUP BY state", err);
	if (rc)
		return rc;
	rc = db_each(st, count_row, counts, err);
	db_finalize(st);
	return rc;
}

int store_automation(int64_t *out_auto, int64_t *out_decided, store *s, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out_auto = *out_decided = 0;
	/* posted less those a person touched: the audit trail is short, the
	 * posted documents many, and /metrics is asked often */
	rc = db_prepare(&st, s->d,
		"SELECT"
		" (SELECT COUNT(*) FROM documents WHERE state = 'posted'),"
		" (SELECT COUNT(DISTINCT a.doc_id) FROM audit a"
		"   JOIN documents d ON d.id = a.doc_id WHERE d.state = 'posted'),"
		" (SELECT COUNT(*) FROM documents"
		"   WHERE state IN ('posted', 'rejected', 'exception'))", err);
	if (rc)
		return rc;
	rc = db_step(st, err);
	if (rc == 1) {
		*out_auto = db_col_int(st, 0) - db_col_int(st, 1);
		*out_decided = db_col_int(st, 2);
		rc = 0;
	}
	db_finalize(st);
	return rc;
}

int store_audit(store *s, int64_t id, const char *who, const char *action,
		const char *detail, int64_t now, ulf_err *err)
{
	audit_entry e = { .doc_id = id, .who = who, .action = action, .detail = detail,
			  .at = now };

	return audit_append(NULL, s->d, &e, err);
}

int store_audit_entry(int64_t *out_id, store *s, const audit_entry *e, ulf_err *err)
{
	return audit_append(out_id, s->d, e, err);
}

int store_audit_verify(audit_report *out, store *s, ulf_err *err)
{
	return audit_verify(out, s->d, err);
}

/* store_docs' caller, and how many rows it was given. */
struct doc_rows {
	store_doc_fn fn;
	void *ctx;
	size_t done;
};

static int doc_row(db_stmt *st, void *ctx, ulf_err *err)
{
	struct doc_rows *dr = ctx;
	store_doc_row r;

	(void)err;
	r.id = db_col_int(st, 0);
	r.received_at = db_col_int(st, 1);
	r.updated_at = db_col_int(st, 2);
	r.state = db_col_text(st, 3);
	r.name = db_col_text(st, 4);
	r.source = db_col_text(st, 5);
	r.syntax = db_col_text(st, 6);
	r.kind = db_col_text(st, 7);
	r.invoice_number = db_col_text(st, 8);
	r.seller_org = db_col_text(st, 9);
	r.seller_name = db_col_text(st, 10);
	r.currency = db_col_text(st, 11);
	r.payable = db_col_text(st, 12);
	r.flow = db_col_text(st, 13);
	r.decision = db_col_text(st, 14);
	r.reasons = db_col_text(st, 15);
	dr->fn(&r, dr->ctx);
	dr->done++;
	return 0;
}

int store_docs(store *s, const doc_state *states, size_t nstates, size_t limit,
	       store_doc_fn fn, void *ctx, ulf_err *err)
{
	static const char cols[] =
		"SELECT id, received_at, updated_at, state, name, source, syntax, kind,"
		" invoice_number, seller_org, seller_name, currency, payable, flow, decision,"
		" reasons FROM documents";
	struct doc_rows dr = { fn, ctx, 0 };
	db_stmt *st = NULL;
	size_t i;
	int rc = 0;
	char sql[512];

	snprintf(sql, sizeof(sql), "%s%s ORDER BY id LIMIT ?", cols,
		 nstates ? " WHERE state = ?" : "");
	for (i = 0; i < (nstates ? nstates : 1) && dr.done < limit; i++) {
		rc = db_prepare(&st, s->d, sql, err);
		if (rc)
			return rc;
		if (nstates)
			rc = db_bind_row(st, err, DBV_TEXT(store_state_name(states[i])),
					 DBV_INT((int64_t)(limit - dr.done)));
		else
			rc = db_bind_row(st, err, DBV_INT((int64_t)limit));
		if (rc == 0)
			rc = db_each(st, doc_row, &dr, err);
		db_finalize(st);
		if (rc)
			return rc;
	}
	return 0;
}

/* store_history's caller. */
struct history_rows {
	store_history_fn fn;
	void *ctx;
};

static int history_row(db_stmt *st, void *ctx, ulf_err *err)
{
	const struct history_rows *h = ctx;
	store_history_row row;

	(void)err;
	row.at = db_col_int(st, 0);
	row.who = db_col_text(st, 1);
	row.what = db_col_text(st, 2);
	row.from = db_col_text(st, 3);
	row.to = db_col_text(st, 4);
	row.duration_us = db_col_int(st, 5);
	row.detail = db_col_text(st, 6);
	row.is_audit = db_col_int(st, 7) == 1;
	h->fn(&row, h->ctx);
	return 0;
}

int store_history(store *s, int64_t id, store_history_fn fn, void *ctx, ulf_err *err)
{
	struct history_rows h = { fn, ctx };
	db_stmt *st = NULL;
	int rc;

	/* events and audit interleaved by time: what happened, in order */
	rc = db_prepare(&st, s->d,
		"SELECT at, 'robot', step, from_state, to_state, duration_us, detail, 0 AS k, id"
		" FROM events WHERE doc_id = ?"
		" UNION ALL SELECT at, who, action, NULL, NULL, 0, detail, 1 AS k, id"
		" FROM audit WHERE doc_id = ? ORDER BY 1, 8, 9", err);
	if (rc)
		return rc;
	rc = db_bind_row(st, err, DBV_INT(id), DBV_INT(id));
	if (rc == 0)
		rc = db_each(st, history_row, &h, err);
	db_finalize(st);
	return rc;
}
