/*
 * cli_run.c - `ulf run`: the robot.
 *
 *   ulf run [--config FILE] [--store PATH] [--inbox DIR] [--once] [--keep]
 *
 * With --once it takes what is in the inbox now, resumes whatever an
 * earlier run left unfinished, prints what happened to each document and
 * a summary, and exits (the README's demo does this over the samples).
 * Without --once it is the service: see robot/service/service.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/pnr.h"
#include "robot/cli/cli.h"
#include "robot/config/config.h"
#include "robot/pipeline/inbox.h"
#include "robot/pipeline/pipeline.h"
#include "robot/service/service.h"
#include "robot/store/store.h"

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: ulf run [--config FILE] [--store PATH] [--inbox DIR] [--once] [--keep]\n"
		"  Takes invoices from the inbox, reads, validates, matches and posts them,\n"
		"  or puts them in the exception queue with the reasons.\n"
		"  --once   process what is there now, print a report, exit\n"
		"  --keep   leave taken files in the inbox (default: move to <inbox>/.taken)\n"
		"  --store  overrides store_path, --inbox overrides inbox_dir\n");
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct report_ctx {
	store *s;
	size_t failed;
} report_ctx;

/* Text from outside as the report shows it: personal identity numbers
 * masked (a file named after a patient, a message quoting one). */
static const char *shown(char *buf, size_t n, const char *text)
{
	pnr_mask_into(buf, n, text, strlen(text));
	return buf;
}

static void report(const inbox_event *ev, void *arg)
{
	report_ctx *rc = arg;
	const char *path = strrchr(ev->path, '/');
	char *reasons = NULL, *number = NULL, base[1024], why[2048];
	ulf_err err;

	shown(base, sizeof(base), path ? path + 1 : ev->path);
	if (ev->error) {
		rc->failed++;
		printf("  %-44s not stored: %s\n", base, shown(why, sizeof(why), ev->error));
		return;
	}
	if (ev->stored_but) {
		rc->failed++;
		printf("  %-44s #%-4lld stored; processing resumes next run: %s\n", base,
		       (long long)ev->id, shown(why, sizeof(why), ev->stored_but));
		return;
	}
	ulf_err_clear(&err);
	store_get_text(&reasons, rc->s, ev->id, "reasons", &err);
	store_get_text(&number, rc->s, ev->id, "invoice_number", &err);
	printf("  %-44s #%-4lld %-10s %s%s\n", base, (long long)ev->id,
	       store_state_name(ev->state), number ? number : "",
	       ev->resend ? " (same bytes as an earlier document: noted in its history as a resend)"
	       : ev->duplicate ? " (same bytes as an earlier document)" : "");
	if (reasons)
		printf("  %-44s       reasons %s\n", "", reasons);
	free(reasons);
	free(number);
}

static void summary(store *s)
{
	int64_t counts[ST_COUNT_], total = 0, automatic = 0, decided = 0;
	ulf_err err;
	int i;

	ulf_err_clear(&err);
	if (store_count_states(counts, s, &err)) {
		fprintf(stderr, "ulf run: %s\n", err.msg);
		return;
	}
	for (i = 1; i < ST_COUNT_; i++)
		total += counts[i];
	printf("store: %lld document%s:", (long long)total, total == 1 ? "" : "s");
	for (i = 1; i < ST_COUNT_; i++)
		if (counts[i])
			printf(" %s %lld", store_state_name((doc_state)i), (long long)counts[i]);
	printf("\n");
	if (store_automation(&automatic, &decided, s, &err) == 0 && decided) {
		int64_t r = automatic * 1000 / decided;
		printf("automation rate: %lld.%lld%% (%lld of %lld decided documents posted"
		       " with no hand)\n", (long long)(r / 10), (long long)(r % 10),
		       (long long)automatic, (long long)decided);
	}
}

/* Posting paused or stopped by the ERP's state: the operator hears why
 * (the documents wait in erp_wait or ready, not in the queue). */
static void erp_note(pipeline *p)
{
	erp_guard_status st;

	erp_guard_status_get(pipeline_guard(p), &st);
	if (st.mode == ERP_GUARD_SETUP)
		fprintf(stderr, "ulf run: posting stopped by a set-up fault: %s\n", st.reason);
	else if (st.mode == ERP_GUARD_PAUSED)
		fprintf(stderr, "ulf run: posting paused: %s\n", st.reason);
}

int cli_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "store", required_argument, NULL, 's' },
		{ "inbox", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, 'o' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config_path = NULL, *store_path = NULL, *inbox_dir = NULL;
	bool once = false, keep = false;
	ulf_config cfg;
	inbox_opts iopts;
	pipeline *p = NULL;
	store *s = NULL;
	report_ctx rctx;
	size_t taken = 0, resumed = 0;
	ulf_err err;
	int c, status = CLI_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:i:okh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 's': store_path = optarg; break;
		case 'i': inbox_dir = optarg; break;
		case 'o': once = true; break;
		case 'k': keep = true; break;
		case 'h': run_usage(stdout); return CLI_OK;
		default: run_usage(stderr); return CLI_USAGE;
		}
	}
	if (optind != argc) {
		run_usage(stderr);
		return CLI_USAGE;
	}
	ulf_err_clear(&err);
	if (cli_load_config(&cfg, config_path, store_path, inbox_dir, &err)) {
		fprintf(stderr, "ulf run: %s\n", err.msg);
		return CLI_USAGE;
	}
	if (!once)
		return service_run(&cfg, config_path, keep);

	if (store_open(&s, cfg.store_backend, cfg.store_path, &err))
		goto fail;
	if (pipeline_new(&p, s, &cfg, &err))
		goto fail;
	printf("ulf run: store %s:%s, inbox %s\n", cfg.store_backend, cfg.store_path,
	       cfg.inbox_dir);
	if (pipeline_resume(&resumed, p, now_ms() / 1000, &err))
		goto fail;
	if (resumed)
		printf("  resumed %zu unfinished document%s from an earlier run\n", resumed,
		       resumed == 1 ? "" : "s");
	memset(&iopts, 0, sizeof(iopts));
	iopts.dir = cfg.inbox_dir;
	iopts.settle_ms = 0;
	iopts.max_bytes = cfg.xml_max_bytes;
	iopts.keep = keep;
	rctx.s = s;
	rctx.failed = 0;
	if (inbox_scan(&taken, p, &iopts, now_ms(), report, &rctx, &err))
		goto fail;
	summary(s);
	erp_note(p);
	if (rctx.failed)
		status = CLI_UNREADABLE;
	goto out;
fail:
	{
		char why[sizeof(err.msg) + 16];
		fprintf(stderr, "ulf run: %s\n", shown(why, sizeof(why), err.msg));
	}
	status = CLI_UNREADABLE;
out:
	pipeline_free(p);
	store_close(s);
	return status;
}
