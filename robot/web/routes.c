/*
 * routes.c - the pages of the workbench and who may open them: the one
 * list of them (web.h, web_route).  The workbench's own doors (login,
 * logout, assets, health) are in web.c.
 *
 * The queue pages replace the placeholder below.
 */
#include "robot/web/web.h"

/* Until the queue pages come: how many documents wait, to show that the
 * door works. */
static void queue_placeholder(web_ctx *c)
{
	int64_t counts[ST_COUNT_] = { 0 };
	store *s = web_store(c);
	ulf_err err;
	html *h;

	ulf_err_clear(&err);
	if (!s || store_count_states(counts, s, &err)) {
		web_error(c, 503, "The store does not answer", s ? err.msg : "No store connection.");
		return;
	}
	h = web_page_begin(c, "Queue");
	html_elem(h, "h1", "The exception queue");
	html_open(h, "p");
	html_int(h, counts[ST_EXCEPTION], HTML_NUM_SV);
	html_text(h, counts[ST_EXCEPTION] == 1 ? " document waits" : " documents wait");
	html_text(h, " for a person. Until the queue pages are here, `ulf queue list` shows them.");
	html_close(h, "p");
	web_page_end(c);
}

const web_route web_page_routes[] = {
	{ "GET", "/queue", AUTH_QUEUE_VIEW, queue_placeholder },
};

const size_t web_page_nroutes = sizeof(web_page_routes) / sizeof(web_page_routes[0]);
