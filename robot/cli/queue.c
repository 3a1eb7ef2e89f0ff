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
 * Common: [--config FILE] [--store PATH].
 *
 * An action is recorded with an identity ulf can vouch for: the ulf user
 * the operating-system user running the command is mapped to (`ulf user
 * map`), who must be enabled and hold a role that may act on the queue.
 * Anyone else is refused.  --by, which used to name the actor, is only a
 * note now: it is not recorded, and a name other than the vouched one is
 * reported and ignored.
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
#include "robot/store/users.h"
#include "robot/web/auth.h"

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
		"options for all: --config FILE, --store PATH\n"
		"Every resolve, reject and retry is recorded with who and when: the ulf user\n"
		"your operating-system user is mapped to ('ulf user map'), who must hold the\n"
		"handler or care_handler role.  --by is ignored.\n");
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
	int rc;          /* the first row that could not be written, as JSON */
	ulf_err *err;
} list_ctx;

/* One row as a JSON line; 0, or an error (naming the key) in err. */
static int list_row_json(const store_doc_row *r, ulf_err *err)
{
	ujson *o = ujson_object();
	const char *key;
	char *s;
	int rc = 0;

	if (!o)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	/* key is the one being set, for the message when it fails */
	if ((rc = ujson_set_int(o, key = "id", r->id)) != 0 ||
	    (rc = ujson_set_str(o, key = "state", r->state)) != 0 ||
	    (rc = ujson_set_int(o, key = "received_at", r->received_at)) != 0 ||
	    (rc = ujson_set_str(o, key = "file", r->name)) != 0 ||
	    (rc = ujson_set_str(o, key = "invoice_number", r->invoice_number)) != 0 ||
	    (rc = ujson_set_str(o, key = "seller_org", r->seller_org)) != 0 ||
	    (rc = ujson_set_str(o, key = "seller_name", r->seller_name)) != 0 ||
	    (rc = ujson_set_str(o, key = "payable", r->payable)) != 0 ||
	    (rc = ujson_set_str(o, key = "currency", r->currency)) != 0) {
		rc = ujson_error(err, rc, key);
		goto out;
	}
	if (r->reasons) {
		ujson *reasons = NULL;
		/* reasons the store holds are JSON; anything else is left out,
		 * as before: the text listing shows it */
		if (ujson_parse(&reasons, r->reasons, strlen(r->reasons), NULL, NULL) == 0 &&
		    (rc = ujson_set_new(o, "reasons", reasons)) != 0) {
			rc = ujson_error(err, rc, "reasons");
			goto out;
		}
	}
	s = ujson_dump(o, UJSON_COMPACT);
	if (!s) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
		goto out;
	}
	puts(s);
	free(s);
out:
	ujson_free(o);
	return rc;
}

static void list_row(const store_doc_row *r, void *arg)
{
	list_ctx *c = arg;
	char when[32];

	c->n++;
	if (c->json) {
		ulf_err row_err;
		int rc;

		/* the other rows are still listed; the run fails at the end */
		ulf_err_clear(&row_err);
		rc = list_row_json(r, &row_err);
		if (rc && !c->rc)
			c->rc = ulf_err_set(c->err, rc, "document %" PRId64 ": %s", r->id,
					    row_err.msg);
		return;
	}
	fmt_time(when, sizeof(when), r->received_at);
	printf("%6" PRId64 "  %s  %-9s  %-22.22s %-16.16s %12s %-3s  %s\n", r->id, when,
	       r->state, dash(r->seller_name), dash(r->invoice_number), dash(r->payable),
	       r->currency ? r->currency : "", dash(r->reasons));
}

/* A resend's event says for a person what arrived again (store_note_resend). */
static void print_resend(const char *when, const store_history_row *r)
{
	ujson *o = NULL;
	const char *msg = NULL;

	if (r->detail && ujson_parse(&o, r->detail, strlen(r->detail), NULL, NULL) == 0)
		msg = ujson_get_str(o, "message");
	printf("  %s  %-8s %-10s %s\n", when, r->who, r->what, msg ? msg : dash(r->detail));
	ujson_free(o);
}

static void history_row(const store_history_row *r, void *arg)
{
	char when[32];

	(void)arg;
	fmt_time(when, sizeof(when), r->at);
	if (r->is_audit)
		printf("  %s  %-8s %-10s %s\n", when, r->who, r->what, dash(r->detail));
	else if (!strcmp(r->what, "resend"))
		print_resend(when, r);
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

	if (a->json && !o)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
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
				rc = ujson_set_new(o, fields[i], parsed);
			else
				rc = ujson_set_str(o, fields[i], v);
			if (rc) {
				rc = ujson_error(err, rc, fields[i]);
				free(v);
				break;
			}
		} else if (v) {
			printf("  %-15s %s\n", fields[i], v);
		}
		free(v);
	}
	if (o) {
		char *txt;
		if (rc == 0 && (rc = ujson_set_int(o, "id", a->id)) != 0)
			rc = ujson_error(err, rc, "id");
		if (rc == 0) {
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

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/*
 * Who acts: the ulf user the operating-system user is mapped to, enabled
 * and allowed to act on the queue.  The name into who (a cli_actor's).
 * ULF_ENOTFOUND / ULF_EINVAL with a message saying what to do otherwise.
 */
static int acting_user(char *who, size_t n, store *s, const char *by, ulf_err *err)
{
	users *u = NULL;
	cli_actor me;
	int rc;

	who[0] = '\0';
	rc = users_open(&u, store_db(s), err);
	if (rc == 0)
		rc = cli_actor_get(&me, u, err);
	users_free(u);
	if (rc)
		return rc;
	if (!me.mapped)
		return ulf_err_set(err, ULF_ENOTFOUND, "the operating-system user %s is not a ulf"
				   " user, so its actions cannot be recorded with a name ulf can"
				   " vouch for; an administrator maps it with 'ulf user map %s NAME'",
				   me.os_name, me.os_name);
	if (me.user.disabled)
		return ulf_err_set(err, ULF_EINVAL, "%s (operating-system user %s) is disabled",
				   me.user.name, me.os_name);
	if (!auth_allows(me.user.roles, AUTH_QUEUE_ACT))
		return ulf_err_set(err, ULF_EINVAL, "%s (operating-system user %s) may not act on"
				   " the queue: that takes the handler or care_handler role",
				   me.user.name, me.os_name);
	if (by && strcmp(by, me.user.name) != 0)
		fprintf(stderr, "ulf queue: --by %s ignored: acting as %s, the ulf user of"
			" operating-system user %s\n", by, me.user.name, me.os_name);
	snprintf(who, n, "%s", me.user.name);
	return 0;
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
	char *booking = NULL, *end, who[USERS_NAME_MAX + 1];
	size_t booking_len;
	qargs a;
	ulf_config cfg;
	store *s = NULL;
	pipeline *p = NULL;
	ulf_err err;
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
	ulf_err_clear(&err);
	if (cli_load_config(&cfg, a.config, a.store, NULL, &err) ||
	    store_open(&s, cfg.store_backend, cfg.store_path, &err))
		goto fail;

	if (!strcmp(verb, "list")) {
		doc_state only = ST_EXCEPTION;
		list_ctx lc = { a.json, 0, 0, &err };
		if (a.state && !(only = store_state_parse(a.state))) {
			fprintf(stderr, "ulf queue: no state '%s'\n", a.state);
			status = CLI_USAGE;
			goto out;
		}
		if (store_docs(s, &only, 1, 100000, list_row, &lc, &err) || lc.rc)
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
	if (strcmp(verb, "resolve") != 0 && strcmp(verb, "reject") != 0 &&
	    strcmp(verb, "retry") != 0) {
		fprintf(stderr, "ulf queue: unknown action '%s'\n", verb);
		queue_usage(stderr);
		status = CLI_USAGE;
		goto out;
	}
	if (acting_user(who, sizeof(who), s, a.by, &err))
		goto fail;
	a.by = who;
	if (!strcmp(verb, "resolve")) {
		if (a.booking && file_read(&booking, &booking_len, a.booking, 1u << 20, &err))
			goto fail;
		if (queue_resolve(s, a.id, a.by, booking, a.note, now_s(), &err))
			goto fail;
		printf("document %" PRId64 " released for posting by %s\n", a.id, a.by);
	} else if (!strcmp(verb, "reject")) {
		if (queue_reject(s, a.id, a.by, a.reason, now_s(), &err))
			goto fail;
		printf("document %" PRId64 " rejected by %s: %s\n", a.id, a.by, a.reason);
	} else {
		doc_state st;
		if (pipeline_new(&p, s, &cfg, &err) ||
		    queue_retry(&st, s, p, a.id, a.by, now_s(), &err))
			goto fail;
		printf("document %" PRId64 " run again by %s: now %s\n", a.id, a.by,
		       store_state_name(st));
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
