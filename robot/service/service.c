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
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "core/json.h"
#include "core/httpd.h"
#include "robot/pipeline/inbox.h"
#include "robot/pipeline/intake.h"
#include "robot/pipeline/pipeline.h"
#include "robot/service/metrics.h"
#include "robot/service/service.h"
#include "robot/store/store.h"

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
	metrics_cache metrics;  /* /metrics' slow figures, under http_lock */
	pthread_mutex_t http_lock;
	store *intake_store;    /* the HTTP threads' writes, through `in` */
	intake *in;
	int wake[2];            /* the HTTP threads tell the loop there is work */
	poster posters[POSTERS_MAX];
	unsigned nposters;
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

static void log_line(const char *level, const char *fmt, ...)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;
	va_list ap;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s ulf[%ld] %s: ", stamp, (long)getpid(), level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
			 store_state_name(ev->state), ev->duplicate ? " (duplicate bytes)" : "");
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
	/* the posting threads finish the posting in hand and start again
	 * with the new pipeline's configuration */
	posters_stop(sv);
	pipeline_free(sv->p);
	sv->p = np;
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

static void metrics(httpd_response *out, service *sv)
{
	int64_t counts[ST_COUNT_], automatic = 0, decided = 0;
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
	fprintf(f, "# HELP ulf_posted_untouched Documents posted with no person's action.\n"
		   "# TYPE ulf_posted_untouched gauge\nulf_posted_untouched %lld\n"
		   "# HELP ulf_decided Documents posted, rejected or in the exception queue.\n"
		   "# TYPE ulf_decided gauge\nulf_decided %lld\n",
		(long long)automatic, (long long)decided);
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

static void receive(httpd_response *out, const httpd_request *req, service *sv)
{
	const char *name = httpd_query(req, "name");
	size_t len;
	const char *body = httpd_body(req, &len);
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
	/* stored and synced before the sender hears 202: then it is ours */
	if (intake_receive(&id, &dup, sv->in, "http", name ? name : "http-post",
			   body, len, (int64_t)time(NULL), &err)) {
		log_line("error", "HTTP intake refused: %s", err.msg);
		o = ujson_object();
		/* the reason may quote the sender's name, which need not be
		 * UTF-8: then the refusal goes out without it */
		rc = o ? ujson_set_str(o, "error", err.msg) : ULF_ENOMEM;
		text = rc ? NULL : ujson_dump(o, UJSON_COMPACT);
		ujson_free(o);
		httpd_reply(out, 503, "application/json",
			    text ? text : "{\"error\":\"intake refused\"}\n");
		free(text);
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

static void document(httpd_response *out, const char *idtext, service *sv)
{
	static const char *const fields[] = {
		"state", "invoice_number", "seller_org", "payable", "currency", "decision", "reasons",
	};
	char *end, *v, *text;
	int64_t id = strtoll(idtext, &end, 10);
	ujson *o;
	size_t i;
	ulf_err err;
	int rc;

	ulf_err_clear(&err);
	if (*end || id <= 0) {
		httpd_reply(out, 404, "application/json", "{\"error\":\"no such document\"}\n");
		return;
	}
	o = ujson_object();
	rc = o ? ujson_set_int(o, "id", id) : ULF_ENOMEM;
	if (rc) {
		ujson_free(o);
		httpd_reply(out, 500, "application/json", "{\"error\":\"out of memory\"}\n");
		return;
	}
	pthread_mutex_lock(&sv->http_lock);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (store_get_text(&v, sv->http_store, id, fields[i], &err)) {
			pthread_mutex_unlock(&sv->http_lock);
			ujson_free(o);
			httpd_reply(out, err.code == ULF_ENOTFOUND ? 404 : 503, "application/json",
				    "{\"error\":\"no such document\"}\n");
			return;
		}
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
	text = ujson_dump(o, UJSON_COMPACT);
	ujson_free(o);
	httpd_reply(out, 200, "application/json", text ? text : "{}");
	free(text);
}

static void on_http(httpd_response *out, const httpd_request *req, void *ctx)
{
	service *sv = ctx;
	const char *m = httpd_method(req), *path = httpd_path(req);

	if (!strcmp(m, "POST") && !strcmp(path, "/documents"))
		receive(out, req, sv);
	else if (!strcmp(m, "GET") && !strcmp(path, "/health"))
		httpd_reply(out, 200, "text/plain", "ok\n");
	else if (!strcmp(m, "GET") && !strcmp(path, "/metrics"))
		metrics(out, sv);
	else if (!strcmp(m, "GET") && !strncmp(path, "/documents/", 11))
		document(out, path + 11, sv);
	else
		httpd_reply(out, 404, "application/json", "{\"error\":\"not found\"}\n");
}

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
	memset(&o, 0, sizeof(o));
	o.bind = host;
	o.port = (uint16_t)strtol(colon + 1, NULL, 10);
	o.cert_file = sv->cfg.http_cert_file[0] ? sv->cfg.http_cert_file : NULL;
	o.key_file = sv->cfg.http_key_file[0] ? sv->cfg.http_key_file : NULL;
	o.max_body = sv->cfg.xml_max_bytes;
	o.max_connections = (unsigned)sv->cfg.http_connections;
	rc = store_open(&sv->http_store, sv->cfg.store_backend, sv->cfg.store_path, err);
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
	if (pipeline_new(&sv.p, sv.s, &sv.cfg, &err))
		goto fail;
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
	if (start_http(&sv, &err))
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
		if (wall_ms() - checkpointed >= 1000) {
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
	intake_free(sv.in);
	store_close(sv.intake_store);
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
	store_close(sv.s);
	pthread_mutex_destroy(&sv.http_lock);
	pthread_mutex_destroy(&sv.write_lock);
	return status;
}
