/*
 * fuzz.h - what every fuzz target in tests/fuzz shares: the libFuzzer entry
 * points, declared once so that the targets, libFuzzer and the replay
 * driver (replay_main.c) agree, and FUZZ_CHECK for the invariants a target
 * asserts beyond memory safety.
 *
 * A broken invariant aborts, like a sanitizer report, so that libFuzzer
 * keeps the input as a crash and replay fails on it.  Checks of a contract
 * rather than of memory safety are named (FUZZ_CONTRACT): to explore past a
 * contract bug already known, list its name in ULF_FUZZ_LAX, e.g.
 * ULF_FUZZ_LAX=msg-one-line,path-prefix.
 */
#ifndef ULF_FUZZ_H
#define ULF_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Once, before the first input; argc/argv are libFuzzer's (may be NULL). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
/* One input; returns 0 (libFuzzer reserves other values). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant broken: %s\n", \
			__FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* A named contract check; skipped when ULF_FUZZ_LAX lists `name`. */
#define FUZZ_CONTRACT(name, cond) do { \
	if (!fuzz_lax(name)) \
		FUZZ_CHECK(cond); \
} while (0)

static inline int fuzz_lax(const char *name)
{
	const char *s = getenv("ULF_FUZZ_LAX"), *p;
	size_t n = strlen(name);

	for (p = s; p && (p = strstr(p, name)) != NULL; p += n)
		if ((p == s || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return 1;
	return 0;
}

#endif
