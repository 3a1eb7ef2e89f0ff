/*
 * main.c - `ulf-erp-sim`, the ERP simulator for the demo, the tests and the
 * benches (docs/erp.md).  Test equipment: it is not part of libulf or of
 * the `ulf` binary.
 *
 *   ulf-erp-sim --cert F --key F --log FILE [--port N] [--ca F --require-client-cert]
 *               [--client-id ID --client-secret-file F] [--token-ttl S]
 *               [--fail-rate R] [--stall-rate R] [--stall-ms M] [--drop-rate R]
 *               [--fail-first N] [--stall-first N] [--drop-first N] [--busy-first N]
 *               [--reject-invoice NUMBER] [--seed N] [--exit-after S] [--verbose]
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fileio.h"
#include "core/json.h"
#include "tools/erp-sim/erpsim.h"

/* exit statuses, as the ulf binary's (sysexits' EX_USAGE for usage) */
enum { SIM_OK = 0, SIM_UNREADABLE = 2, SIM_USAGE = 64 };

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static int parse_uint(unsigned *out, const char *s, unsigned max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || *s == '-' || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static void sim_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf-erp-sim --cert FILE --key FILE --log FILE [options]\n"
		"  An ERP on https://127.0.0.1:PORT for the demo and the tests (docs/erp.md).\n"
		"  Prints the port it listens on, then serves until SIGTERM or SIGINT.\n"
		"  --port N                 port (0, the default: any free one)\n"
		"  --log FILE               append-only log of bookings, one JSON line each\n"
		"  --ca FILE                CA for client certificates\n"
		"  --require-client-cert    403 without a client certificate signed by --ca\n"
		"  --client-id ID --client-secret-file FILE\n"
		"                           OAuth2 client credentials at /oauth/token; postings\n"
		"                           then need the bearer token\n"
		"  --token-ttl S            token lifetime in seconds (300)\n"
		"  --fail-rate R            answer 503 to this share of postings (0..1)\n"
		"  --stall-rate R --stall-ms M   answer this share M ms late (2000)\n"
		"  --drop-rate R            book, then close the connection without an answer\n"
		"  --fail-first N, --stall-first N, --drop-first N, --busy-first N (429)\n"
		"                           the same for the first N postings\n"
		"  --reject-invoice NUMBER  answer 422 to postings of this invoice\n"
		"  --seed N                 seed of the fault generator (1)\n"
		"  --exit-after S           stop by itself after S seconds (a safety net)\n"
		"  --verbose                log requests on stderr\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "ca", required_argument, NULL, 'a' },
		{ "require-client-cert", no_argument, NULL, 'R' },
		{ "client-id", required_argument, NULL, 'i' },
		{ "client-secret-file", required_argument, NULL, 'S' },
		{ "token-ttl", required_argument, NULL, 't' },
		{ "fail-rate", required_argument, NULL, 'f' },
		{ "stall-rate", required_argument, NULL, 's' },
		{ "stall-ms", required_argument, NULL, 'm' },
		{ "drop-rate", required_argument, NULL, 'd' },
		{ "fail-first", required_argument, NULL, 'F' },
		{ "stall-first", required_argument, NULL, 'T' },
		{ "drop-first", required_argument, NULL, 'D' },
		{ "busy-first", required_argument, NULL, 'B' },
		{ "reject-invoice", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 'e' },
		{ "log", required_argument, NULL, 'l' },
		{ "exit-after", required_argument, NULL, 'x' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	erpsim_opts o;
	erpsim_stats st;
	erpsim *sim = NULL;
	char *secret = NULL;
	const char *secret_file = NULL;
	unsigned port = 0, exit_after = 0, seed32 = 1;
	time_t started;
	ulf_err err;
	int c, bad = 0;

	memset(&o, 0, sizeof(o));
	ulf_err_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': bad |= parse_uint(&port, optarg, 65535); break;
		case 'c': o.cert_file = optarg; break;
		case 'k': o.key_file = optarg; break;
		case 'a': o.client_ca_file = optarg; break;
		case 'R': o.require_client_cert = true; break;
		case 'i': o.client_id = optarg; break;
		case 'S': secret_file = optarg; break;
		case 't': bad |= parse_uint(&o.token_ttl_s, optarg, 86400 * 7); break;
		case 'f': bad |= erpsim_parse_rate(&o.fail_permille, optarg, &err); break;
		case 's': bad |= erpsim_parse_rate(&o.stall_permille, optarg, &err); break;
		case 'd': bad |= erpsim_parse_rate(&o.drop_permille, optarg, &err); break;
		case 'm': bad |= parse_uint(&o.stall_ms, optarg, 600000); break;
		case 'F': bad |= parse_uint(&o.fail_first, optarg, 1000000); break;
		case 'T': bad |= parse_uint(&o.stall_first, optarg, 1000000); break;
		case 'D': bad |= parse_uint(&o.drop_first, optarg, 1000000); break;
		case 'B': bad |= parse_uint(&o.busy_first, optarg, 1000000); break;
		case 'r': o.reject_invoice = optarg; break;
		case 'e': bad |= parse_uint(&seed32, optarg, UINT_MAX); break;
		case 'l': o.log_file = optarg; break;
		case 'x': bad |= parse_uint(&exit_after, optarg, 86400 * 7); break;
		case 'v': o.verbose = true; break;
		case 'h': sim_usage(stdout); return SIM_OK;
		default: sim_usage(stderr); return SIM_USAGE;
		}
		if (bad) {
			fprintf(stderr, "ulf-erp-sim: %s: %s\n", argv[optind - 1],
				err.code ? err.msg : "not a valid number");
			return SIM_USAGE;
		}
	}
	if (optind != argc || !o.cert_file || !o.key_file || !o.log_file ||
	    (o.require_client_cert && !o.client_ca_file) || (!o.client_id != !secret_file)) {
		sim_usage(stderr);
		return SIM_USAGE;
	}
	o.port = (uint16_t)port;
	o.seed = seed32;
	if (secret_file) {
		size_t len;
		if (file_read(&secret, &len, secret_file, 65536, &err) != 0) {
			fprintf(stderr, "ulf-erp-sim: %s\n", err.msg);
			return SIM_UNREADABLE;
		}
		secret[strcspn(secret, "\r\n")] = '\0';
		o.client_secret = secret;
	}
	catch_signals();
	if (erpsim_start(&sim, &o, &err) != 0) {
		fprintf(stderr, "ulf-erp-sim: %s\n", err.msg);
		free(secret);
		return SIM_UNREADABLE;
	}
	printf("%u\n", erpsim_port(sim));
	fflush(stdout);
	fprintf(stderr, "erp-sim: listening on https://127.0.0.1:%u%s%s\n", erpsim_port(sim),
		o.require_client_cert ? ", client certificates required" : "",
		o.client_id ? ", OAuth2 tokens required" : "");
	started = time(NULL);
	while (!stop_flag && (exit_after == 0 || time(NULL) - started < (time_t)exit_after)) {
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
	}
	erpsim_stats_get(sim, &st);
	erpsim_stop(sim);
	free(secret);
	fprintf(stderr, "erp-sim: stopping: %lu postings received, %lu booked, %lu replayed, "
		"%lu rejected, %lu 503, %lu 429, %lu dropped, %lu stalled, %lu tokens\n",
		st.requests, st.bookings, st.replays, st.rejected, st.failed, st.busy, st.drops,
		st.stalls, st.tokens);
	return SIM_OK;
}

