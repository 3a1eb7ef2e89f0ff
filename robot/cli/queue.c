/*
 * cli_queue.c - `ulf queue`: the invoice handler's view of the exception
 * queue.
 *
 *   ulf queue list    [--state S] [--json]       what waits, and why
 *   ulf queue show    ID [--json]                 one invoice: summary, findings,
 *                                                 suggestion, history, audit
 *   ulf queue resolve ID [--booking FILE] [--note TEXT]   release for posting
 *   ulf queue reject  ID --reason TEXT            refuse it
 *   ulf queue retry   ID                          run it again
 * Common: [--config FILE] [--store PATH] [--by WHO] (default $USER).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/fileio.h"
#include "core/json.h"
#include "robot/cli/cli.h"
#include "robot/config/config.h"
#include "robot/pipeline/queue.h"

typedef struct qargs {
	const char *config, *store, *by, *state, *booking, *note, *reason;
	bool json;
	int64_t id;
} qargs;

static void queue_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf queue list [--state STATE] [--json]\n"
		"       ulf queue show ID [--json]\n"
		"       ulf queue resolve ID [--booking FILE] [--note TEXT]\n"
		"       ulf queue reject ID --reason TEXT\n"
		"       ulf queue retry ID\n"
		"options for all: --config FILE, --store PATH, --by WHO (default: $USER)\n"
		"Every resolve, reject and retry is recorded with who and when.\n");
}

static void fmt_time(char *buf, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

typedef struct list_ctx {
	bool json;
	size_t n;
} list_ctx;

static void list_row(const store_doc_row *r, void *arg)
{
	list_ctx *c = arg;
	char when[32];

	c->n++;
	if (c->json) {
		ujson *o = ujson_object();
		char *s;
		ujson_set_int(o, "id", r->id);
		ujson_set_str(o, "state", r->state);
		ujson_set_int(o, "received_at", r->received_at);
		ujson_set_str(o, "file", r->name);
		ujson_set_str(o, "invoice_number", r->invoice_number);
		ujson_set_str(o, "seller_org", r->seller_org);
		ujson_set_str(o, "seller_name", r->seller_name);
		ujson_set_str(o, "payable", r->payable);
		ujson_set_str(o, "currency", r->currency);
		if (r->reasons) {
			ujson *reasons = NULL;
			if (ujson_parse(&reasons, r->reasons, strlen(r->reasons), NULL, NULL) == 0)
				ujson_set_new(o, "reasons", reasons);
		}
		s = ujson_dump(o, UJSON_COMPACT);
		if (s)
			puts(s);
		free(s);
		ujson_free(o);
		return;
	}
	fmt_time(when, sizeof(when), r->received_at);
	printf("%6" PRId64 "  %s  %-9s  %-22.22s %-16.16s %12s %-3s  %s\n", r->id, when,
	       r->state, dash(r->seller_name), dash(r->invoice_number), dash(r->payable),
	       r->currency ? r->currency : "", dash(r->reasons));
}

static void history_row(const store_history_row *r, void *arg)
{
	char when[32];

	(void)arg;
	fmt_time(when, sizeof(when), r->at);
	if (r->is_audit)
		printf("  %s  %-8s %-10s %s\n", when, r->who, r->what, dash(r->detail));
	else
		printf("  %s  %-8s %-10s %s -> %s (%" PRId64 " us)\n", when, r->who, r->what,
		       dash(r->from), dash(r->to), r->duration_us);
}

static int show(store *s, const qargs *a, ulf_err *err)
{
	static const char *const fields[] = {
		"state", "name", "source", "syntax", "kind", "invoice_number", "seller_name",
		"seller_org", "buyer_org", "issue_date", "currency", "payable", "flow",
		"decision", "reasons", "result", "booking",
	};
	ujson *o = a->json ? ujson_object() : NULL;
	size_t i;
	int rc = 0;

	if (!a->json)
		printf("document %" PRId64 "\n", a->id);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char *v = NULL;
		rc = store_get_text(&v, s, a->id, fields[i], err);
		if (rc)
			break;
		if (o) {
			ujson *parsed = NULL;
			if (v && (v[0] == '{' || v[0] == '[') &&
			    ujson_parse(&parsed, v, strlen(v), NULL, NULL) == 0)
				ujson_set_new(o, fields[i], parsed);
			else
				ujson_set_str(o, fields[i], v);
		} else if (v) {
			printf("  %-15s %s\n", fields[i], v);
		}
		free(v);
	}
	if (o) {
		char *txt;
		if (rc == 0) {
			ujson_set_int(o, "id", a->id);
			txt = ujson_dump(o, 0);
			if (txt)
				puts(txt);
			free(txt);
		}
		ujson_free(o);
		return rc;
	}
	if (rc == 0) {
		printf("history\n");
		rc = store_history(s, a->id, history_row, NULL, err);
	}
	return rc;
}

/* The version of the document the CLI acts on: the one it reads now. */
static int current_version(int64_t *out, store *s, int64_t id, ulf_err *err)
{
	queue_item it;
	arena a;
	bool found = false, waiting = false;
	int rc;

	arena_init(&a, 1u << 20);
	rc = queue_index_get(&it, &found, &waiting, s, id, &a, err);
	*out = rc == 0 && found ? it.version : 0;
	arena_release(&a);
	return rc;
}

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

int cli_queue(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "by", required_argument, NULL, 'b' },
		{ "state", required_argument, NULL, 't' },
		{ "booking", required_argument, NULL, 'k' },
		{ "note", required_argument, NULL, 'n' },
		{ "reason", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *verb;
	char *booking = NULL, *end;
	size_t booking_len;
	qargs a;
	ulf_config cfg;
	store *s = NULL;
	pipeline *p = NULL;
	ulf_err err;
	int64_t version = 0;
	int c, status = CLI_OK;

	if (argc < 2) {
		queue_usage(stderr);
		return CLI_USAGE;
	}
	verb = argv[1];
	if (!strcmp(verb, "--help") || !strcmp(verb, "help")) {
		queue_usage(stdout);
		return CLI_OK;
	}
	memset(&a, 0, sizeof(a));
	optind = 2;
	while ((c = getopt_long(argc, argv, "c:s:b:t:k:n:r:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': a.config = optarg; break;
		case 's': a.store = optarg; break;
		case 'b': a.by = optarg; break;
		case 't': a.state = optarg; break;
		case 'k': a.booking = optarg; break;
		case 'n': a.note = optarg; break;
		case 'r': a.reason = optarg; break;
		case 'j': a.json = true; break;
		case 'h': queue_usage(stdout); return CLI_OK;
		default: queue_usage(stderr); return CLI_USAGE;
		}
	}
	if (strcmp(verb, "list") != 0) {
		if (optind != argc - 1) {
			queue_usage(stderr);
			return CLI_USAGE;
		}
		a.id = strtoll(argv[optind], &end, 10);
		if (*end || a.id <= 0) {
			fprintf(stderr, "ulf queue: '%s' is not a document id\n", argv[optind]);
			return CLI_USAGE;
		}
	} else if (optind != argc) {
		queue_usage(stderr);
		return CLI_USAGE;
	}
	if (!a.by)
		a.by = getenv("USER");
	ulf_err_clear(&err);
	if (cli_load_config(&cfg, a.config, a.store, NULL, &err) ||
	    store_open(&s, cfg.store_backend, cfg.store_path, &err))
		goto fail;

	if (!strcmp(verb, "list")) {
		doc_state only = ST_EXCEPTION;
		list_ctx lc = { a.json, 0 };
		if (a.state && !(only = store_state_parse(a.state))) {
			fprintf(stderr, "ulf queue: no state '%s'\n", a.state);
			status = CLI_USAGE;
			goto out;
		}
		if (store_docs(s, &only, 1, 100000, list_row, &lc, &err))
			goto fail;
		if (!a.json)
			printf("%zu document%s %s\n", lc.n, lc.n == 1 ? "" : "s", store_state_name(only));
		goto out;
	}
	if (!strcmp(verb, "show")) {
		if (show(s, &a, &err))
			goto fail;
		goto out;
	}
	if (!a.by || !*a.by) {
		fprintf(stderr, "ulf queue: say who you are with --by (no $USER)\n");
		status = CLI_USAGE;
		goto out;
	}
	if (pipeline_new(&p, s, &cfg, &err) || current_version(&version, s, a.id, &err))
		goto fail;
	if (!strcmp(verb, "resolve")) {
		if (a.booking && file_read(&booking, &booking_len, a.booking, 1u << 20, &err))
			goto fail;
		if ((booking ? queue_approve_booking(NULL, p, a.id, a.by, version, booking, a.note,
						     now_s(), &err)
			     : queue_approve(p, a.id, a.by, version, a.note, now_s(), &err)))
			goto fail;
		printf("document %" PRId64 " released for posting by %s\n", a.id, a.by);
	} else if (!strcmp(verb, "reject")) {
		if (queue_reject(p, a.id, a.by, version, "OTH", a.reason, now_s(), &err))
			goto fail;
		printf("document %" PRId64 " rejected by %s: %s\n", a.id, a.by, a.reason);
	} else if (!strcmp(verb, "retry")) {
		doc_state st;
		if (queue_retry(&st, p, a.id, a.by, version, now_s(), &err))
			goto fail;
		printf("document %" PRId64 " run again by %s: now %s\n", a.id, a.by,
		       store_state_name(st));
	} else {
		fprintf(stderr, "ulf queue: unknown action '%s'\n", verb);
		queue_usage(stderr);
		status = CLI_USAGE;
	}
	goto out;
fail:
	fprintf(stderr, "ulf queue: %s\n", err.msg);
	status = err.code == ULF_EINVAL || err.code == ULF_ENOTFOUND ? CLI_FINDINGS : CLI_UNREADABLE;
out:
	free(booking);
	pipeline_free(p);
	store_close(s);
	return status;
}
