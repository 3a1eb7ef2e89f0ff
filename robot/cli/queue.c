/*
 * cli_queue.c - `ulf queue`: the invoice handler's view of the exception
 * queue, on the same API as the workbench's pages (robot/pipeline/queue.h).
 *
 *   ulf queue list    [filters] [--json]          what waits, and why
 *   ulf queue show    ID [--json]                 one invoice: header, lines beside
 *                                                 the order, findings, suggestion,
 *                                                 history
 *   ulf queue resolve ID [--booking FILE] [--note TEXT]   approve: the booking as it
 *                                                 stands, or a corrected one
 *   ulf queue reject  ID --reason TEXT [--code C] refuse it (Invoice Response)
 *   ulf queue retry   ID                          run it again
 *   ulf queue hold    ID --until DATE [--note T]  wait until a date (--until '' ends it)
 *   ulf queue assign  ID [--to USER]              to a user (default: yourself; '' nobody)
 *   ulf queue comment ID --text TEXT              a comment on the record
 * Common: [--config FILE] [--store PATH]
 *         [--seen N]: the version you saw (queue show); default: the current.
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
	const char *config, *store, *by, *state, *booking, *note, *reason, *code;
	const char *until, *to, *text, *supplier, *flow, *assignee, *sort;
	bool json, mine, unassigned, desc, held, not_held, until_set, to_set;
	bool seen_set, due_set, limit_set;
	int64_t id, seen;
	long due_days, offset, limit;
} qargs;

static void queue_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf queue list [--reason R] [--supplier S] [--flow F] [--mine | --unassigned |\n"
		"                      --assignee U] [--due-within DAYS] [--held | --not-held]\n"
		"                      [--sort due|age|amount] [--desc] [--offset N] [--limit N]\n"
		"                      [--state STATE] [--json]\n"
		"       ulf queue show ID [--json]\n"
		"       ulf queue resolve ID [--booking FILE] [--note TEXT]\n"
		"       ulf queue reject ID --reason TEXT [--code REF|LEG|REC|QUA|DEL|PRI|QTY|ITM|PAY|\n"
		"                                             UNR|FIN|PPD|OTH]\n"
		"       ulf queue retry ID\n"
		"       ulf queue hold ID --until YYYY-MM-DD [--note TEXT]   (--until '' ends a hold)\n"
		"       ulf queue assign ID [--to USER]   (default: yourself; --to '' nobody)\n"
		"       ulf queue comment ID --text TEXT\n"
		"options for all: --config FILE, --store PATH,\n"
		"                 --seen VERSION (the version `queue show` gave; default: the current)\n"
		"Every action is recorded with who and when, and the values before and after:\n"
		"who is the ulf user your operating-system user is mapped to ('ulf user map'),\n"
		"who must hold the handler or care_handler role.  --by is ignored.\n");
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

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* ---- list ----------------------------------------------------------------- */

/* The codes of an item as "A,B". */
static void reasons_text(char *buf, size_t n, const queue_item *it)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < it->nreasons && o + 1 < n; i++) {
		int w = snprintf(buf + o, n - o, "%s%s", i ? "," : "", it->reasons[i]);
		if (w < 0 || (size_t)w >= n - o)
			break;
		o += (size_t)w;
	}
}

static int item_json(const queue_item *it)
{
	ujson *o = ujson_object(), *r = ujson_array();
	char *s = NULL;
	size_t i;
	int rc = o && r ? 0 : -1;

	for (i = 0; rc == 0 && i < it->nreasons; i++)
		rc = ujson_append_new(r, ujson_string(it->reasons[i]));
	if (rc == 0)
		rc = ujson_set_int(o, "id", it->id) || ujson_set_str(o, "state", "exception") ||
		     ujson_set_int(o, "received_at", it->received_at) ||
		     ujson_set_int(o, "queued_at", it->queued_at) ||
		     ujson_set_str(o, "invoice_number", it->invoice_number) ||
		     ujson_set_str(o, "seller_org", it->supplier_org) ||
		     ujson_set_str(o, "seller_name", it->supplier_name) ||
		     ujson_set_str(o, "payable", it->amount) ||
		     ujson_set_str(o, "currency", it->currency) ||
		     ujson_set_str(o, "due_date", it->due_date) ||
		     ujson_set_str(o, "flow", it->flow) ||
		     ujson_set_str(o, "assignee", it->assignee) ||
		     ujson_set_str(o, "hold_until", it->hold_until) ||
		     ujson_set_int(o, "version", it->version);
	if (rc == 0) {
		rc = ujson_set_new(o, "reasons", r);
		r = NULL;
	}
	if (rc == 0 && !(s = ujson_dump(o, UJSON_COMPACT)))
		rc = -1;
	if (s)
		puts(s);
	free(s);
	ujson_free(r);
	ujson_free(o);
	return rc;
}

static void item_text(const queue_item *it)
{
	char when[32], reasons[256];

	fmt_time(when, sizeof(when), it->received_at);
	reasons_text(reasons, sizeof(reasons), it);
	printf("%6" PRId64 "  %s  %-10s %-22.22s %-16.16s %12s %-3s  %-8.8s%s  %s\n", it->id, when,
	       dash(it->due_date), dash(it->supplier_name), dash(it->invoice_number),
	       dash(it->amount), it->currency ? it->currency : "", dash(it->assignee),
	       it->held ? " (held)" : "", dash(reasons));
}

static int list_filter(queue_filter *f, const qargs *a)
{
	memset(f, 0, sizeof(*f));
	f->reason = a->reason;
	f->supplier = a->supplier;
	f->flow = a->flow;
	if (a->mine) {
		f->who = QUEUE_MINE;
		f->user = a->by;
	} else if (a->unassigned) {
		f->who = QUEUE_UNASSIGNED;
	} else if (a->assignee) {
		f->who = QUEUE_USER;
		f->user = a->assignee;
	}
	f->due_within_set = a->due_set;
	f->due_within_days = (int)a->due_days;
	f->held = a->held ? QUEUE_HELD_ONLY : a->not_held ? QUEUE_HELD_NOT : QUEUE_HELD_ANY;
	if (a->sort && queue_sort_parse(&f->sort, a->sort)) {
		fprintf(stderr, "ulf queue: sort by due, age or amount, not '%s'\n", a->sort);
		return -1;
	}
	f->descending = a->desc;
	f->offset = (size_t)a->offset;
	f->limit = a->limit_set ? (size_t)a->limit : QUEUE_PAGE_MAX;
	return 0;
}

/* The queue, every page unless one was asked for. */
static int list_queue(store *s, const qargs *a, ulf_err *err)
{
	queue_filter f;
	queue_page pg;
	size_t i, shown = 0;
	int rc;

	if (list_filter(&f, a))
		return ULF_EINVAL;
	for (;;) {
		rc = queue_list(&pg, s, &f, now_s(), err);
		if (rc) {
			queue_page_release(&pg);
			return rc;
		}
		for (i = 0; i < pg.n; i++) {
			if (a->json)
				item_json(&pg.items[i]);
			else
				item_text(&pg.items[i]);
		}
		shown += pg.n;
		if (a->limit_set || pg.n == 0 || f.offset + pg.n >= (size_t)pg.total)
			break;
		f.offset += pg.n;
		queue_page_release(&pg);
	}
	if (!a->json) {
		printf("%zu document%s exception", shown, shown == 1 ? "" : "s");
		if ((int64_t)shown != pg.total)
			printf(" (of %" PRId64 ")", pg.total);
		putchar('\n');
		if (pg.ncounts) {
			printf("by reason:");
			for (i = 0; i < pg.ncounts; i++)
				printf(" %s %" PRId64, pg.counts[i].reason, pg.counts[i].n);
			putchar('\n');
		}
	}
	queue_page_release(&pg);
	return 0;
}

/* `--state S`: documents in another state, as lists always showed them. */
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
		ujson *o = ujson_object(), *reasons = NULL;
		char *s = NULL;
		if (o && !ujson_set_int(o, "id", r->id) && !ujson_set_str(o, "state", r->state) &&
		    !ujson_set_int(o, "received_at", r->received_at) &&
		    !ujson_set_str(o, "invoice_number", r->invoice_number) &&
		    !ujson_set_str(o, "seller_org", r->seller_org) &&
		    !ujson_set_str(o, "seller_name", r->seller_name) &&
		    !ujson_set_str(o, "payable", r->payable) &&
		    !ujson_set_str(o, "currency", r->currency) &&
		    (!r->reasons ||
		     ujson_parse(&reasons, r->reasons, strlen(r->reasons), NULL, NULL) ||
		     !ujson_set_new(o, "reasons", reasons)))
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

/* ---- show ------------------------------------------------------------------ */

static void field(const char *name, const char *v)
{
	if (v && *v)
		printf("  %-15s %s\n", name, v);
}

static void checks_text(const queue_check *c, size_t n, const char *indent)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%s%-4s %s\n", indent,
		       !c[i].result ? "" : !strcmp(c[i].result, "deviation") ? "FAIL"
		       : !strcmp(c[i].result, "info") ? "--" : "ok", dash(c[i].text));
}

static void show_text(const queue_doc *d)
{
	char when[32];
	size_t i, k;
	int f;

	printf("document %" PRId64 "\n", d->id);
	field("state", d->state);
	field("name", d->name);
	field("kind", d->kind);
	field("syntax", d->syntax);
	field("invoice_number", d->item.invoice_number);
	field("seller_name", d->seller_name ? d->seller_name : d->item.supplier_name);
	field("seller_org", d->seller_org ? d->seller_org : d->item.supplier_org);
	field("issue_date", d->issue_date);
	field("due_date", d->due_date);
	field("currency", d->currency ? d->currency : d->item.currency);
	field("net", d->net_total);
	field("vat", d->vat_total);
	field("payable", d->payable ? d->payable : d->item.amount);
	field("flow", d->item.flow ? d->item.flow : d->match.flow);
	field("assignee", d->item.assignee);
	field("hold_until", d->item.hold_until);
	if (d->nreasons) {
		printf("  reasons\n");
		for (i = 0; i < d->nreasons; i++)
			printf("    %-24s %s\n", dash(d->reasons[i].code), dash(d->reasons[i].message));
	}
	if (d->match.decision) {
		printf("  match           %s, %s flow; supplier %s %s%s%s%s\n", d->match.decision,
		       dash(d->match.flow), dash(d->match.supplier_no), dash(d->match.supplier_name),
		       d->match.supplier_how ? " (by " : "", d->match.supplier_how ? d->match.supplier_how : "",
		       d->match.supplier_how ? ")" : "");
		if (d->match.order_no)
			printf("                  order %s%s%s\n", d->match.order_no,
			       d->match.order_source ? " from " : "", d->match.order_source ? d->match.order_source : "");
		if (d->match.rule)
			printf("                  rule %s\n", d->match.rule);
	}
	if (d->nlines)
		printf("  lines\n");
	for (i = 0; i < d->nlines; i++) {
		const queue_line *l = &d->lines[i];
		printf("    %-4s %-30.30s %8s %-4s x %10s = %12s", dash(l->line_id), dash(l->item_name),
		       dash(l->quantity), l->unit ? l->unit : "", dash(l->price), dash(l->net));
		if (l->order_no)
			printf("   | order %s line %s: %s %s x %s = %s, received %s",
			       l->order_no, dash(l->order_line_id), dash(l->order_quantity),
			       l->order_unit ? l->order_unit : "", dash(l->order_price),
			       dash(l->order_net), dash(l->received_quantity));
		putchar('\n');
		checks_text(l->checks, l->nchecks, "         ");
	}
	checks_text(d->match.header_checks, d->match.nheader_checks, "    ");
	if (d->nfindings) {
		printf("  findings\n");
		for (i = 0; i < d->nfindings; i++)
			printf("    %-7s %-24s %s\n", dash(d->findings[i].flag), dash(d->findings[i].rule),
			       dash(d->findings[i].text));
	}
	if (d->nsuggestion) {
		printf("  suggestion\n");
		for (i = 0; i < d->nsuggestion; i++) {
			const queue_booking_row *b = &d->suggestion[i];
			printf("    %-9s %-4s", dash(b->kind), dash(b->line_id));
			for (f = 0; f < QUEUE_NFIELDS; f++)
				printf(" %-8s", dash(b->f[f].value));
			printf(" %12s  VAT %10s\n", dash(b->net), dash(b->vat));
			for (f = 0; f < QUEUE_NFIELDS; f++)
				if (b->f[f].value)
					printf("        %-11s <- %s: %s\n", queue_field_name(f),
					       dash(b->f[f].source), dash(b->f[f].detail));
		}
	}
	field("booking", d->booking_json);
	for (i = 0; i < d->nattachments; i++)
		printf("  attachment %zu    %s (%s, %zu bytes)\n", d->attachments[i].index,
		       dash(d->attachments[i].name), dash(d->attachments[i].mime),
		       d->attachments[i].size);
	/* the claim's patients stay off the terminal; the workbench shows
	 * it masked, and unmasks it for a care handler with a reason */
	if (d->claim)
		printf("  claim           %zu patient%s (on the workbench, masked)\n",
		       ujson_array_size(ujson_get(d->claim, "patients")),
		       ujson_array_size(ujson_get(d->claim, "patients")) == 1 ? "" : "s");
	if (d->response_code)
		printf("  response        Invoice Response stored (reason code %s)\n",
		       d->response_code);
	if (d->changed_by) {
		fmt_time(when, sizeof(when), d->changed_at);
		printf("  version         %" PRId64 " (changed by %s at %s)\n", d->version,
		       d->changed_by, when);
	} else {
		printf("  version         %" PRId64 "\n", d->version);
	}
	printf("history\n");
	for (k = 0; k < d->nhistory; k++) {
		const queue_event *e = &d->history[k];
		fmt_time(when, sizeof(when), e->at);
		if (e->person)
			printf("  %s  %-8s %-10s %s\n", when, dash(e->who), dash(e->what), dash(e->detail));
		else
			printf("  %s  %-8s %-10s %s -> %s (%" PRId64 " us)\n", when, dash(e->who),
			       dash(e->what), dash(e->from), dash(e->to), e->duration_us);
	}
}

/* The stored columns as JSON (what `show --json` always gave), with the
 * version to act on. */
static int show_json(store *s, const queue_doc *d, ulf_err *err)
{
	static const char *const fields[] = {
		"state", "name", "source", "syntax", "kind", "invoice_number", "seller_name",
		"seller_org", "buyer_org", "issue_date", "currency", "payable", "flow",
		"decision", "reasons", "result", "booking",
	};
	ujson *o = ujson_object();
	char *txt = NULL;
	size_t i;
	int rc = o ? 0 : ulf_err_set(err, ULF_ENOMEM, "out of memory");

	for (i = 0; rc == 0 && i < sizeof(fields) / sizeof(fields[0]); i++) {
		char *v = NULL;
		ujson *parsed = NULL;
		rc = store_get_text(&v, s, d->id, fields[i], err);
		if (rc)
			break;
		/* the name as the page shows it: an identity number masked */
		if (!strcmp(fields[i], "name"))
			rc = ujson_set_str(o, fields[i], d->name);
		else if (v && (v[0] == '{' || v[0] == '[') &&
			 ujson_parse(&parsed, v, strlen(v), NULL, NULL) == 0)
			rc = ujson_set_new(o, fields[i], parsed);
		else
			rc = ujson_set_str(o, fields[i], v);
		free(v);
		if (rc)
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
	}
	if (rc == 0 && (ujson_set_int(o, "id", d->id) || ujson_set_int(o, "version", d->version) ||
			!(txt = ujson_dump(o, 0))))
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
	if (txt)
		puts(txt);
	free(txt);
	ujson_free(o);
	return rc;
}

static int show(store *s, const qargs *a, ulf_err *err)
{
	queue_doc d;
	int rc = queue_get(&d, s, a->id, err);

	if (rc == 0) {
		if (a->json)
			rc = show_json(s, &d, err);
		else
			show_text(&d);
	}
	queue_doc_release(&d);
	return rc;
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

/* The version the CLI acts on: the one given, or the one it reads now. */
static int version_of(int64_t *out, store *s, const qargs *a, ulf_err *err)
{
	queue_item it;
	arena mem;
	bool found = false, waiting = false;
	int rc;

	if (a->seen_set) {
		*out = a->seen;
		return 0;
	}
	arena_init(&mem, 1u << 20);
	rc = queue_index_get(&it, &found, &waiting, s, a->id, &mem, err);
	*out = rc == 0 && found ? it.version : 0;
	arena_release(&mem);
	return rc;
}

/* ---- options ------------------------------------------------------------------ */

static int number(long *out, const char *s, const char *what)
{
	char *end;

	*out = strtol(s, &end, 10);
	if (!*s || *end || *out < 0) {
		fprintf(stderr, "ulf queue: %s '%s' is not a number\n", what, s);
		return -1;
	}
	return 0;
}

static int parse_args(qargs *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "by", required_argument, NULL, 'b' },
		{ "state", required_argument, NULL, 't' },
		{ "booking", required_argument, NULL, 'k' },
		{ "note", required_argument, NULL, 'n' },
		{ "reason", required_argument, NULL, 'r' },
		{ "code", required_argument, NULL, 'C' },
		{ "until", required_argument, NULL, 'u' },
		{ "to", required_argument, NULL, 'T' },
		{ "text", required_argument, NULL, 'x' },
		{ "supplier", required_argument, NULL, 'S' },
		{ "flow", required_argument, NULL, 'F' },
		{ "assignee", required_argument, NULL, 'A' },
		{ "mine", no_argument, NULL, 'M' },
		{ "unassigned", no_argument, NULL, 'U' },
		{ "due-within", required_argument, NULL, 'D' },
		{ "held", no_argument, NULL, 'H' },
		{ "not-held", no_argument, NULL, 'N' },
		{ "sort", required_argument, NULL, 'o' },
		{ "desc", no_argument, NULL, 'd' },
		{ "offset", required_argument, NULL, 'O' },
		{ "limit", required_argument, NULL, 'L' },
		{ "seen", required_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	long v;
	int c;

	optind = 2;
	while ((c = getopt_long(argc, argv, "c:s:b:t:k:n:r:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': a->config = optarg; break;
		case 's': a->store = optarg; break;
		case 'b': a->by = optarg; break;
		case 't': a->state = optarg; break;
		case 'k': a->booking = optarg; break;
		case 'n': a->note = optarg; break;
		case 'r': a->reason = optarg; break;
		case 'C': a->code = optarg; break;
		case 'u': a->until = optarg; a->until_set = true; break;
		case 'T': a->to = optarg; a->to_set = true; break;
		case 'x': a->text = optarg; break;
		case 'S': a->supplier = optarg; break;
		case 'F': a->flow = optarg; break;
		case 'A': a->assignee = optarg; break;
		case 'M': a->mine = true; break;
		case 'U': a->unassigned = true; break;
		case 'D':
			if (number(&a->due_days, optarg, "--due-within"))
				return CLI_USAGE;
			a->due_set = true;
			break;
		case 'H': a->held = true; break;
		case 'N': a->not_held = true; break;
		case 'o': a->sort = optarg; break;
		case 'd': a->desc = true; break;
		case 'O':
			if (number(&a->offset, optarg, "--offset"))
				return CLI_USAGE;
			break;
		case 'L':
			if (number(&a->limit, optarg, "--limit"))
				return CLI_USAGE;
			a->limit_set = true;
			break;
		case 'V':
			if (number(&v, optarg, "--seen"))
				return CLI_USAGE;
			a->seen = v;
			a->seen_set = true;
			break;
		case 'j': a->json = true; break;
		case 'h': queue_usage(stdout); return -1;
		default: queue_usage(stderr); return CLI_USAGE;
		}
	}
	return 0;
}

/* ---- the command ---------------------------------------------------------------- */

static int act(store *s, pipeline *p, const char *verb, const qargs *a, ulf_err *err)
{
	char *booking = NULL;
	size_t booking_len;
	int64_t version;
	doc_state st;
	int rc;

	rc = version_of(&version, s, a, err);
	if (rc)
		return rc;
	if (!strcmp(verb, "resolve")) {
		if (a->booking && (rc = file_read(&booking, &booking_len, a->booking, 1u << 20, err)))
			return rc;
		if (booking) {
			queue_problems *pr = calloc(1, sizeof(*pr));
			size_t i;
			if (!pr) {
				free(booking);
				return ulf_err_set(err, ULF_ENOMEM, "out of memory");
			}
			rc = queue_approve_booking(pr, p, a->id, a->by, version, booking, a->note,
						   now_s(), err);
			/* every problem, each at its line, not only the first */
			for (i = 0; rc && pr->n > 1 && i < pr->n; i++)
				fprintf(stderr, "ulf queue: %s\n", pr->items[i].message);
			free(pr);
		} else {
			rc = queue_approve(p, a->id, a->by, version, a->note, now_s(), err);
		}
		free(booking);
		if (rc == 0)
			printf("document %" PRId64 " released for posting by %s\n", a->id, a->by);
	} else if (!strcmp(verb, "reject")) {
		rc = queue_reject(p, a->id, a->by, version, a->code ? a->code : "OTH", a->reason,
				  now_s(), err);
		if (rc == 0)
			printf("document %" PRId64 " rejected by %s: %s\n", a->id, a->by, a->reason);
	} else if (!strcmp(verb, "retry")) {
		rc = queue_retry(&st, p, a->id, a->by, version, now_s(), err);
		if (rc == 0)
			printf("document %" PRId64 " run again by %s: now %s\n", a->id, a->by,
			       store_state_name(st));
	} else if (!strcmp(verb, "hold")) {
		if (!a->until_set)
			return ulf_err_set(err, ULF_EINVAL, "hold until when? (--until YYYY-MM-DD)");
		rc = queue_hold(p, a->id, a->by, version, a->until, a->note, now_s(), err);
		if (rc == 0 && a->until && *a->until)
			printf("document %" PRId64 " on hold until %s by %s\n", a->id, a->until, a->by);
		else if (rc == 0)
			printf("document %" PRId64 " no longer on hold (%s)\n", a->id, a->by);
	} else if (!strcmp(verb, "assign")) {
		const char *to = a->to_set ? a->to : a->by;
		rc = queue_assign(p, a->id, a->by, version, to, now_s(), err);
		if (rc == 0)
			printf("document %" PRId64 " assigned to %s by %s\n", a->id,
			       to && *to ? to : "nobody", a->by);
	} else {
		rc = queue_comment(p, a->id, a->by, version, a->text, now_s(), err);
		if (rc == 0)
			printf("document %" PRId64 ": comment by %s recorded\n", a->id, a->by);
	}
	return rc;
}

int cli_queue(int argc, char **argv)
{
	static const char *const verbs[] = {
		"list", "show", "resolve", "reject", "retry", "hold", "assign", "comment",
	};
	const char *verb;
	char *end, who[USERS_NAME_MAX + 1];
	qargs a;
	ulf_config cfg;
	store *s = NULL;
	pipeline *p = NULL;
	ulf_err err;
	size_t i;
	int rc, status = CLI_OK;

	if (argc < 2) {
		queue_usage(stderr);
		return CLI_USAGE;
	}
	verb = argv[1];
	if (!strcmp(verb, "--help") || !strcmp(verb, "help")) {
		queue_usage(stdout);
		return CLI_OK;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verb, verbs[i]))
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0])) {
		fprintf(stderr, "ulf queue: unknown action '%s'\n", verb);
		queue_usage(stderr);
		return CLI_USAGE;
	}
	memset(&a, 0, sizeof(a));
	rc = parse_args(&a, argc, argv);
	if (rc)
		return rc < 0 ? CLI_OK : rc;
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
		list_ctx lc = { a.json, 0 };
		if (a.state && !(only = store_state_parse(a.state))) {
			fprintf(stderr, "ulf queue: no state '%s'\n", a.state);
			status = CLI_USAGE;
			goto out;
		}
		if (a.mine && (!a.by || !*a.by)) {
			fprintf(stderr, "ulf queue: --mine: say who you are with --by (no $USER)\n");
			status = CLI_USAGE;
			goto out;
		}
		if (only == ST_EXCEPTION) {
			rc = list_queue(s, &a, &err);
			if (rc == ULF_EINVAL && !err.code) {
				status = CLI_USAGE;
				goto out;
			}
			if (rc)
				goto fail;
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
	if (acting_user(who, sizeof(who), s, a.by, &err))
		goto fail;
	a.by = who;
	if (pipeline_new(&p, s, &cfg, &err) || act(s, p, verb, &a, &err))
		goto fail;
	goto out;
fail:
	fprintf(stderr, "ulf queue: %s\n", err.msg);
	status = err.code == ULF_EINVAL || err.code == ULF_ENOTFOUND || err.code == ULF_ECONFLICT
		 ? CLI_FINDINGS : CLI_UNREADABLE;
out:
	pipeline_free(p);
	store_close(s);
	return status;
}
