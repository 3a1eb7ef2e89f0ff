/*
 * refdata.h - the reference data matching stands on, in the store:
 * the supplier register, purchase orders and their lines, goods receipts,
 * and the robot's memory of invoices it has seen posted (for duplicates,
 * credit notes, recurring invoices, quantities already invoiced against an
 * order line, and the booking history it learns from).
 *
 * Everything is kept in tables of its own (module "refdata" in
 * schema_version) on the store's connection, in SQL both backends accept.
 * Decimals are stored as their exact text and added up in C with dec.h,
 * never by SQL SUM (which would go through binary floating point).
 *
 * Every lookup the matcher makes per invoice is by an indexed key (primary
 * key or index on the column compared), so its cost grows with the log of
 * the number of orders and suppliers, not with their number.
 *
 * Imports (`ulf import orders|receipts|suppliers|history`) are idempotent:
 * each record has a natural key (supplier number; order number; order,
 * receipt and line id; supplier and invoice number), and importing it again
 * replaces it.  One transaction per file: a file with any bad row loads
 * nothing, and every bad row is reported as "file:line: what".  Reading
 * the files is the connector's (connectors/refimport.h); the store puts
 * what it delivers.  docs/matching.md documents the CSV columns.
 *
 * The records are the reference-data model (parsers/refmodel.h), the keys
 * they are found by are normalised by parsers/refkeys.h; both come with
 * this header.  The store's side is in refdata.c (tables, transaction),
 * ref_suppliers.c, ref_orders.c (orders and receipts), ref_invoices.c
 * (invoices seen, fingerprints, history) and ref_import.c.
 */
#ifndef ULF_REFDATA_H
#define ULF_REFDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "parsers/refkeys.h"
#include "parsers/refmodel.h"
#include "robot/store/db.h"

typedef struct refdata refdata;

/* Creates or upgrades the tables on `d` and prepares the lookups.  `d` is
 * borrowed and must outlive the refdata. */
int refdata_open(refdata **out, db *d, ulf_err *err);
void refdata_free(refdata *r);
db *refdata_db(refdata *r);

/*
 * A transaction over several writes (a bulk load): the put and record
 * functions below join it instead of committing each on their own (it is
 * db_begin's, which nests).
 */
int refdata_begin(refdata *r, ulf_err *err);
int refdata_commit(refdata *r, ulf_err *err);
void refdata_rollback(refdata *r);

/* ---- suppliers -------------------------------------------------------- */

/*
 * Finds suppliers whose key k equals `value` (normalised here).  *out_n is
 * 0, 1, or 2 meaning "more than one"; *out holds the first when > 0.
 */
int refdata_supplier_find(ref_supplier *out, size_t *out_n, refdata *r, ref_key k,
			  const char *value, ulf_err *err);

/* Inserts or replaces one supplier (keyed by supplier_no). */
int refdata_put_supplier(bool *out_updated, refdata *r, const ref_supplier *s,
			 int64_t now, ulf_err *err);

/* ---- orders ----------------------------------------------------------- */

/*
 * Inserts or replaces an order and all its lines (lines no longer in the
 * order are dropped; quantities invoiced and received are kept apart and
 * survive).  Order and lines change together: in the refdata_begin
 * transaction when there is one, else in one of their own.
 */
int refdata_put_order(bool *out_updated, refdata *r, const ref_order *o, int64_t now,
		      ulf_err *err);

/* The order with its lines and what was invoiced and received per line.
 * ULF_ENOTFOUND when there is no such order. */
int refdata_order_get(ref_order **out, refdata *r, const char *order_no, ulf_err *err);

/* ---- goods receipts --------------------------------------------------- */

int refdata_put_receipt(bool *out_updated, refdata *r, const ref_receipt *rc, int64_t now,
			ulf_err *err);

/* The goods-receipt lines of an order, oldest first, their strings in
 * arena `a` (*out NULL when there are none). */
int refdata_receipts(ref_receipt **out, size_t *out_n, arena *a, refdata *r,
		     const char *order_no, ulf_err *err);

/* ---- invoices seen, and the booking history --------------------------- */

/*
 * Remembers a posted invoice: the invoice and its booked lines, the
 * quantities it invoiced against order lines, and one more observation of
 * each line's booking for the history.  Idempotent: recording the same
 * supplier key, number and kind again first takes back what the earlier
 * record taught.  Joins a refdata_begin transaction, else runs in its own.
 */
int refdata_record_invoice(refdata *r, const ref_invoice *inv, int64_t now, ulf_err *err);

/* The recorded invoice (with lines), ULF_ENOTFOUND if none. */
int refdata_invoice_get(ref_invoice **out, refdata *r, const char *supplier_key,
			const char *number, const char *kind, ulf_err *err);

/* The number of a recorded invoice with this content fingerprint, if any
 * (*found false otherwise); out_number has room for n bytes. */
int refdata_invoice_by_fingerprint(char *out_number, size_t n, bool *found, refdata *r,
				   const char *fingerprint, ulf_err *err);

/*
 * Up to `max` recorded invoices of this supplier with the same content key
 * (same lines), newest issue date first, issued before `before` (a
 * YYYY-MM-DD date; NULL: any).  Each is read with its lines; the caller
 * frees each with refdata_invoice_free.
 */
int refdata_recurring(ref_invoice **out, size_t *out_n, size_t max, refdata *r,
		      const char *supplier_key, const char *content_key, const char *before,
		      ulf_err *err);

/* SHA-256 hex fingerprints of a record, as stored: the content fingerprint
 * (supplier, date, currency, total and the multiset of line amounts, but
 * not the invoice number) and the content key (supplier and the set of
 * items/texts, no amounts).  A record with no lines has no content key. */
void refdata_fingerprint(char out[65], const ref_invoice *inv);
void refdata_content_key(char out[65], const ref_invoice *inv);

/* What was booked before for a supplier and key (key_kind "item", "text"
 * or "supplier"): the most frequent booking and how often it was used. */
typedef struct ref_history {
	char account[32], cost_centre[32], activity[32], project[32], vat_code[16];
	int64_t n;                    /* times this booking was used */
	int64_t total;                /* times anything was booked for the key */
	char last_date[16];
	/* a handler's correction taught it ("" when not): who and when.  A
	 * correction outranks what was counted, the latest first. */
	char learned_by[64];
	char learned_on[16];
} ref_history;

int refdata_history(ref_history *out, bool *found, refdata *r, const char *supplier_key,
		    const char *key_kind, const char *key, ulf_err *err);

/* ---- accounts and dimensions ------------------------------------------ */

/*
 * The register of values a booking may use, per dimension ("account",
 * "cost_centre", "activity", "project", "vat_code"): a handler's booking is
 * checked against it when saved.  A dimension with no values loaded is not
 * checked (*out_registered false).
 */
int refdata_put_dimension(bool *out_updated, refdata *r, const char *dimension,
			  const char *code, const char *name, bool active, int64_t now,
			  ulf_err *err);

/* Whether `code` is an active value of `dimension` (*out_known), and
 * whether the dimension has a register at all (*out_registered). */
int refdata_dimension_known(bool *out_known, bool *out_registered, refdata *r,
			    const char *dimension, const char *code, ulf_err *err);

/* ---- import ----------------------------------------------------------- */

typedef struct refdata_stats {
	size_t records;        /* orders, receipt lines, suppliers or invoices */
	size_t inserted, updated;
	size_t lines;          /* order lines or invoice lines */
} refdata_stats;

/* Receives each bad row: "file:line: what". */
typedef void (*refdata_report_fn)(void *ctx, const char *msg);

/*
 * Imports one file (XML or CSV, told apart by content) in one transaction.
 * Every bad row goes to `report`; when there is any, nothing of the file is
 * loaded and ULF_EPARSE is returned ("file: N bad rows, nothing loaded").
 */
int refdata_import_file(refdata_stats *out, refdata *r, refdata_kind kind, const char *path,
			refdata_report_fn report, void *ctx, int64_t now, ulf_err *err);
int refdata_import_buffer(refdata_stats *out, refdata *r, refdata_kind kind,
			  const char *buf, size_t len, const char *name,
			  refdata_report_fn report, void *ctx, int64_t now, ulf_err *err);

#endif
