/*
 * pages_invoice.h - one invoice as a handler works it: why it waits, its
 * lines beside the matched order and goods-receipt lines with the
 * deviations and the tolerances that applied, the validation findings,
 * how it was matched, the booking suggestion in an editable form with the
 * server's check messages at their fields, the invoice rendered as PEPPOL
 * viewers show it, its attachments, a care claim (masked) with the form to
 * unmask it, its whole history, and the action forms.
 *
 * Rendering only: the router (robot/web/web.h) loads the document
 * (queue_get), runs the actions (robot/pipeline/queue.h) with the
 * viewer's permissions checked, and hands the outcome here.  Every form
 * posts to PAGES_QUEUE_PATH "/N/<action>" with the session's CSRF token
 * and the version of the document the page showed.
 */
#ifndef ULF_PAGES_INVOICE_H
#define ULF_PAGES_INVOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "parsers/invoice.h"
#include "robot/pipeline/queue.h"
#include "robot/web/html.h"
#include "robot/web/pages.h"
#include "robot/web/pages_supplier.h"

/* What the form of a booking row is called: "l<row>-<field>", with the
 * fields of queue_field_name and "net", "vat", "line", "description",
 * "kind"; "rows" is how many rows the form has. */
#define PAGES_BOOKING_ROWS_MAX 200

typedef struct pages_invoice_view {
	const queue_doc *doc;             /* the document (queue_get) */
	const invoice *inv;               /* its parsed invoice for the viewer, or NULL:
	                                   * the viewer is made from doc's fields */
	const page_notice *notice;        /* the outcome of an action, or NULL */
	const ujson *booking;             /* a booking the handler sent that was refused
	                                   * ({"lines": [...]}): its values refill the form */
	const queue_problems *problems;   /* what was wrong with it, or NULL */
	const ujson *unmasked_claim;      /* a care handler's unmasked claim, or NULL */
	const pages_supplier_view *supplier;  /* the new-supplier section, or NULL */
	int64_t now;
} pages_invoice_view;

/* The page's content (inside the page's <main>). */
void pages_invoice(html *h, const page_viewer *v, const pages_invoice_view *iv);

/*
 * The booking a handler sent in the booking form, as the JSON queue.h
 * takes ({"lines": [{"invoice_line_id", "description", "account",
 * "cost_centre", "activity", "project", "vat_code", "net_amount",
 * "vat_amount"}]}): rows left wholly empty are left out; amounts typed in
 * Swedish ("1 198,00") are made plain.  An amount that is no amount stays
 * as typed, for the check to name.  `get` reads the form's fields.
 * Returns a new tree (the caller frees), NULL when out of memory or the
 * form has no rows.
 */
ujson *pages_booking_from_form(page_param_fn get, void *ctx);

#endif
