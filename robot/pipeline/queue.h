/*
 * queue.h - the exception queue: what a person does with an invoice the
 * robot would not decide alone.
 *
 * Each action is a state transition recorded together with an audit record
 * (who, when, what, why) in one transaction; the audit trail cannot be
 * edited through ulf, nor, by the schema, at all.
 *   resolve: correct or complete the booking and release it for posting
 *            (exception -> ready);
 *   reject:  refuse the invoice with a reason (exception -> rejected);
 *   retry:   run it again after rules or reference data changed
 *            (exception -> received, then through the pipeline).
 */
#ifndef ULF_QUEUE_H
#define ULF_QUEUE_H

#include <stdint.h>

#include "core/err.h"
#include "robot/pipeline/pipeline.h"
#include "robot/store/store.h"

/* booking_json may be NULL to release the robot's own suggestion as it is;
 * otherwise it must be a JSON object ({"lines": [...]}). */
int queue_resolve(store *s, int64_t id, const char *who, const char *booking_json,
		  const char *note, int64_t now, ulf_err *err);
int queue_reject(store *s, int64_t id, const char *who, const char *reason,
		 int64_t now, ulf_err *err);
int queue_retry(doc_state *out_state, store *s, pipeline *p, int64_t id, const char *who,
		int64_t now, ulf_err *err);

#endif
