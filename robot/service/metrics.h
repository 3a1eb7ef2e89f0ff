/*
 * metrics.h - the dashboard's figures as Prometheus metrics, for /metrics
 * (docs/dashboard.md lists them; docs/grafana/ulf.json draws them).
 *
 * Labelled by region (the buyer's org number or Peppol id) and flow
 * only, with `le`, `age` or `due` where a metric is a set of buckets: no
 * supplier, handler, document or person is ever a label.  Counters count
 * since the rollups began; gauges are the queue now and this month's
 * rates.  Everything comes from the rollups: a scrape reads no document.
 */
#ifndef ULF_METRICS_H
#define ULF_METRICS_H

#include <stdint.h>

#include "core/dynbuf.h"
#include "core/err.h"
#include "robot/store/store.h"

/*
 * The unit's indicators (the supplier tail over twelve months, contract
 * compliance) take the longest to read and change the slowest: a scrape
 * takes them from here when they are younger than METRICS_UNIT_TTL
 * seconds.  A zeroed cache is empty; its owner keeps one per store and
 * calls metrics_cache_release when done.
 */
#define METRICS_UNIT_TTL 600

typedef struct metrics_cache {
	dynbuf text;
	int64_t at;            /* when text was made; 0: never */
} metrics_cache;

void metrics_cache_release(metrics_cache *c);

/* Appends the metrics as of `now` (seconds since the epoch) to out; cache
 * may be NULL (everything read now). */
int metrics_dashboard(dynbuf *out, store *s, int64_t now, metrics_cache *cache,
		      ulf_err *err);

#endif
