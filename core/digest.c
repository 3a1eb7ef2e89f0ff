/*
 * digest.c - see digest.h.
 */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/digest.h"
#include "core/err.h"

static void hex_encode(char *out, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int digest_sha256_hex(char hex[DIGEST_HEX_LEN + 1], const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32) {
		hex[0] = '\0';
		return ULF_ERROR;
	}
	hex_encode(hex, md, n);
	return 0;
}

int digest_hmac_sha256(unsigned char out[DIGEST_SHA256_LEN],
		       const void *key, size_t key_len, const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	static const unsigned char empty[1];

	/* OpenSSL wants a non-NULL key even when it is empty. */
	if (key_len > INT_MAX ||
	    !HMAC(EVP_sha256(), key ? key : empty, (int)key_len,
		  data ? data : empty, data ? len : 0, md, &n) ||
	    n != DIGEST_SHA256_LEN) {
		memset(out, 0, DIGEST_SHA256_LEN);
		return ULF_ERROR;
	}
	memcpy(out, md, DIGEST_SHA256_LEN);
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

int digest_hmac_sha256_hex(char out[DIGEST_HEX_LEN + 1],
			   const void *key, size_t key_len, const void *data, size_t len)
{
	unsigned char md[DIGEST_SHA256_LEN];
	int rc = digest_hmac_sha256(md, key, key_len, data, len);

	if (rc == 0)
		hex_encode(out, md, sizeof(md));
	else
		out[0] = '\0';
	OPENSSL_cleanse(md, sizeof(md));
	return rc;
}

int digest_random(void *out, size_t n, ulf_err *err)
{
	if (n > INT_MAX)
		return ulf_err_set(err, ULF_EINVAL, "random: %zu bytes asked for", n);
	if (RAND_bytes(out, (int)n) != 1) {
		OPENSSL_cleanse(out, n);
		return ulf_err_set(err, ULF_ERROR,
			"random: OpenSSL's generator could not give %zu bytes", n);
	}
	return 0;
}

int digest_token_hex(char *out, size_t out_size, size_t nbytes, ulf_err *err)
{
	unsigned char raw[DIGEST_TOKEN_MAX_BYTES];
	int rc;

	if (out_size > 0)
		out[0] = '\0';
	if (nbytes == 0 || nbytes > DIGEST_TOKEN_MAX_BYTES || out_size < 2 * nbytes + 1)
		return ulf_err_set(err, ULF_EINVAL,
			"token: %zu bytes into %zu characters", nbytes, out_size);
	rc = digest_random(raw, nbytes, err);
	if (rc == 0)
		hex_encode(out, raw, nbytes);
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

bool digest_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

bool digest_token_equal(const char *a, const char *b)
{
	size_t n;

	if (!a || !b)
		return false;
	n = strlen(a);
	if (strlen(b) != n)
		return false;
	return CRYPTO_memcmp(a, b, n) == 0;
}

void digest_cleanse(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}
