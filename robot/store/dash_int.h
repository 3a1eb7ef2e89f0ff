/*
 * dash_int.h - what rollup.c (which writes the dashboard's tables) and
 * dashboard.c (which reads them) share: the tables' names and columns.
 * Not for callers: they use dashboard.h and rollup.h.
 *
 * The tables (module "dashboard", made by rollup_migrate):
 *
 *   dash_docs      one row per document the rollups have seen: what was
 *                  counted for it and under which keys, so that a later
 *                  event adds or takes back exactly that
 *   dash_counts    the counters of dashboard.h's dash_counts, by grain
 *                  ('d' a day, 'm' a month: period is its first day),
 *                  cost centre, region and flow.  Rows with cc '*' hold
 *                  every cost centre; they are kept per day and per month,
 *                  the rows of one cost centre per day only
 *   dash_reasons   queue entries per reason code, keyed the same way
 *   dash_suppliers per supplier: decided, touchless, queue entries, and
 *                  the spend by invoice date, keyed the same way, and per
 *                  month with region '*' for all regions
 *   dash_handlers  persons' actions per handler, by grain, period, region
 *   dash_names     a supplier's name, as its latest invoice gives it
 *   dash_queue_age, dash_queue_due, dash_queue_reason
 *                  the queue now: documents by day of receipt, by due day,
 *                  by reason code, under their cost centre and under '*';
 *                  added to as they enter, taken from as they leave
 */
#ifndef ULF_DASH_INT_H
#define ULF_DASH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "robot/store/dashboard.h"

/* The cost centre key of the rows that hold them all. */
#define DASH_ALL_CC "*"

/* The region key of dash_suppliers' rows that hold them all (per month,
 * of all cost centres only). */
#define DASH_ALL_REGION "*"

/* The due day of a queued invoice that gives none. */
#define DASH_NO_DAY (-1000000)

/* Column i of dash_counts (the dash_counts fields, in order). */
const char *dash_count_col(int i);

/* ", c0, c1, ..." for a SELECT list of sums: ", SUM(c0), SUM(c1)..." */
const char *dash_count_sums(void);

/* The counts as an array of DASH_NCOUNTS int64 (the struct is exactly
 * that, checked at compile time in rollup.c). */
static inline int64_t *dash_counts_arr(dash_counts *c)
{
	return (int64_t *)(void *)c;
}

/* Whether an org number is a personal identity number (a sole trader's):
 * ten digits whose third and fourth are a month. */
bool dash_is_personal(const char *org);

#endif
