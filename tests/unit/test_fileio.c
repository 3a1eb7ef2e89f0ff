/*
 * test_fileio.c - core/fileio.c: whole-file reads within a limit (exactly
 * the limit is fine, one byte more is ULF_ELIMIT naming the file), an empty
 * file, a file larger than one read, bytes kept as they are (NULs too), a
 * missing file and a directory; atomic writes leave no temporary file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/err.h"
#include "core/fileio.h"

static char dir[] = "/tmp/ulf-test-fileio-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *path_of(const char *name)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void write_file(const char *name, const void *data, size_t len)
{
	ulf_err err;

	ulf_err_clear(&err);
	assert_int_equal(file_write_atomic(path_of(name), data, len, &err), 0);
}

static void small_and_empty(void **state)
{
	static const char bytes[] = { 'a', '\0', 'b', '\n' };
	char *buf;
	size_t len;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	write_file("small", bytes, sizeof(bytes));
	assert_int_equal(file_read(&buf, &len, path_of("small"), 0, &err), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(buf, bytes, 4);
	assert_int_equal(buf[4], '\0');
	free(buf);

	write_file("empty", "", 0);
	assert_int_equal(file_read(&buf, &len, path_of("empty"), 10, &err), 0);
	assert_non_null(buf);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
	/* the temporary file is gone */
	{
		char tmp[600];

		snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path_of("small"), (long)getpid());
		assert_int_equal(access(tmp, F_OK), -1);
		assert_int_equal(access(path_of("small"), F_OK), 0);
	}
}

static void large(void **state)
{
	size_t n = 300000, i;
	char *data = malloc(n), *buf;
	size_t len;
	ulf_err err;

	(void)state;
	assert_non_null(data);
	for (i = 0; i < n; i++)
		data[i] = (char)(i * 7 + i / 251);
	write_file("large", data, n);
	ulf_err_clear(&err);
	assert_int_equal(file_read(&buf, &len, path_of("large"), n, &err), 0);
	assert_int_equal(len, n);
	assert_memory_equal(buf, data, n);
	free(buf);

	assert_int_equal(file_read(&buf, &len, path_of("large"), n - 1, &err), ULF_ELIMIT);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_non_null(strstr(err.msg, "/large: 300000 bytes exceeds the limit of 299999 bytes"));
	free(data);
}

static void missing_and_directory(void **state)
{
	char *buf;
	size_t len;
	ulf_err err;

	(void)state;
	ulf_err_clear(&err);
	assert_int_equal(file_read(&buf, &len, path_of("nothing"), 0, &err), ULF_EIO);
	assert_null(buf);
	assert_non_null(strstr(err.msg, "/nothing: cannot open: "));
	ulf_err_clear(&err);
	assert_int_equal(file_read(&buf, &len, dir, 0, &err), ULF_EIO);
	assert_non_null(strstr(err.msg, ": not a regular file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_and_empty),
		cmocka_unit_test(large),
		cmocka_unit_test(missing_and_directory),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
