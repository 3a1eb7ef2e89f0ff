/*
 * arena.h - a bump allocator with a cap, for everything one document owns.
 *
 * A parsed invoice is hundreds of small strings and arrays that live and die
 * together; they come from one arena and go with one arena_release().  The
 * cap bounds what a hostile document can make us allocate.
 */
#ifndef ULF_ARENA_H
#define ULF_ARENA_H

#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
	arena_chunk *head;
	size_t used;      /* bytes handed out, all chunks */
	size_t cap;       /* most bytes this arena may hand out; 0 = no cap */
} arena;

void arena_init(arena *a, size_t cap);
void arena_release(arena *a);

/* Zeroed, 16-byte aligned memory, or NULL when out of memory or over cap. */
void *arena_alloc(arena *a, size_t n);
/* A NUL-terminated copy of s[0..len), or NULL as above. */
char *arena_strndup(arena *a, const char *s, size_t len);
char *arena_strdup(arena *a, const char *s);

#endif
