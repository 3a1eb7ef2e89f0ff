/*
 * intake.h - documents received over HTTP, into the store with group
 * commit.
 *
 * A document is ours once it is on disk, and the sender hears 202 only
 * then; one wait for the disk per document would bound intake by the
 * disk's sync rate.  Here the server's threads hand documents in at once:
 * one of them at a time stores everything that has gathered, in one
 * durable commit (store_receive_many), while the others wait for it, and
 * then each answers its own sender.  A failed commit fails every document
 * in it; none of them is acknowledged.
 */
#ifndef ULF_INTAKE_H
#define ULF_INTAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "robot/store/store.h"

/* Documents stored in one commit at most, and their bytes at most. */
#define INTAKE_BATCH_MAX 64
#define INTAKE_BATCH_BYTES (64u << 20)

typedef struct intake intake;

/* An intake that writes through `s`, which it then uses alone (the caller
 * still owns and closes it, after intake_free). */
int intake_new(intake **out, store *s, ulf_err *err);
void intake_free(intake *in);   /* NULL does nothing */

/*
 * Stores one document durably, as store_receive does, and returns when it
 * is on disk (or has failed).  Any number of threads may call it at once.
 */
int intake_receive(int64_t *out_id, bool *out_dup, intake *in, const char *source,
		   const char *name, const void *data, size_t len, int64_t now, ulf_err *err);

/*
 * The same, from `sender` (the name the sender authenticated with, NULL
 * when not known).  Bytes stored before (*out_dup) are not stored again:
 * they are noted in the history of the document they are, as a resend
 * from the sender (store_note_resend), and *out_id is that document.
 */
int intake_receive_from(int64_t *out_id, bool *out_dup, intake *in, const char *source,
			const char *sender, const char *name, const void *data, size_t len,
			int64_t now, ulf_err *err);

#endif
