/*
 * bench_parse.c - reads many documents in one process with reader_read_file,
 * the way the inbox does, and prints documents/s and MB/s.
 *
 *   bench_parse [--xml-only] [--list FILE] [FILE...]
 *
 * Files come as arguments, or one path a line from --list (both may be
 * given).  --xml-only stops after the XML parse (file_read + xml_parse), to
 * tell the cost of libxml2 from the cost of filling the model.  Every file
 * is read once, in the order given; a file that cannot be read is counted
 * and the first few are named on stderr, and the exit status is then 1 so
 * that a benchmark over unreadable files is not mistaken for a fast one.
 *
 * The rates are doubles: they are figures for people, never money.
 * MB are 10^6 bytes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench/common/paths.h"
#include "core/err.h"
#include "core/fileio.h"
#include "parsers/reader.h"
#include "parsers/xml.h"

#define MAX_NAMED_FAILURES 5

static void usage(FILE *out)
{
	fprintf(out, "usage: bench_parse [--xml-only] [--list FILE] [FILE...]\n");
}

/* One document through the XML layer only, as reader_read_file does it. */
static int read_xml_only(const char *path, ulf_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	xml_doc *doc = NULL;
	int rc;

	rc = file_read(&buf, &len, path, XML_DEFAULT_MAX_BYTES, err);
	if (rc == 0)
		rc = xml_parse(&doc, buf, len, path, NULL, err);
	xml_doc_free(doc);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "list", required_argument, NULL, 'l' },
		{ "xml-only", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bench_paths p;
	bool xml_only = false;
	unsigned long long bytes = 0;
	size_t i, failed = 0;
	struct timespec t0, t1;
	double secs;
	int c, status = 0;

	bench_paths_init(&p);
	while ((c = getopt_long(argc, argv, "l:xh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (bench_paths_load(&p, optarg, "bench_parse"))
				return 2;
			break;
		case 'x':
			xml_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (bench_paths_add_args(&p, argc, argv, optind, "bench_parse"))
		return 2;
	if (p.n == 0) {
		usage(stderr);
		return 64;
	}
	/* sizes are taken before the clock starts: only reading is timed */
	for (i = 0; i < p.n; i++) {
		struct stat st;
		if (stat(p.v[i], &st) == 0)
			bytes += (unsigned long long)st.st_size;
	}

	xml_global_init();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < p.n; i++) {
		ulf_document doc;
		ulf_err err;
		int rc;

		ulf_err_clear(&err);
		if (xml_only) {
			rc = read_xml_only(p.v[i], &err);
		} else {
			rc = reader_read_file(&doc, p.v[i], NULL, false, &err);
			if (rc == 0)
				reader_document_release(&doc);
		}
		if (rc) {
			if (failed < MAX_NAMED_FAILURES)
				fprintf(stderr, "bench_parse: %s\n", err.msg);
			failed++;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	xml_global_cleanup();

	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (secs <= 0)
		secs = 1e-9;
	printf("bench_parse%s: %zu docs, %zu failed, %llu bytes, %.3f s: %.0f docs/s, %.1f MB/s\n",
	       xml_only ? " (xml only)" : "", p.n, failed, bytes, secs, (double)p.n / secs,
	       (double)bytes / 1e6 / secs);
	if (failed)
		status = 1;
	bench_paths_release(&p);
	return status;
}
