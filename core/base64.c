/*
 * base64.c - base64 decoding.  See base64.h.
 */
#include <stdlib.h>

#include "core/base64.h"
#include "core/text.h"

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

size_t base64_decoded_max(size_t len)
{
	return len / 4 * 3 + 3;
}

int base64_decode(unsigned char **out, size_t *out_len,
		  const char *src, size_t len, size_t limit, ulf_err *err)
{
	unsigned char *buf = NULL;
	size_t i, n = 0, sig = 0, pads = 0, cap;
	unsigned acc = 0;
	int bits = 0, rc = 0;

	*out = NULL;
	*out_len = 0;

	/* Count significant characters first so the buffer is sized exactly
	 * and the limit is checked before any allocation. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		if (text_is_space((char)c))
			continue;
		if (c == '=') {
			pads++;
			continue;
		}
		if (pads || b64_value(c) < 0) {
			rc = ulf_err_set(err, ULF_EPARSE,
				"base64: unexpected character 0x%02x at offset %zu",
				c, i);
			goto out;
		}
		sig++;
	}
	if (pads > 2 || sig % 4 == 1 || (pads && (sig + pads) % 4 != 0)) {
		rc = ulf_err_set(err, ULF_EPARSE, "base64: bad length or padding");
		goto out;
	}
	cap = sig / 4 * 3 + (sig % 4 ? sig % 4 - 1 : 0);
	if (limit && cap > limit) {
		rc = ulf_err_set(err, ULF_ELIMIT,
			"attachment of %zu bytes exceeds the limit of %zu bytes",
			cap, limit);
		goto out;
	}
	buf = malloc(cap ? cap : 1);
	if (!buf) {
		rc = ulf_err_set(err, ULF_ENOMEM, "out of memory decoding %zu bytes", cap);
		goto out;
	}
	for (i = 0; i < len; i++) {
		int v = b64_value((unsigned char)src[i]);
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (unsigned char)(acc >> bits);
		}
	}
	*out = buf;
	*out_len = n;
	buf = NULL;
out:
	free(buf);
	return rc;
}
