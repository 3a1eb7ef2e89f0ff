/*
 * erp_guard.c - the circuit breaker and the set-up fault.  See erp_guard.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/pipeline/erp_guard.h"

/* Documents a run of the same 4xx remembers (more are not needed: the run
 * ends at erp_setup_rejections, at most 100). */
#define RUN_MAX 100

struct erp_guard {
	pthread_mutex_t mu;
	erp_guard_opts o;
	erp_guard_mode mode;
	int64_t since, next_probe, probe_at;
	bool probe_out;
	long wait;                  /* the current pause */
	unsigned failures;
	bool from_run;
	char reason[ERP_MESSAGE_MAX + 160];
	unsigned long changes;
	/* the run of the same rejection: its status and words, its documents */
	int run_status;
	char run_msg[ERP_MESSAGE_MAX];
	int64_t run_ids[RUN_MAX];
	size_t run_n;
	/* the run's documents that went to the queue before it told */
	int64_t recall[RUN_MAX];
	size_t recall_n;
	int recall_status;
};

const char *erp_guard_mode_name(erp_guard_mode m)
{
	switch (m) {
	case ERP_GUARD_FLOWING: return "flowing";
	case ERP_GUARD_PAUSED:  return "paused";
	case ERP_GUARD_SETUP:   return "setup";
	}
	return "unknown";
}

void erp_guard_opts_init(erp_guard_opts *out, const ulf_config *cfg)
{
	memset(out, 0, sizeof(*out));
	out->failures = (unsigned)cfg->erp_breaker_failures;
	out->wait_ms = cfg->erp_breaker_wait_ms;
	out->wait_max_ms = cfg->erp_backoff_max_ms > cfg->erp_breaker_wait_ms
			   ? cfg->erp_backoff_max_ms : cfg->erp_breaker_wait_ms;
	out->same_rejections = (unsigned)cfg->erp_setup_rejections;
}

static void set_opts(erp_guard *g, const erp_guard_opts *o)
{
	g->o = *o;
	if (g->o.failures < 1)
		g->o.failures = 1;
	if (g->o.wait_ms < 1)
		g->o.wait_ms = 1;
	if (g->o.wait_max_ms < g->o.wait_ms)
		g->o.wait_max_ms = g->o.wait_ms;
	if (g->o.same_rejections > RUN_MAX)
		g->o.same_rejections = RUN_MAX;
}

/* Back to full speed, everything forgotten but the options; g->mu held. */
static void flow(erp_guard *g)
{
	if (g->mode != ERP_GUARD_FLOWING)
		g->changes++;
	g->mode = ERP_GUARD_FLOWING;
	g->since = g->next_probe = 0;
	g->probe_out = false;
	g->wait = g->o.wait_ms;
	g->failures = 0;
	g->from_run = false;
	g->reason[0] = '\0';
}

int erp_guard_new(erp_guard **out, const erp_guard_opts *o, ulf_err *err)
{
	erp_guard *g = calloc(1, sizeof(*g));

	*out = NULL;
	if (!g)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	pthread_mutex_init(&g->mu, NULL);
	set_opts(g, o);
	flow(g);
	g->changes = 0;
	*out = g;
	return 0;
}

void erp_guard_free(erp_guard *g)
{
	if (!g)
		return;
	pthread_mutex_destroy(&g->mu);
	free(g);
}

void erp_guard_configure(erp_guard *g, const erp_guard_opts *o)
{
	pthread_mutex_lock(&g->mu);
	set_opts(g, o);
	flow(g);
	g->run_n = 0;
	g->recall_n = 0;
	pthread_mutex_unlock(&g->mu);
}

erp_gate erp_guard_gate(erp_guard *g, int64_t now_ms, bool *fresh_only)
{
	erp_gate gate = ERP_GATE_WAIT;

	if (fresh_only)
		*fresh_only = false;
	pthread_mutex_lock(&g->mu);
	/* a probe is always reported; one gone far longer than any request
	 * can take was lost by a caller that failed, and is handed out again */
	if (g->probe_out && now_ms - g->probe_at > g->o.wait_max_ms + 3600 * 1000L)
		g->probe_out = false;
	if (g->mode == ERP_GUARD_FLOWING) {
		gate = ERP_GATE_SEND;
	} else if (!g->probe_out && now_ms >= g->next_probe) {
		g->probe_out = true;
		g->probe_at = now_ms;
		if (fresh_only)
			*fresh_only = g->mode == ERP_GUARD_SETUP && g->from_run;
		gate = ERP_GATE_PROBE;
	}
	pthread_mutex_unlock(&g->mu);
	return gate;
}

void erp_guard_probe_unused(erp_guard *g)
{
	pthread_mutex_lock(&g->mu);
	g->probe_out = false;
	pthread_mutex_unlock(&g->mu);
}

/* Posting stops for a set-up fault; g->mu held. */
static void stop_for_setup(erp_guard *g, bool from_run, const char *why, int64_t now)
{
	if (g->mode != ERP_GUARD_SETUP || g->from_run != from_run) {
		g->changes++;
		g->since = now;
	}
	g->mode = ERP_GUARD_SETUP;
	g->from_run = from_run;
	g->failures = 0;
	g->next_probe = now + g->o.wait_max_ms;
	snprintf(g->reason, sizeof(g->reason), "%s", why);
}

/* A rejection: the run of the same words grows, or starts again; the
 * verdict for it.  g->mu held. */
static erp_verdict rejected(erp_guard *g, const erp_result *r, int64_t doc_id, unsigned flags,
			    int64_t now)
{
	bool words = g->run_status == r->http_status && strcmp(g->run_msg, r->message) == 0;
	bool same = g->run_n && words;
	char why[sizeof(g->reason)];
	size_t i;

	if (!g->o.same_rejections || (flags & ERP_REPORT_HELD_BEFORE))
		return ERP_VERDICT_AS_IS;
	if (g->mode == ERP_GUARD_SETUP && g->from_run)
		/* stopped for this run: one more of it (in flight when it told)
		 * waits too; another rejection is its invoice's own */
		return words ? ERP_VERDICT_SETUP : ERP_VERDICT_AS_IS;
	if (!same) {
		g->run_n = 0;
		g->run_status = r->http_status;
		snprintf(g->run_msg, sizeof(g->run_msg), "%s", r->message);
	}
	for (i = 0; i < g->run_n; i++)
		if (g->run_ids[i] == doc_id)
			return ERP_VERDICT_AS_IS;   /* the same invoice again is no run */
	if (g->run_n < RUN_MAX)
		g->run_ids[g->run_n++] = doc_id;
	if (g->run_n < g->o.same_rejections)
		return ERP_VERDICT_AS_IS;
	/* every invoice gets the same words: the set-up's fault */
	g->recall_n = 0;
	for (i = 0; i < g->run_n; i++)
		if (g->run_ids[i] != doc_id)
			g->recall[g->recall_n++] = g->run_ids[i];
	g->recall_status = r->http_status;
	snprintf(why, sizeof(why),
		 "the ERP answered %d to %zu different invoices in a row with the same words,"
		 " so the set-up is wrong, not the invoices: %.800s", r->http_status, g->run_n,
		 r->message);
	stop_for_setup(g, true, why, now);
	g->run_n = 0;
	return ERP_VERDICT_SETUP;
}

erp_verdict erp_guard_report(erp_guard *g, const erp_result *r, int64_t doc_id,
			     unsigned flags, int64_t now_ms)
{
	erp_verdict v = ERP_VERDICT_AS_IS;
	char why[sizeof(g->reason)];

	pthread_mutex_lock(&g->mu);
	if (flags & ERP_REPORT_PROBE)
		g->probe_out = false;
	switch (r->outcome) {
	case ERP_ACCEPTED:
		g->run_n = 0;
		flow(g);
		break;
	case ERP_REJECTED:
		/* the ERP answered: it is there */
		g->failures = 0;
		if (g->mode == ERP_GUARD_PAUSED || (g->mode == ERP_GUARD_SETUP && !g->from_run))
			flow(g);
		v = rejected(g, r, doc_id, flags, now_ms);
		break;
	case ERP_FAILED:
		snprintf(why, sizeof(why), "the ERP's set-up is wrong (certificate, credentials or"
			 " URL); posting stops until the configuration is fixed and reloaded: %.800s",
			 r->message);
		stop_for_setup(g, false, why, now_ms);
		break;
	case ERP_RETRY:
	default:
		if (r->http_status == 409)
			break;   /* an answer: the key is in process there */
		g->failures++;
		if (g->mode == ERP_GUARD_FLOWING && g->failures < g->o.failures)
			break;
		if (g->mode == ERP_GUARD_FLOWING || (g->mode == ERP_GUARD_SETUP &&
						     (flags & ERP_REPORT_PROBE))) {
			/* a run of failures, or a set-up mended and an ERP not there */
			g->changes++;
			g->mode = ERP_GUARD_PAUSED;
			g->from_run = false;
			g->since = now_ms;
			g->wait = g->o.wait_ms;
		} else if (g->mode == ERP_GUARD_PAUSED && (flags & ERP_REPORT_PROBE)) {
			g->wait = g->wait > g->o.wait_max_ms / 2 ? g->o.wait_max_ms : g->wait * 2;
		} else {
			break;   /* in flight when posting paused: nothing new */
		}
		g->next_probe = now_ms + g->wait;
		snprintf(g->reason, sizeof(g->reason),
			 "the ERP is not answering (%u failures in a row); posting pauses and"
			 " probes every %ld ms: %.800s", g->failures, g->wait, r->message);
		break;
	}
	pthread_mutex_unlock(&g->mu);
	return v;
}

size_t erp_guard_take_recall(erp_guard *g, int64_t *ids, size_t max, int *http_status)
{
	size_t n;

	pthread_mutex_lock(&g->mu);
	n = g->recall_n < max ? g->recall_n : max;
	memcpy(ids, g->recall, n * sizeof(*ids));
	*http_status = g->recall_status;
	g->recall_n = 0;
	pthread_mutex_unlock(&g->mu);
	return n;
}

void erp_guard_status_get(erp_guard *g, erp_guard_status *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&g->mu);
	out->mode = g->mode;
	out->since_ms = g->since;
	out->next_probe_ms = g->next_probe;
	out->probing = g->probe_out;
	out->failures = g->failures;
	out->from_rejections = g->mode == ERP_GUARD_SETUP && g->from_run;
	memcpy(out->reason, g->reason, sizeof(out->reason));
	out->changes = g->changes;
	pthread_mutex_unlock(&g->mu);
}
