/*
 * pnr.c - personal identity numbers found and masked.  See pnr.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pnr.h"
#include "core/text.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_sep(char c)
{
	return c == '-' || c == '+';
}

static int num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static int days_in_month(int m, bool leap)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap ? 29 : days[m - 1];
}

/* Luhn over the ten digits YYMMDDNNNC (d[0..10)). */
static bool luhn10(const char d[10])
{
	unsigned sum = 0;
	int i;

	for (i = 0; i < 10; i++) {
		unsigned v = (unsigned)(d[i] - '0');
		/* from the left, the first of ten is doubled (from the right, every
		 * second but the check digit) */
		if (i % 2 == 0) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

/*
 * The kind of the date part `date` (6 or 8 digits) and the last four
 * digits `tail`, or PNR_NONE: the century (when written) is 18, 19 or 20,
 * the month 01-12, the day a day of it (plus 60 for samordningsnummer),
 * and the check digit right.
 */
static pnr_kind check(const char *date, size_t date_len, const char *tail)
{
	const char *yymmdd = date + (date_len - 6);
	char ten[10];
	int cc = -1, yy, mm, dd, dim;
	bool leap;
	pnr_kind kind = PNR_PERSONNUMMER;

	if (date_len == 8) {
		cc = num2(date);
		if (cc < 18 || cc > 20)
			return PNR_NONE;
	}
	yy = num2(yymmdd);
	mm = num2(yymmdd + 2);
	dd = num2(yymmdd + 4);
	if (mm < 1 || mm > 12)
		return PNR_NONE;
	if (dd > 60) {
		dd -= 60;
		kind = PNR_SAMORDNINGSNUMMER;
	}
	/* a two-digit year may be of any century: a leap year in one of them
	 * (yy 00 is 2000) is enough */
	if (cc < 0) {
		leap = yy % 4 == 0;
	} else {
		int y = cc * 100 + yy;
		leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	}
	dim = days_in_month(mm, leap);
	if (dd < 1 || dd > dim)
		return PNR_NONE;
	memcpy(ten, yymmdd, 6);
	memcpy(ten + 6, tail, 4);
	return luhn10(ten) ? kind : PNR_NONE;
}

/* The number (if any) whose digits begin a run at text[i]; i is the
 * start of a run of digits.  *run gets the run's length. */
static bool match_at(pnr_span *out, const char *text, size_t n, size_t i, size_t *run)
{
	size_t r = 0, after, k;
	pnr_kind kind;

	while (i + r < n && is_digit(text[i + r]))
		r++;
	*run = r;
	after = i + r;
	if ((r == 8 || r == 6) && after + 5 <= n && is_sep(text[after])) {
		for (k = 1; k <= 4; k++)
			if (!is_digit(text[after + k]))
				return false;
		if (after + 5 < n && is_digit(text[after + 5]))
			return false;
		kind = check(text + i, r, text + after + 1);
		if (!kind)
			return false;
		out->start = i;
		out->len = r + 5;
		out->date_len = r;
		out->kind = kind;
		return true;
	}
	if (r != 12 && r != 10)
		return false;
	/* "1912121212.50": the integer part of an amount */
	if (after + 1 < n && (text[after] == '.' || text[after] == ',') &&
	    is_digit(text[after + 1])) {
		for (k = 1; after + k < n && is_digit(text[after + k]); k++)
			;
		if (k - 1 <= 2)
			return false;
	}
	kind = check(text + i, r - 4, text + after - 4);
	if (!kind)
		return false;
	out->start = i;
	out->len = r;
	out->date_len = r - 4;
	out->kind = kind;
	return true;
}

bool pnr_find(pnr_span *out, const char *text, size_t n, size_t from)
{
	size_t i = from, run;

	if (!text)
		return false;
	while (i < n) {
		if (!is_digit(text[i])) {
			i++;
			continue;
		}
		/* a run begins only after a non-digit */
		if (i > 0 && is_digit(text[i - 1])) {
			while (i < n && is_digit(text[i]))
				i++;
			continue;
		}
		if (match_at(out, text, n, i, &run))
			return true;
		i += run;
	}
	return false;
}

bool pnr_contains(const char *text, size_t n)
{
	pnr_span sp;

	return pnr_find(&sp, text, n, 0);
}

pnr_kind pnr_check(const char *s)
{
	pnr_span sp;
	size_t n;

	if (!s)
		return PNR_NONE;
	n = strlen(s);
	if (!pnr_find(&sp, s, n, 0) || sp.start != 0 || sp.len != n)
		return PNR_NONE;
	return sp.kind;
}

/* Where masked text goes: out[0..cap - 1) and a NUL, or only counted
 * (out NULL).  Writing stops for good at the first byte that does not fit. */
typedef struct sink {
	char *out;
	size_t cap, len;
	bool full;
} sink;

static void put(sink *k, const char *s, size_t n)
{
	if (k->full)
		return;
	if (k->out) {
		size_t room = k->cap - 1 - k->len;
		if (n > room) {
			memcpy(k->out + k->len, s, room);
			k->len += room;
			k->full = true;
			return;
		}
		memcpy(k->out + k->len, s, n);
	}
	k->len += n;
}

/* text[0..n) masked into k. */
static void mask_text(sink *k, const char *text, size_t n)
{
	pnr_span sp;
	size_t at = 0;

	while (pnr_find(&sp, text, n, at)) {
		put(k, text + at, sp.start - at);
		put(k, text + sp.start, sp.date_len);
		put(k, "-****", 5);
		at = sp.start + sp.len;
	}
	put(k, text + at, n - at);
}

static size_t finish(sink *k)
{
	if (!k->out)
		return k->len;
	if (k->full)
		k->len = text_utf8_cut(k->out, k->len);
	k->out[k->len] = '\0';
	return k->len;
}

size_t pnr_mask_into(char *out, size_t cap, const char *text, size_t n)
{
	sink k = { out, cap, 0, false };

	if (cap == 0)
		return 0;
	mask_text(&k, text ? text : "", text ? n : 0);
	return finish(&k);
}

size_t pnr_masked_len(const char *text, size_t n)
{
	sink k = { NULL, 0, 0, false };

	mask_text(&k, text ? text : "", text ? n : 0);
	return k.len;
}

int pnr_mask_dup(char **out, const char *s)
{
	size_t n, m;

	*out = NULL;
	if (!s)
		return 0;
	n = strlen(s);
	m = pnr_masked_len(s, n);
	*out = malloc(m + 1);
	if (!*out)
		return ULF_ENOMEM;
	pnr_mask_into(*out, m + 1, s, n);
	return 0;
}

/* The JSON text json[0..n) into k, its strings' contents masked. */
static void mask_json(sink *k, const char *json, size_t n)
{
	size_t i = 0, start;

	while (i < n) {
		if (json[i] != '"') {
			start = i;
			while (i < n && json[i] != '"')
				i++;
			put(k, json + start, i - start);
			continue;
		}
		put(k, "\"", 1);
		start = ++i;
		while (i < n && json[i] != '"') {
			if (json[i] == '\\' && i + 1 < n)
				i++;
			i++;
		}
		if (i > n)
			i = n;
		mask_text(k, json + start, i - start);
		if (i < n) {
			put(k, "\"", 1);
			i++;
		}
	}
}

int pnr_mask_json_dup(char **out, const char *json)
{
	sink count = { NULL, 0, 0, false }, k;
	size_t n;

	*out = NULL;
	if (!json)
		return 0;
	n = strlen(json);
	mask_json(&count, json, n);
	*out = malloc(count.len + 1);
	if (!*out)
		return ULF_ENOMEM;
	k.out = *out;
	k.cap = count.len + 1;
	k.len = 0;
	k.full = false;
	mask_json(&k, json, n);
	finish(&k);
	return 0;
}

/* Whether s[0..n) are all digits. */
static bool digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

const char *pnr_mask_value(char *buf, size_t n, const char *v)
{
	size_t len = v ? strlen(v) : 0, date = 0;

	if (n == 0)
		return buf;
	/* 12 or 10 digits, or the same with a separator before the last four */
	if ((len == 12 && digits(v, 12)) ||
	    (len == 13 && digits(v, 8) && is_sep(v[8]) && digits(v + 9, 4)))
		date = 8;
	else if ((len == 10 && digits(v, 10)) ||
		 (len == 11 && digits(v, 6) && is_sep(v[6]) && digits(v + 7, 4)))
		date = 6;
	if (date) {
		sink k = { buf, n, 0, false };
		put(&k, v, date);
		put(&k, "-****", 5);
		finish(&k);
	} else {
		sink k = { buf, n, 0, false };
		put(&k, "****", 4);
		finish(&k);
	}
	return buf;
}
