/*
 * refkeys.c - the canonical keys of reference data and the amounts of
 * exports.  See refkeys.h.
 */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "parsers/refkeys.h"

const char *refdata_key_name(ref_key k)
{
	switch (k) {
	case REF_BY_NUMBER:   return "supplier number";
	case REF_BY_PEPPOL:   return "Peppol id";
	case REF_BY_ORG:      return "org number";
	case REF_BY_VAT:      return "VAT number";
	case REF_BY_BANKGIRO: return "bankgiro";
	case REF_BY_PLUSGIRO: return "plusgiro";
	case REF_BY_IBAN:     return "IBAN";
	case REF_BY_NAME:     return "name";
	}
	return "key";
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* Digits of s, skipping blanks and dashes; false on anything else or when
 * the count is outside min..max. */
static bool digits_only(char *out, size_t n, const char *s, size_t min, size_t max)
{
	size_t len = 0;

	for (; *s; s++) {
		if (*s == ' ' || *s == '-' || *s == '\t')
			continue;
		if (!is_digit(*s) || len + 1 >= n)
			return false;
		out[len++] = *s;
	}
	out[len] = '\0';
	return len >= min && len <= max;
}

/* Lower-cases ASCII and the upper-case letters of Latin-1 (U+00C0..U+00DE
 * but the multiplication sign), which covers Å, Ä, Ö, É and Ü. */
static size_t fold_char(char *out, const unsigned char *s, size_t *used)
{
	if (s[0] < 0x80) {
		*used = 1;
		out[0] = lower((char)s[0]);
		return 1;
	}
	if (s[0] == 0xC3 && s[1] >= 0x80 && s[1] <= 0xBF) {
		*used = 2;
		out[0] = (char)0xC3;
		out[1] = (char)(s[1] >= 0x80 && s[1] <= 0x9E && s[1] != 0x97 ? s[1] + 0x20 : s[1]);
		return 2;
	}
	/* any other multi-byte sequence passes through unchanged */
	*used = 1;
	while (s[*used] >= 0x80 && s[*used] < 0xC0 && *used < 4)
		(*used)++;
	memcpy(out, s, *used);
	return *used;
}

/* Splits folded text into words of letters (and digits when asked) and
 * keeps those `keep` accepts, separated by one blank. */
static void fold_words(char *out, size_t n, const char *text, bool digits,
		       bool (*keep)(const char *w, size_t len))
{
	const unsigned char *s = (const unsigned char *)text;
	char word[256];
	size_t len = 0, wl = 0, used;

	if (n == 0)
		return;
	out[0] = '\0';
	for (;;) {
		bool letter = *s && (*s >= 0x80 || is_alpha((char)*s) || (digits && is_digit((char)*s)));
		if (letter) {
			char c[4];
			size_t k = fold_char(c, s, &used);
			if (wl + k < sizeof(word)) {
				memcpy(word + wl, c, k);
				wl += k;
			}
			s += used;
			continue;
		}
		if (wl && (!keep || keep(word, wl)) && len + wl + 2 < n) {
			if (len)
				out[len++] = ' ';
			memcpy(out + len, word, wl);
			len += wl;
			out[len] = '\0';
		}
		wl = 0;
		if (!*s)
			break;
		s++;
	}
}

static bool word_is(const char *w, size_t len, const char *const *list)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (strlen(list[i]) == len && memcmp(list[i], w, len) == 0)
			return true;
	return false;
}

static bool keep_name_word(const char *w, size_t len)
{
	static const char *const legal[] = {
		"ab", "aktiebolag", "publ", "hb", "kb", "ek", "för", "oy", "oyj", "as", "asa",
		"aps", "a", "s", "ltd", "limited", "gmbh", "inc", "bv", "nv", "sa", "plc", NULL
	};
	return !word_is(w, len, legal);
}

static bool keep_text_word(const char *w, size_t len)
{
	static const char *const months[] = {
		"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
		"september", "oktober", "november", "december", "january", "february", "march",
		"may", "june", "july", "august", "october", "jan", "feb", "mar", "apr", "jun",
		"jul", "aug", "sep", "sept", "okt", "oct", "nov", "dec", NULL
	};
	/* "Q1"/"Q2" leave single letters; they say when, not what */
	if (len == 1)
		return false;
	return !word_is(w, len, months);
}

void refdata_item_key(char *out, size_t n, const char *id)
{
	size_t len = 0;

	if (n == 0)
		return;
	for (; id && *id; id++) {
		if (*id == ' ' || *id == '\t' || *id == '\n' || *id == '\r')
			continue;
		if (len + 1 >= n)
			break;
		out[len++] = upper(*id);
	}
	out[len] = '\0';
}

void refdata_text_key(char *out, size_t n, const char *text)
{
	fold_words(out, n, text ? text : "", false, keep_text_word);
}

bool refdata_norm(char *out, size_t n, ref_key k, const char *in_)
{
	char in_copy[512];
	const char *colon, *in = in_copy;
	size_t len = 0, i;

	/* out may be in: read from a copy */
	if (!in_ || n < 2 || strlen(in_) >= sizeof(in_copy)) {
		if (n)
			out[0] = '\0';
		return false;
	}
	memcpy(in_copy, in_, strlen(in_) + 1);
	out[0] = '\0';
	while (*in == ' ' || *in == '\t')
		in++;
	switch (k) {
	case REF_BY_NUMBER:
		len = strlen(in);
		if (len >= n)
			return false;   /* too long to be a key: refused, not cut */
		memcpy(out, in, len + 1);
		while (len && (out[len - 1] == ' ' || out[len - 1] == '\t'))
			out[--len] = '\0';
		return len > 0 && len + 1 < n;
	case REF_BY_ORG: {
		char d[16];
		/* 12 digits with the century (16/19/20) are the same number */
		if (!digits_only(d, sizeof(d), in, 10, 12) || strlen(d) == 11)
			return false;
		snprintf(out, n, "%s", d + strlen(d) - 10);
		return true;
	}
	case REF_BY_BANKGIRO:
		return digits_only(out, n, in, 7, 8) || (out[0] = '\0', false);
	case REF_BY_PLUSGIRO:
		return digits_only(out, n, in, 2, 8) || (out[0] = '\0', false);
	case REF_BY_VAT:
	case REF_BY_IBAN:
		for (i = 0; in[i]; i++) {
			if (in[i] == ' ' || in[i] == '-' || in[i] == '.')
				continue;
			if (!is_alpha(in[i]) && !is_digit(in[i]))
				return (out[0] = '\0', false);
			if (len + 1 >= n)
				return (out[0] = '\0', false);
			out[len++] = upper(in[i]);
		}
		out[len] = '\0';
		/* a country code, then at least one digit (IBAN: two check digits) */
		if (len < 4 || !is_alpha(out[0]) || !is_alpha(out[1]) ||
		    !strpbrk(out + 2, "0123456789") ||
		    (k == REF_BY_IBAN && (len < 15 || len > 34 || !is_digit(out[2]) ||
					  !is_digit(out[3]))))
			return (out[0] = '\0', false);
		return true;
	case REF_BY_PEPPOL:
		colon = strchr(in, ':');
		if (!colon || colon == in || !colon[1])
			return false;
		for (i = 0; in[i] && in[i] != ' ' && in[i] != '\t'; i++) {
			if (len + 1 >= n)
				return (out[0] = '\0', false);
			out[len++] = lower(in[i]);
		}
		out[len] = '\0';
		return true;
	case REF_BY_NAME:
		fold_words(out, n, in, true, keep_name_word);
		return out[0] != '\0';
	}
	return false;
}

int refdata_parse_amount(dec *out, const char *s)
{
	char buf[64];
	size_t len = 0;
	int commas = 0, points = 0;
	const unsigned char *p = (const unsigned char *)s;

	if (!s)
		return ULF_EPARSE;
	for (; *p; p++) {
		if (*p == ' ' || *p == '\t')
			continue;
		if (p[0] == 0xC2 && p[1] == 0xA0) {   /* no-break space */
			p++;
			continue;
		}
		if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0xAF) {   /* narrow no-break space */
			p += 2;
			continue;
		}
		if (*p == ',')
			commas++;
		if (*p == '.')
			points++;
		if (len + 1 >= sizeof(buf))
			return ULF_EPARSE;
		buf[len++] = *p == ',' ? '.' : (char)*p;
	}
	buf[len] = '\0';
	/* "1.234,50" or "1,234.50": which one is the decimal mark is a guess,
	 * and money is not guessed */
	if (commas + points > 1 || len == 0)
		return ULF_EPARSE;
	return dec_parse(out, buf, len);
}
