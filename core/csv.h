/*
 * csv.h - a small RFC 4180 reader for the exports ulf imports (orders,
 * goods receipts, the supplier register, booking history).
 *
 * What Swedish systems actually write, accepted:
 *  - a header line naming the columns; the separator is whichever of ';'
 *    and ',' the header uses more (outside quotes), ',' when neither;
 *  - a UTF-8 byte order mark before the header;
 *  - fields in double quotes, with "" for a quote and line breaks inside;
 *  - CRLF or LF line ends, a missing final line end, blank lines (skipped).
 * Refused, with "name:LINE: what": an unterminated quoted field, text after
 * a closing quote, a record with more than CSV_MAX_FIELDS fields or more
 * than CSV_MAX_RECORD bytes.  Line numbers are those of the file, counting
 * line breaks inside quoted fields, and a record's number is the line it
 * starts on.
 *
 * The reader works over a buffer the caller owns and keeps alive; field
 * texts are NUL-terminated copies valid until the next csv_next().
 */
#ifndef ULF_CSV_H
#define ULF_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define CSV_MAX_FIELDS 256
#define CSV_MAX_RECORD (1u << 20)

typedef struct csv_reader csv_reader;

/* Starts reading buf[0..len); `name` labels messages.  Chooses the
 * separator from the first line. */
int csv_open(csv_reader **out, const char *buf, size_t len, const char *name,
	     ulf_err *err);
void csv_free(csv_reader *r);

char csv_separator(const csv_reader *r);

/*
 * Reads the next record: 1 when one is ready, 0 at the end, negative with
 * err set on malformed input.
 */
int csv_next(csv_reader *r, ulf_err *err);

/* Fields of the current record. */
size_t csv_count(const csv_reader *r);
/* Field i, "" when the record has fewer fields. */
const char *csv_field(const csv_reader *r, size_t i);
/* The line the current record starts on (1-based). */
unsigned csv_line(const csv_reader *r);

/*
 * Reads the first record as the header.  Column names are matched without
 * regard to case or surrounding blanks.  ULF_EPARSE for an empty file or a
 * column named twice.
 */
int csv_read_header(csv_reader *r, ulf_err *err);
/* Index of a header column, or -1. */
int csv_column(const csv_reader *r, const char *name);
/* The current record's field in column `name`, blanks trimmed; NULL when
 * the header has no such column, "" when the record leaves it empty. */
const char *csv_get(const csv_reader *r, const char *name);

#endif
