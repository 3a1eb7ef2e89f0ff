/*
 * paths.h - the files a benchmark driver reads: paths given as arguments
 * and in --list files, one a line.  Shared by bench_parse and
 * bench_validate; each driver adds bench/common/paths.c to its sources.
 */
#ifndef ULF_BENCH_PATHS_H
#define ULF_BENCH_PATHS_H

#include <stddef.h>

#include "core/dynbuf.h"

/* Most paths a run takes: corpora are thousands of files; a million is
 * far past any and keeps a mistaken list (a binary file) from eating
 * memory. */
#define BENCH_PATHS_MAX 1000000

typedef struct bench_paths {
	char **v;        /* the paths, v[0..n): buf's array */
	size_t n;
	dynbuf buf;
} bench_paths;

/* An empty list. */
void bench_paths_init(bench_paths *p);

/* Frees the paths; p is empty again. */
void bench_paths_release(bench_paths *p);

/* Appends a copy of s: 0, or -1 when out of memory or past
 * BENCH_PATHS_MAX. */
int bench_paths_add(bench_paths *p, const char *s);

/* Appends argv[first..argc): 0, or -1 with "prog: out of memory" on
 * stderr. */
int bench_paths_add_args(bench_paths *p, int argc, char **argv, int first, const char *prog);

/* Appends every non-empty line of the file `list` (CR LF or LF): 0, or -1
 * with a message "prog: ..." on stderr. */
int bench_paths_load(bench_paths *p, const char *list, const char *prog);

#endif
