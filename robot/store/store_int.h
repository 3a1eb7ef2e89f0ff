/*
 * store_int.h - what the store's own files share.  PRIVATE to robot/store/
 * (store.c and postings.c); everyone else uses store.h.
 */
#ifndef ULF_STORE_INT_H
#define ULF_STORE_INT_H

#include "robot/store/db.h"
#include "robot/store/store.h"

/* A compare-and-set transition and its event, inside the caller's
 * transaction (store.c: transition_locked): ULF_ENOTFOUND when the
 * document is no longer in `from`. */
int store_tx_transition(db *d, int64_t id, doc_state from, doc_state to, const char *step,
			const char *detail, int64_t now, ulf_err *err);

#endif
