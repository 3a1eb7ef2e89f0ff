/*
 * text.h - small tests on text that several modules need alike, each
 * written once: white space, dates as exports and documents write them,
 * numbers on a command line, and UTF-8.  Bytes, not locales: <ctype.h> answers by the C locale and
 * takes an int that must not be a negative char; these take a char.
 */
#ifndef ULF_TEXT_H
#define ULF_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* XML white space (XML 1.0 S: space, tab, LF, CR): what documents and
 * exports may put around a value. */
static inline bool text_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Blank within one line of a line-based file: space, tab, and the CR of a
 * CRLF line end; not LF, which ends the line. */
static inline bool text_is_line_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * A date as ulf writes and sends it: exactly "YYYY-MM-DD", digits, month
 * 01-12, day 01-31.  The day is not checked against the month
 * ("2024-02-31" passes).  NULL is not a date.
 */
bool text_is_date(const char *s);

/*
 * The shape of a date, as an import accepts it from an export: exactly
 * "YYYY-MM-DD" in digits, the month's first digit 0 or 1 and the day's 0
 * to 3 ("2024-00-00" and "2024-19-39" pass; "2024-1-5" does not).  NULL
 * is not one.  Looser than text_is_date on purpose: see
 * robot/store/refdata.c.
 */
bool text_is_date_shape(const char *s);

/*
 * *out = s read as a decimal number, which must be 0..max with nothing
 * after it (read as strtoul reads it: leading blanks and a '+' pass, a
 * '-' does not): a count or a port on a command line.  0, or ULF_EINVAL
 * with *out untouched.
 */
int text_parse_uint(unsigned *out, const char *s, unsigned max);

/*
 * True when s[0..len) is well-formed UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF; NUL bytes are allowed).  When it
 * is not and bad_at is not NULL, *bad_at is the offset of the first byte
 * of the first sequence that is broken or cut short.
 */
bool text_is_utf8(const char *s, size_t len, size_t *bad_at);

/*
 * Where to cut s[0..len) so that it does not end inside a UTF-8 sequence:
 * len, or less when the last sequence is cut short.  For text that
 * snprintf() truncated into a fixed buffer: a message cut in the middle
 * of "å" is no longer UTF-8, and JSON refuses it.  Looks at the tail only.
 */
size_t text_utf8_cut(const char *s, size_t len);

/*
 * The precision for printf's "%.*s" that quotes at most `max` bytes of the
 * string s without cutting a character in two:
 *	"'%.*s' is not a number", text_quote_len(s, 40), s
 * where "'%.40s'" could end in half an "å".
 */
int text_quote_len(const char *s, size_t max);

#endif
