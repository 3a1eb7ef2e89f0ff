/*
 * base64.h - decoding of embedded attachments (RFC 4648, standard alphabet).
 *
 * Senders wrap base64 over many lines and indent it with the XML around it,
 * so all XML white space is skipped.  Decoding goes straight into the one
 * buffer the caller keeps: there is never a second decoded copy.
 */
#ifndef ULF_BASE64_H
#define ULF_BASE64_H

#include <stddef.h>

#include "core/err.h"

/* Upper bound of the decoded size of `len` characters of base64. */
size_t base64_decoded_max(size_t len);

/*
 * Decodes src[0..len) into a new buffer of at most `limit` bytes (0 = no
 * limit).  *out is malloc'd and owned by the caller, *out_len its length.
 * Returns 0, ULF_EPARSE for a character outside the alphabet or bad padding,
 * ULF_ELIMIT when the decoded data would exceed `limit`, ULF_ENOMEM.
 */
int base64_decode(unsigned char **out, size_t *out_len,
		  const char *src, size_t len, size_t limit, ulf_err *err);

#endif
