/*
 * ref_sql.h - what the refdata modules of the store share: the handle's
 * insides, its cache of prepared statements and the helpers that bind
 * and read exact decimals and optional texts.  Not for callers: they use
 * refdata.h.
 *
 * The tables are made in refdata.c (the schema and its migrations); each
 * module holds the SQL it runs, by statement id:
 *   ref_suppliers.c  the supplier register
 *   ref_orders.c     orders, their lines, goods receipts, and what was
 *                    invoiced and received against each line
 *   ref_invoices.c   invoices seen, their fingerprints, recurring
 *                    invoices and the booking history
 *   ref_import.c     `ulf import`: the connector's records into the tables
 *   ref_dimensions.c the register of accounts and dimensions bookings are
 *                    checked against
 */
#ifndef ULF_REF_SQL_H
#define ULF_REF_SQL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/dec.h"
#include "core/err.h"
#include "robot/store/db.h"
#include "robot/store/refdata.h"

/* Statement ids: prepared on first use, kept until refdata_free. */
enum {
	Q_SUP_NUMBER, Q_SUP_PEPPOL, Q_SUP_ORG, Q_SUP_VAT, Q_SUP_BANKGIRO, Q_SUP_PLUSGIRO,
	Q_SUP_IBAN, Q_SUP_NAME, Q_SUP_EXISTS, Q_SUP_PUT,
	Q_ORD_EXISTS, Q_ORD_PUT, Q_ORD_DEL_LINES, Q_ORD_PUT_LINE,
	Q_ORD_GET, Q_ORD_LINES, Q_ORD_INVOICED, Q_ORD_RECEIVED,
	Q_RCP_EXISTS, Q_RCP_PUT, Q_RCP_KNOWN,
	Q_INV_GET, Q_INV_LINES, Q_INV_DEL, Q_INV_DEL_LINES, Q_INV_DEL_INVOICED, Q_INV_PUT,
	Q_INV_PUT_LINE, Q_INV_PUT_INVOICED, Q_INV_FP, Q_INV_FP_ALL, Q_INV_RECURRING,
	Q_HIST_LEARN, Q_HIST_UNLEARN, Q_HIST_PURGE, Q_HIST_GET,
	Q_DIM_PUT, Q_DIM_GET, Q_DIM_ANY, Q_RCP_LIST,
	Q_COUNT_
};

struct refdata {
	db *d;
	db_stmt *st[Q_COUNT_];
};

/* Statement q, prepared from sql[q] (the calling module's table of its
 * statements) on first use, reset for a new run. */
int ref_stmt(db_stmt **out, refdata *r, const char *const *sql, int q, ulf_err *err);
/* Runs a statement that returns no rows, and resets it. */
int ref_exec(db_stmt *st, ulf_err *err);
/* Whether statement q (a "SELECT 1 ... WHERE" of up to three keys; b and
 * c NULL when fewer) finds a row. */
int ref_exists(bool *out, refdata *r, const char *const *sql, int q, const char *a,
	       const char *b, const char *c, ulf_err *err);

/* A decimal as its exact text, written to buf (DEC_STR_MAX bytes, kept
 * until the row is bound), NULL when !set: a value for db_bind_row. */
db_value ref_dec(char *buf, dec v, bool set);
/* A text, NULL when NULL or empty: a value for db_bind_row. */
db_value ref_opt(const char *s);
/* Column col as an arena copy, NULL when NULL or empty. */
const char *ref_col_dup(arena *a, db_stmt *st, int col);
/* Column col as a decimal: false (and 0) when NULL, empty or unreadable. */
bool ref_col_dec(dec *out, db_stmt *st, int col);
/* Column col into a fixed buffer, "" when NULL. */
void ref_col_buf(char *out, size_t n, db_stmt *st, int col);

/*
 * Collects the rows of a bound statement (db_collect: fill makes each
 * element) into an array in arena `a`, the record the rows belong to, and
 * resets the statement.  *out is NULL when there are none.  ULF_ELIMIT,
 * "<what> <id>: too many lines", when they do not fit in the arena.
 */
int ref_collect(void **out, size_t *out_n, arena *a, db_stmt *st, size_t size,
		db_fill_fn fill, void *ctx, const char *what, const char *id, ulf_err *err);

#endif
