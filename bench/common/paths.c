/*
 * paths.c - the file list of a benchmark driver.  See paths.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "bench/common/paths.h"

void bench_paths_init(bench_paths *p)
{
	p->v = NULL;
	p->n = 0;
	dynbuf_init(&p->buf, BENCH_PATHS_MAX * sizeof(char *));
}

void bench_paths_release(bench_paths *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->v[i]);
	dynbuf_release(&p->buf);
	p->v = NULL;
	p->n = 0;
}

int bench_paths_add(bench_paths *p, const char *s)
{
	char *copy = strdup(s);

	if (!copy || dynbuf_add(&p->buf, &copy, sizeof(copy)) != 0) {
		free(copy);
		return -1;
	}
	p->v = dynbuf_items(&p->buf);
	p->n++;
	return 0;
}

int bench_paths_add_args(bench_paths *p, int argc, char **argv, int first, const char *prog)
{
	int i;

	for (i = first; i < argc; i++)
		if (bench_paths_add(p, argv[i])) {
			fprintf(stderr, "%s: out of memory\n", prog);
			return -1;
		}
	return 0;
}

int bench_paths_load(bench_paths *p, const char *list, const char *prog)
{
	FILE *f = fopen(list, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", prog, list, strerror(errno));
		return -1;
	}
	while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len > 0)
			rc = bench_paths_add(p, line);
	}
	free(line);
	fclose(f);
	return rc;
}
