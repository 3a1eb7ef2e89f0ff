/*
 * csv.c - RFC 4180 records from a buffer.  See csv.h.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/dynbuf.h"
#include "core/text.h"

struct csv_reader {
	const char *p, *end;      /* unread input */
	const char *name;
	char sep;
	unsigned line;            /* line the reader is on */
	unsigned rec_line;        /* line the current record started on */
	dynbuf rec;               /* fields, each NUL-terminated; CSV_MAX_RECORD bytes at most */
	size_t off[CSV_MAX_FIELDS];
	size_t nfields;
	char *hdr;                /* header names, lower case, trimmed */
	size_t hdr_off[CSV_MAX_FIELDS];
	size_t nhdr;
};

/* Counts ';' and ',' outside quotes on the first line. */
static char choose_separator(const char *p, const char *end)
{
	size_t semi = 0, comma = 0;
	bool quoted = false;

	for (; p < end; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && (*p == '\n' || *p == '\r'))
			break;
		else if (!quoted && *p == ';')
			semi++;
		else if (!quoted && *p == ',')
			comma++;
	}
	return semi > comma ? ';' : ',';
}

int csv_open(csv_reader **out, const char *buf, size_t len, const char *name,
	     ulf_err *err)
{
	csv_reader *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	r->p = buf;
	r->end = buf + len;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
	r->name = name;
	r->line = 1;
	dynbuf_init(&r->rec, CSV_MAX_RECORD);
	r->sep = choose_separator(r->p, r->end);
	*out = r;
	return 0;
}

void csv_free(csv_reader *r)
{
	if (!r)
		return;
	dynbuf_release(&r->rec);
	free(r->hdr);
	free(r);
}

char csv_separator(const csv_reader *r)
{
	return r->sep;
}

static int put(csv_reader *r, char c, ulf_err *err)
{
	int rc = dynbuf_addc(&r->rec, c);

	if (rc == ULF_ELIMIT)
		return ulf_err_set(err, ULF_ELIMIT, "%s:%u: record longer than %u bytes",
				   r->name, r->rec_line, CSV_MAX_RECORD);
	if (rc)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	return 0;
}

static int end_field(csv_reader *r, size_t start, ulf_err *err)
{
	int rc = put(r, '\0', err);

	if (rc)
		return rc;
	if (r->nfields == CSV_MAX_FIELDS)
		return ulf_err_set(err, ULF_ELIMIT, "%s:%u: more than %d fields", r->name,
				   r->rec_line, CSV_MAX_FIELDS);
	r->off[r->nfields++] = start;
	return 0;
}

/* Consumes a line end at r->p if there is one. */
static bool eat_eol(csv_reader *r)
{
	if (r->p < r->end && *r->p == '\r') {
		r->p++;
		if (r->p < r->end && *r->p == '\n')
			r->p++;
		r->line++;
		return true;
	}
	if (r->p < r->end && *r->p == '\n') {
		r->p++;
		r->line++;
		return true;
	}
	return false;
}

static bool blank_line(const csv_reader *r)
{
	const char *q = r->p;

	while (q < r->end && (*q == ' ' || *q == '\t'))
		q++;
	return q == r->end || *q == '\n' || *q == '\r';
}

int csv_next(csv_reader *r, ulf_err *err)
{
	size_t start;
	int rc;

	r->nfields = 0;
	dynbuf_reset(&r->rec);
	/* blank lines carry no record */
	while (r->p < r->end && blank_line(r)) {
		while (r->p < r->end && *r->p != '\n' && *r->p != '\r')
			r->p++;
		if (!eat_eol(r))
			break;
	}
	if (r->p >= r->end)
		return 0;
	r->rec_line = r->line;
	for (;;) {
		start = dynbuf_len(&r->rec);
		if (r->p < r->end && *r->p == '"') {
			unsigned qline = r->line;
			r->p++;
			for (;;) {
				if (r->p >= r->end)
					return ulf_err_set(err, ULF_EPARSE,
							   "%s:%u: quoted field not closed", r->name, qline);
				if (*r->p == '"') {
					if (r->p + 1 < r->end && r->p[1] == '"') {
						r->p += 2;
						if ((rc = put(r, '"', err)) != 0)
							return rc;
						continue;
					}
					r->p++;
					break;
				}
				if (*r->p == '\n' || (*r->p == '\r' && !(r->p + 1 < r->end && r->p[1] == '\n')))
					r->line++;
				if ((rc = put(r, *r->p++, err)) != 0)
					return rc;
			}
			if (r->p < r->end && *r->p != r->sep && *r->p != '\n' && *r->p != '\r')
				return ulf_err_set(err, ULF_EPARSE,
						   "%s:%u: text after a closing quote", r->name, r->line);
		} else {
			/* a quote inside an unquoted field is taken literally:
			 * exports write 12" and mean it */
			while (r->p < r->end && *r->p != r->sep && *r->p != '\n' && *r->p != '\r')
				if ((rc = put(r, *r->p++, err)) != 0)
					return rc;
		}
		if ((rc = end_field(r, start, err)) != 0)
			return rc;
		if (r->p < r->end && *r->p == r->sep) {
			r->p++;
			continue;
		}
		eat_eol(r);
		return 1;
	}
}

size_t csv_count(const csv_reader *r)
{
	return r->nfields;
}

const char *csv_field(const csv_reader *r, size_t i)
{
	return i < r->nfields ? dynbuf_ptr(&r->rec) + r->off[i] : "";
}

unsigned csv_line(const csv_reader *r)
{
	return r->rec_line;
}

int csv_read_header(csv_reader *r, ulf_err *err)
{
	size_t i, j, len = 0;
	int rc = csv_next(r, err);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return ulf_err_set(err, ULF_EPARSE, "%s: empty file, expected a header line",
				   r->name);
	free(r->hdr);
	r->hdr = malloc(dynbuf_len(&r->rec) + 1);
	if (!r->hdr)
		return ulf_err_set(err, ULF_ENOMEM, "out of memory");
	for (i = 0; i < r->nfields; i++) {
		const char *f = csv_field(r, i);
		size_t n = strlen(f);
		while (n && text_is_space(f[n - 1]))
			n--;
		while (n && text_is_space(*f))
			f++, n--;
		r->hdr_off[i] = len;
		for (j = 0; j < n; j++)
			r->hdr[len++] = (f[j] >= 'A' && f[j] <= 'Z') ? (char)(f[j] + 32) : f[j];
		r->hdr[len++] = '\0';
	}
	r->nhdr = r->nfields;
	for (i = 0; i < r->nhdr; i++) {
		if (!r->hdr[r->hdr_off[i]])
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(r->hdr + r->hdr_off[i], r->hdr + r->hdr_off[j]) == 0)
				return ulf_err_set(err, ULF_EPARSE, "%s:%u: column '%s' named twice",
						   r->name, r->rec_line, r->hdr + r->hdr_off[i]);
	}
	return 0;
}

int csv_column(const csv_reader *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nhdr; i++)
		if (strcasecmp(r->hdr + r->hdr_off[i], name) == 0)
			return (int)i;
	return -1;
}

const char *csv_get(const csv_reader *r, const char *name)
{
	int c = csv_column(r, name);
	char *f;
	size_t n;

	if (c < 0)
		return NULL;
	if ((size_t)c >= r->nfields)
		return "";
	/* trimmed in place: the record buffer is ours and rebuilt by csv_next */
	f = dynbuf_ptr(&r->rec) + r->off[c];
	while (text_is_space(*f))
		f++;
	n = strlen(f);
	while (n && text_is_space(f[n - 1]))
		f[--n] = '\0';
	return f;
}
