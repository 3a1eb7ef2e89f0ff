/*
 * dynbuf.h - a growing byte buffer with a cap (after curl's dynbuf).
 *
 * Every buffer ulf grows from outside input has a most-bytes cap, set once
 * at dynbuf_init(); an add that would go past it fails with ULF_ELIMIT and
 * leaves the buffer as it was.  The content is kept NUL-terminated (the NUL
 * is not counted and not part of the cap), so text can be used as a C
 * string; bytes may be anything, NULs included.  Arrays of structs can be
 * grown in one too (add sizeof(item) bytes at a time; malloc'd memory is
 * aligned for any type), with the cap in bytes.
 *
 * The functions return 0 or a ULF_E* code and take no ulf_err: only the
 * caller knows what the buffer holds ("record longer than 1 MiB", "file
 * exceeds the limit"), so the caller words the message.
 *
 * The struct is visible so that a dynbuf can live on the stack or inside
 * another struct; its fields are the module's: read it through
 * dynbuf_ptr() and dynbuf_len().
 */
#ifndef ULF_DYNBUF_H
#define ULF_DYNBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/err.h"

typedef struct dynbuf {
	char *mem;     /* NULL until the first add */
	size_t len;    /* bytes held; mem[len] is '\0' */
	size_t cap;    /* bytes allocated, the NUL's included */
	size_t max;    /* the most bytes len may reach */
} dynbuf;

/* Starts b empty, holding at most `max` bytes (at most SIZE_MAX - 1).
 * Allocates nothing.  A zeroed dynbuf is an empty one with a cap of 0. */
void dynbuf_init(dynbuf *b, size_t max);

/* Frees the memory; b is empty again, with the same cap, and may be
 * reused.  A NULL b does nothing. */
void dynbuf_release(dynbuf *b);

/* Empties b but keeps its memory for the next adds. */
void dynbuf_reset(dynbuf *b);

/*
 * Appends n bytes (n = 0 is allowed and allocates the NUL).  ULF_ELIMIT
 * when len + n would exceed the cap, ULF_ENOMEM when memory runs out; b is
 * unchanged then.
 */
ULF_MUST_CHECK int dynbuf_add(dynbuf *b, const void *data, size_t n);

/* Appends a C string, without its NUL.  As dynbuf_add. */
ULF_MUST_CHECK int dynbuf_adds(dynbuf *b, const char *s);

/* Appends formatted text.  As dynbuf_add, and ULF_EINVAL when vsnprintf
 * fails on the format. */
ULF_MUST_CHECK int dynbuf_printf(dynbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
ULF_MUST_CHECK int dynbuf_vprintf(dynbuf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Hands the content to the caller: *out is a malloc'd, NUL-terminated
 * buffer of *out_len bytes (out_len may be NULL) that the caller frees; an
 * empty b gives "".  b is empty afterwards, with the same cap.  ULF_ENOMEM
 * only when b is empty and even "" cannot be allocated (*out is NULL then).
 */
ULF_MUST_CHECK int dynbuf_take(char **out, size_t *out_len, dynbuf *b);

/* The content (NUL-terminated, writable, owned by b, moved by the next
 * add), or NULL while nothing has been added. */
static inline char *dynbuf_ptr(const dynbuf *b) { return b->mem; }

/* Bytes held. */
static inline size_t dynbuf_len(const dynbuf *b) { return b->len; }

/*
 * Arrays of structs.  dynbuf_add_item appends one item of `size` bytes,
 * zeroed, and sets *out to it (NULL on failure); dynbuf_items is the
 * array, of dynbuf_len(b) / size items, as a void * that converts to the
 * item's type without a cast.  The array moves when it grows: a pointer
 * into it holds until the next add.  The cap is in bytes, so
 *	dynbuf_init(&b, ROWS_MAX * sizeof(row));
 * caps the count at ROWS_MAX.  As dynbuf_add.
 */
ULF_MUST_CHECK int dynbuf_add_item(void **out, dynbuf *b, size_t size);
static inline void *dynbuf_items(const dynbuf *b) { return b->mem; }

/* Appends one byte; the common case without a call. */
ULF_MUST_CHECK static inline int dynbuf_addc(dynbuf *b, char c)
{
	if (b->len + 1 < b->cap) {
		b->mem[b->len++] = c;
		b->mem[b->len] = '\0';
		return 0;
	}
	return dynbuf_add(b, &c, 1);
}

#endif
