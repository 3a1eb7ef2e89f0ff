/*
 * digest.h - SHA-256 through OpenSSL.  The only module that includes
 * OpenSSL's headers (libcurl uses OpenSSL on its own for TLS).
 *
 * Used for content fingerprints (the same file arriving twice is one
 * document) and for idempotency keys towards the ERP.
 */
#ifndef ULF_DIGEST_H
#define ULF_DIGEST_H

#include <stddef.h>

#define DIGEST_HEX_LEN 64

/* Lower-case hex SHA-256 of data into hex[DIGEST_HEX_LEN + 1]. */
int digest_sha256_hex(char hex[DIGEST_HEX_LEN + 1], const void *data, size_t len);

#endif
