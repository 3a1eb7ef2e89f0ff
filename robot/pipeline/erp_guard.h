/*
 * erp_guard.h - when posting goes ahead, pauses, or stops: the circuit
 * breaker in front of the ERP, and the set-up fault.
 *
 * Every posting's outcome is reported here.  A run of failures (5xx, 429,
 * timeouts, no connection: erp_breaker_failures in a row) pauses posting:
 * the ERP is left alone for erp_breaker_wait_ms, then one posting goes as
 * a probe; an answer resumes full speed, another failure doubles the
 * pause (up to erp_backoff_max_ms).  A set-up fault - TLS verification, a
 * client certificate refused, a 401 after a fresh token, 403/404 (any
 * ERP_FAILED), or the same 4xx word for word for erp_setup_rejections
 * different invoices in a row - stops posting until the configuration is
 * reloaded (erp_guard_configure, on SIGHUP); it is probed now and then
 * too, in case the ERP's side was mended.  The documents wait meanwhile:
 * none goes to the exception queue because of the ERP's state.
 *
 * One guard serves every posting thread of a process (it locks itself);
 * time is the caller's, in milliseconds, so tests drive it with a fake
 * clock.  docs/erp.md ("When the ERP is not there") is the operator's view.
 */
#ifndef ULF_ERP_GUARD_H
#define ULF_ERP_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "connectors/erp.h"
#include "core/err.h"
#include "robot/config/config.h"

typedef struct erp_guard erp_guard;

typedef struct erp_guard_opts {
	unsigned failures;          /* failures in a row that pause posting (>= 1) */
	long wait_ms;               /* the first pause before a probe */
	long wait_max_ms;           /* the longest pause; a set-up fault is probed this often */
	unsigned same_rejections;   /* the same 4xx for this many different invoices in a
				     * row is a set-up fault; 0: never */
} erp_guard_opts;

/* The options the configuration asks for. */
void erp_guard_opts_init(erp_guard_opts *out, const ulf_config *cfg);

int erp_guard_new(erp_guard **out, const erp_guard_opts *o, ulf_err *err);
void erp_guard_free(erp_guard *g);   /* NULL does nothing */

/* New options (a reload): a set-up fault and a pause are forgotten, and
 * posting is tried again at once. */
void erp_guard_configure(erp_guard *g, const erp_guard_opts *o);

typedef enum erp_gate {
	ERP_GATE_SEND = 0,   /* post as usual */
	ERP_GATE_PROBE,      /* post one document, the probe, and report it with
			      * ERP_REPORT_PROBE (or erp_guard_probe_unused) */
	ERP_GATE_WAIT        /* post nothing now */
} erp_gate;

/* Whether to post now.  With ERP_GATE_PROBE, *fresh_only (optional) says
 * the probe must be a document never sent (a run of the same 4xx is being
 * probed: one of the held ones would only say the same again). */
erp_gate erp_guard_gate(erp_guard *g, int64_t now_ms, bool *fresh_only);

/* The probe handed out found nothing to post. */
void erp_guard_probe_unused(erp_guard *g);

enum {
	ERP_REPORT_PROBE = 1,       /* this posting was the probe */
	ERP_REPORT_HELD_BEFORE = 2  /* held once for a run of the same 4xx: its
				     * rejection now is its own, not a run's */
};

typedef enum erp_verdict {
	ERP_VERDICT_AS_IS = 0,      /* the outcome stands */
	ERP_VERDICT_SETUP           /* a rejection that is the set-up's fault: hold it */
} erp_verdict;

/* One posting's outcome, for document `doc_id`. */
erp_verdict erp_guard_report(erp_guard *g, const erp_result *r, int64_t doc_id,
			     unsigned flags, int64_t now_ms);

/*
 * The documents whose rejections made a run the set-up's fault, before
 * the one that told (they went to the queue): up to max of them into ids,
 * with their HTTP status in *http_status; the list is emptied.  The
 * pipeline takes them back (store_posting_recall).
 */
size_t erp_guard_take_recall(erp_guard *g, int64_t *ids, size_t max, int *http_status);

typedef enum erp_guard_mode {
	ERP_GUARD_FLOWING = 0,      /* posting at full speed */
	ERP_GUARD_PAUSED,           /* a run of failures: waiting to probe */
	ERP_GUARD_SETUP             /* a set-up fault: stopped until a reload */
} erp_guard_mode;

typedef struct erp_guard_status {
	erp_guard_mode mode;
	int64_t since_ms;           /* when posting paused or stopped (0: flowing) */
	int64_t next_probe_ms;      /* when the next probe may go */
	bool probing;               /* a probe is out */
	unsigned failures;          /* failures in a row now */
	bool from_rejections;       /* SETUP: a run of the same 4xx */
	char reason[ERP_MESSAGE_MAX + 160];  /* why, in words, with the last message */
	unsigned long changes;      /* one more at each change of mode: a logger compares */
} erp_guard_status;

void erp_guard_status_get(erp_guard *g, erp_guard_status *out);

const char *erp_guard_mode_name(erp_guard_mode m);   /* "flowing", "paused", "setup" */

#endif
