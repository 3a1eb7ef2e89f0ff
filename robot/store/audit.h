/*
 * audit.h - the audit trail: who did what to which document, when, and the
 * values before and after.  It names real people (the authenticated user),
 * and it cannot be edited unnoticed:
 *
 *   - through ulf it can only grow: no function changes or removes a row,
 *     and the schema refuses UPDATE and DELETE on the table ({append_only});
 *   - behind ulf's back (the guard dropped, a row changed or deleted with
 *     a database tool) the change shows: every row carries the SHA-256 of
 *     its own fields and the hash of the row before it (a hash chain), and
 *     a one-row head keeps the last row's id and hash, so `ulf audit verify`
 *     (audit_verify) finds the first row whose link is broken - a row
 *     changed, one taken out of the middle, or rows cut off at the end.
 *
 * A chain proves that the rows are the ones written, unless whoever
 * changed them also recomputed every hash after: the last hash that
 * audit_verify reports, noted somewhere else now and then, anchors it.
 *
 * The serialisation a row's hash is made of (version 1), every field in
 * this order, an integer as its decimal text, NULL as "-" and text as
 * "<length>:<bytes>", each followed by a newline:
 *
 *   "ulf-audit-1\n" prev_hash "\n" doc_id at who user_id action detail before after
 *
 * The row's id is not in it (the database numbers a row only as it is
 * inserted); order is what the links protect.  The first row's prev_hash
 * is 64 zeros.
 *
 * The table is the store's (store.c creates it); this module adds the
 * columns for the authenticated user's id, the values before and after and
 * the chain (module "audit" in schema_version), and chains the rows an
 * older store holds, once, when it is migrated.
 */
#ifndef ULF_AUDIT_H
#define ULF_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "robot/store/db.h"

/* One row of the trail, as written. */
typedef struct audit_entry {
	int64_t doc_id;        /* the document acted on; 0: none (a user added) */
	const char *who;       /* the authenticated user's name; "robot" for the robot */
	int64_t user_id;       /* that user's id (users.h); 0: none */
	const char *action;    /* resolve, reject, user-add, ... */
	const char *detail;    /* why: a note, a reason code (text or JSON); may be NULL */
	const char *before;    /* JSON: the values before; NULL: none */
	const char *after;     /* JSON: the values after; NULL: none */
	int64_t at;            /* s since the epoch */
} audit_entry;

/* Brings the audit table's columns and chain up to date on `d` (after the
 * store's own migration made the table). */
int audit_migrate(db *d, ulf_err *err);

/*
 * Appends `e` to the trail, linked to the row before it; *out_id (may be
 * NULL) is its id.  One transaction, or part of the caller's (db_begin
 * nests): writers on several connections or machines take turns on the
 * chain's head row, so the chain never forks.  ULF_EINVAL without who or
 * action.
 */
int audit_append(int64_t *out_id, db *d, const audit_entry *e, ulf_err *err);

/* What audit_verify found. */
typedef struct audit_report {
	bool ok;               /* every link holds */
	int64_t rows;          /* rows checked (up to the first broken one) */
	int64_t last_id;       /* the last good row's id, 0: none */
	char last_hash[65];    /* its hash: note it to anchor the chain */
	int64_t bad_id;        /* the first row whose link is broken; 0: ok, or rows
				* missing at the end (what says so) */
	char what[512];        /* what differs, for a person */
} audit_report;

/*
 * Walks the trail in order and checks every link: each row's hash against
 * its fields and its predecessor's hash, and the head against the last row.
 * Returns 0 whatever it found (out says), negative when it could not read.
 */
int audit_verify(audit_report *out, db *d, ulf_err *err);

#endif
