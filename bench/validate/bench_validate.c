/*
 * bench_validate.c - reading a batch of documents, and reading and
 * validating the same batch, in one process; prints documents per second
 * for both and the ratio of their times.
 *
 *   bench_validate [--rounds N] [--list FILE] [FILE...]
 *
 * Files come as arguments, or one path a line from --list (a path may come
 * many times: that is how run.sh makes a large batch from a small corpus).
 * "Reading" is reader_read_file as the inbox does it; "validating" is
 * reader_read_file keeping the tree, validate_invoice with the rules that
 * suit the syntax (EN 16931, PEPPOL, SE on UBL), and releasing both.  The
 * two passes alternate for --rounds rounds (default 3) and the fastest of
 * each counts, so a disturbance in one round does not decide the ratio;
 * times are CPU seconds of the process (see now()).
 * The last line reads "time ratio validate/parse: R".  A file that cannot
 * be read is named (the first few) and makes the exit status 1, so that a
 * benchmark over unreadable files is not mistaken for a fast one.
 *
 * Times and rates are doubles: figures for people, never money.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/common/paths.h"
#include "core/err.h"
#include "parsers/reader.h"
#include "parsers/validate.h"
#include "parsers/xml.h"

#define MAX_NAMED_FAILURES 5

typedef struct pass {
	double best;            /* seconds, fastest round */
	size_t failed;
	size_t fatal, warning;  /* findings of the last round */
} pass;

/*
 * The process's CPU time, not the wall clock: on a shared machine other
 * processes' load would otherwise decide the ratio.  The driver is one
 * thread, so on an idle machine the two agree.
 */
static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void failed_once(pass *ps, const ulf_err *err)
{
	if (ps->failed < MAX_NAMED_FAILURES)
		fprintf(stderr, "bench_validate: %s\n", err->msg);
	ps->failed++;
}

/* One round of reading alone. */
static double read_all(const bench_paths *p, pass *ps)
{
	double t0 = now();
	ulf_document doc;
	ulf_err err;
	size_t i;

	ps->failed = 0;
	for (i = 0; i < p->n; i++) {
		ulf_err_clear(&err);
		if (reader_read_file(&doc, p->v[i], NULL, false, &err) != 0)
			failed_once(ps, &err);
		reader_document_release(&doc);
	}
	return now() - t0;
}

/* One round of reading and validating. */
static double validate_all(const bench_paths *p, pass *ps)
{
	double t0 = now();
	ulf_document doc;
	findings f;
	ulf_err err;
	size_t i, j;

	ps->failed = ps->fatal = ps->warning = 0;
	for (i = 0; i < p->n; i++) {
		ulf_err_clear(&err);
		if (reader_read_file(&doc, p->v[i], NULL, true, &err) != 0) {
			failed_once(ps, &err);
			continue;
		}
		findings_init(&f);
		if (doc.kind == DOC_INVOICE && validate_invoice(&f, doc.inv, doc.xml, NULL, &err) != 0)
			failed_once(ps, &err);
		for (j = 0; j < f.n; j++)
			*(f.items[j].flag == VFLAG_FATAL ? &ps->fatal : &ps->warning) += 1;
		findings_release(&f);
		reader_document_release(&doc);
	}
	return now() - t0;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: bench_validate [--rounds N] [--list FILE] [FILE...]\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "list", required_argument, NULL, 'l' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bench_paths p;
	pass rd = { 1e30, 0, 0, 0 }, va = { 1e30, 0, 0, 0 };
	long rounds = 3, r;
	double t;
	int c;
	char *end;

	bench_paths_init(&p);
	while ((c = getopt_long(argc, argv, "l:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (bench_paths_load(&p, optarg, "bench_validate"))
				return 2;
			break;
		case 'r':
			rounds = strtol(optarg, &end, 10);
			if (*end || rounds < 1 || rounds > 100) {
				fprintf(stderr, "bench_validate: --rounds takes 1..100\n");
				return 64;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (bench_paths_add_args(&p, argc, argv, optind, "bench_validate"))
		return 2;
	if (p.n == 0) {
		usage(stderr);
		return 64;
	}

	xml_global_init();
	for (r = 0; r < rounds; r++) {
		if ((t = read_all(&p, &rd)) < rd.best)
			rd.best = t;
		if ((t = validate_all(&p, &va)) < va.best)
			va.best = t;
	}
	xml_global_cleanup();

	printf("batch: %zu documents, %ld rounds, fastest round counts\n", p.n, rounds);
	printf("read:     %.3f CPU s, %.0f docs/s\n", rd.best, (double)p.n / rd.best);
	printf("validate: %.3f CPU s, %.0f docs/s (read + rules; %zu fatal, %zu warning findings)\n",
	       va.best, (double)p.n / va.best, va.fatal, va.warning);
	printf("time ratio validate/parse: %.2f\n", va.best / rd.best);
	bench_paths_release(&p);
	return rd.failed || va.failed ? 1 : 0;
}
