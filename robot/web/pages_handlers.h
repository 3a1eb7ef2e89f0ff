/*
 * pages_handlers.h - the queue's routes (robot/web/routes.c): each reads
 * its request, asks robot/pipeline/queue.h and writes its page through
 * pages_queue.h / pages_invoice.h.
 *
 *   GET  /queue                         the list (filters in the query)
 *   GET  /queue/N                       one document
 *   GET  /queue/N/attachment/K          its K-th attachment (from 1), a download
 *   GET  /queue/N/response.xml          the Invoice Response of a rejection
 *   POST /queue/N/approve               as suggested          (queue_act)
 *   POST /queue/N/booking               with a corrected booking
 *   POST /queue/N/reject                with a reason code
 *   POST /queue/N/hold                  until a date, or off hold
 *   POST /queue/N/assign                to a user, or nobody
 *   POST /queue/N/comment               a comment
 *   POST /queue/N/retry                 run it again
 *   POST /queue/N/unmask                the care claim unmasked (unmask)
 *
 * Roles and the CSRF token are checked by the router before a handler
 * runs (web.h).  An action that worked answers 303 to the document's page
 * (?done=ACTION says what was done); one refused shows the page again with
 * what was wrong: 409 when someone else changed the document first ("...
 * changed by X at T - reload"), 422 for values that do not hold (a
 * booking's problems at their fields), 404 for no such document.
 */
#ifndef ULF_PAGES_HANDLERS_H
#define ULF_PAGES_HANDLERS_H

#include "robot/web/web.h"

void pages_queue_get(web_ctx *c);
void pages_invoice_get(web_ctx *c);
void pages_attachment_get(web_ctx *c);
void pages_response_get(web_ctx *c);

void pages_approve_post(web_ctx *c);
void pages_booking_post(web_ctx *c);
void pages_reject_post(web_ctx *c);
void pages_hold_post(web_ctx *c);
void pages_assign_post(web_ctx *c);
void pages_comment_post(web_ctx *c);
void pages_retry_post(web_ctx *c);
void pages_unmask_post(web_ctx *c);

/* new suppliers (pages_supplier.h) */
void pages_supplier_post(web_ctx *c);
void pages_suppliers_pending_get(web_ctx *c);
void pages_supplier_approve_post(web_ctx *c);
void pages_supplier_decline_post(web_ctx *c);

#endif
