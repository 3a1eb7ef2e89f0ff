/*
 * erppost.c - `ulf erp-post`, one posting by hand (docs/erp.md).
 *
 *   ulf erp-post [--config FILE] [--key KEY] [--revision N] PAYLOAD.json
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>

#include "connectors/erp.h"
#include "connectors/erp_payload.h"
#include "core/fileio.h"
#include "core/text.h"
#include "robot/cli/cli.h"
#include "robot/config/config.h"

/* erp-post's exit statuses (docs/erp.md) */
enum {
	POST_ACCEPTED = 0,
	POST_REJECTED = 1,     /* the ERP said no (4xx) */
	POST_UNREADABLE = 2,   /* the payload or configuration could not be used */
	POST_UNDELIVERED = 3,  /* still failing transiently after every attempt */
	POST_FAILED = 4        /* TLS, certificates, credentials, URL: fix the setup */
};

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

static void post_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf erp-post [--config FILE] [--key KEY] [--revision N] PAYLOAD.json\n"
		"  Posts one booking suggestion (docs/erp.md) to erp_url, retrying network\n"
		"  errors, timeouts, 5xx and 429 as the erp_* settings say.\n"
		"  --key KEY       the idempotency key (default: derived from the payload's\n"
		"                  supplier, type code, invoice number and issue date)\n"
		"  --revision N    with the derived key: a corrected re-booking (0)\n"
		"  exit 0 accepted, 1 rejected by the ERP, 2 unreadable input, 3 not\n"
		"  delivered after every attempt, 4 the connection is misconfigured\n");
}

int cli_erppost(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "revision", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config_path = NULL, *key_arg = NULL;
	char key[ERP_IDEM_KEY_MAX], *json = NULL;
	unsigned revision = 0, attempts = 0;
	ulf_config cfg;
	erp_config ec;
	erp_retry_policy pol;
	erp_client *client = NULL;
	erp_result res;
	size_t len;
	ulf_err err;
	int c, status;

	ulf_err_clear(&err);
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'k': key_arg = optarg; break;
		case 'r':
			if (text_parse_uint(&revision, optarg, 1000000) != 0) {
				fprintf(stderr, "ulf erp-post: --revision: not a number\n");
				return CLI_USAGE;
			}
			break;
		case 'h': post_usage(stdout); return CLI_OK;
		default: post_usage(stderr); return CLI_USAGE;
		}
	}
	if (optind != argc - 1) {
		post_usage(stderr);
		return CLI_USAGE;
	}
	config_init(&cfg);
	if (config_path && config_load(&cfg, config_path, &err) != 0) {
		fprintf(stderr, "ulf erp-post: %s\n", err.msg);
		return POST_UNREADABLE;
	}
	if (!cfg.erp_url[0]) {
		fprintf(stderr, "ulf erp-post: erp_url is not set in the configuration\n");
		return POST_UNREADABLE;
	}
	if (file_read(&json, &len, argv[optind], 16u << 20, &err) != 0) {
		fprintf(stderr, "ulf erp-post: %s\n", err.msg);
		return POST_UNREADABLE;
	}
	if (key_arg) {
		snprintf(key, sizeof(key), "%s", key_arg);
	} else if (erp_payload_idempotency_key(key, json, len, revision, &err) != 0) {
		fprintf(stderr, "ulf erp-post: %s: %s\n", argv[optind], err.msg);
		status = POST_UNREADABLE;
		goto out;
	}
	config_erp(&ec, &cfg);
	config_erp_retry(&pol, &cfg);
	pol.stop = &stop_flag;
	catch_signals();
	if (erp_client_new(&client, &ec, &err) != 0 ||
	    erp_post_with_retries(&res, &attempts, client, key, json, &pol, &err) != 0) {
		fprintf(stderr, "ulf erp-post: %s\n", err.msg);
		status = POST_UNREADABLE;
		goto out;
	}
	switch (res.outcome) {
	case ERP_ACCEPTED:
		printf("accepted %s (key %s, %u attempt%s%s)\n",
		       res.voucher_id[0] ? res.voucher_id : "-", key, attempts,
		       attempts == 1 ? "" : "s", res.replayed ? ", answered from the ERP's record" : "");
		status = POST_ACCEPTED;
		break;
	case ERP_REJECTED:
		fprintf(stderr, "ulf erp-post: rejected (HTTP %d): %s\n", res.http_status,
			res.message);
		status = POST_REJECTED;
		break;
	case ERP_RETRY:
		fprintf(stderr, "ulf erp-post: not delivered after %u attempt%s: %s\n", attempts,
			attempts == 1 ? "" : "s", res.message);
		status = POST_UNDELIVERED;
		break;
	default:
		if (res.http_status)
			fprintf(stderr, "ulf erp-post: failed (HTTP %d): %s\n", res.http_status,
				res.message);
		else
			fprintf(stderr, "ulf erp-post: failed: %s\n", res.message);
		status = POST_FAILED;
		break;
	}
out:
	erp_client_free(client);
	free(json);
	return status;
}
