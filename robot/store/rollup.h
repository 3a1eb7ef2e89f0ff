/*
 * rollup.h - the dashboard's rollups, kept up to date by the store itself:
 * counters by day and month, region, cost centre and flow (and reason
 * code, supplier, handler), and the exception queue as it stands, each
 * changed in the same transaction as the state transition, posting or
 * person's action that changes it.  dashboard.h reads them; nothing reads
 * the documents to draw a figure.
 *
 * The store calls in here (store.c from each transition, receipt of a
 * duplicate and summary; audit.c from each audit row); the pipeline hands
 * the store what it knows of a booking through rollup_booking_keys.
 * docs/dashboard.md defines every counter and when it moves.
 */
#ifndef ULF_ROLLUP_H
#define ULF_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "connectors/erp_payload.h"
#include "core/err.h"
#include "robot/store/audit.h"
#include "robot/store/db.h"
#include "robot/store/store.h"

/* Longest text rollup_booking_keys writes into each buffer. */
#define ROLLUP_CC_MAX 128
#define ROLLUP_SIG_MAX 4096

/* The rollups' tables (module "dashboard"), after the store's own. */
int rollup_migrate(db *d, ulf_err *err);

/*
 * What the dashboard keeps of the robot's booking, for the summary
 * (store_summary.cost_centre, .lines_sig): the main cost centre (the one
 * with the largest net amount, the first of equals; "" when no line has
 * one) and the lines' signature (rollup_line_sig of each, comma
 * separated; "" past ROLLUP_SIG_MAX, then the lines count as changed).
 */
void rollup_booking_keys(char cc[ROLLUP_CC_MAX], char sig[ROLLUP_SIG_MAX],
			 const erp_posting *p);

/* A line's coding as the auto-coding rate compares it: a short hash of
 * its invoice line, account, cost centre, activity, project, VAT code and
 * amounts, in 13 characters and a NUL. */
void rollup_line_sig(char out[14], const erp_booking_line *l);

/* ---- the store's hooks: inside the caller's transaction ---------------- */

/* A summary's booking keys (either may be NULL: unchanged). */
int rollup_summary(db *d, int64_t id, const char *cost_centre, const char *lines_sig,
		   ulf_err *err);

/* Document id moved from -> to at `now`. */
int rollup_transition(db *d, int64_t id, doc_state from, doc_state to, int64_t now,
		      ulf_err *err);

/* An audit row: a person's action on its document (none: nothing). */
int rollup_action(db *d, const audit_entry *e, ulf_err *err);

/* The same bytes as document id were delivered again at `now`. */
int rollup_duplicate(db *d, int64_t id, int64_t now, ulf_err *err);

/* Invoices registered as not e-invoices (dash_register_paper). */
int rollup_paper(db *d, int32_t day, const char *region, const char *cost_centre,
		 int64_t n, ulf_err *err);

#endif
