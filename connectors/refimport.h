/*
 * refimport.h - reference data from where it comes from: the order
 * sources (the e-commerce CSV export, PEPPOL Order XML), goods receipts
 * (CSV, PEPPOL Despatch Advice XML), the supplier register (CSV) and the
 * ERP's booking history (CSV).  `ulf import orders|receipts|suppliers|
 * history` reads its files through here.
 *
 * The connector checks every row and hands each good record, in the model
 * of parsers/refmodel.h, to a sink: it keeps nothing and writes nowhere
 * itself.  The store (robot/store/refdata.h: refdata_import_file) is the
 * sink that matters; it runs a file in one transaction and keeps it only
 * when the connector found no bad row.
 *
 * Every bad row is reported as "file:line: what" (reports about the whole
 * file as "file: what"), in line order, through `report`; after the first
 * bad row no further record goes to the sink, since the file will not be
 * loaded anyway.  docs/matching.md documents the CSV columns.
 *
 * Files:
 *   refimport.c  this entry: XML or CSV by content, the importer of the kind
 *   import.c     what the importers share (import.h): bad-row reports,
 *                field checks, CSV rows through a column table, groups
 *   orders.c     purchase orders and goods receipts, CSV and PEPPOL XML
 *   suppliers.c  the supplier register
 *   history.c    the ERP's booking history
 */
#ifndef ULF_REFIMPORT_H
#define ULF_REFIMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "parsers/refkeys.h"
#include "parsers/refmodel.h"

/* Most bytes one import file may have: an export of every open order of
 * two regions is tens of megabytes. */
#define REFIMPORT_MAX_BYTES (512u * 1024 * 1024)

/* Receives each bad row: "file:line: what". */
typedef void (*refimport_report_fn)(void *ctx, const char *msg);

/*
 * Where the records go, and the one thing an importer asks of what is
 * already known.  Each put returns 0, or a negative code with err set: the
 * record is refused and reported as a bad row with err's message.  The
 * records are the importer's: a sink that keeps one copies it.
 */
typedef struct refimport_sink {
	void *ctx;
	int (*put_supplier)(void *ctx, const ref_supplier *s, ulf_err *err);
	int (*put_order)(void *ctx, const ref_order *o, ulf_err *err);
	int (*put_receipt)(void *ctx, const ref_receipt *rc, ulf_err *err);
	int (*record_invoice)(void *ctx, const ref_invoice *inv, ulf_err *err);
	/* The register's number of the one supplier whose key k is `value`
	 * (canonical or not): false when there is none, more than one, or the
	 * register cannot say.  An order names its supplier by Peppol id or
	 * org number, the history by number or org number; both are kept
	 * under the register's number when there is one. */
	bool (*supplier_no)(void *ctx, char *out, size_t n, ref_key k, const char *value);
	/* NULL: the sink takes no accounts and dimensions */
	int (*put_dimension)(void *ctx, const ref_dimension *d, ulf_err *err);
} refimport_sink;

/*
 * Reads one file of `kind` from buf[0..len) (XML or CSV, told apart by
 * content; `name` labels the reports) and hands its records to `sink`.
 * Returns the number of bad rows, each of which went to `report`: 0 means
 * every record of the file reached the sink.
 */
size_t refimport_buffer(refdata_kind kind, const char *buf, size_t len, const char *name,
			const refimport_sink *sink, refimport_report_fn report, void *ctx);

#endif
