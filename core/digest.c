/*
 * digest.c - see digest.h.
 */
#include <openssl/evp.h>

#include "core/digest.h"
#include "core/err.h"

int digest_sha256_hex(char hex[DIGEST_HEX_LEN + 1], const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32) {
		hex[0] = '\0';
		return ULF_ERROR;
	}
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * n] = '\0';
	return 0;
}
