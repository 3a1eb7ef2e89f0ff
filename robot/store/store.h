/*
 * store.h - where every document, its state and its history are kept.
 *
 * The store is the robot's memory and its promise that nothing is lost:
 * a document is written (and synced) here before it is acknowledged to the
 * sender or moved out of the inbox, and every step the pipeline takes is a
 * compare-and-set state transition recorded with its time and result.  A
 * restart asks the store for every document not in a final state and
 * resumes it where it stopped.
 *
 * It runs on db.h, so the same code serves SQLite (default) and PostgreSQL.
 *
 * Patient data stays out of the general tables: texts from outside that
 * are kept there (names, event details, the summary's seller name, reasons
 * and result, bookings, the ERP's answers, the audit trail's notes and
 * values) are written with personal identity numbers masked (core/pnr.h),
 * and a document's bytes that hold patient data are kept in care_claims
 * (store_care_keep).  Identifiers are kept as written: invoice and order
 * numbers, org numbers and the posting's facts.
 *
 * States (docs/states.md has the diagram):
 *   received  -> read -> validated -> matched -> ready -> posting -> posted
 *   posting <-> erp_wait  (waiting for the ERP: an outage, an unknown
 *                          outcome, a set-up fault; robot/store/postings.c)
 *   any step  -> exception  (the queue: a person decides)
 *   read/validated -> waiting  (a care invoice or claim waiting for its partner)
 *   exception -> ready  (resolved by a handler)   exception -> rejected
 *   exception -> received  (retry after rules or reference data changed)
 *   waiting -> attached  (a claim or envelope joined to its invoice)
 * posted, rejected and attached are final.
 */
#ifndef ULF_STORE_H
#define ULF_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "robot/store/audit.h"
#include "robot/store/db.h"

typedef struct store store;

typedef enum doc_state {
	ST_RECEIVED = 1,
	ST_READ,
	ST_VALIDATED,
	ST_WAITING,
	ST_MATCHED,
	ST_READY,
	ST_POSTING,
	ST_POSTED,
	ST_EXCEPTION,
	ST_REJECTED,
	ST_ATTACHED,    /* a care claim or envelope joined to its invoice */
	ST_ERP_WAIT,    /* sent at least once, waiting for the ERP to be there again */
	ST_COUNT_
} doc_state;

const char *store_state_name(doc_state s);
/* 0 when `name` is no state. */
doc_state store_state_parse(const char *name);
bool store_state_final(doc_state s);
/* Whether the state machine allows from -> to. */
bool store_transition_allowed(doc_state from, doc_state to);

/* Opens (creating or upgrading the schema) the store named by backend
 * ("sqlite" / "postgresql") and target (file / conninfo). */
int store_open(store **out, const char *backend, const char *target, ulf_err *err);
void store_close(store *s);

/* The connection, for modules with tables of their own (reference data,
 * care claims), which migrate them with db_migrate. */
db *store_db(store *s);

/*
 * Groups the calls between them into one transaction: they all reach the
 * store or none does (a claim's reconciliation with its invoice and its
 * attachment).  Each store call inside is atomic on its own as well.
 */
int store_begin(store *s, ulf_err *err);

/* Stores of one process on one database share `lock` for their writes
 * (db_set_write_lock); the caller owns it.  NULL: none. */
void store_set_write_lock(store *s, pthread_mutex_t *lock);
int store_commit(store *s, ulf_err *err);
void store_rollback(store *s);

/* The store's housekeeping that no commit should wait for (SQLite: a WAL
 * checkpoint); a long-running robot calls it about once a second. */
int store_checkpoint(store *s, ulf_err *err);

/*
 * Whether the next commits must be on disk when they return, or may reach
 * it a moment later, in order (db_set_durable).  A process whose writes
 * can be redone from what is stored turns it off; store_receive() and
 * store_receive_many() make each receipt durable whatever it says.
 * Default: durable.
 */
int store_set_durable(store *s, bool durable, ulf_err *err);

/*
 * Stores a received document durably in state `received`.  The same bytes
 * (SHA-256) stored before give *out_dup = true and the earlier id: a file
 * dropped twice in the inbox is one document.  The name is kept with
 * personal identity numbers masked (core/pnr.h), and bytes that hold one
 * in clear are kept in the care table (store_care_keep).
 */
int store_receive(int64_t *out_id, bool *out_dup, store *s, const char *source,
		  const char *name, const void *data, size_t len, int64_t now,
		  ulf_err *err);

/* A document for store_receive_many, and what became of it. */
typedef struct store_intake {
	const char *source;      /* "inbox", "http" */
	const char *name;
	const void *data;
	size_t len;
	int64_t id;              /* out: its id, or the earlier one's */
	bool duplicate;          /* out: the same bytes were stored before */
} store_intake;

/*
 * Stores several received documents in one durable commit: one wait for
 * the disk instead of one each.  All or none: on failure none is stored
 * and every id is 0.  The same bytes twice in one call are one document.
 */
int store_receive_many(store_intake *docs, size_t n, store *s, int64_t now, ulf_err *err);

/* The bytes and name of a document in the general table (none, *out_len
 * 0, when they are kept in the care table: store_load_kept reads both);
 * the caller frees both. */
int store_load(void **out_data, size_t *out_len, char **out_name, store *s,
	       int64_t id, ulf_err *err);

/* The current state of a document. */
int store_state(doc_state *out, store *s, int64_t id, ulf_err *err);

/*
 * Moves a document from `from` to `to`, only if it is in `from` (another
 * worker may have moved it: ULF_ENOTFOUND), and only along an allowed edge
 * (ULF_EINVAL).  The step's name, duration and a detail text (JSON) are
 * recorded as an event in the same transaction.
 */
int store_transition(store *s, int64_t id, doc_state from, doc_state to,
		     const char *step, int64_t duration_us, const char *detail,
		     int64_t now, ulf_err *err);

/*
 * A person's action on a document: the transition and its audit record in
 * one transaction, so neither can exist without the other.
 */
int store_transition_audited(store *s, int64_t id, doc_state from, doc_state to,
			     const char *who, const char *action, const char *detail,
			     int64_t now, ulf_err *err);

/* The same with the whole audit record (audit.h): the authenticated
 * user's id, the values before and after; e->at is the time, e->doc_id is
 * taken to be id. */
int store_transition_audit(store *s, int64_t id, doc_state from, doc_state to,
			   const audit_entry *e, ulf_err *err);

/* What the pipeline has learnt about a document, for lists and dashboards.
 * NULL fields are left as they are. */
typedef struct store_summary {
	const char *syntax;        /* peppol-bis3, svefaktura-1.0 */
	const char *kind;          /* invoice, credit-note */
	const char *invoice_number;
	const char *seller_org;
	const char *seller_name;
	const char *buyer_org;
	const char *issue_date;
	const char *currency;
	const char *payable;       /* exact decimal text */
	const char *flow;          /* po, non-po, recurring, care */
	const char *decision;      /* auto, exception */
	const char *reasons;       /* JSON array of reason codes */
	const char *facts;         /* JSON: the invoice's part of a posting */
	const char *result;        /* JSON: findings, match, suggestion */
	const char *fingerprint;   /* the matcher's content fingerprint (match.h) */
	const char *refs;          /* JSON: the references that tell apart
				      invoices of the same content (match.h) */
	/* the robot's booking as the dashboard keeps it (rollup_booking_keys):
	 * its main cost centre and its lines' signature */
	const char *cost_centre;
	const char *lines_sig;
} store_summary;

int store_set_summary(store *s, int64_t id, const store_summary *sum, int64_t now,
		      ulf_err *err);

/*
 * One summary column of a document (syntax, kind, invoice_number,
 * seller_org, seller_name, buyer_org, issue_date, currency, payable, flow,
 * decision, reasons, result, name, source, state, booking, sha256, facts,
 * fingerprint, refs); *out is malloc'd or NULL when the column is empty.
 */
int store_get_text(char **out, store *s, int64_t id, const char *column, ulf_err *err);

/* Sets the handler's booking (JSON) for a document. */
int store_set_booking(store *s, int64_t id, const char *booking_json, int64_t now,
		      ulf_err *err);

/* Ids of documents in any of `states`, oldest first, at most `limit`,
 * leaving out documents whose posting is not due before `due_by` (0: all).
 * *out is malloc'd (caller frees). */
int store_list(int64_t **out, size_t *out_n, store *s, const doc_state *states,
	       size_t nstates, size_t limit, int64_t due_by, ulf_err *err);

/* The same, only documents whose id % nshards is shard (nshards 0: all):
 * one posting thread's share. */
int store_list_shard(int64_t **out, size_t *out_n, store *s, const doc_state *states,
		     size_t nstates, size_t limit, int64_t due_by, unsigned shard,
		     unsigned nshards, ulf_err *err);

/*
 * Posting to the ERP, exactly once.  The idempotency key is recorded as
 * sent, and the document moved ready -> posting, in one transaction before
 * the request leaves; after a crash the same key is sent again and the ERP
 * answers it with its first answer.
 */
typedef struct store_posting {
	char idem_key[96];
	int64_t attempts;
	int64_t next_at;
	int http_status;
	char state[16];       /* sent, accepted, rejected, retry, held, failed */
	int64_t revision;     /* 0, then one more per re-booking after a rejection */
	bool unknown;         /* a request went out and no answer came for the key:
			       * the ERP may have booked it (until it answers) */
	int64_t window_from;  /* when the retry window began; 0: at the next send */
	bool held_4xx;        /* held once because its 4xx looked like every invoice's */
	int64_t sent_at;      /* the last request's time */
} store_posting;

/* A revision newer than the recorded one replaces the key (a person's
 * re-booking after a rejection); otherwise the recorded key stays. */
int store_posting_begin(store *s, int64_t id, const char *idem_key, int64_t revision,
			int64_t now, ulf_err *err);
/* The ERP's answer: accepted (posting -> posted), rejected (posting ->
 * exception, reason ERP_REJECTED), or try again at next_at (posting ->
 * ready).  `response` is what the ERP said (kept for the handler). */
int store_posting_accepted(store *s, int64_t id, int http_status, const char *response,
			   int64_t now, ulf_err *err);
int store_posting_rejected(store *s, int64_t id, int http_status, const char *response,
			   int64_t now, ulf_err *err);
int store_posting_retry(store *s, int64_t id, int http_status, const char *response,
			int64_t next_at, int64_t now, ulf_err *err);
/* The connection could not work as configured (TLS, credentials, URL):
 * posting -> exception for a person; the same key may be sent again. */
int store_posting_failed(store *s, int64_t id, int http_status, const char *response,
			 int64_t now, ulf_err *err);
/* ULF_ENOTFOUND when the document was never sent. */
int store_posting_get(store_posting *out, store *s, int64_t id, ulf_err *err);

/*
 * ---- Waiting for the ERP (robot/store/postings.c) ----
 *
 * A posting that did not get a final answer waits in `erp_wait` with its
 * key, and goes out again with the same key and the same payload:
 *
 *   ready / erp_wait -> posting       store_posting_send (the key recorded)
 *   posting -> posted / exception / erp_wait / ready
 *                                     store_posting_answer
 *   erp_wait -> exception             store_posting_expire (the window ended)
 *   exception -> erp_wait             store_posting_recall (a 4xx that was
 *                                     the set-up's, not the invoice's)
 *
 * The posting's `unknown` mark says a request went out and no answer came
 * (a timeout, a connection closed, the robot killed mid-request): the ERP
 * may have booked it.  It stays until the ERP answers for that key.
 */
typedef struct store_send {
	doc_state from;          /* ST_READY or ST_ERP_WAIT: -> posting; ST_POSTING:
				  * sent again, the last request's outcome unknown */
	const char *idem_key;    /* kept unless revision is newer than the recorded one */
	int64_t revision;
	const char *payload;     /* what goes out with the key; NULL keeps the recorded one */
} store_send;

/*
 * Records the request before it leaves.  The retry window and the attempt
 * count start afresh with a new revision, and after a posting that went
 * to the queue without an answer (state `failed`): a person's action
 * (resolve, retry) starts a fresh budget.
 */
int store_posting_send(store *s, int64_t id, const store_send *snd, int64_t now,
		       ulf_err *err);

typedef struct store_answer {
	doc_state to;            /* posted, exception, erp_wait or ready */
	const char *state;       /* the posting's: accepted, rejected, retry, held, failed */
	int http_status;
	const char *response;    /* what the ERP said, or why no answer came */
	const char *detail;      /* the event's text; NULL: response */
	int64_t next_at;         /* erp_wait: not due before */
	int unknown;             /* 1: no answer came (marked); -1: the ERP answered for
				  * the key (cleared); 0: as it was */
	bool held_4xx;           /* held for a run of the same 4xx (marked, once) */
	const char *payload;     /* what went with the key, when it was not the recorded
				  * one (a correction under a key the ERP never saw);
				  * NULL: as recorded */
} store_answer;

/* The outcome of the request in flight (posting -> a->to).  A posting
 * held for a set-up fault starts a new retry window when it goes again. */
int store_posting_answer(store *s, int64_t id, const store_answer *a, int64_t now,
			 ulf_err *err);

/* erp_wait -> exception, the posting `failed`: its retry window ended
 * while it waited (`why` is kept as its response).  ULF_ENOTFOUND when it
 * is no longer waiting. */
int store_posting_expire(store *s, int64_t id, const char *why, int64_t now, ulf_err *err);

/* exception -> erp_wait for a posting the ERP rejected with http_status,
 * which turned out to be the set-up's fault: held (marked held_4xx, so
 * that its next rejection is its own), due at `now`, its reasons cleared.
 * ULF_ENOTFOUND when a person has moved it meanwhile or it was held once. */
int store_posting_recall(store *s, int64_t id, int http_status, int64_t now, ulf_err *err);

/* The payload recorded with the key (*out malloc'd; NULL when none was
 * kept, by an older ulf). */
int store_posting_payload(char **out, store *s, int64_t id, ulf_err *err);

/* Documents in erp_wait with a posting in `retry` whose window began at
 * or before `began_by`, at most `limit`, id % nshards == shard (nshards 0:
 * all).  *out is malloc'd. */
int store_erp_wait_expired(int64_t **out, size_t *out_n, store *s, int64_t began_by,
			   unsigned shard, unsigned nshards, size_t limit, ulf_err *err);

/* What waits for the ERP, for /health and /metrics. */
typedef struct store_erp_wait {
	int64_t waiting;         /* documents in erp_wait */
	int64_t unknown;         /* of them, with an unknown outcome */
	int64_t held;            /* of them, held for a set-up fault */
	int64_t since;           /* the earliest a waiting one was sent (0: none) */
	int64_t unknown_queued;  /* in the exception queue with an unknown outcome */
} store_erp_wait;

int store_erp_waiting(store_erp_wait *out, store *s, ulf_err *err);

/* How many documents are in each state: counts[state]. */
int store_count_states(int64_t counts[ST_COUNT_], store *s, ulf_err *err);

/*
 * The automation rate's two terms: documents posted with no person's
 * action on them (*out_auto), and documents that reached a decision:
 * posted, rejected or waiting in the exception queue (*out_decided).
 */
int store_automation(int64_t *out_auto, int64_t *out_decided, store *s, ulf_err *err);

/*
 * Appends to the audit trail (who did what to which document, and why).
 * The trail cannot be changed afterwards: the schema refuses UPDATE and
 * DELETE on it, and each row is chained to the one before by its hash, so
 * a change made behind ulf's back shows (audit.h).
 */
int store_audit(store *s, int64_t id, const char *who, const char *action,
		const char *detail, int64_t now, ulf_err *err);

/* The same with the whole record (audit.h); *out_id (may be NULL) is its
 * row's id. */
int store_audit_entry(int64_t *out_id, store *s, const audit_entry *e, ulf_err *err);

/* Checks the trail's hash chain (audit_verify): 0 whatever it found. */
int store_audit_verify(audit_report *out, store *s, ulf_err *err);

/* A document as lists show it. */
typedef struct store_doc_row {
	int64_t id;
	int64_t received_at, updated_at;
	const char *state, *name, *source, *syntax, *kind, *invoice_number;
	const char *seller_org, *seller_name, *currency, *payable, *flow;
	const char *decision, *reasons;
} store_doc_row;

typedef void (*store_doc_fn)(const store_doc_row *row, void *ctx);

/* Calls fn for each document in any of `states` (all when nstates is 0),
 * oldest first, at most `limit`. */
int store_docs(store *s, const doc_state *states, size_t nstates, size_t limit,
	       store_doc_fn fn, void *ctx, ulf_err *err);

/*
 * Care claims (vårdbilagor) are kept apart from invoices: when a claim is
 * read, its bytes move from `documents` to `care_claims` (the document row
 * keeps an empty body) and it waits there for its invoice, found by its
 * keys.  Access to care_claims can then be restricted on its own.
 */
typedef struct store_care_keys {
	const char *claim_id;         /* fakturaunderlags-id, "" if unknown */
	const char *invoice_number;
	const char *seller_org;
} store_care_keys;

/* received -> waiting for a claim document, its bytes moved to
 * care_claims, in one transaction. */
int store_care_take(store *s, int64_t id, const store_care_keys *k, int64_t now,
		    ulf_err *err);
/* The claim's bytes (caller frees); those of any document kept in the
 * care table. */
int store_care_bytes(void **out, size_t *out_len, store *s, int64_t id, ulf_err *err);

/*
 * Documents other than claims whose bytes hold patient data are kept in
 * care_claims too, in state 'kept' (no claim waiting for its invoice):
 * one that holds a personal identity number in clear from its receipt
 * (store_receive never writes those bytes to the general table), an
 * invoice carrying an embedded care claim from when it is read.  This
 * moves document id's bytes there, in one transaction; 0 as well when
 * they are there already.  The document's state does not change.
 */
int store_care_keep(store *s, int64_t id, ulf_err *err);

/*
 * A document's bytes and name wherever they are kept: the general table,
 * or the care table (*out_care true: they hold patient data, to be shown
 * only masked unless the reader's role may see patients).  The caller
 * frees both.  The one way to read a document back for processing,
 * posting or showing it.
 */
int store_load_kept(void **out_data, size_t *out_len, char **out_name, bool *out_care,
		    store *s, int64_t id, ulf_err *err);
/* Claim documents (any state) with the same fakturaunderlags-id, other
 * than `id`: for duplicates.  *out_first 0 when none. */
int store_care_duplicate(int64_t *out_first, store *s, int64_t id, const char *claim_id,
			 ulf_err *err);

typedef enum store_partner {
	PARTNER_CLAIM = 1,        /* waiting claim documents */
	PARTNER_CARE_INVOICE,     /* invoices waiting for their claim */
	PARTNER_ENVELOPE          /* Svefaktura envelopes waiting for their invoice */
} store_partner;

/* Waiting documents of that kind whose keys may match (same id, or same
 * invoice number and seller): candidates for the caller to confirm. */
int store_find_waiting(int64_t **out, size_t *out_n, store *s, store_partner kind,
		       const store_care_keys *k, ulf_err *err);
/* An invoice (any state but rejected) with this number and seller, or 0. */
/* Waiting claims and waiting care invoices whose keys may match: pairs
 * that should have met (two robots each took one at the same moment, or
 * one died between taking a claim and looking for its invoice).
 * out_claims[i] may belong to out_invoices[i]; the caller confirms. */
int store_waiting_pairs(int64_t **out_claims, int64_t **out_invoices, size_t *out_n,
			store *s, size_t limit, ulf_err *err);
int store_find_invoice(int64_t *out, store *s, const char *invoice_number,
		       const char *seller_org, ulf_err *err);

/*
 * An earlier document like this one: the oldest document other than `id`
 * of `kind`, in any state but rejected, with invoice number `number` from
 * seller `seller_a` or `seller_b`.  *out_id 0 (and *out_state 0) when there
 * is none.  It takes the connection, not a store, for the matcher borrows
 * only that; on a database that holds no store (the matcher's tests, the
 * bench) the question cannot be asked: ULF_ENOTFOUND, err untouched.
 */
int store_find_duplicate(int64_t *out_id, doc_state *out_state, db *d, const char *kind,
			 int64_t id, const char *seller_a, const char *seller_b,
			 const char *number, ulf_err *err);

/*
 * Earlier documents of the same content: up to `max` documents other than
 * `id` of `kind`, in any state but rejected, whose content fingerprint
 * (store_summary.fingerprint, set when they were matched) is `fingerprint`,
 * oldest first, each with its invoice number and references (refs, NULL
 * when none).  *out is malloc'd (store_content_docs_free), NULL when there
 * are none.  Like store_find_duplicate it takes the connection; without a
 * store on it: ULF_ENOTFOUND, err untouched.
 */
typedef struct store_content_doc {
	int64_t id;
	doc_state state;
	char *number;              /* "" when it has none */
	char *refs;
} store_content_doc;

int store_find_same_content(store_content_doc **out, size_t *out_n, db *d, const char *kind,
			    int64_t id, const char *fingerprint, size_t max, ulf_err *err);
void store_content_docs_free(store_content_doc *docs, size_t n);

/* The bytes of document `id` (NUL-terminated, malloc'd), for a module that
 * holds only the connection: the matcher, comparing a corrected re-issue
 * with its original.  ULF_ENOTFOUND when it has none (a care claim's went
 * to care_claims). */
int store_load_bytes(void **out, size_t *out_len, db *d, int64_t id, ulf_err *err);

/*
 * The same bytes as document `id` arrived again (store_receive said
 * duplicate) and were not stored again: an event `resend` in its history,
 * its state unchanged, with a detail for a person and a program:
 *   {"message": "received again from the inbox as a.xml: ...",
 *    "source": "inbox"|"http", "sender": S (when known), "name": N}
 * Never a new document, never a new posting.  Whether an arrival is a
 * resend is the caller's to say: the inbox taking back a file it could not
 * move after a crash is not one (inbox.c).
 */
int store_note_resend(store *s, int64_t id, const char *source, const char *sender,
		      const char *name, int64_t now, ulf_err *err);

/* How many resends were noted, over all documents (the dashboard, /metrics). */
int store_count_resends(int64_t *out, store *s, ulf_err *err);

/* The waiting claim or envelope `id` joins invoice `invoice_id`:
 * waiting -> attached, in one transaction with the care row's state. */
int store_attach(store *s, int64_t id, int64_t invoice_id, int64_t now, ulf_err *err);

/* The claim document joined to invoice `invoice_id` (care_claims'
 * partner), 0 when none was. */
int store_care_partner(int64_t *out, store *s, int64_t invoice_id, ulf_err *err);

/* Sets the fakturaunderlags-id an invoice names (documents.care_key). */
int store_set_care_key(store *s, int64_t id, const char *claim_id, ulf_err *err);

/* Documents in `waiting` that arrived before `before` (caller frees). */
int store_waiting_since(int64_t **out, size_t *out_n, store *s, int64_t before,
			ulf_err *err);

/* One line of a document's history: a robot step or a person's action. */
typedef struct store_history_row {
	int64_t at;
	const char *who;           /* "robot" for pipeline steps */
	const char *what;          /* step or action */
	const char *from, *to;     /* states, NULL for audit-only rows */
	int64_t duration_us;
	const char *detail;
	bool is_audit;
} store_history_row;

typedef void (*store_history_fn)(const store_history_row *row, void *ctx);

/* Calls fn for each event and audit record of the document, in time order. */
int store_history(store *s, int64_t id, store_history_fn fn, void *ctx, ulf_err *err);

#endif
