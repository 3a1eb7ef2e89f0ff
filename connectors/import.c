/*
 * import.c - what the reference-data importers share: bad-row reports,
 * field checks, reading CSV rows through a column table and grouping
 * them, handing records to the sink.  See import.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connectors/import.h"

/* Bad rows are kept and reported in line order at the end: orders and
 * invoices are checked grouped, not in file order.  At most this many are
 * kept; the rest are counted. */
#define MAX_REPORTS 1000

struct import_msg {
	unsigned line;
	size_t seq;
	char *msg;
};

/* ---- bad rows ------------------------------------------------------------ */

static int msg_cmp(const void *a, const void *b)
{
	const import_msg *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void import_flush(importer *im)
{
	char more[200];
	size_t i;

	if (im->nmsgs)
		qsort(im->msgs, im->nmsgs, sizeof(*im->msgs), msg_cmp);
	for (i = 0; i < im->nmsgs; i++) {
		if (im->report)
			im->report(im->ctx, im->msgs[i].msg);
		free(im->msgs[i].msg);
	}
	if (im->bad > im->nmsgs && im->report) {
		snprintf(more, sizeof(more), "%s: %zu more bad rows not shown", im->name,
			 im->bad - im->nmsgs);
		im->report(im->ctx, more);
	}
	free(im->msgs);
	im->msgs = NULL;
	im->nmsgs = 0;
}

void import_keep(importer *im, unsigned line, const char *msg)
{
	im->bad++;
	if (!im->msgs)
		im->msgs = calloc(MAX_REPORTS, sizeof(*im->msgs));
	if (!im->msgs || im->nmsgs == MAX_REPORTS)
		return;
	im->msgs[im->nmsgs].msg = strdup(msg);
	if (!im->msgs[im->nmsgs].msg)
		return;
	im->msgs[im->nmsgs].line = line;
	im->msgs[im->nmsgs].seq = im->nmsgs;
	im->nmsgs++;
}

void import_bad(importer *im, unsigned line, const char *fmt, ...)
{
	char what[400], msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(msg, sizeof(msg), "%s:%u: %s", im->name, line, what);
	else
		snprintf(msg, sizeof(msg), "%s: %s", im->name, what);
	import_keep(im, line, msg);
}

void import_failed(importer *im, unsigned line)
{
	import_bad(im, line, "%s", im->err->msg);
	ulf_err_clear(im->err);
}

/* ---- fields -------------------------------------------------------------- */

const char *import_col(const importer *im, size_t f)
{
	return im->table->cols[f];
}

bool import_amount(importer *im, const import_row *rw, size_t f, dec *out, bool *set,
		   bool required)
{
	const char *s = rw->f[f];

	*set = false;
	if (!*s) {
		if (required)
			import_bad(im, rw->line, "%s is empty", import_col(im, f));
		return !required;
	}
	if (refdata_parse_amount(out, s)) {
		import_bad(im, rw->line, "%s '%s' is not an amount", import_col(im, f), s);
		return false;
	}
	*set = true;
	return true;
}

static bool is_date(const char *s)
{
	size_t i;

	if (strlen(s) != 10)
		return false;
	for (i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	return s[5] <= '1' && s[8] <= '3';
}

bool import_date(importer *im, const import_row *rw, size_t f)
{
	const char *s = rw->f[f];

	if (!*s || is_date(s))
		return true;
	import_bad(im, rw->line, "%s '%s' is not YYYY-MM-DD", import_col(im, f), s);
	return false;
}

/* yes/no in the spellings exports use; -1 when it is neither. */
static int yes_no(const char *s)
{
	static const char *const yes[] = { "yes", "ja", "y", "j", "1", "true", "x", NULL };
	static const char *const no[] = { "no", "nej", "n", "0", "false", NULL };
	size_t i;

	for (i = 0; yes[i]; i++)
		if (!strcasecmp(s, yes[i]))
			return 1;
	for (i = 0; no[i]; i++)
		if (!strcasecmp(s, no[i]))
			return 0;
	return -1;
}

bool import_yes_no(importer *im, const import_row *rw, size_t f, int if_empty, int *out)
{
	const char *s = rw->f[f];

	if (!*s) {
		*out = if_empty;
		return true;
	}
	*out = yes_no(s);
	if (*out >= 0)
		return true;
	import_bad(im, rw->line, "%s '%s' is not yes or no", import_col(im, f), s);
	return false;
}

const char *import_dup(arena *a, const char *s)
{
	return s && *s ? arena_strdup(a, s) : NULL;
}

/* ---- rows ---------------------------------------------------------------- */

/* The header has every needed column; each missing one is a bad row. */
static bool need_columns(importer *im, csv_reader *c, const char *const *cols)
{
	bool ok = true;
	size_t i;

	for (i = 0; cols[i]; i++)
		if (csv_column(c, cols[i]) < 0) {
			import_bad(im, 1, "missing column '%s'", cols[i]);
			ok = false;
		}
	return ok;
}

/* The current record's fields in table order, pointing into the reader
 * (valid until the next csv_next). */
static void fill(import_row *rw, csv_reader *c, const import_table *t)
{
	const char *s;
	size_t i;

	memset(rw, 0, sizeof(*rw));
	rw->line = csv_line(c);
	for (i = 0; i < IMPORT_MAX_COLS && t->cols[i]; i++) {
		s = csv_get(c, t->cols[i]);
		rw->f[i] = s ? s : "";
	}
}

void import_rows(importer *im, csv_reader *c, const import_table *t,
		 void (*fn)(importer *im, const import_row *rw))
{
	import_row rw;
	int rc;

	im->table = t;
	if (!need_columns(im, c, t->need))
		return;
	while ((rc = csv_next(c, im->err)) == 1) {
		fill(&rw, c, t);
		fn(im, &rw);
	}
	if (rc < 0)
		import_failed(im, 0);
}

/* Every row of a file, kept until it is read whole so that the rows of one
 * order or invoice need not be adjacent. */
typedef struct rowset {
	import_row *v;
	size_t n, cap;
	arena mem;
} rowset;

static int rows_add(rowset *rs, csv_reader *c, const import_table *t, ulf_err *err)
{
	import_row *rw;
	size_t i;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 256;
		import_row *nv = realloc(rs->v, cap * sizeof(*nv));
		if (!nv)
			return ulf_err_set(err, ULF_ENOMEM, "out of memory");
		rs->v = nv;
		rs->cap = cap;
	}
	rw = &rs->v[rs->n];
	fill(rw, c, t);
	for (i = 0; i < IMPORT_MAX_COLS && t->cols[i]; i++) {
		rw->f[i] = arena_strdup(&rs->mem, rw->f[i]);
		if (!rw->f[i])
			return ulf_err_set(err, ULF_ELIMIT, "the file needs too much memory");
	}
	rs->n++;
	return 0;
}

/* qsort_r (glibc, -D_GNU_SOURCE): the keys travel with the call, not in
 * a variable every import would share */
static int row_cmp(const void *a, const void *b, void *ctx)
{
	const import_table *t = ctx;
	const import_row *x = a, *y = b;
	size_t k;
	int c = 0;

	for (k = 0; !c && k < t->nkeys; k++)
		c = strcmp(x->f[t->key[k]], y->f[t->key[k]]);
	if (!c)
		c = x->line < y->line ? -1 : x->line > y->line;
	return c;
}

static bool same_group(const import_table *t, const import_row *a, const import_row *b)
{
	size_t k;

	for (k = 0; k < t->nkeys; k++)
		if (strcmp(a->f[t->key[k]], b->f[t->key[k]]))
			return false;
	return true;
}

void import_groups(importer *im, csv_reader *c, const import_table *t,
		   void (*fn)(importer *im, const import_row *v, size_t n))
{
	rowset rs;
	size_t a, b;
	int rc;

	im->table = t;
	memset(&rs, 0, sizeof(rs));
	if (!need_columns(im, c, t->need))
		return;
	arena_init(&rs.mem, REFIMPORT_MAX_BYTES);
	while ((rc = csv_next(c, im->err)) == 1)
		if ((rc = rows_add(&rs, c, t, im->err)) != 0)
			break;
	if (rc < 0) {
		import_failed(im, 0);
		goto out;
	}
	/* qsort is not stable: the line number breaks ties, so rows keep their
	 * file order within a group */
	if (rs.n)
		qsort_r(rs.v, rs.n, sizeof(*rs.v), row_cmp, (void *)t);
	for (a = 0; a < rs.n; a = b) {
		for (b = a + 1; b < rs.n && same_group(t, &rs.v[a], &rs.v[b]); b++)
			;
		fn(im, &rs.v[a], b - a);
	}
out:
	free(rs.v);
	arena_release(&rs.mem);
}

/* ---- records ------------------------------------------------------------- */

void import_put_supplier(importer *im, unsigned line, const ref_supplier *s)
{
	if (!im->bad && im->sink->put_supplier(im->sink->ctx, s, im->err))
		import_failed(im, line);
}

void import_put_dimension(importer *im, unsigned line, const ref_dimension *d)
{
	if (im->bad)
		return;
	if (!im->sink->put_dimension)
		import_bad(im, line, "accounts and dimensions cannot be imported here");
	else if (im->sink->put_dimension(im->sink->ctx, d, im->err))
		import_failed(im, line);
}

void import_put_order(importer *im, unsigned line, const ref_order *o)
{
	if (!im->bad && im->sink->put_order(im->sink->ctx, o, im->err))
		import_failed(im, line);
}

void import_put_receipt(importer *im, unsigned line, const ref_receipt *rc)
{
	if (!im->bad && im->sink->put_receipt(im->sink->ctx, rc, im->err))
		import_failed(im, line);
}

void import_record_invoice(importer *im, unsigned line, const ref_invoice *inv)
{
	if (!im->bad && im->sink->record_invoice(im->sink->ctx, inv, im->err))
		import_failed(im, line);
}

bool import_supplier_no(importer *im, char *out, size_t n, ref_key k, const char *value)
{
	return im->sink->supplier_no && im->sink->supplier_no(im->sink->ctx, out, n, k, value);
}
