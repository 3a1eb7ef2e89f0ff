/*
 * mtext.h - text in robot/match: formatted to its length, or, where it is
 * kept short on purpose (history keys, rule explanations, extracted
 * values), cut on a character boundary.  A cut inside a character leaves
 * text that is not UTF-8, which the JSON writer will not store: it puts
 * null in its place and the text is lost.
 *
 * Private to robot/match: the day core/ has a text module, these belong
 * there.
 */
#ifndef ULF_MATCH_MTEXT_H
#define ULF_MATCH_MTEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"

/* fmt formatted whole, in memory of its size from `a`, or from malloc
 * when a is NULL; NULL when out of memory (or over the arena's cap). */
char *mtext_vformat(arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Whether s[0..n) is UTF-8: no stray or missing continuation bytes, no
 * overlong forms, surrogates or code points past U+10FFFF. */
bool mtext_valid(const char *s, size_t n);

/* How many bytes of s, at most max, end on a character boundary: the
 * precision for "%.*s". */
int mtext_fit(const char *s, size_t max);

/* Drops a character left incomplete at the end of s, as snprintf leaves
 * one when it cuts; s otherwise unchanged. */
void mtext_trim(char *s);

#endif
