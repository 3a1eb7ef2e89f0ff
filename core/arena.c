/*
 * arena.c - bump allocation in chunks.  See arena.h.
 */
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"

#define CHUNK_MIN 8192

struct arena_chunk {
	arena_chunk *next;
	size_t size, off;
	_Alignas(16) unsigned char mem[];
};

void arena_init(arena *a, size_t cap)
{
	a->head = NULL;
	a->used = 0;
	a->cap = cap;
}

void arena_release(arena *a)
{
	arena_chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
	a->used = 0;
}

void *arena_alloc(arena *a, size_t n)
{
	arena_chunk *c = a->head;
	size_t need = (n + 15) & ~(size_t)15, size;
	void *p;

	if (need < n || (a->cap && (need > a->cap || a->used > a->cap - need)))
		return NULL;
	if (!c || c->size - c->off < need) {
		size = need > CHUNK_MIN ? need : CHUNK_MIN;
		/* grow chunk sizes with the arena so big documents take few mallocs */
		if (c && size < c->size * 2 && c->size < (1u << 20))
			size = c->size * 2;
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->off = 0;
		c->next = a->head;
		a->head = c;
	}
	p = c->mem + c->off;
	c->off += need;
	a->used += need;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t len)
{
	char *p = arena_alloc(a, len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}
