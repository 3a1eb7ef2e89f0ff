/*
 * pipeline.h - the road every document takes through the robot.
 *
 *   received -> read -> validated -> matched -> ready -> posting -> posted
 *
 * Each step is a stage: it runs on a document in its stage's state and
 * moves it, with a compare-and-set transition in the store, to the next
 * state or to the exception queue with reason codes.  Because the state is
 * in the store after every step, a document interrupted anywhere (a crash,
 * SIGKILL, a full disk) is picked up at its last recorded state by the next
 * pipeline_process(); nothing is carried only in memory.
 */
#ifndef ULF_PIPELINE_H
#define ULF_PIPELINE_H

#include <stdint.h>

#include "core/err.h"
#include "robot/config/config.h"
#include "robot/pipeline/erp_guard.h"
#include "robot/store/store.h"

typedef struct pipeline pipeline;

/*
 * A pipeline over store `s` with the configuration `cfg` (copied): the
 * reader's limits, and, when erp_url is set, an ERP client for the post
 * stage (without one, documents wait in `ready`).  One pipeline per thread.
 */
int pipeline_new(pipeline **out, store *s, const ulf_config *cfg, ulf_err *err);
void pipeline_free(pipeline *p);
/* The store it works on (the inbox notes resends there). */
store *pipeline_store(pipeline *p);

/*
 * Documents that waited longer than care_wait_days for their partner (a
 * care claim for its invoice or the other way round, an envelope for its
 * invoice) go to the queue with reason PARTNER_MISSING.  pipeline_resume()
 * calls it; *out_n gets how many.
 */
int pipeline_expire(size_t *out_n, pipeline *p, int64_t now, ulf_err *err);

/*
 * The booking the post stage sends, as JSON, whether the robot suggested it
 * (documents.result member "booking") or a person set it (documents.booking,
 * which wins):
 *   {"supplier_erp_id": "L1234",            optional
 *    "lines": [{"invoice_line_id": "1",     optional
 *               "description": "...",      optional
 *               "account": "4010", "cost_centre": "...", "activity": "...",
 *               "project": "...", "vat_code": "...",
 *               "net_amount": "100.00", "vat_amount": "25.00"}]}
 * The lines must add up to the invoice's net total (BT-109) and VAT total
 * (BT-110), exactly; a booking that does not is never sent.
 */

/*
 * Advances document `id` through every stage it can take now and returns
 * the state it stopped in (*out_state): a final state, the exception queue,
 * waiting for a partner, or a stage that must be retried later.  A document
 * that breaks something is an outcome, not an error: errors are for the
 * store itself failing (then the document stays where it was).
 */
int pipeline_process(doc_state *out_state, pipeline *p, int64_t id, int64_t now,
		     ulf_err *err);

/*
 * Stores the bytes of a newly received document and processes it.  Returns
 * the id; *out_dup tells that the same bytes were already there (nothing
 * more is done for them).  When storing succeeded but processing failed,
 * *out_id is set and the error returned: the document is safe, and the
 * next pipeline_resume() takes it up.
 */
int pipeline_receive(int64_t *out_id, bool *out_dup, doc_state *out_state, pipeline *p,
		     const char *source, const char *name, const void *data, size_t len,
		     int64_t now, ulf_err *err);

/* Processes every document not in a final or waiting state, oldest first
 * (what a restart does).  *out_n gets how many were advanced. */
int pipeline_resume(size_t *out_n, pipeline *p, int64_t now, ulf_err *err);

/*
 * Leaves posting to other pipelines (the service's posting threads, each
 * with one of its own): documents stop in `ready`, and pipeline_resume()
 * no longer looks at ready or posting ones.
 */
void pipeline_leave_posting(pipeline *p);

/*
 * The guard posting goes through (erp_guard.h): its own, from the
 * configuration, unless it shares one: the service's posting threads and
 * main pipeline share the service's, so that a run of failures pauses
 * them all and /health tells one story.  The shared guard outlives p.
 */
void pipeline_share_guard(pipeline *p, erp_guard *g);
erp_guard *pipeline_guard(pipeline *p);

/* Called (if set) when pipeline_process() leaves a document in `ready`:
 * the service wakes the posting thread whose shard it is. */
typedef void (*pipeline_ready_fn)(void *ctx, int64_t id);
void pipeline_on_ready(pipeline *p, pipeline_ready_fn fn, void *ctx);

/*
 * Posts documents in `ready`, `posting` or `erp_wait` that are due by
 * `now`, oldest first, at most `max` of them, taking only those whose id
 * % nshards is shard: several posting threads share the work without
 * meeting on a document.  The guard decides first: nothing while posting
 * pauses, one document when it probes.  Documents whose retry window ended
 * in erp_wait go to the queue (about every half minute).  *out_n gets how
 * many were taken; *out_more whether more of this shard's are due.
 */
int pipeline_post_due(size_t *out_n, bool *out_more, pipeline *p, int64_t now,
		      unsigned shard, unsigned nshards, size_t max, ulf_err *err);

#endif
