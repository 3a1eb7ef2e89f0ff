/*
 * dash_load.h - documents' lives loaded through the store's own calls:
 * the history of an earlier system, so the dashboard's trends start with
 * it, or generated documents for a demonstration (samples/dashboard) and
 * for bench/dashboard.
 *
 * A life is one document from receipt to where it ended - posted by the
 * robot, released, rejected or retried by a person, held up by the ERP,
 * a resend, or still in the queue - with the times of each step.  It is
 * loaded as the pipeline and the workbench would have written it:
 * receipt, summary, each transition, each person's action (with its audit
 * row), so the rollups count it exactly as they count live documents.
 * Its bytes are a short text naming its source and id, never an invoice:
 * the same life loaded twice is found by them and skipped.
 */
#ifndef ULF_DASH_LOAD_H
#define ULF_DASH_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "robot/store/store.h"

typedef struct dash_life {
	const char *source;        /* "generated", "import", ...: documents.source */
	const char *id;            /* unique within the source */
	int64_t received;          /* seconds since the epoch */
	const char *kind;          /* invoice, credit-note, paper (not an e-invoice),
	                            * other (not an invoice) */
	const char *region;        /* the buyer's org number */
	const char *supplier;      /* the seller's org number */
	const char *supplier_name;
	const char *flow;          /* po, non-po, care */
	const char *cost_centre;
	int lines;                 /* booking lines (1 when 0) */
	int lines_changed;         /* of them, recoded by the person who released it */
	const char *amount;        /* payable, exact decimal */
	const char *currency;      /* SEK when NULL */
	const char *issue_date;    /* YYYY-MM-DD; the day received when NULL */
	const char *due_date;      /* YYYY-MM-DD or NULL */
	/* auto: posted by the robot at `posted`;
	 * resolve, reject, retry: to the queue at `decided` with `reasons`,
	 *   then the person's action at `acted` (and posted at `posted`);
	 * erp-hold: to the queue at `decided` for the ERP alone, retried by a
	 *   person at `acted`, posted at `posted`;
	 * resend: to the queue as DUPLICATE at `decided`, rejected at `acted`;
	 * open: to the queue at `decided`, still there */
	const char *outcome;
	const char *reasons;       /* comma separated codes; a default per outcome when NULL */
	int64_t decided, acted, posted;
	int64_t again;             /* the same bytes delivered again then; 0: never */
	const char *handler;       /* who acted ("handler" when NULL) */
} dash_life;

/* Loads one life (in the caller's transaction, if any): *out_new false
 * when it was loaded before.  ULF_EINVAL for an unknown kind or outcome. */
int dash_life_load(bool *out_new, store *s, const dash_life *l, ulf_err *err);

/*
 * Loads the lives of a CSV file (docs/dashboard.md has its columns; times
 * are Swedish wall-clock "YYYY-MM-DD HH:MM") in one transaction:
 * *out_loaded new, *out_skipped loaded before.  A row that is not right
 * loads nothing: "name:LINE: what".
 */
int dash_import_lives(int64_t *out_loaded, int64_t *out_skipped, store *s, const char *csv,
		      size_t len, const char *name, ulf_err *err);

#endif
