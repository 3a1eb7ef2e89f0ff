/*
 * token.c - `ulf token`: the bearer tokens machines present to the HTTP
 * API (a sender posting documents, a metrics scraper).
 *
 *   ulf token add NAME [--scope intake|metrics|api]   prints the secret, once
 *   ulf token list
 *   ulf token revoke NAME
 * Common: [--config FILE] [--store PATH].
 *
 * The secret (256 random bits) is printed once, alone on stdout, and kept
 * only as its SHA-256: a lost token is revoked and a new one made.  Every
 * change is in the audit trail, never the secret.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/digest.h"
#include "robot/cli/cli.h"

static void token_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf token add NAME [--scope intake|metrics|api]\n"
		"       ulf token list\n"
		"       ulf token revoke NAME\n"
		"options for all: --config FILE, --store PATH\n"
		"Scopes: intake (POST /documents, GET /documents/N; the default), metrics\n"
		"(GET /metrics), api (both).  The secret is printed once; ulf keeps only its\n"
		"SHA-256.\n");
}

static void fmt_time(char *buf, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !gmtime_r(&tt, &tm))
		snprintf(buf, n, "-");
	else
		strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
}

static void list_row(const token_info *t, void *ctx)
{
	char created[32], used[32], revoked[32];

	(void)ctx;
	fmt_time(created, sizeof(created), t->created_at);
	fmt_time(used, sizeof(used), t->last_used_at);
	fmt_time(revoked, sizeof(revoked), t->revoked_at);
	printf("%-24s %-8s %-16s %-16s %s%s\n", t->name, users_scope_name(t->scope), created,
	       used, t->revoked_at ? "revoked " : "live", t->revoked_at ? revoked : "");
}

int cli_token(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "scope", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *verb, *config = NULL, *store_path = NULL, *name = NULL, *scope_s = NULL;
	char secret[USERS_SECRET_LEN + 1] = "", *detail = NULL;
	users_scope scope = USERS_SCOPE_INTAKE;
	store *s = NULL;
	users *u = NULL;
	cli_actor me;
	ulf_err err;
	int c, status = CLI_OK;

	if (argc < 2) {
		token_usage(stderr);
		return CLI_USAGE;
	}
	verb = argv[1];
	if (!strcmp(verb, "--help") || !strcmp(verb, "help")) {
		token_usage(stdout);
		return CLI_OK;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "c:s:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 's': store_path = optarg; break;
		case 'o': scope_s = optarg; break;
		case 'h': token_usage(stdout); return CLI_OK;
		default: token_usage(stderr); return CLI_USAGE;
		}
	}
	if ((size_t)(argc - optind) != (strcmp(verb, "list") ? 1u : 0u) ||
	    (scope_s && strcmp(verb, "add") != 0)) {
		token_usage(stderr);
		return CLI_USAGE;
	}
	if (scope_s && !(scope = users_scope_parse(scope_s))) {
		fprintf(stderr, "ulf token: no scope '%s' (intake, metrics, api)\n", scope_s);
		return CLI_USAGE;
	}
	if (optind < argc) {
		name = argv[optind];
		if (!users_name_ok(name)) {
			fprintf(stderr, "ulf token: '%s' is not a valid token name (1-%d letters,"
				" digits, '.', '_', '-', '@')\n", name, USERS_NAME_MAX);
			return CLI_USAGE;
		}
	}
	ulf_err_clear(&err);
	if (cli_open_users(&s, &u, config, store_path, &err) || cli_actor_get(&me, u, &err))
		goto fail;

	if (!strcmp(verb, "list")) {
		printf("%-24s %-8s %-16s %-16s %s\n", "NAME", "SCOPE", "CREATED", "LAST USED",
		       "STATE");
		if (users_token_list(u, list_row, NULL, &err))
			goto fail;
	} else if (!strcmp(verb, "add")) {
		if (users_token_add(secret, NULL, u, name, scope, (int64_t)time(NULL), &err))
			goto fail;
		detail = cli_json_kv("name", name, "scope", users_scope_name(scope), NULL);
		if (cli_audit_admin(s, &me, "token-add", NULL, detail, &err))
			goto fail;
		/* the secret alone on stdout, for a script to take; the rest to a person */
		printf("%s\n", secret);
		fflush(stdout);
		fprintf(stderr, "token %s (%s) made: the line above is its secret, shown this"
			" once.\nGive it to the sender as 'Authorization: Bearer <secret>'; ulf"
			" keeps only its SHA-256.\n", name, users_scope_name(scope));
	} else if (!strcmp(verb, "revoke")) {
		if (users_token_revoke(u, name, (int64_t)time(NULL), &err))
			goto fail;
		detail = cli_json_kv("name", name, NULL);
		if (cli_audit_admin(s, &me, "token-revoke", NULL, detail, &err))
			goto fail;
		printf("token %s revoked\n", name);
	} else {
		fprintf(stderr, "ulf token: unknown action '%s'\n", verb);
		token_usage(stderr);
		status = CLI_USAGE;
	}
	goto out;
fail:
	fprintf(stderr, "ulf token: %s\n", err.msg);
	status = cli_status(err.code);
out:
	digest_cleanse(secret, sizeof(secret));
	free(detail);
	users_free(u);
	store_close(s);
	return status;
}
