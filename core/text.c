/*
 * text.c - dates, numbers and UTF-8.  See text.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/text.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Ten characters, digits but for '-' at 4 and 7. */
static bool date_digits(const char *s)
{
	size_t i;

	if (!s || strlen(s) != 10)
		return false;
	for (i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : !is_digit(s[i]))
			return false;
	return true;
}

bool text_is_date(const char *s)
{
	if (!date_digits(s))
		return false;
	return (s[5] == '0' ? s[6] >= '1' : s[5] == '1' && s[6] <= '2') &&
	       (s[8] < '3' ? !(s[8] == '0' && s[9] == '0') : s[8] == '3' && s[9] <= '1');
}

bool text_is_date_shape(const char *s)
{
	return date_digits(s) && s[5] <= '1' && s[8] <= '3';
}

int text_parse_uint(unsigned *out, const char *s, unsigned max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || *s == '-' || v > max)
		return ULF_EINVAL;
	*out = (unsigned)v;
	return 0;
}

bool text_is_utf8(const char *s, size_t len, size_t *bad_at)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, k;
	unsigned long cp, min;

	while (i < len) {
		unsigned char c = p[i];

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			n = 2, cp = c & 0x1F, min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 3, cp = c & 0x0F, min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 4, cp = c & 0x07, min = 0x10000;
		} else {
			goto bad;   /* a continuation byte, C0/C1, or F5..FF */
		}
		if (n > len - i)
			goto bad;
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				goto bad;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		i += n;
	}
	return true;
bad:
	if (bad_at)
		*bad_at = i;
	return false;
}

size_t text_utf8_cut(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, back, need;

	for (back = 1; back <= 4 && back <= len; back++) {
		i = len - back;
		if ((p[i] & 0xC0) == 0x80)
			continue;           /* a continuation byte: look further back */
		need = p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : p[i] >= 0xC0 ? 2 : 1;
		return need > back ? i : len;
	}
	return len;
}

int text_quote_len(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	n = text_utf8_cut(s, n);
	return n > INT_MAX ? INT_MAX : (int)n;
}
