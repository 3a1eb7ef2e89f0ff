/*
 * dynbuf.c - the capped growing buffer.  See dynbuf.h.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dynbuf.h"

#define DYNBUF_MIN 64   /* first allocation: small adds do not realloc at once */

void dynbuf_init(dynbuf *b, size_t max)
{
	b->mem = NULL;
	b->len = 0;
	b->cap = 0;
	/* max + 1 (the NUL) must not wrap */
	b->max = max < SIZE_MAX ? max : SIZE_MAX - 1;
}

void dynbuf_release(dynbuf *b)
{
	if (!b)
		return;
	free(b->mem);
	b->mem = NULL;
	b->len = 0;
	b->cap = 0;
}

void dynbuf_reset(dynbuf *b)
{
	b->len = 0;
	if (b->mem)
		b->mem[0] = '\0';
}

/* Makes room for n more bytes and the NUL, doubling up to the cap. */
static int grow(dynbuf *b, size_t n)
{
	size_t need, cap, top;
	char *mem;

	if (n > b->max - b->len)
		return ULF_ELIMIT;
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	top = b->max + 1;
	cap = b->cap ? b->cap : DYNBUF_MIN;
	while (cap < need)
		cap = cap > top / 2 ? top : cap * 2;
	if (cap > top)
		cap = top;
	mem = realloc(b->mem, cap);
	if (!mem)
		return ULF_ENOMEM;
	b->mem = mem;
	b->cap = cap;
	return 0;
}

int dynbuf_add(dynbuf *b, const void *data, size_t n)
{
	int rc = grow(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->mem + b->len, data, n);
	b->len += n;
	b->mem[b->len] = '\0';
	return 0;
}

int dynbuf_add_item(void **out, dynbuf *b, size_t size)
{
	int rc = grow(b, size);

	*out = NULL;
	if (rc)
		return rc;
	*out = b->mem + b->len;
	memset(*out, 0, size);
	b->len += size;
	b->mem[b->len] = '\0';
	return 0;
}

int dynbuf_adds(dynbuf *b, const char *s)
{
	return dynbuf_add(b, s, strlen(s));
}

int dynbuf_vprintf(dynbuf *b, const char *fmt, va_list ap)
{
	va_list again;
	size_t room = b->mem ? b->cap - b->len : 0;
	int n, rc;

	/* first into the room there is; most texts fit */
	va_copy(again, ap);
	n = vsnprintf(room ? b->mem + b->len : NULL, room, fmt, again);
	va_end(again);
	if (n < 0 || (size_t)n >= room) {
		if (room)
			b->mem[b->len] = '\0';   /* the cut-off text is not ours */
		if (n < 0)
			return ULF_EINVAL;
		rc = grow(b, (size_t)n);
		if (rc)
			return rc;
		n = vsnprintf(b->mem + b->len, (size_t)n + 1, fmt, ap);
		if (n < 0) {
			b->mem[b->len] = '\0';
			return ULF_EINVAL;
		}
	}
	b->len += (size_t)n;
	return 0;
}

int dynbuf_printf(dynbuf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = dynbuf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

int dynbuf_take(char **out, size_t *out_len, dynbuf *b)
{
	*out = b->mem ? b->mem : calloc(1, 1);
	if (out_len)
		*out_len = b->mem ? b->len : 0;
	b->mem = NULL;
	b->len = 0;
	b->cap = 0;
	return *out ? 0 : ULF_ENOMEM;
}
