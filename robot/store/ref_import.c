/*
 * ref_import.c - `ulf import` into the store: one file, read by the
 * reference-data connector (connectors/refimport.h), its records put into
 * the refdata tables in one transaction that is kept only when the file
 * had no bad row.  See refdata.h (refdata_import_file).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/refimport.h"
#include "core/fileio.h"
#include "robot/store/refdata.h"

/* One file's import: the store it goes to and what it counts. */
typedef struct import_run {
	refdata *r;
	refdata_stats *stats;
	int64_t now;
	refdata_kind kind;
	const char *buf, *name;
	size_t len;
	refdata_report_fn report;
	void *ctx;
} import_run;

/* A put's result: counted as new or updated when it went in. */
static int counted(import_run *x, int rc, const bool *updated, size_t lines)
{
	if (rc)
		return rc;
	x->stats->records++;
	x->stats->lines += lines;
	if (*updated)
		x->stats->updated++;
	else
		x->stats->inserted++;
	return 0;
}

/* ---- the sink ------------------------------------------------------------ */

static int put_supplier(void *ctx, const ref_supplier *s, ulf_err *err)
{
	import_run *x = ctx;
	bool updated;

	return counted(x, refdata_put_supplier(&updated, x->r, s, x->now, err), &updated, 0);
}

static int put_order(void *ctx, const ref_order *o, ulf_err *err)
{
	import_run *x = ctx;
	bool updated;

	return counted(x, refdata_put_order(&updated, x->r, o, x->now, err), &updated,
		       o->nlines);
}

static int put_receipt(void *ctx, const ref_receipt *rc, ulf_err *err)
{
	import_run *x = ctx;
	bool updated;

	return counted(x, refdata_put_receipt(&updated, x->r, rc, x->now, err), &updated, 0);
}

static int record_invoice(void *ctx, const ref_invoice *inv, ulf_err *err)
{
	import_run *x = ctx;
	ref_invoice *was = NULL;
	ulf_err why;
	bool updated;

	/* recorded before: this record replaces it */
	ulf_err_clear(&why);
	updated = refdata_invoice_get(&was, x->r, inv->supplier_key, inv->invoice_number,
				      inv->kind, &why) == 0;
	refdata_invoice_free(was);
	return counted(x, refdata_record_invoice(x->r, inv, x->now, err), &updated, inv->nlines);
}

static bool supplier_no(void *ctx, char *out, size_t n, ref_key k, const char *value)
{
	import_run *x = ctx;
	ref_supplier s;
	size_t found = 0;
	ulf_err why;

	ulf_err_clear(&why);
	if (refdata_supplier_find(&s, &found, x->r, k, value, &why) || found != 1)
		return false;
	snprintf(out, n, "%s", s.supplier_no);
	return true;
}

static int put_dimension(void *ctx, const ref_dimension *d, ulf_err *err)
{
	import_run *x = ctx;
	bool updated = false;

	return counted(x, refdata_put_dimension(&updated, x->r, d->dimension, d->code, d->name,
						d->active, x->now, err), &updated, 0);
}

/* ---- the transaction ----------------------------------------------------- */

static int run(db *d, void *ctx, ulf_err *err)
{
	import_run *x = ctx;
	refimport_sink sink = { x, put_supplier, put_order, put_receipt, record_invoice,
				supplier_no, put_dimension };
	size_t bad;

	(void)d;
	bad = refimport_buffer(x->kind, x->buf, x->len, x->name, &sink, x->report, x->ctx);
	if (bad == 0)
		return 0;
	/* db_tx rolls the file back */
	memset(x->stats, 0, sizeof(*x->stats));
	return ulf_err_set(err, ULF_EPARSE, "%s: %zu bad row%s, nothing loaded", x->name, bad,
			   bad == 1 ? "" : "s");
}

int refdata_import_buffer(refdata_stats *out, refdata *r, refdata_kind kind,
			  const char *buf, size_t len, const char *name,
			  refdata_report_fn report, void *ctx, int64_t now, ulf_err *err)
{
	import_run x = { r, out, now, kind, buf, name, len, report, ctx };

	memset(out, 0, sizeof(*out));
	return db_tx(refdata_db(r), run, &x, err);
}

int refdata_import_file(refdata_stats *out, refdata *r, refdata_kind kind, const char *path,
			refdata_report_fn report, void *ctx, int64_t now, ulf_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = file_read(&buf, &len, path, REFIMPORT_MAX_BYTES, err);
	if (rc)
		return rc;
	rc = refdata_import_buffer(out, r, kind, buf, len, path, report, ctx, now, err);
	free(buf);
	return rc;
}
