/*
 * import.h - the toolkit the reference-data importers share (orders.c,
 * suppliers.c, history.c; refimport.c runs them).  Not for callers
 * outside connectors/: they use refimport.h.
 *
 * An importer reads a CSV file through a column table: each row comes as
 * an array of its fields in the table's order, either one at a time as
 * the file is read (suppliers, receipts) or, for files whose records span
 * several rows that need not be adjacent (orders, invoices of the
 * history), all at once, sorted and grouped by the table's key columns.
 * Fields are checked with the import_* checks, which report what is wrong
 * as a bad row and answer whether the field was good; a good record goes
 * to the sink through import_put_*.
 */
#ifndef ULF_IMPORT_H
#define ULF_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/csv.h"
#include "core/dec.h"
#include "core/err.h"
#include "connectors/refimport.h"
#include "parsers/order.h"

typedef struct import_msg import_msg;

/* One file being imported. */
typedef struct importer {
	const char *name;            /* the file, for the reports */
	const refimport_sink *sink;
	refimport_report_fn report;
	void *ctx;
	size_t bad;                  /* bad rows so far */
	ulf_err *err;                /* scratch for what the reader or sink says */
	const struct import_table *table;   /* the columns being read */
	import_msg *msgs;            /* reports kept until import_flush */
	size_t nmsgs;
} importer;

/* ---- bad rows ------------------------------------------------------------ */

/* A bad row at `line` (0: the file as a whole): "name:line: what". */
void import_bad(importer *im, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A bad row whose message is complete already (a reader's, which names
 * the file itself). */
void import_keep(importer *im, unsigned line, const char *msg);
/* A bad row with what im->err says, which is then cleared. */
void import_failed(importer *im, unsigned line);
/* Sends the kept reports to im->report in line order (rows of orders and
 * invoices are checked grouped, not in file order) and frees them. */
void import_flush(importer *im);

/* ---- rows ---------------------------------------------------------------- */

#define IMPORT_MAX_COLS 32

/* The columns an importer reads. */
typedef struct import_table {
	const char *const *cols;     /* NULL-terminated; a row's f[i] is cols[i] */
	const char *const *need;     /* NULL-terminated: must be in the header */
	size_t key[3];               /* import_groups: rows of one record share */
	size_t nkeys;                /* these columns (f indexes) */
} import_table;

/* A row: its fields in table order, "" for an empty or missing column. */
typedef struct import_row {
	unsigned line;
	const char *f[IMPORT_MAX_COLS];
} import_row;

/*
 * Checks that the header has the table's needed columns (each missing one
 * is a bad row), then calls fn for each row as it is read.  A file that
 * stops being readable is a bad row; rows before it have been seen.
 */
void import_rows(importer *im, csv_reader *c, const import_table *t,
		 void (*fn)(importer *im, const import_row *rw));

/*
 * Checks the header as import_rows does, reads every row, then calls fn
 * once per group of rows with the same key columns, v[0..n) in file order
 * within the group, the groups in order of their keys.  A file that stops
 * being readable is a bad row and no group is seen.
 */
void import_groups(importer *im, csv_reader *c, const import_table *t,
		   void (*fn)(importer *im, const import_row *v, size_t n));

/* ---- fields -------------------------------------------------------------- */

/* Each check looks at field f of a row of the table being read, reports a
 * bad value as a bad row on the row's line, naming the column, and returns
 * false; an empty field is good unless said otherwise. */

/* An amount (refdata_parse_amount): *set tells whether there was one; an
 * empty field is bad when `required`. */
bool import_amount(importer *im, const import_row *rw, size_t f, dec *out, bool *set,
		   bool required);
/* A date, YYYY-MM-DD. */
bool import_date(importer *im, const import_row *rw, size_t f);
/* yes/no in the spellings exports use: *out is 1 or 0, `if_empty` for an
 * empty field, -1 when bad. */
bool import_yes_no(importer *im, const import_row *rw, size_t f, int if_empty, int *out);
/* The name of column f of the table being read. */
const char *import_col(const importer *im, size_t f);

/* An arena copy of s, NULL when s is NULL or empty (or the arena is full). */
const char *import_dup(arena *a, const char *s);

/* ---- records ------------------------------------------------------------- */

/* Hands a checked record to the sink, unless the file has a bad row
 * already (it will not be loaded: the writes are spared).  A record the
 * sink refuses is a bad row at `line` with its reason. */
void import_put_supplier(importer *im, unsigned line, const ref_supplier *s);
void import_put_order(importer *im, unsigned line, const ref_order *o);
void import_put_receipt(importer *im, unsigned line, const ref_receipt *rc);
void import_record_invoice(importer *im, unsigned line, const ref_invoice *inv);
void import_put_dimension(importer *im, unsigned line, const ref_dimension *d);

/* The register's number of the one supplier with key k = value: false
 * when there is none or more than one (refimport_sink.supplier_no). */
bool import_supplier_no(importer *im, char *out, size_t n, ref_key k, const char *value);

/* ---- the importers ------------------------------------------------------- */

/* orders.c */
void import_orders_csv(importer *im, csv_reader *c);
void import_order_xml(importer *im, const order_doc *od);
void import_receipts_csv(importer *im, csv_reader *c);
void import_despatch_xml(importer *im, const despatch_doc *d);
/* suppliers.c */
void import_suppliers(importer *im, csv_reader *c);
/* history.c */
void import_history(importer *im, csv_reader *c);
/* suppliers.c */
void import_dimensions(importer *im, csv_reader *c);

#endif
