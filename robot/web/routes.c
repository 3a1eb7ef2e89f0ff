/*
 * routes.c - the pages of the workbench and who may open them: the one
 * list of them (web.h, web_route).  The workbench's own doors (login,
 * logout, assets, health) are in web.c; the queue's handlers are
 * pages_handlers.c, the dashboard's pages_dashboard.c.
 *
 * The permission is checked by the router on every request, before the
 * handler runs: a controller's or an administrator's POST to an action
 * is refused (403) however it was made, and only a care handler reaches
 * the unmasking of a care claim.
 */
#include "robot/web/pages_dashboard.h"
#include "robot/web/pages_handlers.h"
#include "robot/web/web.h"

const web_route web_page_routes[] = {
	{ "GET", "/queue", AUTH_QUEUE_VIEW, pages_queue_get },
	{ "GET", "/queue/{id:int}", AUTH_QUEUE_VIEW, pages_invoice_get },
	{ "GET", "/queue/{id:int}/attachment/{n:int}", AUTH_QUEUE_VIEW, pages_attachment_get },
	{ "GET", "/queue/{id:int}/response.xml", AUTH_QUEUE_VIEW, pages_response_get },
	{ "POST", "/queue/{id:int}/approve", AUTH_QUEUE_ACT, pages_approve_post },
	{ "POST", "/queue/{id:int}/booking", AUTH_QUEUE_ACT, pages_booking_post },
	{ "POST", "/queue/{id:int}/reject", AUTH_QUEUE_ACT, pages_reject_post },
	{ "POST", "/queue/{id:int}/hold", AUTH_QUEUE_ACT, pages_hold_post },
	{ "POST", "/queue/{id:int}/assign", AUTH_QUEUE_ACT, pages_assign_post },
	{ "POST", "/queue/{id:int}/comment", AUTH_QUEUE_ACT, pages_comment_post },
	{ "POST", "/queue/{id:int}/retry", AUTH_QUEUE_ACT, pages_retry_post },
	{ "POST", "/queue/{id:int}/unmask", AUTH_UNMASK, pages_unmask_post },
	{ "POST", "/queue/{id:int}/supplier", AUTH_QUEUE_ACT, pages_supplier_post },
	{ "GET", "/suppliers/pending", AUTH_QUEUE_VIEW, pages_suppliers_pending_get },
	{ "POST", "/suppliers/{id:int}/approve", AUTH_QUEUE_ACT, pages_supplier_approve_post },
	{ "POST", "/suppliers/{id:int}/decline", AUTH_QUEUE_ACT, pages_supplier_decline_post },
	{ "GET", "/dashboard", AUTH_DASHBOARD, pages_dashboard_get },
	{ "GET", "/dashboard/{page}", AUTH_DASHBOARD, pages_dashboard_page_get },
};

const size_t web_page_nroutes = sizeof(web_page_routes) / sizeof(web_page_routes[0]);
