/*
 * care_files.h - the care join over a set of files, with nothing kept:
 * what `ulf care` runs.  The store runs the same join over persisted
 * arrivals (robot/pipeline); this is that logic over files.
 *
 * Files are added in the order of arrival.  Each is read (care claims
 * standalone, as a SOAP request, in a Svefaktura ObjectEnvelope or
 * embedded in a UBL invoice; care invoices) and joined at once:
 *
 *   - an invoice that carries its own claim is a case of its own;
 *   - a claim goes to the first held invoice without a claim whose keys
 *     match it (care_keys_match()), an invoice to the first held claim
 *     without an invoice; otherwise it is held, waiting, as a case alone;
 *   - a claim with the fakturaunderlags-id of one already held, or an
 *     invoice with the number and seller of one already held, is a
 *     duplicate (a case of its own, CARE-031);
 *   - when a partner arrives after the waiting one's time ran out (more
 *     than wait_days after its own issue date, which stands for its
 *     arrival here), the case is noted as late: the store would already
 *     have made the waiting one an exception (CARE-030).
 *
 * Then each case is checked (care_files_check()): the claim on its own, a
 * credit claim against the claim it credits among the files (or CARE-032),
 * the claim against its invoice, the booking of a pair that is not a
 * duplicate, and CARE-030 for one still waiting past wait_days by `now`.
 *
 * Pure logic over the documents: no store, no clock (now is given), no
 * output.  Findings never carry a personnummer (robot/care/care.h).
 */
#ifndef ULF_CARE_FILES_H
#define ULF_CARE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "parsers/claim.h"
#include "parsers/invoice.h"
#include "parsers/reader.h"
#include "parsers/validate.h"
#include "robot/care/care.h"
#include "robot/care/care_booking.h"

/* One file read, as the cases show it.  Owned by the care_files. */
typedef struct care_file {
	const char *file;        /* the path given to care_files_add() (not copied) */
	const claim *claim;      /* the claim it is or carries, or NULL */
	const invoice *inv;      /* the invoice it is, or NULL */
	care_keys ck;            /* the claim's keys, when it has a claim */
	care_keys ik;            /* the invoice's keys, when it is an invoice */
	int64_t arrived;         /* its own issue date (an invoice's, for a claim it
				    carries): the arrival, in file mode */
	bool arrived_known;      /* false when that date is missing or not a date */
} care_file;

typedef enum care_join_how {
	CARE_JOIN_NONE = 0,      /* not (yet) a pair */
	CARE_JOIN_CARRIED,       /* the invoice carried the claim itself */
	CARE_JOIN_KEYS           /* joined by care_keys_match() */
} care_join_how;

/* A claim and its invoice, or one of them alone (waiting, or a duplicate). */
typedef struct care_case {
	const care_file *c;      /* holds the claim, or NULL */
	const care_file *i;      /* holds the invoice, or NULL; == c when carried */
	care_join_how how;
	care_match match;        /* CARE_JOIN_KEYS and CARE_JOIN_CARRIED: by which keys */
	const care_file *late;   /* the waiting one, when its partner came after its
				    time ran out; else NULL */
	long late_days;          /* how long it had waited then */
	bool duplicate;
	const char *duplicate_of;/* the file of the one held first */
	/* set by care_files_check(): */
	findings f;
	care_booking booking;    /* valid when booked */
	bool booked;
} care_case;

typedef struct care_files care_files;

/* A join for at most max_files files; wait_days is how long a claim or
 * invoice waits for its partner.  ULF_ENOMEM: "out of memory". */
int care_files_new(care_files **out, size_t max_files, long wait_days, ulf_err *err);
void care_files_free(care_files *cf);

/*
 * Reads the file at path with the limits of opts (claims are read whatever
 * opts->claims says) and joins it.  path must outlive cf.  A file that is
 * neither a claim nor an invoice, an envelope without a claim among its
 * objects, or an unreadable claim in an invoice fails with a message that
 * begins with the file name (and never quotes a patient); the file then
 * takes no part.  ULF_ELIMIT when max_files files were added already.
 */
int care_files_add(care_files *cf, const char *path, const reader_opts *opts, ulf_err *err);

/* The number of cases so far, and case i (0-based, in order of creation). */
size_t care_files_count(const care_files *cf);
const care_case *care_files_case(const care_files *cf, size_t i);

/*
 * Checks case i as of `now` (seconds since the epoch) and books a pair
 * with rules, filling its findings and booking (anew on a second call).
 * The rules must outlive the case's booking.  0 or ULF_ENOMEM / ULF_ERANGE.
 */
int care_files_check(care_files *cf, size_t i, const care_rules *rules, int64_t now,
		     ulf_err *err);

/* "exception" (a fatal finding), "reconciled" (a pair) or "waiting". */
const char *care_case_status(const care_case *k);

/* The one of a case that is not a pair (waiting, or a duplicate alone);
 * NULL for a pair. */
const care_file *care_case_alone(const care_case *k);

/* Whole days f has waited by now since it arrived; 0 when that is not known. */
long care_file_days_waited(const care_file *f, int64_t now);

#endif
