/*
 * mtext.c - text formatted to its length or cut on a character boundary.
 * See mtext.h.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "robot/match/mtext.h"

char *mtext_vformat(arena *a, const char *fmt, va_list ap)
{
	va_list aq;
	char *p;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	p = a ? arena_alloc(a, (size_t)n + 1) : malloc((size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

/* The length of the character a lead byte begins; 1 for anything else
 * (ASCII, a stray continuation byte). */
static size_t char_len(unsigned char c)
{
	if (c >= 0xF0 && c <= 0xF4)
		return 4;
	if (c >= 0xE0)
		return c <= 0xEF ? 3 : 1;
	if (c >= 0xC2)
		return 2;
	return 1;
}

/* The length of s[0..n) less a character left incomplete at its end. */
static size_t whole(const char *s, size_t n)
{
	size_t i = n, back = 0;

	/* back over at most three continuation bytes to the lead byte */
	while (i > 0 && back < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
		i--;
		back++;
	}
	if (i == 0 || ((unsigned char)s[i - 1] & 0xC0) != 0xC0)
		return n;   /* ASCII, or no lead byte: nothing of ours to cut */
	return char_len((unsigned char)s[i - 1]) > back + 1 ? i - 1 : n;
}

bool mtext_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned char c = *p;
		size_t len = char_len(c), k;
		unsigned char lo = 0x80, hi = 0xBF;   /* bounds of the second byte */
		if (c < 0x80) {
			p++;
			continue;
		}
		if (len == 1 || (size_t)(end - p) < len)
			return false;   /* a stray continuation, C0, C1, F5..FF, or cut short */
		if (c == 0xE0)
			lo = 0xA0;      /* overlong */
		else if (c == 0xED)
			hi = 0x9F;      /* surrogates */
		else if (c == 0xF0)
			lo = 0x90;      /* overlong */
		else if (c == 0xF4)
			hi = 0x8F;      /* past U+10FFFF */
		if (p[1] < lo || p[1] > hi)
			return false;
		for (k = 2; k < len; k++)
			if ((p[k] & 0xC0) != 0x80)
				return false;
		p += len;
	}
	return true;
}

int mtext_fit(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n > INT_MAX)
		n = INT_MAX;
	return (int)(n < max || !s[n] ? n : whole(s, n));
}

void mtext_trim(char *s)
{
	size_t n = strlen(s);

	s[whole(s, n)] = '\0';
}
