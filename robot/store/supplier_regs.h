/*
 * supplier_regs.h - new-supplier registrations as the store keeps them
 * (table supplier_regs, module "supplier_regs" in schema_version): one row
 * per registration a handler submitted from an invoice of an unknown
 * supplier, with its state, who submitted and approved it, the ERP's
 * idempotency key and answer, and the supplier number it got.
 *
 * The rules (validation, four eyes, the order of the states) are
 * robot/pipeline/supplier_reg.h's; this module keeps the facts.  The form's
 * values are one JSON text (`data`); the keys the waiting invoices are
 * matched on (org, VAT number, Peppol id) are columns too.
 *
 * A change (sreg_store_update) names the version it was read at and fails
 * with ULF_ECONFLICT when the row moved on: two approvers never send a
 * registration twice.
 */
#ifndef ULF_SUPPLIER_REGS_H
#define ULF_SUPPLIER_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "robot/store/db.h"

#define SREG_NAME_MAX 64

typedef struct sreg_rec {
	int64_t id;
	int64_t doc_id;              /* the invoice it was made from */
	int64_t version;             /* one more with every change */
	char state[24];              /* supplier_reg.h: "awaiting_approval", "approved", ... */
	char org_no[16], vat_no[32], peppol_id[128];
	char *data;                  /* the registration as JSON (malloc'd; owned) */
	bool four_eyes;              /* a second person must approve */
	char submitted_by[SREG_NAME_MAX + 1];
	int64_t submitted_at;
	char approved_by[SREG_NAME_MAX + 1];
	int64_t approved_at;
	char idem_key[96];           /* sent to the ERP under this key, "" before */
	int64_t attempts;            /* requests to the ERP so far */
	int64_t next_try;            /* when it may be sent again (s), 0: now */
	char last_error[512];        /* the ERP's last refusal or failure */
	char supplier_no[64];        /* the number it got */
	int64_t registered_at;       /* 0 until it is in the register */
	int64_t updated_at;
} sreg_rec;

/* Creates or upgrades the table on `d`. */
int sreg_store_migrate(db *d, ulf_err *err);

/* Inserts `r` (its id and version ignored); *out_id the new row's id. */
int sreg_store_insert(int64_t *out_id, db *d, const sreg_rec *r, ulf_err *err);

/* Row `id` into *out (release with sreg_rec_release); ULF_ENOTFOUND. */
int sreg_store_get(sreg_rec *out, db *d, int64_t id, ulf_err *err);

/*
 * Writes every field of `r` back, if the row is still at r->version:
 * the version becomes r->version + 1.  ULF_ECONFLICT when it moved on.
 */
int sreg_store_update(db *d, const sreg_rec *r, ulf_err *err);

/* The registrations in `state` (NULL: all), oldest first, at most `max`,
 * into a malloc'd array (sreg_recs_free). */
int sreg_store_list(sreg_rec **out, size_t *out_n, db *d, const char *state, size_t max,
		    ulf_err *err);

/* The newest registration made from document `doc_id` (*found false: none). */
int sreg_store_for_doc(sreg_rec *out, bool *found, db *d, int64_t doc_id, ulf_err *err);

/* The times (s since the epoch) at which suppliers were registered, for
 * the dashboard's "new suppliers per month" (malloc'd). */
int sreg_store_registered(int64_t **out, size_t *out_n, db *d, ulf_err *err);

void sreg_rec_release(sreg_rec *r);
void sreg_recs_free(sreg_rec *r, size_t n);

#endif
