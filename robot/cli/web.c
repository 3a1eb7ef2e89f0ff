/*
 * web.c - `ulf web`: the workbench alone, on the same store as the robot.
 *
 *   ulf web [--config FILE] [--store PATH] [--listen ADDRESS:PORT]
 *   ulf web --routes      what it serves: method, path, permission
 *
 * Serves web_listen (robot/web/web.h) until SIGTERM or SIGINT; `ulf run`
 * serves the same workbench itself when web_listen is set, so this is for
 * a workbench on another machine than the robot (PostgreSQL store) or
 * beside `ulf run --once`.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "robot/cli/cli.h"
#include "robot/config/config.h"
#include "robot/web/web.h"

static void web_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf web [--config FILE] [--store PATH] [--listen ADDRESS:PORT]\n"
		"       ulf web --routes\n"
		"  Serves the handlers' workbench on web_listen (--listen overrides it) until\n"
		"  SIGTERM or SIGINT.  Plain HTTP only on 127.0.0.1; elsewhere set\n"
		"  web_cert_file and web_key_file.  Users: ulf user add NAME --role ROLE.\n"
		"  --routes lists every route: method, path, the permission it needs.\n");
}

static void print_route(const web_route *r, void *ctx)
{
	(void)ctx;
	printf("%-5s %-40s %s\n", r->method, r->pattern, web_perm_name(r->perm));
}

int cli_web(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "listen", required_argument, NULL, 'l' },
		{ "routes", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config = NULL, *store_path = NULL, *listen = NULL;
	ulf_config cfg;
	web_opts o;
	web *w = NULL;
	sigset_t sigs, old;
	ulf_err err;
	int c, sig = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 's': store_path = optarg; break;
		case 'l': listen = optarg; break;
		case 'h': web_usage(stdout); return CLI_OK;
		case 'r': web_routes_each(print_route, NULL); return CLI_OK;
		default: web_usage(stderr); return CLI_USAGE;
		}
	}
	if (optind != argc) {
		web_usage(stderr);
		return CLI_USAGE;
	}
	ulf_err_clear(&err);
	if (cli_load_config(&cfg, config, store_path, NULL, &err)) {
		fprintf(stderr, "ulf web: %s\n", err.msg);
		return CLI_UNREADABLE;
	}
	if (listen) {
		if (strlen(listen) >= sizeof(cfg.web_listen)) {
			fprintf(stderr, "ulf web: --listen: too long\n");
			return CLI_USAGE;
		}
		memcpy(cfg.web_listen, listen, strlen(listen) + 1);
		/* the same checks as a configuration file's */
		if (config_cross_check(&cfg, NULL, NULL)) {
			if (!cfg.web_cert_file[0] && !config_listen_loopback(cfg.web_listen))
				fprintf(stderr, "ulf web: --listen %s without HTTPS: plain HTTP is "
					"served only on a loopback address (127.0.0.1); set "
					"web_cert_file and web_key_file\n", listen);
			else
				fprintf(stderr, "ulf web: --listen %s: `ulf config check` says what "
					"does not fit\n", listen);
			return CLI_USAGE;
		}
	}
	if (!cfg.web_listen[0]) {
		fprintf(stderr, "ulf web: web_listen is not set (in the configuration, or "
			"--listen 127.0.0.1:8443)\n");
		return CLI_USAGE;
	}
	/* the server's threads take no signal: this one waits for them */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	signal(SIGPIPE, SIG_IGN);
	memset(&o, 0, sizeof(o));
	o.cfg = &cfg;
	if (web_start(&w, &o, &err)) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		web_log("error", "%s", err.msg);
		return CLI_UNREADABLE;
	}
	web_log("info", "workbench at %s (store %s:%s)", web_url(w), cfg.store_backend,
		cfg.store_path);
	for (;;) {
		if (sigwait(&sigs, &sig) != 0 || sig == SIGTERM || sig == SIGINT)
			break;
		web_log("info", "SIGHUP: the workbench's settings take effect on a restart");
	}
	web_log("info", "stopping");
	web_stop(w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return CLI_OK;
}
