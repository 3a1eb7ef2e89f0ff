/*
 * fuzz_base64.c - libFuzzer target for base64_decode (core/base64.c), which
 * decodes every embedded attachment a sender puts in an invoice or an
 * ObjectEnvelope.
 *
 * Input:  byte 0   the decoded-size limit: 0 = none, else 1..255 bytes
 *         rest     the base64 text, white space and all
 *
 * Checked besides memory safety and leaks: a failure hands back nothing;
 * the limit holds exactly (refused above it, accepted at it); a success
 * re-encodes to the same significant characters (only the unused low bits
 * of the last one may differ) and decodes again to the same bytes.
 */
#include <string.h>

#include "core/base64.h"
#include "core/err.h"

#include "tests/fuzz/fuzz.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Standard base64 with padding; returns a malloc'd string, *len its length. */
static char *encode(const unsigned char *d, size_t n, size_t *len)
{
	char *s = malloc((n + 2) / 3 * 4 + 1), *p = s;
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i + 2 < n; i += 3) {
		*p++ = alphabet[d[i] >> 2];
		*p++ = alphabet[((d[i] & 3) << 4) | (d[i + 1] >> 4)];
		*p++ = alphabet[((d[i + 1] & 15) << 2) | (d[i + 2] >> 6)];
		*p++ = alphabet[d[i + 2] & 63];
	}
	if (n - i == 1) {
		*p++ = alphabet[d[i] >> 2];
		*p++ = alphabet[(d[i] & 3) << 4];
		*p++ = '=';
		*p++ = '=';
	} else if (n - i == 2) {
		*p++ = alphabet[d[i] >> 2];
		*p++ = alphabet[((d[i] & 3) << 4) | (d[i + 1] >> 4)];
		*p++ = alphabet[(d[i + 1] & 15) << 2];
		*p++ = '=';
	}
	*p = '\0';
	*len = (size_t)(p - s);
	return s;
}

/* The characters that carry data: no white space, no padding. */
static size_t significant(char *out, const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (strchr(alphabet, s[i]) && s[i] != '\0')
			out[k++] = s[i];
	return k;
}

static void check_roundtrip(const char *src, size_t len, const unsigned char *d,
			    size_t n)
{
	unsigned char *again = NULL;
	size_t elen = 0, alen = 0, k1, k2;
	char *enc = encode(d, n, &elen), *sig1, *sig2;
	ulf_err err;

	if (!enc)
		return;
	sig1 = malloc(len + 1);
	sig2 = malloc(elen + 1);
	if (sig1 && sig2) {
		k1 = significant(sig1, src, len);
		k2 = significant(sig2, enc, elen);
		/* nothing dropped, nothing invented */
		FUZZ_CHECK(k1 == k2);
		if (k1 > 0)
			FUZZ_CHECK(memcmp(sig1, sig2, k1 - 1) == 0);
	}
	free(sig1);
	free(sig2);
	ulf_err_clear(&err);
	FUZZ_CHECK(base64_decode(&again, &alen, enc, elen, 0, &err) == 0);
	FUZZ_CHECK(alen == n && memcmp(again, d, n) == 0);
	free(again);
	free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *out = NULL, *full = NULL;
	size_t out_len = 123, full_len = 0, limit, len;
	const char *src;
	ulf_err err;
	int rc;

	if (size < 1)
		return 0;
	limit = data[0];
	src = (const char *)data + 1;
	len = size - 1;

	ulf_err_clear(&err);
	rc = base64_decode(&out, &out_len, src, len, limit, &err);
	FUZZ_CHECK(rc == 0 || rc == ULF_EPARSE || rc == ULF_ELIMIT || rc == ULF_ENOMEM);
	if (rc) {
		FUZZ_CHECK(out == NULL && out_len == 0);
		FUZZ_CHECK(err.code == rc && err.msg[0] != '\0');
		FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
	} else {
		FUZZ_CHECK(out != NULL && err.code == 0);
		FUZZ_CHECK(out_len <= base64_decoded_max(len));
		FUZZ_CHECK(limit == 0 || out_len <= limit);
		check_roundtrip(src, len, out, out_len);
	}

	if (rc == ULF_ELIMIT) {
		/* refused only because of the limit: without one it decodes, to
		 * more than the limit, and at exactly its size it is accepted */
		ulf_err_clear(&err);
		FUZZ_CHECK(base64_decode(&full, &full_len, src, len, 0, &err) == 0);
		FUZZ_CHECK(full_len > limit);
		free(out);
		out = NULL;
		ulf_err_clear(&err);
		FUZZ_CHECK(base64_decode(&out, &out_len, src, len, full_len, &err) == 0);
		FUZZ_CHECK(out_len == full_len && memcmp(out, full, full_len) == 0);
		free(full);
	}
	free(out);
	return 0;
}
