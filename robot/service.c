/*
 * service.c - the long-running robot.  See service.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "robot/inbox.h"
#include "robot/pipeline.h"
#include "robot/service.h"
#include "robot/store.h"

typedef struct service {
	ulf_config cfg;
	const char *config_path;
	store *s;
	pipeline *p;
	inbox_opts inbox;
	int inotify_fd;
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
	else
		log_line("info", "%s: document %lld %s%s", ev->path, (long long)ev->id,
			 store_state_name(ev->state), ev->duplicate ? " (duplicate bytes)" : "");
}

static void do_reload(service *sv)
{
	ulf_config next;
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
	/* the inbox and store cannot change on reload; limits can */
	sv->cfg = next;
	sv->inbox.max_bytes = next.xml_max_bytes;
	log_line("info", "configuration reloaded from %s", sv->config_path);
}

static void drain_inotify(service *sv)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	/* events only say "look again": the scan decides what is settled */
	while ((n = read(sv->inotify_fd, buf, sizeof(buf))) > 0)
		;
}

int service_run(const ulf_config *cfg, const char *config_path, bool keep)
{
	service sv;
	struct sigaction sa;
	pipeline_opts popts;
	size_t n;
	ulf_err err;
	int status = 0;

	memset(&sv, 0, sizeof(sv));
	sv.cfg = *cfg;
	sv.config_path = config_path;
	sv.inotify_fd = -1;
	ulf_err_clear(&err);

	if (store_open(&sv.s, sv.cfg.store_backend, sv.cfg.store_path, &err))
		goto fail;
	config_reader_opts(&popts.reader, &sv.cfg);
	if (pipeline_new(&sv.p, sv.s, &popts, &err))
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
	if (pipeline_resume(&n, sv.p, wall_ms() / 1000, &err))
		goto fail;
	if (n)
		log_line("info", "resumed %zu unfinished document%s", n, n == 1 ? "" : "s");

	while (!sv.stop) {
		struct pollfd pfd = { .fd = sv.inotify_fd, .events = POLLIN };

		if (sv.reload) {
			sv.reload = 0;
			do_reload(&sv);
		}
		if (inbox_scan(&n, sv.p, &sv.inbox, wall_ms(), report, &sv, &err)) {
			log_line("error", "%s", err.msg);
			ulf_err_clear(&err);
		}
		if (sv.stop)
			break;
		if (poll(&pfd, 1, 1000) > 0)
			drain_inotify(&sv);
	}
	log_line("info", "stopping: work in hand finished");
	goto out;
fail:
	log_line("error", "%s", err.msg);
	status = 2;
out:
	signal_target = NULL;
	if (sv.inotify_fd >= 0)
		close(sv.inotify_fd);
	pipeline_free(sv.p);
	store_close(sv.s);
	return status;
}
