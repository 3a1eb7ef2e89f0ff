/*
 * digest.h - the one wrapper around OpenSSL's crypto library: SHA-256,
 * HMAC-SHA256, random bytes and tokens, constant-time comparison and
 * wiping of secrets.  The only module that includes OpenSSL's headers
 * (libcurl uses OpenSSL on its own for TLS).
 *
 * Used for content fingerprints (the same file arriving twice is one
 * document), idempotency keys towards the ERP, and the workbench's session
 * ids and CSRF tokens (robot/web/auth.h).
 */
#ifndef ULF_DIGEST_H
#define ULF_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define DIGEST_SHA256_LEN 32
#define DIGEST_HEX_LEN 64

/* A token of 256 random bits, and the longest token digest_token_hex draws. */
#define DIGEST_TOKEN_BYTES 32
#define DIGEST_TOKEN_MAX_BYTES 64

/* Lower-case hex SHA-256 of data into hex[DIGEST_HEX_LEN + 1]. */
int digest_sha256_hex(char hex[DIGEST_HEX_LEN + 1], const void *data, size_t len);

/*
 * HMAC-SHA256 (RFC 2104) of data under key, as raw bytes or as lower-case
 * hex.  Returns 0, or ULF_ERROR (only for a key or data OpenSSL cannot
 * take, e.g. a key over INT_MAX bytes); out is then zeroed.
 */
int digest_hmac_sha256(unsigned char out[DIGEST_SHA256_LEN],
		       const void *key, size_t key_len, const void *data, size_t len);
int digest_hmac_sha256_hex(char out[DIGEST_HEX_LEN + 1],
			   const void *key, size_t key_len, const void *data, size_t len);

/*
 * Fills out[0..n) with bytes from OpenSSL's CSPRNG (RAND_bytes).  Returns 0
 * or ULF_ERROR when the generator could not be seeded - then out holds no
 * usable bytes and nothing may be made of them.
 */
int digest_random(void *out, size_t n, ulf_err *err);

/*
 * A fresh random token of `nbytes` bytes (1..DIGEST_TOKEN_MAX_BYTES;
 * DIGEST_TOKEN_BYTES for session ids and secrets) as 2 * nbytes lower-case
 * hex digits and a NUL into out[0..out_size).  Returns 0, ULF_EINVAL for a
 * size out of range or an out too small, ULF_ERROR from digest_random.
 */
int digest_token_hex(char *out, size_t out_size, size_t nbytes, ulf_err *err);

/*
 * Whether a[0..n) equals b[0..n), in time that depends only on n
 * (CRYPTO_memcmp): for comparing secrets, where an early exit would tell
 * an attacker how many leading bytes were right.
 */
bool digest_equal(const void *a, const void *b, size_t n);

/*
 * Whether two NUL-terminated tokens are equal.  The lengths are compared
 * first (a token's length is no secret: every token of a kind has the same
 * one), the contents in constant time.  NULL equals nothing.
 */
bool digest_token_equal(const char *a, const char *b);

/* Overwrites p[0..n) with zeros in a way the compiler may not drop
 * (OPENSSL_cleanse): for passwords, keys and tokens before free. */
void digest_cleanse(void *p, size_t n);

#endif
