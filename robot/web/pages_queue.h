/*
 * pages_queue.h - the exception queue as a page: every waiting document
 * with supplier, invoice number, amount, due date, age, reasons, flow and
 * assignee; filters as a GET form (reason, supplier, flow, assignee, due
 * within N days, on hold); sorting by due date, age or amount; counts per
 * reason; paging.  It works without JavaScript; workbench.js adds j/k,
 * Enter and the other keys the page lists.
 *
 * The list itself is robot/pipeline/queue.h's queue_list; this module
 * reads the filters from the request and writes the page.
 */
#ifndef ULF_PAGES_QUEUE_H
#define ULF_PAGES_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "robot/pipeline/queue.h"
#include "robot/store/store.h"
#include "robot/web/html.h"
#include "robot/web/pages.h"

/* The path of the list, and of one document: PAGES_QUEUE_PATH "/N". */
#define PAGES_QUEUE_PATH "/queue"

/*
 * The filters of a GET /queue into *out (its strings borrowed from the
 * query): reason, supplier, flow (po, non-po, recurring, care), who (mine,
 * unassigned, or a user name), due (days), held (not, only), sort (due,
 * age, amount), dir (desc), page (from 1), n (per page).  `user` is the
 * viewer, for "mine".  A value that makes no sense is left out and said
 * in msg[0..msg_size) (empty when all were understood); the page is shown
 * anyway.  Returns false when something was left out.
 */
bool pages_queue_filter(queue_filter *out, page_param_fn get, void *ctx, const char *user,
			char *msg, size_t msg_size);

/*
 * The page's content (inside the page's <main>): heading, notice, filter
 * form, counts per reason, the table, paging and the keys.  `f` is what
 * pages_queue_filter read, `pg` what queue_list gave for it, `now` the
 * time the ages and due dates are counted from.
 */
void pages_queue(html *h, const page_viewer *v, const queue_filter *f, const queue_page *pg,
		 const page_notice *notice, int64_t now);

/*
 * The documents waiting for the ERP (state erp_wait: an outage, a set-up
 * fault), which are not in the queue and need no handler: a line above it
 * saying how many and since when, so nobody looks for them in vain.
 * Nothing when none waits.
 */
void pages_erp_waiting(html *h, const store_erp_wait *w);

#endif
