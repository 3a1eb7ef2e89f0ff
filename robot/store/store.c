/*
 * store.c - documents, states, events and the audit trail (whose rows and
 * hash chain are audit.c's).  See store.h.
 *
 * The schema and every statement are written once for both SQL dialects;
 * where the dialects differ (identity columns, blobs, the append-only
 * guard) the schema names the difference and the backend fills it in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "robot/store/rollup.h"
#include "robot/store/store.h"

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
	case ST_POSTING:   return to == ST_POSTED || to == ST_READY;
	case ST_EXCEPTION: return to == ST_READY || to == ST_REJECTED || to == ST_RECEIVED;
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

int store_open(store **out, const char *backend, const char *target, ulf_err *err)
{
	const char *const steps[] = { v1, v2, v3, v4, v5, v6 };
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
		db_bind_text(st, 1, text_arg);
	else
		db_bind_int(st, 1, int_arg);
	rc = db_step(st, err);
	if (rc == 1) {
		*out = db_col_int(st, 0);
		*found = true;
		rc = 0;
	}
	db_finalize(st);
	return rc;
}

/* One received document's rows, inside the caller's transaction. */
static int receive_one(store_intake *in, db *d, int64_t now, ulf_err *err)
{
	char sha[DIGEST_HEX_LEN + 1];
	db_stmt *st = NULL;
	bool found;
	int rc;

	in->id = 0;
	in->duplicate = false;
	if (digest_sha256_hex(sha, in->data, in->len))
		return ulf_err_set(err, ULF_ERROR, "%s: cannot fingerprint", in->name);
	rc = query_int(&in->id, &found, d, "SELECT id FROM documents WHERE sha256 = ?",
		       sha, 0, err);
	if (rc || found) {
		in->duplicate = found;
		/* the same bytes again: counted apart on the dashboard */
		return rc ? rc : rollup_duplicate(d, in->id, now, err);
	}
	rc = db_prepare(&st, d,
		"INSERT INTO documents (sha256, source, name, received_at, updated_at, size,"
		" state) VALUES (?, ?, ?, ?, ?, ?, 'received') RETURNING id", err);
	if (rc)
		return rc;
	db_bind_text(st, 1, sha);
	db_bind_text(st, 2, in->source);
	db_bind_text(st, 3, in->name);
	db_bind_int(st, 4, now);
	db_bind_int(st, 5, now);
	db_bind_int(st, 6, (int64_t)in->len);
	rc = db_step(st, err);
	if (rc == 1) {
		in->id = db_col_int(st, 0);
		rc = 0;
	} else if (rc == 0) {
		rc = ulf_err_set(err, ULF_ESTORE, "%s: insert returned no id", in->name);
	}
	db_finalize(st);
	st = NULL;
	if (rc)
		return rc;
	rc = db_prepare(&st, d, "INSERT INTO bodies (doc_id, bytes) VALUES (?, ?)", err);
	if (rc)
		return rc;
	db_bind_int(st, 1, in->id);
	db_bind_blob(st, 2, in->data, in->len);
	rc = db_run(st, err);
	if (rc)
		return rc;
	rc = db_prepare(&st, d, "INSERT INTO events (doc_id, at, step, from_state,"
		" to_state, duration_us, detail) VALUES (?, ?, 'receive', NULL, 'received', 0, ?)",
		err);
	if (rc)
		return rc;
	db_bind_int(st, 1, in->id);
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, in->source);
	return db_run(st, err);
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
static int select_by_id(db_stmt **out, store *s, const char *sql, int64_t id,
			const char *what, ulf_err *err)
{
	int rc;

	rc = db_prepare(out, s->d, sql, err);
	if (rc)
		return rc;
	db_bind_int(*out, 1, id);
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
	rc = select_by_id(&st, s, "SELECT b.bytes, d.name FROM documents d"
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
	rc = select_by_id(&st, s, "SELECT state FROM documents WHERE id = ?", id, "not found",
			  err);
	if (rc)
		return rc;
	*out = store_state_parse(db_col_text(st, 0));
	db_finalize(st);
	return 0;
}

/* The transition and its event, inside the caller's transaction. */
static int transition_locked(db *d, int64_t id, doc_state from, doc_state to,
			     const char *step, int64_t duration_us, const char *detail,
			     int64_t now, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	rc = db_prepare(&st, d, "UPDATE documents SET state = ?, updated_at = ?"
			" WHERE id = ? AND state = ?", err);
	if (rc)
		return rc;
	db_bind_text(st, 1, store_state_name(to));
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, id);
	db_bind_text(st, 4, store_state_name(from));
	rc = db_run(st, err);
	if (rc)
		return rc;
	if (db_changes(d) != 1)
		return ulf_err_set(err, ULF_ENOTFOUND, "document %lld is no longer %s",
				   (long long)id, store_state_name(from));
	rc = db_prepare(&st, d, "INSERT INTO events (doc_id, at, step, from_state,"
			" to_state, duration_us, detail) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
	if (rc)
		return rc;
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, now);
	db_bind_text(st, 3, step);
	db_bind_text(st, 4, store_state_name(from));
	db_bind_text(st, 5, store_state_name(to));
	db_bind_int(st, 6, duration_us);
	db_bind_text(st, 7, detail);
	rc = db_run(st, err);
	/* the dashboard's figures move with the document */
	return rc ? rc : rollup_transition(d, id, from, to, now, err);
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
	db_stmt *st = NULL;
	int rc;

	rc = db_prepare(&st, s->d, "UPDATE documents SET"
		" syntax = COALESCE(?, syntax), kind = COALESCE(?, kind),"
		" invoice_number = COALESCE(?, invoice_number), seller_org = COALESCE(?, seller_org),"
		" seller_name = COALESCE(?, seller_name), buyer_org = COALESCE(?, buyer_org),"
		" issue_date = COALESCE(?, issue_date), currency = COALESCE(?, currency),"
		" payable = COALESCE(?, payable), flow = COALESCE(?, flow),"
		" decision = COALESCE(?, decision), reasons = COALESCE(?, reasons),"
		" result = COALESCE(?, result), facts = COALESCE(?, facts), updated_at = ?"
		" WHERE id = ?", err);
	if (rc)
		return rc;
	db_bind_text(st, 1, sum->syntax);
	db_bind_text(st, 2, sum->kind);
	db_bind_text(st, 3, sum->invoice_number);
	db_bind_text(st, 4, sum->seller_org);
	db_bind_text(st, 5, sum->seller_name);
	db_bind_text(st, 6, sum->buyer_org);
	db_bind_text(st, 7, sum->issue_date);
	db_bind_text(st, 8, sum->currency);
	db_bind_text(st, 9, sum->payable);
	db_bind_text(st, 10, sum->flow);
	db_bind_text(st, 11, sum->decision);
	db_bind_text(st, 12, sum->reasons);
	db_bind_text(st, 13, sum->result);
	db_bind_text(st, 14, sum->facts);
	db_bind_int(st, 15, now);
	db_bind_int(st, 16, id);
	rc = db_run(st, err);
	return rc ? rc : rollup_summary(s->d, id, sum->cost_centre, sum->lines_sig, err);
}

int store_get_text(char **out, store *s, int64_t id, const char *column, ulf_err *err)
{
	static const char *const columns[] = {
		"syntax", "kind", "invoice_number", "seller_org", "seller_name", "buyer_org",
		"issue_date", "currency", "payable", "flow", "decision", "reasons", "result",
		"name", "source", "state", "booking", "sha256", "facts",
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
	rc = select_by_id(&st, s, sql, id, "not found", err);
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
	int rc;

	rc = db_prepare(&st, s->d, "UPDATE documents SET booking = ?, updated_at = ? WHERE id = ?",
			err);
	if (rc)
		return rc;
	db_bind_text(st, 1, booking_json);
	db_bind_int(st, 2, now);
	db_bind_int(st, 3, id);
	rc = db_run(st, err);
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
	int64_t *ids = NULL, *part = NULL, *nids;
	size_t n = 0, npart, i;
	int rc = 0;

	*out = NULL;
	*out_n = 0;
	/* state by state, so that each state's oldest come first */
	for (i = 0; i < nstates && n < limit; i++) {
		rc = db_prepare(&st, s->d, "SELECT d.id FROM documents d"
				" LEFT JOIN postings p ON p.doc_id = d.id"
				" WHERE d.state = ? AND (? = 0 OR p.next_at IS NULL OR p.next_at <= ?)"
				" AND (? = 0 OR d.id % ? = ?)"
				" ORDER BY d.id LIMIT ?", err);
		if (rc)
			goto out;
		db_bind_text(st, 1, store_state_name(states[i]));
		db_bind_int(st, 2, due_by);
		db_bind_int(st, 3, due_by);
		db_bind_int(st, 4, nshards);
		db_bind_int(st, 5, nshards ? nshards : 1);
		db_bind_int(st, 6, shard);
		db_bind_int(st, 7, (int64_t)(limit - n));
		rc = db_collect_ids(&part, &npart, st, limit - n, err);
		db_finalize(st);
		if (rc)
			goto out;
		if (!ids) {
			ids = part;            /* the first state's: nothing to append to */
			part = NULL;
		} else if (npart) {
			nids = realloc(ids, (n + npart) * sizeof(*ids));
			if (!nids) {
				rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
				goto out;
			}
			ids = nids;
			memcpy(ids + n, part, npart * sizeof(*ids));
		}
		free(part);
		part = NULL;
		n += npart;
	}
	*out = ids;
	*out_n = n;
	ids = NULL;
out:
	free(part);
	free(ids);
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
	db_bind_int(st, 1, p->id);
	db_bind_text(st, 2, p->idem_key);
	db_bind_int(st, 3, p->revision);
	db_bind_int(st, 4, p->now);
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
	int rc;

	rc = db_prepare(&st, d, "UPDATE postings SET state = ?, http_status = ?,"
			" response = ?, next_at = ?, answered_at = ? WHERE doc_id = ?", err);
	if (rc)
		return rc;
	db_bind_text(st, 1, p->state);
	db_bind_int(st, 2, p->http_status);
	db_bind_text(st, 3, p->response);
	db_bind_int(st, 4, p->next_at);
	db_bind_int(st, 5, p->now);
	db_bind_int(st, 6, p->id);
	rc = db_run(st, err);
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
	rc = select_by_id(&st, s, "SELECT idem_key, attempts, next_at, http_status, state,"
			  " revision FROM postings WHERE doc_id = ?", id, "was never sent", err);
	if (rc)
		return rc;
	snprintf(out->idem_key, sizeof(out->idem_key), "%s", db_col_text(st, 0));
	out->attempts = db_col_int(st, 1);
	out->next_at = db_col_int(st, 2);
	out->http_status = (int)db_col_int(st, 3);
	snprintf(out->state, sizeof(out->state), "%s", db_col_text(st, 4));
	out->revision = db_col_int(st, 5);
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
		if (nstates) {
			db_bind_text(st, 1, store_state_name(states[i]));
			db_bind_int(st, 2, (int64_t)(limit - dr.done));
		} else {
			db_bind_int(st, 1, (int64_t)limit);
		}
		rc = db_each(st, doc_row, &dr, err);
		db_finalize(st);
		if (rc)
			return rc;
	}
	return 0;
}

/* What store_care_take's transaction takes. */
struct care_take {
	int64_t id;
	const store_care_keys *k;
	int64_t now;
};

static int care_take_tx(db *d, void *ctx, ulf_err *err)
{
	const struct care_take *c = ctx;
	db_stmt *st = NULL;
	int rc;

	rc = db_prepare(&st, d, "INSERT INTO care_claims (doc_id, claim_id, invoice_number,"
			" seller_org, received_at, state, sha256, bytes)"
			" SELECT d.id, ?, ?, ?, d.received_at, 'waiting', d.sha256, b.bytes"
			" FROM documents d JOIN bodies b ON b.doc_id = d.id WHERE d.id = ?", err);
	if (rc)
		return rc;
	db_bind_text(st, 1, c->k->claim_id);
	db_bind_text(st, 2, c->k->invoice_number);
	db_bind_text(st, 3, c->k->seller_org);
	db_bind_int(st, 4, c->id);
	rc = db_run(st, err);
	if (rc)
		return rc;
	if (db_changes(d) != 1)
		return ulf_err_set(err, ULF_ENOTFOUND, "document %lld has no bytes to take",
				   (long long)c->id);
	/* the patient data now lives only in care_claims */
	rc = db_prepare(&st, d, "DELETE FROM bodies WHERE doc_id = ?", err);
	if (rc)
		return rc;
	db_bind_int(st, 1, c->id);
	rc = db_run(st, err);
	if (rc)
		return rc;
	rc = db_prepare(&st, d, "UPDATE documents SET size = 0, kind = 'care-claim',"
			" flow = 'care', invoice_number = ?, seller_org = ?, care_key = ?"
			" WHERE id = ?", err);
	if (rc)
		return rc;
	db_bind_text(st, 1, c->k->invoice_number);
	db_bind_text(st, 2, c->k->seller_org);
	db_bind_text(st, 3, c->k->claim_id);
	db_bind_int(st, 4, c->id);
	rc = db_run(st, err);
	if (rc)
		return rc;
	return transition_locked(d, c->id, ST_RECEIVED, ST_WAITING, "read", 0,
				 "{\"kind\":\"care-claim\"}", c->now, err);
}

int store_care_take(store *s, int64_t id, const store_care_keys *k, int64_t now,
		    ulf_err *err)
{
	struct care_take c = { id, k, now };

	return db_tx(s->d, care_take_tx, &c, err);
}

int store_care_bytes(void **out, size_t *out_len, store *s, int64_t id, ulf_err *err)
{
	db_stmt *st = NULL;
	const void *p;
	size_t n = 0;
	int rc;

	*out = NULL;
	*out_len = 0;
	rc = select_by_id(&st, s, "SELECT bytes FROM care_claims WHERE doc_id = ?", id,
			  "has no care claim", err);
	if (rc)
		return rc;
	p = db_col_blob(st, 0, &n);
	*out = malloc(n + 1);
	if (!*out) {
		db_finalize(st);
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	if (n)
		memcpy(*out, p, n);
	((char *)*out)[n] = '\0';
	*out_len = n;
	db_finalize(st);
	return 0;
}

int store_care_duplicate(int64_t *out_first, store *s, int64_t id, const char *claim_id,
			 ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out_first = 0;
	if (!claim_id || !*claim_id)
		return 0;
	rc = db_prepare(&st, s->d, "SELECT doc_id FROM care_claims WHERE claim_id = ?"
			" AND doc_id <> ? ORDER BY id LIMIT 1", err);
	if (rc)
		return rc;
	db_bind_text(st, 1, claim_id);
	db_bind_int(st, 2, id);
	rc = db_step(st, err);
	if (rc == 1)
		*out_first = db_col_int(st, 0);
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

int store_find_waiting(int64_t **out, size_t *out_n, store *s, store_partner kind,
		       const store_care_keys *k, ulf_err *err)
{
	static const char *const sql[] = {
		[PARTNER_CLAIM] =
			"SELECT doc_id FROM care_claims WHERE state = 'waiting' AND"
			" ((claim_id <> '' AND claim_id = ?) OR"
			"  (invoice_number = ? AND seller_org = ?)) ORDER BY id LIMIT 100",
		[PARTNER_CARE_INVOICE] =
			"SELECT id FROM documents WHERE state = 'waiting' AND flow = 'care'"
			" AND kind <> 'care-claim' AND ((care_key <> '' AND care_key = ?) OR"
			"  (invoice_number = ? AND seller_org = ?)) ORDER BY id LIMIT 100",
		[PARTNER_ENVELOPE] =
			"SELECT id FROM documents WHERE state = 'waiting' AND kind = 'object-envelope'"
			" AND ? IS NOT NULL AND invoice_number = ? AND seller_org = ?"
			" ORDER BY id LIMIT 100",
	};
	db_stmt *st = NULL;
	int rc;

	*out = NULL;
	*out_n = 0;
	rc = db_prepare(&st, s->d, sql[kind], err);
	if (rc)
		return rc;
	db_bind_text(st, 1, k->claim_id ? k->claim_id : "");
	db_bind_text(st, 2, k->invoice_number ? k->invoice_number : "");
	db_bind_text(st, 3, k->seller_org ? k->seller_org : "");
	rc = db_collect_ids(out, out_n, st, 100, err);   /* the statements' LIMIT */
	db_finalize(st);
	return rc;
}

/* store_waiting_pairs' two arrays, filled side by side. */
struct pairs {
	int64_t *claims, *invoices;
	size_t n, limit;
};

static int pair_row(db_stmt *st, void *ctx, ulf_err *err)
{
	struct pairs *p = ctx;

	(void)err;
	if (p->n == p->limit)
		return 1;
	p->claims[p->n] = db_col_int(st, 0);
	p->invoices[p->n] = db_col_int(st, 1);
	p->n++;
	return 0;
}

int store_waiting_pairs(int64_t **out_claims, int64_t **out_invoices, size_t *out_n,
			store *s, size_t limit, ulf_err *err)
{
	struct pairs p = { NULL, NULL, 0, limit };
	db_stmt *st = NULL;
	int rc;

	*out_claims = *out_invoices = NULL;
	*out_n = 0;
	if (limit == 0)
		return 0;
	p.claims = calloc(limit, sizeof(*p.claims));
	p.invoices = calloc(limit, sizeof(*p.invoices));
	if (!p.claims || !p.invoices) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	rc = db_prepare(&st, s->d,
			"SELECT c.doc_id, d.id FROM care_claims c"
			" JOIN documents cd ON cd.id = c.doc_id AND cd.state = 'waiting'"
			" JOIN documents d ON d.state = 'waiting' AND d.flow = 'care' AND d.kind <> 'care-claim'"
			" AND ((c.claim_id <> '' AND d.care_key = c.claim_id) OR"
			"  (d.invoice_number = c.invoice_number AND d.seller_org = c.seller_org))"
			" WHERE c.state = 'waiting' ORDER BY c.doc_id, d.id LIMIT ?", err);
	if (rc)
		goto out;
	db_bind_int(st, 1, (int64_t)limit);
	rc = db_each(st, pair_row, &p, err);
	db_finalize(st);
out:
	if (rc) {
		free(p.claims);
		free(p.invoices);
		return rc;
	}
	*out_claims = p.claims;
	*out_invoices = p.invoices;
	*out_n = p.n;
	return 0;
}

int store_find_invoice(int64_t *out, store *s, const char *invoice_number,
		       const char *seller_org, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out = 0;
	rc = db_prepare(&st, s->d, "SELECT id FROM documents WHERE invoice_number = ?"
			" AND seller_org = ? AND kind IN ('invoice', 'credit-note')"
			" AND state <> 'rejected' ORDER BY id LIMIT 1", err);
	if (rc)
		return rc;
	db_bind_text(st, 1, invoice_number ? invoice_number : "");
	db_bind_text(st, 2, seller_org ? seller_org : "");
	rc = db_step(st, err);
	if (rc == 1)
		*out = db_col_int(st, 0);
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

int store_find_duplicate(int64_t *out_id, doc_state *out_state, db *d, const char *kind,
			 int64_t id, const char *seller_a, const char *seller_b,
			 const char *number, ulf_err *err)
{
	db_stmt *st = NULL;
	ulf_err scratch;
	int rc;

	*out_id = 0;
	*out_state = 0;
	ulf_err_clear(&scratch);
	/* refused: no documents table, not a store */
	if (db_prepare(&st, d, "SELECT id, state FROM documents WHERE kind = ? AND id <> ?"
		       " AND state <> 'rejected' AND ((seller_org = ? AND invoice_number = ?)"
		       " OR (seller_org = ? AND invoice_number = ?)) ORDER BY id LIMIT 1",
		       &scratch))
		return ULF_ENOTFOUND;
	db_bind_text(st, 1, kind);
	db_bind_int(st, 2, id);
	db_bind_text(st, 3, seller_a);
	db_bind_text(st, 4, number);
	db_bind_text(st, 5, seller_b);
	db_bind_text(st, 6, number);
	rc = db_step(st, err);
	if (rc == 1) {
		*out_id = db_col_int(st, 0);
		*out_state = store_state_parse(db_col_text(st, 1));
	}
	db_finalize(st);
	return rc < 0 ? rc : 0;
}

/* What store_attach's transaction joins. */
struct attach {
	int64_t id, invoice_id, now;
};

static int attach_tx(db *d, void *ctx, ulf_err *err)
{
	const struct attach *a = ctx;
	db_stmt *st = NULL;
	char detail[64];
	int rc;

	rc = db_prepare(&st, d, "UPDATE care_claims SET state = 'joined', partner_doc = ?"
			" WHERE doc_id = ?", err);
	if (rc)
		return rc;
	db_bind_int(st, 1, a->invoice_id);
	db_bind_int(st, 2, a->id);
	rc = db_run(st, err);
	if (rc)
		return rc;
	snprintf(detail, sizeof(detail), "{\"attached_to\":%lld}", (long long)a->invoice_id);
	return transition_locked(d, a->id, ST_WAITING, ST_ATTACHED, "join", 0, detail, a->now,
				 err);
}

int store_attach(store *s, int64_t id, int64_t invoice_id, int64_t now, ulf_err *err)
{
	struct attach a = { id, invoice_id, now };

	return db_tx(s->d, attach_tx, &a, err);
}

int store_set_care_key(store *s, int64_t id, const char *claim_id, ulf_err *err)
{
	db_stmt *st = NULL;
	int rc = db_prepare(&st, s->d, "UPDATE documents SET care_key = ?, flow = 'care'"
			    " WHERE id = ?", err);

	if (rc)
		return rc;
	db_bind_text(st, 1, claim_id);
	db_bind_int(st, 2, id);
	return db_run(st, err);
}

int store_waiting_since(int64_t **out, size_t *out_n, store *s, int64_t before,
			ulf_err *err)
{
	db_stmt *st = NULL;
	int rc;

	*out = NULL;
	*out_n = 0;
	rc = db_prepare(&st, s->d, "SELECT id FROM documents WHERE state = 'waiting'"
			" AND received_at < ? ORDER BY id LIMIT 10000", err);
	if (rc)
		return rc;
	db_bind_int(st, 1, before);
	rc = db_collect_ids(out, out_n, st, 10000, err);   /* the statement's LIMIT */
	db_finalize(st);
	return rc;
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
	db_bind_int(st, 1, id);
	db_bind_int(st, 2, id);
	rc = db_each(st, history_row, &h, err);
	db_finalize(st);
	return rc;
}
