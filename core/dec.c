/*
 * dec.c - exact decimal arithmetic.  See dec.h.
 *
 * Operands are brought to a common scale in 128-bit integers; 10^36 times
 * an 18-digit mantissa still fits in 127 bits, so alignment itself never
 * overflows, and only the final narrowing to 64 bits is checked.
 */
#include <string.h>

#include "core/dec.h"
#include "core/err.h"
#include "core/text.h"

typedef __int128 i128;

static i128 pow10_128(int e)
{
	i128 p = 1;

	while (e-- > 0)
		p *= 10;
	return p;
}

/* *x *= 10^e; false when the product does not fit in 128 bits. */
static bool mul_pow10(i128 *x, int e)
{
	const i128 max = (i128)(((unsigned __int128)1 << 127) - 1) / 10;

	while (e-- > 0) {
		if (*x > max || *x < -max)
			return false;
		*x *= 10;
	}
	return true;
}

static int narrow(dec *out, i128 v, int scale)
{
	/* Too many decimals for the mantissa: drop trailing zeros only. */
	while (scale > DEC_MAX_SCALE && v % 10 == 0) {
		v /= 10;
		scale--;
	}
	if (scale > DEC_MAX_SCALE)
		return ULF_ERANGE;
	if (v > (i128)INT64_MAX || v < -(i128)INT64_MAX)
		return ULF_ERANGE;
	out->v = (int64_t)v;
	out->scale = scale;
	return 0;
}

dec dec_make(int64_t v, int scale)
{
	dec d;

	if (scale < 0)
		scale = 0;
	if (scale > DEC_MAX_SCALE)
		scale = DEC_MAX_SCALE;
	d.v = v;
	d.scale = scale;
	return d;
}

int dec_parse(dec *out, const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	bool neg = false, any = false, point = false;
	int scale = 0, digits = 0;
	i128 v = 0;

	while (p < end && text_is_space(*p))
		p++;
	while (end > p && text_is_space(end[-1]))
		end--;
	if (p < end && (*p == '+' || *p == '-'))
		neg = (*p++ == '-');
	for (; p < end; p++) {
		if (*p == '.' && !point) {
			point = true;
			continue;
		}
		if (*p < '0' || *p > '9')
			return ULF_EPARSE;
		any = true;
		if (point)
			scale++;
		if (v == 0 && *p == '0' && !point)
			continue;       /* leading zeros are free */
		if (++digits > 36)
			return ULF_ERANGE;
		v = v * 10 + (*p - '0');
	}
	if (!any)
		return ULF_EPARSE;
	return narrow(out, neg ? -v : v, scale);
}

static void align(i128 *x, i128 *y, int *scale, dec a, dec b)
{
	int s = a.scale > b.scale ? a.scale : b.scale;

	*x = (i128)a.v * pow10_128(s - a.scale);
	*y = (i128)b.v * pow10_128(s - b.scale);
	*scale = s;
}

int dec_add(dec *out, dec a, dec b)
{
	i128 x, y;
	int s;

	align(&x, &y, &s, a, b);
	return narrow(out, x + y, s);
}

int dec_sub(dec *out, dec a, dec b)
{
	i128 x, y;
	int s;

	align(&x, &y, &s, a, b);
	return narrow(out, x - y, s);
}

int dec_mul(dec *out, dec a, dec b)
{
	return narrow(out, (i128)a.v * b.v, a.scale + b.scale);
}

/* num / den rounded half away from zero; den != 0. */
static i128 div_round_signed(i128 num, i128 den)
{
	i128 q = num / den, r = num % den, ar = r < 0 ? -r : r;
	i128 ad = den < 0 ? -den : den;
	bool negative = (num < 0) != (den < 0);

	if (2 * ar >= ad)
		q += negative ? -1 : 1;
	return q;
}

int dec_round(dec *out, dec a, int places)
{
	if (places < 0)
		places = 0;
	if (a.scale <= places) {
		*out = a;
		return 0;
	}
	return narrow(out, div_round_signed(a.v, pow10_128(a.scale - places)), places);
}

int dec_mul_round(dec *out, dec a, dec b, int places)
{
	i128 p = (i128)a.v * b.v;
	int s = a.scale + b.scale;

	if (places < 0)
		places = 0;
	if (places > DEC_MAX_SCALE)
		places = DEC_MAX_SCALE;
	if (s > places)
		return narrow(out, div_round_signed(p, pow10_128(s - places)), places);
	if (!mul_pow10(&p, places - s))
		return ULF_ERANGE;
	return narrow(out, p, places);
}

int dec_div_round(dec *out, dec a, dec b, int places)
{
	i128 num = a.v, den = b.v;
	int e;

	if (b.v == 0)
		return ULF_EINVAL;
	if (places < 0)
		places = 0;
	if (places > DEC_MAX_SCALE)
		places = DEC_MAX_SCALE;
	/* a/b * 10^places = a.v * 10^(b.scale + places - a.scale) / b.v */
	e = b.scale + places - a.scale;
	if (e >= 0) {
		/* too big for 128 bits is too big a quotient for 64 */
		if (!mul_pow10(&num, e))
			return ULF_ERANGE;
	} else
		den *= pow10_128(-e);
	return narrow(out, div_round_signed(num, den), places);
}

int dec_rescale(dec *out, dec a, int places)
{
	i128 p;

	if (places < 0 || places > DEC_MAX_SCALE)
		return ULF_ERANGE;
	if (places >= a.scale)
		return narrow(out, (i128)a.v * pow10_128(places - a.scale), places);
	p = pow10_128(a.scale - places);
	if ((i128)a.v % p != 0)
		return ULF_ERANGE;
	return narrow(out, (i128)a.v / p, places);
}

int dec_cmp(dec a, dec b)
{
	i128 x, y;
	int s;

	align(&x, &y, &s, a, b);
	return (x > y) - (x < y);
}

int dec_sign(dec a)
{
	return (a.v > 0) - (a.v < 0);
}

dec dec_neg(dec a)
{
	a.v = -a.v;
	return a;
}

dec dec_abs(dec a)
{
	if (a.v < 0)
		a.v = -a.v;
	return a;
}

size_t dec_format(char *buf, size_t n, dec a, int min_places)
{
	char tmp[DEC_STR_MAX];
	size_t len = 0, i;
	uint64_t u = a.v < 0 ? (uint64_t)0 - (uint64_t)a.v : (uint64_t)a.v;
	int places = a.scale > min_places ? a.scale : min_places;
	int pad = places - a.scale, k = 0;

	if (places > DEC_MAX_SCALE)
		places = DEC_MAX_SCALE, pad = places - a.scale;
	/* digits, least significant first, with the point at `places` */
	while (pad-- > 0) {
		tmp[len++] = '0';
		k++;
	}
	do {
		if (k == places && places > 0)
			tmp[len++] = '.';
		tmp[len++] = (char)('0' + u % 10);
		u /= 10;
		k++;
	} while (u != 0 || k <= places);
	if (a.v < 0)
		tmp[len++] = '-';
	if (n == 0)
		return 0;
	if (len >= n)
		len = n - 1;
	for (i = 0; i < len; i++)
		buf[i] = tmp[len - 1 - i];
	buf[len] = '\0';
	return len;
}

int dec_to_units(int64_t *out, dec a, int places)
{
	dec r;
	int rc = dec_rescale(&r, a, places);

	if (rc == 0)
		*out = r.v;
	return rc;
}
