/*
 * pipeline_int.h - what the pipeline's own files share.  PRIVATE to
 * robot/pipeline/: nothing outside this folder includes it (robot/service,
 * robot/cli and the tests use pipeline.h).
 *
 * The pipeline is cut along its seams:
 *   pipeline.c  the loop: a job through its stages, batches of documents
 *               in one transaction, resume, the stage table
 *   stages.c    read, validate, match (against orders) and suggest
 *   partners.c  care claims, envelopes and their invoices: partners that
 *               wait for each other, meet, or expire
 *   post.c      the post stage: begin, send, finish, exactly once, and
 *               the posting threads' batches; erp_wait and its window
 *   erp_guard.c the circuit breaker and the set-up fault (public:
 *               erp_guard.h, which the service shares between threads)
 *   posting.c   the posting record (connectors/erp_payload.h) built from
 *               the invoice and from the matcher's or the care booking
 */
#ifndef ULF_PIPELINE_INT_H
#define ULF_PIPELINE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "connectors/erp.h"
#include "connectors/erp_payload.h"
#include "core/json.h"
#include "parsers/claim.h"
#include "parsers/reader.h"
#include "parsers/validate.h"
#include "robot/care/care_booking.h"
#include "robot/match/match.h"
#include "robot/pipeline/erp_guard.h"
#include "robot/pipeline/pipeline.h"

struct pipeline {
	store *s;
	ulf_config cfg;
	reader_opts reader;
	erp_client *erp;          /* NULL: posting is off, documents wait in ready */
	care_rules *care;         /* how care lines are booked */
	ruleset *rules;           /* the procurement team's matching rules */
	matcher *m;
	uint64_t jitter;          /* state of the backoff's random numbers */
	erp_guard *guard;         /* whether posting goes now (the service's posting
				   * threads share one: pipeline_share_guard) */
	bool own_guard;
	int64_t erp_swept;        /* when erp_wait was last searched for windows that ended */
	bool not_posting;         /* posting threads of the service post instead */
	pipeline_ready_fn on_ready;
	void *on_ready_ctx;
};

/*
 * A job holds what one pass over a document has learnt (the parsed model,
 * the findings); stages fill it lazily, so a document resumed at a later
 * state is read again from its stored bytes, which is cheap and keeps the
 * store the only truth.
 */
typedef struct job {
	pipeline *p;
	int64_t id;
	int64_t now;
	ulf_document doc;
	bool read;
	const char *not_einvoice; /* a PDF or an image, not an e-invoice: what it is */
	findings f;
	bool validated;
	ujson *detail;        /* what the stage tells the event log */
	ujson *reasons;       /* reason codes when it goes to the queue */
	bool recorded;        /* the stage wrote its own transition */
	int64_t wake;         /* another document this one moved: process it next */
	claim *env_claim;     /* a claim carried by an envelope document */
	bool env_claim_tried;
	claim *inv_claim;     /* a claim embedded in an invoice document */
	bool inv_claim_tried;
	bool stop;            /* nothing more to do for now (a retry is scheduled) */
	/* posting: the record (its header built when this job read the
	 * document, or from the facts kept then), what post_begin prepared,
	 * and the ERP's answer */
	erp_posting post;
	bool post_head;       /* post's header is filled */
	char key[ERP_IDEM_KEY_MAX];
	char *payload;
	bool send;
	erp_result res;
	/* what post_begin found of the posting so far (docs/erp.md, "When the
	 * ERP is not there") */
	bool probe;           /* this request is the guard's probe */
	bool held_before;     /* held once for a run of the same 4xx */
	bool correction;      /* j->payload is the original, sent again first: a
			       * corrected booking waits for the ERP's answer on it */
	bool lookup;          /* ask the ERP's lookup first (erp_lookup_url) */
	char *correction_payload;  /* with lookup: sent under the key if the ERP never saw it */
	bool sent_correction; /* the lookup said unseen: j->payload is the correction */
} job;

/* ---- pipeline.c: jobs and the stage table ---- */

/*
 * A stage moves job j on from its state: *to gets the state it goes to
 * (unchanged: it rests), and the loop records the transition, unless the
 * stage recorded its own (j->recorded).  Errors are for the store failing.
 */
typedef int (*stage_fn)(doc_state *to, job *j, ulf_err *err);

struct stage {
	doc_state from;
	const char *name;
	stage_fn run;
};

/* The stage that takes a document on from state s; NULL for none. */
const struct stage *stage_for(doc_state s);

/* An empty job for document `id` of p. */
void job_init(job *j, pipeline *p, int64_t id, int64_t now);
void job_release(job *j);
/* Empty jobs for the n documents `ids` (jobs_free frees them). */
int jobs_new(job **out, pipeline *p, const int64_t *ids, size_t n, int64_t now,
	     ulf_err *err);
void jobs_free(job *jobs, size_t n);

/* Ends a batch's transaction: committed when rc is 0, else rolled back;
 * returns the outcome. */
int jobs_commit(pipeline *p, int rc, ulf_err *err);

/* One stage of job j from *state: 1 when the document moved on and the
 * next stage may follow, 0 when it rests where it is, negative on error. */
int job_step(doc_state *state, job *j, const struct stage *st, ulf_err *err);

/* Documents of a batch that failed, each on its own as pipeline_process
 * runs it; *advanced (when not NULL) counts those whose state changed. */
int jobs_run_alone(size_t *advanced, pipeline *p, const int64_t *ids, size_t n,
		   int64_t now, ulf_err *err);

/* ---- stages.c: read, validate, match, suggest ---- */

int stage_read(doc_state *to, job *j, ulf_err *err);
int stage_validate(doc_state *to, job *j, ulf_err *err);
int stage_match(doc_state *to, job *j, ulf_err *err);
int stage_suggest(doc_state *to, job *j, ulf_err *err);

/* The job's document read from its stored bytes, once. */
int job_read(job *j, ulf_err *err);

/* The job's invoice checked against the rules, once per job. */
int job_validate(job *j, ulf_err *err);

/* The claim embedded in the job's invoice, read once; NULL when there is
 * none.  Owned by the job. */
claim *job_invoice_claim(job *j);

/* Sends the job to the exception queue (*to) with one more reason and,
 * when not NULL, the message.  0 or ULF_ENOMEM. */
int job_to_queue(job *j, doc_state *to, const char *reason, const char *message,
		 ulf_err *err);

/* The exception's reasons and `detail` on the document, for the queue. */
int job_record_exception(job *j, const char *detail, ulf_err *err);

/* ---- partners.c: care claims and envelopes ---- */

/* Whether the job's document is an envelope that carries a care claim. */
bool partner_carries_claim(job *j);

/* received -> waiting for a claim (or an envelope carrying one), joined
 * with its invoice when that is here. */
int partner_take_claim(doc_state *to, job *j, ulf_err *err);

/* received -> waiting for an envelope without a claim, attached at once
 * when its invoice is here. */
int partner_take_envelope(doc_state *to, job *j, ulf_err *err);

/* An arriving invoice takes the envelopes that waited for it. */
int partner_adopt_envelopes(job *j, ulf_err *err);

/* validated -> matched (or waiting) for a care invoice; *handled false
 * for an invoice that is not about care. */
int partner_match_care(bool *handled, doc_state *to, job *j, ulf_err *err);

/* Waiting claims and invoices that should have met: *out_n joined. */
int partners_rejoin(size_t *out_n, pipeline *p, int64_t now, ulf_err *err);

/* ---- post.c: the post stage ---- */

/* ready -> posting -> posted, exactly once (see post.c); erp_wait -> posting. */
int stage_post(doc_state *to, job *j, ulf_err *err);

/* Documents in erp_wait whose retry window ended go to the queue
 * (ERP_UNREACHABLE, or ERP_OUTCOME_UNKNOWN with the key); *out_n counts
 * them.  Only this shard's (nshards 0: all). */
int post_expire_waiting(size_t *out_n, pipeline *p, int64_t now, unsigned shard,
			unsigned nshards, ulf_err *err);

/* ---- posting.c: the posting record ---- */

/* The invoice's part of a posting (its header), p's strings replaced. */
int posting_from_invoice(erp_posting *p, const invoice *inv, ulf_err *err);

/* The matcher's suggestion as p's lines and supplier_erp_id. */
int posting_from_match(erp_posting *p, const match_result *r, ulf_err *err);

/* The care booking of invoice `inv` as p's lines (`credit`: a credit
 * claim, whose amounts the voucher books with the document's signs). */
int posting_from_care(erp_posting *p, const care_booking *b, const invoice *inv,
		      bool credit, const char *rounding_account, ulf_err *err);

/* Whether a line of p has a masked text (a personal identity number's
 * "-****"): only then is the invoice read again to unmask it. */
bool posting_has_masked_texts(const erp_posting *p);

/*
 * The lines of p whose text is the invoice line's text masked (as the
 * booking suggestion keeps it) get the invoice's own text back, personal
 * identity numbers and all: for an ERP cleared to hold patient data
 * (erp_care_unmasked_texts yes).  A text a person changed stays.
 */
int posting_unmask_texts(erp_posting *p, const invoice *inv, ulf_err *err);

/* result["booking"] = p's booking, as the post stage reads it. */
int posting_set_booking(ujson *result, const erp_posting *p, ulf_err *err);

#endif
