/*
 * store_int.h - what the store's own files share: a state transition and
 * an audit row written inside the caller's transaction (db_tx).  PRIVATE
 * to robot/store/ (store.c, store_care.c, postings.c, queue_index.c); everyone else uses
 * store.h.
 */
#ifndef ULF_STORE_INT_H
#define ULF_STORE_INT_H

#include <stdint.h>

#include "core/err.h"
#include "robot/store/db.h"
#include "robot/store/store.h"

/* The transition `from` -> `to` (compare-and-set) and its event, as
 * store_transition makes them, in the caller's transaction. */
int store_tx_transition(db *d, int64_t id, doc_state from, doc_state to, const char *step,
			int64_t duration_us, const char *detail, int64_t now, ulf_err *err);

/* The same without the check of the transition table (the care join's
 * own steps, which store_care.c takes as store.c did). */
int store_tx_transition_unchecked(db *d, int64_t id, doc_state from, doc_state to,
				  const char *step, int64_t duration_us, const char *detail, int64_t now,
				  ulf_err *err);

/* The row of document `id` that `sql` (one '?' for the id) selects, ready
 * in *out (finalize it); ULF_ENOTFOUND with "document N: `what`". */
int store_select_by_id(db_stmt **out, store *s, const char *sql, int64_t id, const char *what,
		       ulf_err *err);

/* An audit row, as store_audit writes it, in the caller's transaction. */
int store_tx_audit(db *d, int64_t id, const char *who, const char *action,
		   const char *detail, int64_t now, ulf_err *err);

/* The queue index's tables (queue_index.c), made or upgraded by store_open. */
int queue_index_migrate(db *d, ulf_err *err);

#endif
