/*
 * service.c - the long-running robot.  See service.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "core/json.h"
#include "core/httpd.h"
#include "core/pnr.h"
#include "core/text.h"
#include "robot/pipeline/inbox.h"
#include "robot/pipeline/intake.h"
#include "robot/pipeline/pipeline.h"
#include "robot/pipeline/supplier_reg.h"
#include "robot/service/metrics.h"
#include "robot/service/service.h"
#include "robot/store/store.h"
#include "robot/store/users.h"
#include "robot/web/web.h"

#define POSTERS_MAX 2

/*
 * A posting thread: it posts the ready documents of its shard (id % n),
 * with a store connection, pipeline and ERP client of its own (which keeps
 * several requests in flight), so that the ERP's answer time does not
 * bound the robot's rate.  The main loop takes documents up to `ready` and
 * wakes the thread whose shard it is.  The service runs two.
 */
typedef struct poster {
	unsigned shard, nshards;
	store *s;
	pipeline *p;
	pthread_t thread;
	int wake[2];
	atomic_bool stop;
	bool running;
} poster;

typedef struct service {
	ulf_config cfg;
	const char *config_path;
	store *s;
	pipeline *p;
	inbox_opts inbox;
	int inotify_fd;
	httpd *http;
	store *http_store;      /* the HTTP threads' reads, under http_lock */
	users *http_users;      /* the senders' tokens, on http_store */
	metrics_cache metrics;  /* /metrics' slow figures, under http_lock */
	pthread_mutex_t http_lock;
	int64_t refused_logged; /* the last request without credentials logged */
	web *web;               /* the workbench, on web_listen */
	store *intake_store;    /* the HTTP threads' writes, through `in` */
	intake *in;
	int wake[2];            /* the HTTP threads tell the loop there is work */
	poster posters[POSTERS_MAX];
	unsigned nposters;
	erp_guard *guard;       /* one for every pipeline: posting pauses or stops for all */
	unsigned long guard_changes;   /* the guard's changes already logged */
	pthread_mutex_t write_lock;   /* the store connections above take turns */
	volatile sig_atomic_t stop;
	volatile sig_atomic_t reload;
} service;

/* The signal handlers' only way to the context: set once, before they are
 * installed, and only read by them. */
static service *signal_target;

static void on_stop(int sig)
{
	(void)sig;
	if (signal_target)
		signal_target->stop = 1;
}

static void on_reload(int sig)
{
	(void)sig;
	if (signal_target)
		signal_target->reload = 1;
}

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void log_line(const char *level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A log line's text beyond this is cut (a path, an error: far less). */
#define LOG_LINE_MAX 4096

static void log_line(const char *level, const char *fmt, ...)
{
	char stamp[32], text[LOG_LINE_MAX], shown[LOG_LINE_MAX];
	time_t t = time(NULL);
	struct tm tm;
	va_list ap;
	int n;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		snprintf(text, sizeof(text), "(a log line that could not be written)");
	else if (n >= (int)sizeof(text))
		text[text_utf8_cut(text, strlen(text))] = '\0';
	/* file names and messages come from outside: personal identity
	 * numbers are never logged */
	pnr_mask_into(shown, sizeof(shown), text, strlen(text));
	fprintf(stderr, "%s ulf[%ld] %s: %s\n", stamp, (long)getpid(), level, shown);
}

static void report(const inbox_event *ev, void *ctx)
{
	(void)ctx;
	if (ev->error)
		log_line("warning", "%s: left in the inbox: %s", ev->path, ev->error);
	else if (ev->stored_but)
		log_line("warning", "%s: stored as document %lld; processing resumes later: %s",
			 ev->path, (long long)ev->id, ev->stored_but);
	else
		log_line("info", "%s: document %lld %s%s", ev->path, (long long)ev->id,
			 store_state_name(ev->state), ev->resend ? " (duplicate bytes, a resend)"
			 : ev->duplicate ? " (duplicate bytes)" : "");
}

static void drain(int fd);

static void *poster_main(void *arg)
{
	poster *po = arg;
	ulf_err err;
	char name[16];

	/* for top -H and perf: which thread is which */
	snprintf(name, sizeof(name), "ulf-post-%u", po->shard);
	pthread_setname_np(pthread_self(), name);

	while (!atomic_load(&po->stop)) {
		struct pollfd pfd = { .fd = po->wake[0], .events = POLLIN };
		bool more = false;
		size_t n;

		ulf_err_clear(&err);
		if (pipeline_post_due(&n, &more, po->p, wall_ms() / 1000, po->shard, po->nshards,
				      32, &err)) {
			log_line("error", "posting: %s", err.msg);
			more = false;
		}
		if (more)
			continue;
		/* woken when a document of this shard is ready; a retry that
		 * comes due is found on the next round */
		if (poll(&pfd, 1, 1000) > 0)
			drain(po->wake[0]);
	}
	return NULL;
}

static void wake_poster(void *ctx, int64_t id)
{
	service *sv = ctx;
	poster *po = &sv->posters[(uint64_t)id % sv->nposters];

	if (write(po->wake[1], "r", 1) < 0) {
		/* the pipe is full: the thread has been woken already */
	}
}

static void posters_stop(service *sv)
{
	unsigned i;

	for (i = 0; i < sv->nposters; i++) {
		poster *po = &sv->posters[i];
		if (po->running) {
			atomic_store(&po->stop, true);
			if (write(po->wake[1], "s", 1) < 0) {
				/* full: it wakes anyway */
			}
			pthread_join(po->thread, NULL);
			po->running = false;
		}
		pipeline_free(po->p);
		store_close(po->s);
		if (po->wake[0] >= 0)
			close(po->wake[0]);
		if (po->wake[1] >= 0)
			close(po->wake[1]);
		memset(po, 0, sizeof(*po));
	}
	sv->nposters = 0;
	if (sv->p)
		pipeline_on_ready(sv->p, NULL, NULL);
}

/*
 * Starts the posting threads for pipeline sv->p (two; one when
 * erp_connections is 1), which then leaves posting to them.  Without an
 * ERP nothing starts.  On failure the ones started are stopped again and
 * sv->p goes on posting by itself.
 */
static int posters_start(service *sv, ulf_err *err)
{
	sigset_t all, old;
	/* two threads, so that one records answers while the other waits for
	 * the ERP; each ERP client keeps its share of erp_connections in
	 * flight */
	unsigned i, n = sv->cfg.erp_connections >= 2 ? 2 : 1;
	ulf_config pc = sv->cfg;
	int rc = 0;

	if (!sv->cfg.erp_url[0])
		return 0;
	pc.erp_connections = (sv->cfg.erp_connections + (long)n - 1) / (long)n;
	/* signals are the main loop's: the threads never take one */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < n && rc == 0; i++) {
		poster *po = &sv->posters[i];

		po->wake[0] = po->wake[1] = -1;
		sv->nposters = i + 1;
		po->shard = i;
		po->nshards = n;
		atomic_init(&po->stop, false);
		if (pipe2(po->wake, O_NONBLOCK | O_CLOEXEC) < 0) {
			rc = ulf_err_set(err, ULF_EIO, "pipe: %s", strerror(errno));
			break;
		}
		rc = store_open(&po->s, sv->cfg.store_backend, sv->cfg.store_path, err);
		if (rc == 0) {
			store_set_write_lock(po->s, &sv->write_lock);
			rc = pipeline_new(&po->p, po->s, &pc, err);
		}
		if (rc == 0)
			pipeline_share_guard(po->p, sv->guard);
		if (rc == 0 && pthread_create(&po->thread, NULL, poster_main, po) != 0)
			rc = ulf_err_set(err, ULF_ERROR, "cannot start a posting thread");
		if (rc == 0)
			po->running = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		posters_stop(sv);
		return rc;
	}
	pipeline_leave_posting(sv->p);
	pipeline_on_ready(sv->p, wake_poster, sv);
	return 0;
}

/*
 * SIGHUP: the new configuration and everything it names (rules files) are
 * built beside the running ones and swapped in only when all of it loads;
 * otherwise the robot goes on as it was.  Between documents, so no work in
 * hand sees two configurations.
 */
static void do_reload(service *sv)
{
	ulf_config next;
	pipeline *np = NULL;
	ulf_err err;

	ulf_err_clear(&err);
	if (!sv->config_path) {
		log_line("info", "SIGHUP: no configuration file to reload");
		return;
	}
	if (config_reload(&next, &sv->cfg, sv->config_path, &err)) {
		log_line("error", "reload refused, keeping the running configuration: %s", err.msg);
		return;
	}
	if (pipeline_new(&np, sv->s, &next, &err)) {
		log_line("error", "reload refused, keeping the running configuration: %s", err.msg);
		return;
	}
	pipeline_share_guard(np, sv->guard);
	/* the posting threads finish the posting in hand and start again
	 * with the new pipeline's configuration */
	posters_stop(sv);
	pipeline_free(sv->p);
	sv->p = np;
	/* the configuration may mend a set-up fault: posting goes again, and
	 * stops again at once if it does not */
	{
		erp_guard_status gs;
		erp_guard_opts go;

		erp_guard_status_get(sv->guard, &gs);
		erp_guard_opts_init(&go, &next);
		erp_guard_configure(sv->guard, &go);
		if (gs.mode != ERP_GUARD_FLOWING)
			log_line("info", "erp: posting goes again with the reloaded configuration");
	}
	/* the inbox and store cannot change on reload; limits and rules can */
	sv->cfg = next;
	if (posters_start(sv, &err)) {
		log_line("error", "posting threads: %s; the main loop posts", err.msg);
		ulf_err_clear(&err);
	}
	sv->inbox.max_bytes = next.xml_max_bytes;
	log_line("info", "configuration reloaded from %s", sv->config_path);
}

static void drain(int fd)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));

	/* events only say "look again": the scan decides what is settled */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* A time of the pipeline's clock (wall milliseconds) as people read it. */
static void stamp_text(char *out, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Says, once, each time posting pauses, stops or goes again. */
static void log_guard(service *sv)
{
	erp_guard_status gs;
	char since[32];

	erp_guard_status_get(sv->guard, &gs);
	if (gs.changes == sv->guard_changes)
		return;
	sv->guard_changes = gs.changes;
	stamp_text(since, sizeof(since), gs.since_ms);
	if (gs.mode == ERP_GUARD_FLOWING)
		log_line("info", "erp: posting goes again at full speed");
	else if (gs.mode == ERP_GUARD_PAUSED)
		log_line("warning", "erp: posting paused since %s: %s", since, gs.reason);
	else
		log_line("error", "erp: posting stopped since %s by a set-up fault; the invoices"
			 " wait until the configuration is fixed and reloaded (SIGHUP): %s", since,
			 gs.reason);
}

/*
 * GET /health: "ok", or "degraded" while posting pauses or stops, with
 * the reason, since when, and what waits.  200 either way: documents are
 * still taken in.
 */
static void health(httpd_response *out, service *sv)
{
	erp_guard_status gs;
	store_erp_wait w;
	char since[32], *text = NULL;
	int64_t now = wall_ms();
	size_t len = 0;
	ulf_err err;
	FILE *f;
	int rc;

	erp_guard_status_get(sv->guard, &gs);
	if (gs.mode == ERP_GUARD_FLOWING) {
		httpd_reply(out, 200, "text/plain", "ok\n");
		return;
	}
	ulf_err_clear(&err);
	pthread_mutex_lock(&sv->http_lock);
	rc = store_erp_waiting(&w, sv->http_store, &err);
	pthread_mutex_unlock(&sv->http_lock);
	f = open_memstream(&text, &len);
	if (!f) {
		httpd_reply(out, 500, "text/plain", "out of memory\n");
		return;
	}
	stamp_text(since, sizeof(since), gs.since_ms);
	fprintf(f, "degraded\nerp: posting %s since %s (%lld s): %s\n",
		gs.mode == ERP_GUARD_SETUP ? "stopped by a set-up fault" : "paused", since,
		(long long)((now - gs.since_ms) / 1000), gs.reason);
	if (gs.probing)
		fprintf(f, "erp: a probe is out\n");
	else if (gs.next_probe_ms > now)
		fprintf(f, "erp: next probe in %lld s\n", (long long)((gs.next_probe_ms - now + 999) / 1000));
	if (rc == 0)
		fprintf(f, "waiting for the ERP: %lld documents (%lld with an unknown outcome,"
			" %lld held for the set-up)\n", (long long)w.waiting, (long long)w.unknown,
			(long long)w.held);
	else
		fprintf(f, "waiting for the ERP: not known now: %s\n", err.msg);
	fclose(f);
	out->status = 200;
	out->content_type = "text/plain";
	out->body = text;
	out->body_len = len;
}

static void metrics(httpd_response *out, service *sv)
{
	int64_t counts[ST_COUNT_], automatic = 0, decided = 0, resends = 0;
	erp_guard_status gs;
	store_erp_wait w;
	char *text = NULL;
	size_t len = 0;
	dynbuf dash;
	FILE *f;
	ulf_err err;
	int i;

	ulf_err_clear(&err);
	/* the dashboard's figures (robot/service/metrics.h), from the rollups */
	dynbuf_init(&dash, 1u << 24);
	pthread_mutex_lock(&sv->http_lock);
	if (store_count_states(counts, sv->http_store, &err) ||
	    store_automation(&automatic, &decided, sv->http_store, &err) ||
	    store_count_resends(&resends, sv->http_store, &err) ||
	    store_erp_waiting(&w, sv->http_store, &err) ||
	    metrics_dashboard(&dash, sv->http_store, (int64_t)time(NULL), &sv->metrics, &err)) {
		pthread_mutex_unlock(&sv->http_lock);
		dynbuf_release(&dash);
		httpd_reply(out, 503, "text/plain", err.msg);
		return;
	}
	pthread_mutex_unlock(&sv->http_lock);
	f = open_memstream(&text, &len);
	if (!f) {
		dynbuf_release(&dash);
		httpd_reply(out, 500, "text/plain", "out of memory\n");
		return;
	}
	fprintf(f, "# HELP ulf_documents Documents in the store by state.\n"
		   "# TYPE ulf_documents gauge\n");
	for (i = 1; i < ST_COUNT_; i++)
		fprintf(f, "ulf_documents{state=\"%s\"} %lld\n", store_state_name((doc_state)i),
			(long long)counts[i]);
	erp_guard_status_get(sv->guard, &gs);
	fprintf(f, "# HELP ulf_erp_waiting Documents waiting for the ERP (state erp_wait).\n"
		   "# TYPE ulf_erp_waiting gauge\nulf_erp_waiting %lld\n"
		   "# HELP ulf_erp_outcome_unknown Postings sent with no answer: the ERP may have"
		   " booked them; waiting, or in the queue.\n"
		   "# TYPE ulf_erp_outcome_unknown gauge\n"
		   "ulf_erp_outcome_unknown{where=\"erp_wait\"} %lld\n"
		   "ulf_erp_outcome_unknown{where=\"exception\"} %lld\n"
		   "# HELP ulf_erp_held Documents held for a set-up fault.\n"
		   "# TYPE ulf_erp_held gauge\nulf_erp_held %lld\n"
		   "# HELP ulf_erp_posting Posting: 0 at full speed, 1 paused (failures), 2 stopped"
		   " (set-up fault).\n"
		   "# TYPE ulf_erp_posting gauge\nulf_erp_posting %d\n"
		   "# HELP ulf_erp_paused_seconds How long posting has been paused or stopped.\n"
		   "# TYPE ulf_erp_paused_seconds gauge\nulf_erp_paused_seconds %lld\n",
		(long long)w.waiting, (long long)w.unknown, (long long)w.unknown_queued,
		(long long)w.held, (int)gs.mode,
		gs.since_ms ? (long long)((wall_ms() - gs.since_ms) / 1000) : 0LL);
	fprintf(f, "# HELP ulf_posted_untouched Documents posted with no person's action.\n"
		   "# TYPE ulf_posted_untouched gauge\nulf_posted_untouched %lld\n"
		   "# HELP ulf_decided Documents posted, rejected or in the exception queue.\n"
		   "# TYPE ulf_decided gauge\nulf_decided %lld\n",
		(long long)automatic, (long long)decided);
	fprintf(f, "# HELP ulf_resends_total Documents received again with the same bytes.\n"
		   "# TYPE ulf_resends_total counter\nulf_resends_total %lld\n", (long long)resends);
	/* the rate in integer ten-thousandths: no floating point in ulf */
	if (decided) {
		int64_t r = automatic * 10000 / decided;
		fprintf(f, "# HELP ulf_automation_rate Share of decided documents that needed no hand.\n"
			   "# TYPE ulf_automation_rate gauge\nulf_automation_rate %lld.%04lld\n",
			(long long)(r / 10000), (long long)(r % 10000));
	}
	if (dynbuf_len(&dash))
		fputs(dynbuf_ptr(&dash), f);
	dynbuf_release(&dash);
	fclose(f);
	out->status = 200;
	out->content_type = "text/plain; version=0.0.4";
	out->body = text;
	out->body_len = len;
}

/* ---- who may use the HTTP API ---------------------------------------------- */

/*
 * Who a request's credentials name (the head hook leaves it for the
 * handler): a bearer token (`ulf token add`) or a client certificate that
 * verified against http_client_ca_file (its common name; it opens what an
 * intake token opens).  Only /health is open; /metrics also answers a
 * loopback client without credentials.
 */
typedef struct caller {
	char name[USERS_NAME_MAX + 1];
	users_scope scope;          /* 0: nobody (loopback /metrics) */
} caller;

/* The source recorded for a sender's document: it reads only its own. */
static void sender_source(char *out, size_t n, const caller *who)
{
	snprintf(out, n, "http:%s", who->name);
}

static void json_error(httpd_response *out, int status, const char *msg)
{
	ujson *o = ujson_object();
	char *text = NULL;

	/* the reason may quote the sender's name, which need not be UTF-8:
	 * then the refusal goes out without it */
	if (o && ujson_set_str(o, "error", msg) == 0)
		text = ujson_dump(o, UJSON_COMPACT);
	ujson_free(o);
	httpd_reply(out, status, "application/json", text ? text : "{\"error\":\"refused\"}\n");
	free(text);
}

/* A refusal for want of credentials, logged at most once a minute (a
 * flood of them must not flood the log). */
static void refuse(httpd_response *out, service *sv, const httpd_request *req, int status,
		   const char *why)
{
	char addr[64];
	int64_t now = wall_ms() / 1000;

	httpd_client_addr(addr, sizeof(addr), req);
	pthread_mutex_lock(&sv->http_lock);
	if (now - sv->refused_logged >= 60) {
		sv->refused_logged = now;
		log_line("warning", "HTTP: %s %s from %s refused (%d): %s; more such refusals are "
			 "not logged for a minute", httpd_method(req), httpd_path(req), addr,
			 status, why);
	}
	pthread_mutex_unlock(&sv->http_lock);
	json_error(out, status, why);
	if (status == 401)
		httpd_add_header(out, "WWW-Authenticate", "Bearer realm=\"ulf\"");
}

/* The token after "Bearer " in the Authorization header, or NULL. */
static const char *bearer(const httpd_request *req)
{
	const char *a = httpd_header(req, "Authorization");

	if (!a || strncasecmp(a, "Bearer ", 7) != 0)
		return NULL;
	a += 7;
	while (*a == ' ')
		a++;
	return a;
}

/*
 * The caller's credentials into *who: 0 and who->scope set, or 0 with
 * scope 0 when there are none, or an error of the store.
 */
static int find_caller(caller *who, service *sv, const httpd_request *req, ulf_err *err)
{
	const char *token = bearer(req), *cn = httpd_client_cert(req);
	token_info ti;
	int rc = 0;

	memset(who, 0, sizeof(*who));
	if (token) {
		pthread_mutex_lock(&sv->http_lock);
		rc = users_token_find(&ti, sv->http_users, token, wall_ms() / 1000, err);
		pthread_mutex_unlock(&sv->http_lock);
		if (rc == ULF_ENOTFOUND)
			return 0;
		if (rc)
			return rc;
		snprintf(who->name, sizeof(who->name), "%s", ti.name);
		who->scope = ti.scope;
		return 0;
	}
	if (cn && users_name_ok(cn)) {
		snprintf(who->name, sizeof(who->name), "%s", cn);
		who->scope = USERS_SCOPE_INTAKE;
	}
	return 0;
}

/* The route of a request: what it asks for, so the head hook can check
 * its credentials before the body is read. */
enum http_route { R_NONE, R_HEALTH, R_METRICS, R_RECEIVE, R_DOCUMENT };

static enum http_route route_of(const httpd_request *req, int *status)
{
	const char *m = httpd_method(req), *path = httpd_path(req);
	int get = !strcmp(m, "GET") || !strcmp(m, "HEAD");
	enum http_route r = R_NONE;
	web_params p;

	if (!strcmp(path, "/health"))
		r = R_HEALTH;
	else if (!strcmp(path, "/metrics"))
		r = R_METRICS;
	else if (!strcmp(path, "/documents"))
		r = R_RECEIVE;
	else if (web_route_match(&p, "/documents/{id:int}", path))
		r = R_DOCUMENT;
	*status = r == R_NONE ? 404 : 405;
	if (r == R_NONE || (r == R_RECEIVE && strcmp(m, "POST")) || (r != R_RECEIVE && r != R_NONE && !get))
		return R_NONE;
	*status = 200;
	return r;
}

static void on_http_head(httpd_response *out, httpd_request *req, void *ctx)
{
	service *sv = ctx;
	caller *who;
	enum http_route r;
	int status;
	ulf_err err;

	ulf_err_clear(&err);
	if (!httpd_path_ok(httpd_path(req))) {
		json_error(out, 400, "bad path");
		return;
	}
	r = route_of(req, &status);
	if (r == R_NONE) {
		json_error(out, status, status == 405 ? "method not allowed" : "not found");
		if (status == 405)
			httpd_add_header(out, "Allow", !strcmp(httpd_path(req), "/documents")
						       ? "POST" : "GET, HEAD");
		return;
	}
	if (r == R_HEALTH)
		return;
	who = calloc(1, sizeof(*who));
	if (!who) {
		json_error(out, 503, "out of memory");
		return;
	}
	httpd_set_data(req, who, free);
	if (find_caller(who, sv, req, &err)) {
		log_line("error", "HTTP: tokens: %s", err.msg);
		json_error(out, 503, "the store does not answer");
		return;
	}
	if (r == R_METRICS) {
		if (who->scope == USERS_SCOPE_METRICS || who->scope == USERS_SCOPE_API ||
		    httpd_client_loopback(req))
			return;
		if (who->scope)
			refuse(out, sv, req, 403, "this token's scope does not open /metrics");
		else
			refuse(out, sv, req, 401, "/metrics needs a token (ulf token add NAME "
			       "--scope metrics) unless asked from loopback");
		return;
	}
	if (who->scope == USERS_SCOPE_INTAKE || who->scope == USERS_SCOPE_API)
		return;
	if (who->scope)
		refuse(out, sv, req, 403, "this token's scope does not open /documents");
	else
		refuse(out, sv, req, 401, bearer(req) ? "invalid token"
				     : "a sender's token is needed (Authorization: Bearer ..., "
				       "from ulf token add NAME) or a client certificate");
}

static void receive(httpd_response *out, const httpd_request *req, service *sv)
{
	const caller *who = httpd_data(req);
	const char *name = httpd_query(req, "name");
	size_t len;
	const char *body = httpd_body(req, &len);
	char source[USERS_NAME_MAX + 8];
	int64_t id;
	bool dup;
	ulf_err err;
	ujson *o;
	char *text;
	int rc;

	ulf_err_clear(&err);
	if (len == 0) {
		httpd_reply(out, 400, "application/json", "{\"error\":\"empty body\"}\n");
		return;
	}
	sender_source(source, sizeof(source), who);
	/* stored and synced before the sender hears 202: then it is ours */
	if (intake_receive_from(&id, &dup, sv->in, source, who->name,
				name ? name : "http-post", body, len, (int64_t)time(NULL), &err)) {
		log_line("error", "HTTP intake refused: %s", err.msg);
		json_error(out, 503, err.msg);
		return;
	}
	if (write(sv->wake[1], "w", 1) < 0) {
		/* the loop's next tick finds it anyway */
	}
	o = ujson_object();
	rc = o ? ujson_set_int(o, "id", id) : ULF_ENOMEM;
	if (rc == 0)
		rc = ujson_set_bool(o, "duplicate", dup);
	text = rc ? NULL : ujson_dump(o, UJSON_COMPACT);
	ujson_free(o);
	/* the document is stored whatever the body says: the status is the
	 * answer the sender acts on, so it goes out even without the body */
	if (!text)
		log_line("error", "HTTP intake: document %lld taken, but its reply could not be"
			 " built (out of memory)", (long long)id);
	httpd_reply(out, dup ? 200 : 202, "application/json", text ? text : "{}");
	free(text);
}

static void document(httpd_response *out, const httpd_request *req, service *sv)
{
	static const char *const fields[] = {
		"state", "invoice_number", "seller_org", "payable", "currency", "decision", "reasons",
	};
	const caller *who = httpd_data(req);
	char source[USERS_NAME_MAX + 8], *v, *text;
	int64_t id = 0;
	const char *p;
	ujson *o;
	size_t i;
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	/* the route matched /documents/{id:int}: digits that fit */
	for (p = httpd_path(req) + strlen("/documents/"); *p; p++)
		id = id * 10 + (*p - '0');
	o = ujson_object();
	rc = o ? ujson_set_int(o, "id", id) : ULF_ENOMEM;
	if (rc) {
		ujson_free(o);
		httpd_reply(out, 500, "application/json", "{\"error\":\"out of memory\"}\n");
		return;
	}
	pthread_mutex_lock(&sv->http_lock);
	/* a sender reads its own documents; an api token, all */
	rc = 0;
	if (who->scope != USERS_SCOPE_API) {
		rc = store_get_text(&v, sv->http_store, id, "source", &err);
		if (rc == 0) {
			sender_source(source, sizeof(source), who);
			if (!v || strcmp(v, source) != 0)
				rc = ULF_ENOTFOUND;
			free(v);
		}
	}
	for (i = 0; rc == 0 && i < sizeof(fields) / sizeof(fields[0]); i++) {
		rc = store_get_text(&v, sv->http_store, id, fields[i], &err);
		if (rc)
			break;
		rc = ujson_set_str(o, fields[i], v);
		free(v);
		if (rc) {
			/* a field missing from the answer would read as "not set" */
			pthread_mutex_unlock(&sv->http_lock);
			ujson_free(o);
			ujson_error(&err, rc, fields[i]);
			log_line("error", "GET /documents/%lld: %s", (long long)id, err.msg);
			httpd_reply(out, 500, "application/json",
				    rc == ULF_EINVAL ? "{\"error\":\"a field is not valid UTF-8\"}\n"
						     : "{\"error\":\"out of memory\"}\n");
			return;
		}
	}
	pthread_mutex_unlock(&sv->http_lock);
	if (rc) {
		ujson_free(o);
		httpd_reply(out, rc == ULF_ENOTFOUND ? 404 : 503, "application/json",
			    "{\"error\":\"no such document\"}\n");
		return;
	}
	text = ujson_dump(o, UJSON_COMPACT);
	ujson_free(o);
	httpd_reply(out, 200, "application/json", text ? text : "{}");
	free(text);
}

static void on_http(httpd_response *out, const httpd_request *req, void *ctx)
{
	service *sv = ctx;
	int status;

	/* the head hook let only these through, with their credentials */
	switch (route_of(req, &status)) {
	case R_RECEIVE:
		receive(out, req, sv);
		break;
	case R_HEALTH:
		health(out, sv);
		break;
	case R_METRICS:
		metrics(out, sv);
		break;
	case R_DOCUMENT:
		document(out, req, sv);
		break;
	default:
		json_error(out, 404, "not found");
	}
}

static void http_log(const char *msg, void *ctx)
{
	(void)ctx;
	log_line("warning", "%s", msg);
}

/* On every answer of the intake. */
static const char *const http_headers[] = {
	"X-Content-Type-Options", "nosniff",
	"Cache-Control", "no-store",
	NULL
};

static int start_http(service *sv, ulf_err *err)
{
	char host[64];
	const char *colon = strrchr(sv->cfg.http_listen, ':');
	httpd_opts o;
	int rc;

	if (!sv->cfg.http_listen[0])
		return 0;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - sv->cfg.http_listen),
		 sv->cfg.http_listen);
	/* config_load refuses these; a listener that slipped past still must
	 * not serve plain HTTP to the network */
	if (!sv->cfg.http_cert_file[0] && !config_listen_loopback(sv->cfg.http_listen))
		return ulf_err_set(err, ULF_EINVAL, "http_listen %s without HTTPS: plain HTTP "
				   "is served only on a loopback address (127.0.0.1); set "
				   "http_cert_file and http_key_file", sv->cfg.http_listen);
	memset(&o, 0, sizeof(o));
	o.bind = host;
	o.port = (uint16_t)strtol(colon + 1, NULL, 10);
	o.cert_file = sv->cfg.http_cert_file[0] ? sv->cfg.http_cert_file : NULL;
	o.key_file = sv->cfg.http_key_file[0] ? sv->cfg.http_key_file : NULL;
	o.client_ca_file = sv->cfg.http_client_ca_file[0] ? sv->cfg.http_client_ca_file : NULL;
	o.max_body = sv->cfg.xml_max_bytes;
	o.max_connections = (unsigned)sv->cfg.http_connections;
	o.per_client = (unsigned)(sv->cfg.http_connections_per_client < sv->cfg.http_connections
				  ? sv->cfg.http_connections_per_client
				  : sv->cfg.http_connections);
	o.head_timeout_s = (unsigned)sv->cfg.http_head_timeout;
	o.head = on_http_head;
	o.headers = http_headers;
	o.log = http_log;
	rc = store_open(&sv->http_store, sv->cfg.store_backend, sv->cfg.store_path, err);
	if (rc == 0)
		rc = users_open(&sv->http_users, store_db(sv->http_store), err);
	if (rc == 0)
		rc = store_open(&sv->intake_store, sv->cfg.store_backend, sv->cfg.store_path, err);
	if (rc == 0)
		rc = intake_new(&sv->in, sv->intake_store, err);
	if (rc)
		return rc;
	store_set_write_lock(sv->http_store, &sv->write_lock);
	store_set_write_lock(sv->intake_store, &sv->write_lock);
	rc = httpd_start(&sv->http, &o, on_http, sv, err);
	if (rc)
		return rc;
	log_line("info", "listening on %s:%u%s", host, httpd_port(sv->http),
		 o.cert_file ? " (HTTPS)" : "");
	return 0;
}

/* The workbench, when web_listen is set: its own server and store
 * connections, taking turns with ours for writes. */
static int start_web(service *sv, ulf_err *err)
{
	web_opts o;
	int rc;

	if (!sv->cfg.web_listen[0])
		return 0;
	memset(&o, 0, sizeof(o));
	o.cfg = &sv->cfg;
	o.write_lock = &sv->write_lock;
	rc = web_start(&sv->web, &o, err);
	if (rc == 0)
		log_line("info", "workbench at %s", web_url(sv->web));
	return rc;
}

int service_run(const ulf_config *cfg, const char *config_path, bool keep)
{
	service sv;
	struct sigaction sa;
	int64_t checkpointed = 0;
	size_t n;
	ulf_err err;
	int status = 0;

	/*
	 * Every document allocates and frees a few hundred kB (its bytes, its
	 * tree, its model).  By default glibc gives a thread's freed heap back
	 * to the kernel at once and faults it in again for the next document:
	 * a tenth of the service's time in bench/robot.  Keep 64 MB.
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	memset(&sv, 0, sizeof(sv));
	pthread_mutex_init(&sv.write_lock, NULL);
	pthread_mutex_init(&sv.http_lock, NULL);
	sv.cfg = *cfg;
	sv.config_path = config_path;
	sv.inotify_fd = -1;
	sv.wake[0] = sv.wake[1] = -1;
	ulf_err_clear(&err);
	if (pipe2(sv.wake, O_NONBLOCK | O_CLOEXEC) < 0) {
		ulf_err_set(&err, ULF_EIO, "pipe: %s", strerror(errno));
		goto fail;
	}

	if (store_open(&sv.s, sv.cfg.store_backend, sv.cfg.store_path, &err))
		goto fail;
	store_set_write_lock(sv.s, &sv.write_lock);
	{
		erp_guard_opts go;
		erp_guard_opts_init(&go, &sv.cfg);
		if (erp_guard_new(&sv.guard, &go, &err))
			goto fail;
	}
	if (pipeline_new(&sv.p, sv.s, &sv.cfg, &err))
		goto fail;
	pipeline_share_guard(sv.p, sv.guard);
	if (posters_start(&sv, &err))
		goto fail;
	sv.inbox.dir = sv.cfg.inbox_dir;
	sv.inbox.settle_ms = 1000;
	sv.inbox.max_bytes = sv.cfg.xml_max_bytes;
	sv.inbox.keep = keep;

	sv.inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (sv.inotify_fd < 0 ||
	    inotify_add_watch(sv.inotify_fd, sv.cfg.inbox_dir,
			      IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		ulf_err_set(&err, ULF_EIO, "%s: cannot watch the inbox: %s", sv.cfg.inbox_dir,
			    strerror(errno));
		goto fail;
	}

	signal_target = &sv;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_reload;
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	log_line("info", "started: store %s:%s, inbox %s", sv.cfg.store_backend,
		 sv.cfg.store_path, sv.cfg.inbox_dir);
	if (start_http(&sv, &err) || start_web(&sv, &err))
		goto fail;
	if (pipeline_resume(&n, sv.p, wall_ms() / 1000, &err))
		goto fail;
	if (n)
		log_line("info", "resumed %zu unfinished document%s", n, n == 1 ? "" : "s");

	while (!sv.stop) {
		struct pollfd pfd[2] = {
			{ .fd = sv.inotify_fd, .events = POLLIN },
			{ .fd = sv.wake[0], .events = POLLIN },
		};

		if (sv.reload) {
			sv.reload = 0;
			do_reload(&sv);
		}
		if (inbox_scan(&n, sv.p, &sv.inbox, wall_ms(), report, &sv, &err) ||
		    pipeline_resume(&n, sv.p, wall_ms() / 1000, &err)) {
			log_line("error", "%s", err.msg);
			ulf_err_clear(&err);
		}
		log_guard(&sv);
		if (wall_ms() - checkpointed >= 1000) {
			/* new suppliers approved, or waiting for the ERP's
			 * register to answer: sent when due (supplier_reg.h) */
			if (sreg_send_due(&n, sv.p, wall_ms() / 1000, &err)) {
				log_line("warning", "%s", err.msg);
				ulf_err_clear(&err);
			} else if (n) {
				log_line("info", "sent %zu new supplier%s to the register", n,
					 n == 1 ? "" : "s");
			}
			checkpointed = wall_ms();
			if (store_checkpoint(sv.s, &err)) {
				log_line("warning", "%s", err.msg);
				ulf_err_clear(&err);
			}
		}
		if (sv.stop)
			break;
		if (poll(pfd, 2, 1000) > 0) {
			drain(sv.inotify_fd);
			drain(sv.wake[0]);
		}
	}
	log_line("info", "stopping: work in hand finished");
	goto out;
fail:
	log_line("error", "%s", err.msg);
	status = 2;
out:
	/* stop intake first: nothing is acknowledged that we will not keep */
	httpd_stop(sv.http);
	web_stop(sv.web);
	intake_free(sv.in);
	store_close(sv.intake_store);
	users_free(sv.http_users);
	store_close(sv.http_store);
	metrics_cache_release(&sv.metrics);
	signal_target = NULL;
	if (sv.inotify_fd >= 0)
		close(sv.inotify_fd);
	if (sv.wake[0] >= 0)
		close(sv.wake[0]);
	if (sv.wake[1] >= 0)
		close(sv.wake[1]);
	posters_stop(&sv);
	pipeline_free(sv.p);
	erp_guard_free(sv.guard);   /* after every pipeline that shares it */
	store_close(sv.s);
	pthread_mutex_destroy(&sv.http_lock);
	pthread_mutex_destroy(&sv.write_lock);
	return status;
}
