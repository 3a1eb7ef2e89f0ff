/*
 * test_dynbuf.c - unit tests for core/dynbuf.c: growth past the first
 * allocation, the cap (exactly full is fine, one byte more is ULF_ELIMIT
 * and leaves the content as it was, for adds, bytes and formatted text),
 * formatted adds short and long, embedded NULs, take and release, and a
 * struct array grown in one, by dynbuf_add and by dynbuf_add_item.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/dynbuf.h"
#include "core/err.h"

static void starts_empty(void **state)
{
	dynbuf b;
	char *s;
	size_t n = 99;

	(void)state;
	dynbuf_init(&b, 100);
	assert_null(dynbuf_ptr(&b));
	assert_int_equal(dynbuf_len(&b), 0);
	/* an empty buffer still hands out a string */
	assert_int_equal(dynbuf_take(&s, &n, &b), 0);
	assert_string_equal(s, "");
	assert_int_equal(n, 0);
	free(s);
	dynbuf_release(&b);
	dynbuf_release(NULL);
}

static void growth(void **state)
{
	dynbuf b;
	size_t i;

	(void)state;
	dynbuf_init(&b, 1u << 20);
	for (i = 0; i < 10000; i++)
		assert_int_equal(dynbuf_addc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(dynbuf_len(&b), 10000);
	for (i = 0; i < 10000; i++)
		assert_int_equal(dynbuf_ptr(&b)[i], 'a' + i % 26);
	assert_int_equal(dynbuf_ptr(&b)[10000], '\0');
	assert_int_equal(dynbuf_adds(&b, "xyz"), 0);
	assert_int_equal(dynbuf_len(&b), 10003);
	assert_string_equal(dynbuf_ptr(&b) + 10000, "xyz");
	/* reset keeps the memory, empties the text */
	dynbuf_reset(&b);
	assert_int_equal(dynbuf_len(&b), 0);
	assert_string_equal(dynbuf_ptr(&b), "");
	assert_int_equal(dynbuf_adds(&b, "again"), 0);
	assert_string_equal(dynbuf_ptr(&b), "again");
	dynbuf_release(&b);
	assert_null(dynbuf_ptr(&b));
	/* released, it is usable again with the same cap */
	assert_int_equal(dynbuf_adds(&b, "more"), 0);
	assert_string_equal(dynbuf_ptr(&b), "more");
	dynbuf_release(&b);
}

static void cap(void **state)
{
	dynbuf b;
	char big[300];

	(void)state;
	memset(big, 'x', sizeof(big));
	dynbuf_init(&b, 10);
	assert_int_equal(dynbuf_adds(&b, "12345"), 0);
	assert_int_equal(dynbuf_adds(&b, "123456"), ULF_ELIMIT);
	assert_string_equal(dynbuf_ptr(&b), "12345");
	assert_int_equal(dynbuf_adds(&b, "12345"), 0);            /* exactly full */
	assert_int_equal(dynbuf_len(&b), 10);
	assert_int_equal(dynbuf_addc(&b, 'z'), ULF_ELIMIT);
	assert_int_equal(dynbuf_add(&b, "", 0), 0);
	assert_int_equal(dynbuf_printf(&b, "%d", 7), ULF_ELIMIT);
	assert_string_equal(dynbuf_ptr(&b), "1234512345");
	dynbuf_release(&b);

	/* a single add larger than the cap, before anything was allocated */
	dynbuf_init(&b, 256);
	assert_int_equal(dynbuf_add(&b, big, sizeof(big)), ULF_ELIMIT);
	assert_null(dynbuf_ptr(&b));
	assert_int_equal(dynbuf_add(&b, big, 256), 0);
	assert_int_equal(dynbuf_len(&b), 256);
	dynbuf_release(&b);

	/* a cap of 0, and a zeroed dynbuf, hold nothing */
	dynbuf_init(&b, 0);
	assert_int_equal(dynbuf_addc(&b, 'a'), ULF_ELIMIT);
	dynbuf_release(&b);
	memset(&b, 0, sizeof(b));
	assert_int_equal(dynbuf_adds(&b, "a"), ULF_ELIMIT);
	dynbuf_release(&b);

	/* "no cap" is still one: SIZE_MAX is taken as SIZE_MAX - 1 */
	dynbuf_init(&b, SIZE_MAX);
	assert_int_equal(dynbuf_adds(&b, "ok"), 0);
	assert_int_equal(dynbuf_add(&b, big, SIZE_MAX - 1), ULF_ELIMIT);
	assert_string_equal(dynbuf_ptr(&b), "ok");
	dynbuf_release(&b);
}

static void formatted(void **state)
{
	dynbuf b;
	char want[2100];
	size_t i;

	(void)state;
	dynbuf_init(&b, 4096);
	assert_int_equal(dynbuf_printf(&b, "%s=%d;", "a", 1), 0);
	assert_int_equal(dynbuf_printf(&b, "%05.1f|%c", 2.5, 'q'), 0);
	assert_string_equal(dynbuf_ptr(&b), "a=1;002.5|q");
	/* longer than the room left: formatted again into the grown buffer */
	for (i = 0; i < 2000; i++)
		want[i] = (char)('0' + i % 10);
	want[2000] = '\0';
	assert_int_equal(dynbuf_printf(&b, "[%s]", want), 0);
	assert_int_equal(dynbuf_len(&b), 11 + 2002);
	assert_memory_equal(dynbuf_ptr(&b) + 12, want, 2000);
	assert_string_equal(dynbuf_ptr(&b) + 2012, "]");
	/* a text that would cross the cap leaves the content unchanged */
	assert_int_equal(dynbuf_printf(&b, "%s%s", want, want), ULF_ELIMIT);
	assert_int_equal(dynbuf_len(&b), 2013);
	assert_int_equal(dynbuf_ptr(&b)[2013], '\0');
	assert_int_equal(dynbuf_printf(&b, "%s", ""), 0);
	assert_int_equal(dynbuf_len(&b), 2013);
	dynbuf_release(&b);

	/* the first add a formatted one */
	dynbuf_init(&b, 16);
	assert_int_equal(dynbuf_printf(&b, "%s", "0123456789abcdef"), 0);
	assert_string_equal(dynbuf_ptr(&b), "0123456789abcdef");
	dynbuf_release(&b);
	dynbuf_init(&b, 15);
	assert_int_equal(dynbuf_printf(&b, "%s", "0123456789abcdef"), ULF_ELIMIT);
	dynbuf_release(&b);
}

static void embedded_nuls(void **state)
{
	static const char bytes[] = { 'a', '\0', 'b', '\0', '\0', 'c' };
	dynbuf b;
	char *out;
	size_t n;

	(void)state;
	dynbuf_init(&b, 64);
	assert_int_equal(dynbuf_add(&b, bytes, sizeof(bytes)), 0);
	assert_int_equal(dynbuf_addc(&b, '\0'), 0);
	assert_int_equal(dynbuf_len(&b), 7);
	assert_memory_equal(dynbuf_ptr(&b), bytes, sizeof(bytes));
	assert_int_equal(dynbuf_take(&out, &n, &b), 0);
	assert_int_equal(n, 7);
	assert_memory_equal(out, bytes, sizeof(bytes));
	assert_int_equal(out[6], '\0');
	assert_int_equal(out[7], '\0');   /* the NUL after the content */
	free(out);
	/* taken, b is empty and keeps its cap */
	assert_null(dynbuf_ptr(&b));
	assert_int_equal(dynbuf_len(&b), 0);
	assert_int_equal(dynbuf_add(&b, bytes, sizeof(bytes)), 0);
	assert_int_equal(dynbuf_take(&out, NULL, &b), 0);
	assert_string_equal(out, "a");
	free(out);
	dynbuf_release(&b);
}

typedef struct pt {
	double x;
	int64_t y;
	char tag;
} pt;

static void struct_array(void **state)
{
	dynbuf b;
	const pt *v;
	pt p;
	int i;

	(void)state;
	dynbuf_init(&b, 100 * sizeof(pt));
	for (i = 0; i < 100; i++) {
		p.x = i / 2.0;
		p.y = (int64_t)i * 1000000007;
		p.tag = (char)i;
		assert_int_equal(dynbuf_add(&b, &p, sizeof(p)), 0);
	}
	assert_int_equal(dynbuf_add(&b, &p, sizeof(p)), ULF_ELIMIT);
	assert_int_equal(dynbuf_len(&b) / sizeof(pt), 100);
	v = (const pt *)(void *)dynbuf_ptr(&b);
	for (i = 0; i < 100; i++) {
		assert_true(v[i].x == i / 2.0);
		assert_int_equal(v[i].y, (int64_t)i * 1000000007);
		assert_int_equal(v[i].tag, (char)i);
	}
	dynbuf_release(&b);
}

/* dynbuf_add_item: zeroed items in place, the count capped, and a
 * failed add leaves the array as it was. */
static void items(void **state)
{
	dynbuf b;
	pt *v;
	void *item;
	int i;

	(void)state;
	dynbuf_init(&b, 3 * sizeof(pt));
	assert_null(dynbuf_items(&b));
	for (i = 0; i < 3; i++) {
		assert_int_equal(dynbuf_add_item(&item, &b, sizeof(pt)), 0);
		v = item;
		assert_true(v->x == 0.0);
		assert_int_equal(v->y, 0);
		assert_int_equal(v->tag, 0);
		v->y = i + 1;
		/* the item is the array's last */
		v = dynbuf_items(&b);
		assert_ptr_equal(item, &v[i]);
	}
	assert_int_equal(dynbuf_add_item(&item, &b, sizeof(pt)), ULF_ELIMIT);
	assert_null(item);
	assert_int_equal(dynbuf_len(&b), 3 * sizeof(pt));
	v = dynbuf_items(&b);
	for (i = 0; i < 3; i++)
		assert_int_equal(v[i].y, i + 1);
	/* the memory is reused after a reset and zeroed again */
	dynbuf_reset(&b);
	assert_int_equal(dynbuf_add_item(&item, &b, sizeof(pt)), 0);
	assert_int_equal(((pt *)item)->y, 0);
	dynbuf_release(&b);
	/* a zeroed dynbuf has a cap of 0: nothing fits */
	memset(&b, 0, sizeof(b));
	assert_int_equal(dynbuf_add_item(&item, &b, sizeof(pt)), ULF_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(starts_empty),
		cmocka_unit_test(growth),
		cmocka_unit_test(cap),
		cmocka_unit_test(formatted),
		cmocka_unit_test(embedded_nuls),
		cmocka_unit_test(struct_array),
		cmocka_unit_test(items),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
