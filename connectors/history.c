/*
 * history.c - the ERP's booking history: invoices it has posted, exported
 * as CSV (one row per booked line, the invoice's own columns repeated on
 * each), into ref_invoice records the robot learns its bookings from.
 * docs/matching.md has the columns.
 */
#include <stdio.h>
#include <string.h>

#include "connectors/import.h"

static const char *const history_cols[] = {
	"supplier", "invoice_number", "kind", "issue_date", "currency", "order_no",
	"order_line_id", "line_id", "item_id", "text", "quantity", "net_amount", "account",
	"cost_centre", "activity", "project", "vat_code", "flow", NULL
};
enum {
	H_SUP, H_NUMBER, H_KIND, H_DATE, H_CURRENCY, H_ORDER, H_ORDLINE, H_LINE, H_ITEM,
	H_TEXT, H_QTY, H_NET, H_ACCOUNT, H_CC, H_ACT, H_PROJ, H_VATCODE, H_FLOW
};
static const char *const history_need[] = { "supplier", "invoice_number", "net_amount",
					    "account", NULL };
static const import_table history_table = {
	history_cols, history_need, { H_SUP, H_NUMBER, H_KIND }, 3
};

/* The supplier key under which history is kept: the register's number when
 * the value is one or names one by org number, else "org:<number>". */
static void supplier_key_of(importer *im, char *out, size_t n, const char *value)
{
	char org[16];

	if (import_supplier_no(im, out, n, REF_BY_NUMBER, value))
		return;
	if (refdata_norm(org, sizeof(org), REF_BY_ORG, value)) {
		if (!import_supplier_no(im, out, n, REF_BY_ORG, org))
			snprintf(out, n, "org:%s", org);
		return;
	}
	snprintf(out, n, "%s", value);
}

/* One booked line from its row.  `ok` says whether the invoice is good so
 * far, and is returned false after a bad field; once it is false, lines
 * are only checked, not added up. */
static bool history_line(importer *im, ref_invoice *inv, ref_invoice_line *l,
			 const import_row *first, const import_row *rw, bool ok)
{
	char buf[256];
	bool set;

	if (strcmp(rw->f[H_DATE], first->f[H_DATE])) {
		import_bad(im, rw->line, "invoice %s: issue_date differs from line %u",
			   inv->invoice_number, first->line);
		ok = false;
	}
	ok &= import_date(im, rw, H_DATE);
	if (!*rw->f[H_NET]) {
		/* "not an amount" here, where the other importers say "empty" */
		import_bad(im, rw->line, "net_amount '' is not an amount");
		ok = false;
	} else {
		ok &= import_amount(im, rw, H_NET, &l->net, &set, true);
	}
	ok &= import_amount(im, rw, H_QTY, &l->quantity, &set, false);
	if (!set)
		l->quantity = dec_make(0, 0);
	if (!*rw->f[H_ACCOUNT]) {
		import_bad(im, rw->line, "account is empty: history teaches bookings");
		ok = false;
	}
	if (!ok)
		return false;
	if (dec_add(&inv->net_total, inv->net_total, l->net)) {
		import_bad(im, rw->line, "amounts overflow");
		return false;
	}
	l->line_id = *rw->f[H_LINE] ? rw->f[H_LINE] : NULL;
	refdata_item_key(buf, sizeof(buf), rw->f[H_ITEM]);
	l->item_key = import_dup(&inv->mem, buf);
	refdata_text_key(buf, sizeof(buf), rw->f[H_TEXT]);
	l->text_key = import_dup(&inv->mem, buf);
	l->description = import_dup(&inv->mem, rw->f[H_TEXT]);
	l->account = rw->f[H_ACCOUNT];
	l->cost_centre = rw->f[H_CC];
	l->activity = rw->f[H_ACT];
	l->project = rw->f[H_PROJ];
	l->vat_code = rw->f[H_VATCODE];
	l->order_no = *rw->f[H_ORDER] ? rw->f[H_ORDER] : NULL;
	l->order_line_id = *rw->f[H_ORDLINE] ? rw->f[H_ORDLINE] : NULL;
	return true;
}

/* One invoice from its rows v[0..n). */
static void history_invoice(importer *im, const import_row *v, size_t n)
{
	const import_row *first = &v[0];
	ref_invoice inv;
	char key[128];
	size_t i;
	bool ok = true;

	memset(&inv, 0, sizeof(inv));
	arena_init(&inv.mem, REF_RECORD_MAX_MODEL);
	if (!*first->f[H_SUP] || !*first->f[H_NUMBER]) {
		import_bad(im, first->line, "supplier and invoice_number must be given");
		goto out;
	}
	supplier_key_of(im, key, sizeof(key), first->f[H_SUP]);
	inv.supplier_key = key;
	inv.invoice_number = first->f[H_NUMBER];
	inv.kind = *first->f[H_KIND] ? first->f[H_KIND] : "invoice";
	if (strcmp(inv.kind, "invoice") && strcmp(inv.kind, "credit-note")) {
		import_bad(im, first->line, "kind '%s' is not invoice or credit-note", inv.kind);
		goto out;
	}
	inv.issue_date = import_dup(&inv.mem, first->f[H_DATE]);
	inv.currency = *first->f[H_CURRENCY] ? first->f[H_CURRENCY] : "SEK";
	inv.order_no = import_dup(&inv.mem, first->f[H_ORDER]);
	inv.flow = *first->f[H_FLOW] ? first->f[H_FLOW] : (inv.order_no ? "po" : "non-po");
	inv.source = "import";
	inv.net_total = dec_make(0, 2);
	inv.lines = arena_alloc(&inv.mem, n * sizeof(*inv.lines));
	if (!inv.lines) {
		import_bad(im, first->line, "invoice %s has too many lines", inv.invoice_number);
		goto out;
	}
	for (i = 0; i < n; i++)
		ok = history_line(im, &inv, &inv.lines[inv.nlines++], first, &v[i], ok);
	if (ok)
		import_record_invoice(im, first->line, &inv);
out:
	arena_release(&inv.mem);
}

void import_history(importer *im, csv_reader *c)
{
	import_groups(im, c, &history_table, history_invoice);
}
