/*
 * replay_main.c - runs saved inputs through a fuzz target without libFuzzer,
 * so that the seed corpora, and every crash reproducer kept in them, are
 * regression tests in every build and with any compiler (ctest
 * fuzz_replay_<target>).
 *
 *   replay_<target> PATH...
 *
 * Each PATH is a file or a directory, walked recursively in sorted order.
 * Every input is handed over in a buffer of exactly its size, as libFuzzer
 * does, so a sanitizer sees any read past the end.  Exit 0 when every input
 * ran, 1 when a path could not be read or held no input at all; a broken
 * invariant or a sanitizer report aborts on the spot, after the name of the
 * input has been printed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

/* Inputs larger than this are not fuzz inputs; refuse rather than OOM. */
#define REPLAY_MAX_BYTES (64u * 1024 * 1024)

static size_t ninputs;
static int failed;

static int replay_file(const char *path, size_t size)
{
	unsigned char *buf;
	size_t got = 0;
	int fd;

	if (size > REPLAY_MAX_BYTES) {
		fprintf(stderr, "replay: %s: %zu bytes, larger than %u\n", path,
			size, REPLAY_MAX_BYTES);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* exactly `size` bytes: no terminator for a parser to lean on */
	buf = malloc(size ? size : 1);
	if (!buf) {
		close(fd);
		fprintf(stderr, "replay: %s: out of memory\n", path);
		return -1;
	}
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "replay: %s: short read\n", path);
			free(buf);
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	printf("replay: %s (%zu bytes)\n", path, size);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	ninputs++;
	return 0;
}

static int skip_entry(const struct dirent *d)
{
	return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

static void replay_path(const char *path, unsigned depth)
{
	struct dirent **list = NULL;
	struct stat st;
	char sub[PATH_MAX];
	int i, n;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		failed = 1;
		return;
	}
	if (S_ISREG(st.st_mode)) {
		if (replay_file(path, (size_t)st.st_size) < 0)
			failed = 1;
		return;
	}
	if (!S_ISDIR(st.st_mode) || depth > 32)
		return;
	n = scandir(path, &list, skip_entry, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		failed = 1;
		return;
	}
	for (i = 0; i < n; i++) {
		int w = snprintf(sub, sizeof(sub), "%s/%s", path, list[i]->d_name);
		if (w > 0 && (size_t)w < sizeof(sub))
			replay_path(sub, depth + 1);
		free(list[i]);
	}
	free(list);
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-DIR...\n", argv[0]);
		return 2;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++)
		replay_path(argv[i], 0);
	printf("replay: %zu inputs run\n", ninputs);
	if (ninputs == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		failed = 1;
	}
	return failed;
}
