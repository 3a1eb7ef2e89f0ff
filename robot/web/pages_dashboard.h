/*
 * pages_dashboard.h - the controllers' dashboard in the workbench: an
 * overview with the headline figures and their trend lines, one page per
 * theme, and every table as a CSV download (docs/dashboard.md, "In the
 * browser").
 *
 * The figures are robot/store/dashboard.h's; this module reads the period
 * selector from the request (from, to, region, cc), writes the pages
 * through the escaping writer, and draws the trend lines as inline SVG on
 * the server (no script, no style attribute: the Content-Security-Policy
 * holds).  A page's tables are written from the same CSV text the export
 * gives, so the two cannot disagree.
 *
 * Routed in routes.c under AUTH_DASHBOARD (controllers and
 * administrators).
 */
#ifndef ULF_PAGES_DASHBOARD_H
#define ULF_PAGES_DASHBOARD_H

#include <stdint.h>

#include "core/dynbuf.h"
#include "core/err.h"
#include "robot/store/dashboard.h"
#include "robot/web/web.h"

/* The path of the overview; the themes and exports are under it. */
#define PAGES_DASHBOARD_PATH "/dashboard"

/* GET /dashboard: the overview. */
void pages_dashboard_get(web_ctx *c);
/* GET /dashboard/{page}: a theme (exceptions, queue, lead, board, trends,
 * indicators) or a table's export (NAME.csv, pages_dashboard_csv). */
void pages_dashboard_page_get(web_ctx *c);

/*
 * The table `name` (touchless, reasons, suppliers, top-suppliers, queue,
 * queue-reasons, lead, board, handlers, trend-weeks, trend-months,
 * compare, einvoice, tail, tail-suppliers, new-suppliers, contract,
 * without-contract) for filter f as CSV into out; the queue is aged on
 * day `today`.  ULF_ENOTFOUND for a name not in the list.
 */
int pages_dashboard_csv(dynbuf *out, store *s, const dash_filter *f, int32_t today,
			const char *name, ulf_err *err);

#endif
