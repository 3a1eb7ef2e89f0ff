/*
 * care_gen.c - see care_gen.h.  Plain string work on the template: the
 * replacements keep every identifier's length, so amounts, structure and
 * the claim's reconciliation are the template's own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/crash/care_gen.h"

#define OPEN_TAG "<cbc:EmbeddedDocumentBinaryObject"
#define CLOSE_TAG "</cbc:EmbeddedDocumentBinaryObject>"
#define CLAIM_ID_LEN 23           /* ZVF + 10-digit org + YYMM + 6 digits */

struct care_gen {
	char *text;                   /* the template */
	size_t len;
	size_t b64_start, b64_end;    /* the embedded claim's base64, if any */
	char *claim;                  /* the decoded embedded claim, or NULL */
	size_t claim_len;
	char number[32];              /* the template's invoice number */
	char claim_id[CLAIM_ID_LEN + 1];   /* its claim id, or "" */
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static char *b64decode(const char *s, size_t n, size_t *out_len)
{
	char *out = malloc(n / 4 * 3 + 4);
	unsigned acc = 0;
	int bits = 0;
	size_t i, k = 0;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		int v = b64val((unsigned char)s[i]);
		if (v < 0)
			continue;       /* white space, padding */
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (char)((acc >> bits) & 0xff);
		}
	}
	*out_len = k;
	return out;
}

/* base64 in lines of 76 characters, as base64 -w 76 writes it. */
static size_t b64encode(char *out, const unsigned char *in, size_t n)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, k = 0, col = 0;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		char q[4];
		int j;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		q[0] = al[(v >> 18) & 63];
		q[1] = al[(v >> 12) & 63];
		q[2] = i + 1 < n ? al[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? al[v & 63] : '=';
		if (col == 76) {
			out[k++] = '\n';
			col = 0;
		}
		for (j = 0; j < 4; j++)
			out[k++] = q[j];
		col += 4;
	}
	return k;
}

static void replace_all(char *buf, size_t len, const char *from, const char *to)
{
	size_t fl = strlen(from), i;

	for (i = 0; i + fl <= len; i++)
		if (memcmp(buf + i, from, fl) == 0) {
			memcpy(buf + i, to, fl);
			i += fl - 1;
		}
}

static const char *find(const char *hay, size_t len, const char *needle)
{
	size_t nl = strlen(needle), i;

	for (i = 0; i + nl <= len; i++)
		if (memcmp(hay + i, needle, nl) == 0)
			return hay + i;
	return NULL;
}

/* "ZVF" and 20 digits: a fakturaunderlags-id. */
static const char *find_claim_id(const char *s, size_t len)
{
	size_t i, k;

	for (i = 0; i + CLAIM_ID_LEN <= len; i++) {
		if (memcmp(s + i, "ZVF", 3) != 0)
			continue;
		for (k = 3; k < CLAIM_ID_LEN && s[i + k] >= '0' && s[i + k] <= '9'; k++)
			;
		if (k == CLAIM_ID_LEN)
			return s + i;
	}
	return NULL;
}

/* The text between `open` and the next '<'. */
static int element_text(char *buf, size_t size, const char *s, size_t len, const char *open)
{
	const char *a = find(s, len, open), *b;
	size_t n;

	if (!a)
		return -1;
	a += strlen(open);
	b = memchr(a, '<', len - (size_t)(a - s));
	if (!b || (n = (size_t)(b - a)) == 0 || n >= size)
		return -1;
	memcpy(buf, a, n);
	buf[n] = '\0';
	return 0;
}

care_gen *care_gen_load(const char *path)
{
	care_gen *g = calloc(1, sizeof(*g));
	const char *open, *start, *end, *zvf = NULL;

	if (!g || !(g->text = slurp(path, &g->len))) {
		fprintf(stderr, "care_gen: cannot read %s\n", path);
		goto fail;
	}
	/* an invoice's number is its first cbc:ID; a claim names it in invoiceId */
	if (element_text(g->number, sizeof(g->number), g->text, g->len, "<cbc:ID>") &&
	    element_text(g->number, sizeof(g->number), g->text, g->len, "invoiceId>")) {
		fprintf(stderr, "care_gen: %s: neither an invoice number nor a claim's invoiceId\n",
			path);
		goto fail;
	}
	if (strlen(g->number) < 7) {
		fprintf(stderr, "care_gen: %s: invoice number %s has fewer than 7 characters\n",
			path, g->number);
		goto fail;
	}
	open = find(g->text, g->len, OPEN_TAG);
	start = open ? memchr(open, '>', g->len - (size_t)(open - g->text)) : NULL;
	end = start ? find(start, g->len - (size_t)(start - g->text), CLOSE_TAG) : NULL;
	if (end) {
		start++;
		g->b64_start = (size_t)(start - g->text);
		g->b64_end = (size_t)(end - g->text);
		g->claim = b64decode(start, (size_t)(end - start), &g->claim_len);
		if (!g->claim)
			goto fail;
		zvf = find_claim_id(g->claim, g->claim_len);
		if (!zvf || !find(g->claim, g->claim_len, g->number)) {
			fprintf(stderr, "care_gen: %s: the embedded object is no claim for invoice %s\n",
				path, g->number);
			goto fail;
		}
	}
	if (!zvf)
		zvf = find_claim_id(g->text, g->len);
	if (zvf)
		memcpy(g->claim_id, zvf, CLAIM_ID_LEN);
	return g;
fail:
	care_gen_free(g);
	return NULL;
}

void care_gen_free(care_gen *g)
{
	if (!g)
		return;
	free(g->text);
	free(g->claim);
	free(g);
}

void care_gen_number(const care_gen *g, unsigned long n, char *buf, size_t size)
{
	size_t keep = strlen(g->number) - 6;

	snprintf(buf, size, "%.*s%06lu", (int)keep, g->number, n % 1000000);
}

/* Copies src to dst with the template's identifiers replaced by n's. */
static void rewrite(char *dst, const char *src, size_t len, const care_gen *g,
		    const char *number, const char *claim_id)
{
	memcpy(dst, src, len);
	replace_all(dst, len, g->number, number);
	if (g->claim_id[0])
		replace_all(dst, len, g->claim_id, claim_id);
}

char *care_gen_make(const care_gen *g, unsigned long n, size_t *len)
{
	char number[32], claim_id[CLAIM_ID_LEN + 1], *claim = NULL, *out;
	size_t enc_max = (g->claim_len + 2) / 3 * 4 + g->claim_len / 57 + 2, k;

	care_gen_number(g, n, number, sizeof(number));
	snprintf(claim_id, sizeof(claim_id), "%.17s%06lu", g->claim_id, n % 1000000);
	out = malloc(g->len + enc_max + 1);
	if (!out)
		return NULL;
	if (!g->claim) {
		rewrite(out, g->text, g->len, g, number, claim_id);
		out[g->len] = '\0';
		*len = g->len;
		return out;
	}
	claim = malloc(g->claim_len);
	if (!claim) {
		free(out);
		return NULL;
	}
	/* the base64 itself is never searched: a match there would be chance */
	rewrite(claim, g->claim, g->claim_len, g, number, claim_id);
	rewrite(out, g->text, g->b64_start, g, number, claim_id);
	k = g->b64_start;
	k += b64encode(out + k, (const unsigned char *)claim, g->claim_len);
	rewrite(out + k, g->text + g->b64_end, g->len - g->b64_end, g, number, claim_id);
	k += g->len - g->b64_end;
	out[k] = '\0';
	free(claim);
	*len = k;
	return out;
}
