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

/* Appends the metrics as of `now` (seconds since the epoch) to out. */
int metrics_dashboard(dynbuf *out, store *s, int64_t now, ulf_err *err);

#endif
