/*
 * fileio.h - whole-file reads with a cap, and atomic writes.
 *
 * Inputs come from outside (inbox, HTTP), so a read never takes more than
 * the configured number of bytes.  Every file ulf writes is written to a
 * temporary name in the same directory, synced and renamed, so a crash
 * leaves either the old file or the new one, never half of one.
 */
#ifndef ULF_FILEIO_H
#define ULF_FILEIO_H

#include <stddef.h>

#include "core/err.h"

/*
 * Reads `path` into a malloc'd, NUL-terminated buffer owned by the caller.
 * ULF_ELIMIT when the file is larger than `limit` bytes (0 = no limit),
 * ULF_EIO when it cannot be opened or read; the message names the file.
 */
int file_read(char **out, size_t *out_len, const char *path, size_t limit,
	      ulf_err *err);

/* Writes data to `path` via a temporary file and rename(2). */
int file_write_atomic(const char *path, const void *data, size_t len,
		      ulf_err *err);

#endif
