/*
 * care_gen - distinct invoices for the crash and fault tests: copies of
 * the care samples (see care_gen.h), or of any invoice whose first cbc:ID is
 * its number (the copies then differ in that number only).
 *
 *   care_gen DIR FIRST COUNT TEMPLATE...
 *       writes copies FIRST .. FIRST+COUNT-1 of every template into DIR, as
 *       copy-NNNNNN-a.xml, copy-NNNNNN-b.xml, ... (one letter per template;
 *       for odd n the letters of a pair are swapped, so the inbox, which
 *       takes files in name order, sees the claim first for half of the
 *       pairs and the invoice first for the other half).  Each file is
 *       written as .copy-NNNNNN-x.xml.tmp and then renamed: an inbox
 *       watcher (which skips dot-files) never sees half a file.
 *   care_gen --numbers FIRST COUNT TEMPLATE
 *       prints the copies' invoice numbers, one a line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/crash/care_gen.h"

#define MAX_TEMPLATES 8

static int usage(void)
{
	fprintf(stderr, "usage: care_gen DIR FIRST COUNT TEMPLATE...\n"
			"       care_gen --numbers FIRST COUNT TEMPLATE\n");
	return 64;
}

static int write_file(const char *dir, const char *name, const char *doc, size_t len)
{
	char tmp[4096], path[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(tmp, "wb");
	if (!f || fwrite(doc, 1, len, f) != len || fclose(f) != 0 || rename(tmp, path) != 0) {
		perror(tmp);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	care_gen *g[MAX_TEMPLATES];
	unsigned long first, count, n;
	int numbers, ntpl, i, status = 0;

	numbers = argc > 1 && strcmp(argv[1], "--numbers") == 0;
	if (numbers ? argc != 5 : (argc < 5 || argc - 4 > MAX_TEMPLATES))
		return usage();
	first = strtoul(argv[2], NULL, 10);
	count = strtoul(argv[3], NULL, 10);
	if (first + count > 1000000)
		return usage();
	ntpl = argc - 4;
	for (i = 0; i < ntpl; i++)
		if (!(g[i] = care_gen_load(argv[4 + i]))) {
			while (i--)
				care_gen_free(g[i]);
			return 2;
		}
	for (n = first; status == 0 && n < first + count; n++) {
		char num[32], name[64];
		size_t len;

		if (numbers) {
			care_gen_number(g[0], n, num, sizeof(num));
			printf("%s\n", num);
			continue;
		}
		for (i = 0; status == 0 && i < ntpl; i++) {
			int letter = ntpl == 2 && (n & 1) ? 1 - i : i;
			char *doc = care_gen_make(g[i], n, &len);

			snprintf(name, sizeof(name), "copy-%06lu-%c.xml", n, 'a' + letter);
			if (!doc || write_file(argv[1], name, doc, len))
				status = 2;
			free(doc);
		}
	}
	for (i = 0; i < ntpl; i++)
		care_gen_free(g[i]);
	return status;
}
