/*
 * fileio.c - see fileio.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dynbuf.h"
#include "core/fileio.h"

int file_read(char **out, size_t *out_len, const char *path, size_t limit,
	      ulf_err *err)
{
	struct stat st;
	dynbuf buf;
	char chunk[32768];
	ssize_t got;
	int fd = -1, rc = 0;

	*out = NULL;
	*out_len = 0;
	/* limit 0: as much as the file holds (dynbuf's own cap stays) */
	dynbuf_init(&buf, limit ? limit : SIZE_MAX);
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		rc = ulf_err_set(err, ULF_EIO, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = ulf_err_set(err, ULF_EIO, "%s: not a regular file", path);
		goto out;
	}
	if (limit && (size_t)st.st_size > limit) {
		rc = ulf_err_set(err, ULF_ELIMIT,
			"%s: %lld bytes exceeds the limit of %zu bytes",
			path, (long long)st.st_size, limit);
		goto out;
	}
	/* the file may grow while we read it: read until EOF, within the cap */
	for (;;) {
		got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = ulf_err_set(err, ULF_EIO, "%s: read failed: %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		rc = dynbuf_add(&buf, chunk, (size_t)got);
		if (rc == ULF_ELIMIT) {
			rc = ulf_err_set(err, ULF_ELIMIT,
				"%s: exceeds the limit of %zu bytes", path, limit);
			goto out;
		}
		if (rc) {
			rc = ulf_err_set(err, ULF_ENOMEM, "%s: out of memory", path);
			goto out;
		}
	}
	if (dynbuf_take(out, out_len, &buf) != 0)
		rc = ulf_err_set(err, ULF_ENOMEM, "%s: out of memory", path);
out:
	dynbuf_release(&buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

int file_write_atomic(const char *path, const void *data, size_t len,
		      ulf_err *err)
{
	char tmp[4096];
	const char *p = data;
	int fd = -1, rc = 0, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return ulf_err_set(err, ULF_EINVAL, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = ulf_err_set(err, ULF_EIO, "%s: cannot create: %s", tmp, strerror(errno));
		goto out;
	}
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = ulf_err_set(err, ULF_EIO, "%s: write failed: %s", tmp, strerror(errno));
			goto out;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) < 0) {
		rc = ulf_err_set(err, ULF_EIO, "%s: fsync failed: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = ulf_err_set(err, ULF_EIO, "%s: close failed: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		rc = ulf_err_set(err, ULF_EIO, "%s: rename failed: %s", path, strerror(errno));
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	return rc;
}
