/*
 * inbox.h - taking documents from a folder.
 *
 * A file is taken only when it has stopped changing (not modified for
 * `settle_ms`; with inotify the close-after-write event says the same), is
 * stored durably through the pipeline, and only then moved out of the inbox
 * into `<inbox>/.taken/` as "ID-NAME", personal identity numbers in the
 * name masked (or left, with --keep).  If the store cannot take it
 * (a full disk, a read-only store) the file stays in the inbox and is tried
 * again: nothing is lost.
 *
 * A file with the bytes of a document stored before is not stored again:
 * it is noted in that document's history as a resend (store_note_resend),
 * never a new document or posting.  Not noted: the document's own file
 * taken again because the robot stopped before moving it (it never
 * reached .taken/), and anything with --keep, where every scan takes the
 * files that stay again.
 */
#ifndef ULF_INBOX_H
#define ULF_INBOX_H

#include <stdbool.h>
#include <stdint.h>

#include "robot/pipeline/pipeline.h"

typedef struct inbox_opts {
	const char *dir;
	int64_t settle_ms;      /* a file younger than this is not taken yet */
	size_t max_bytes;       /* larger files go to the queue, not into memory */
	bool keep;              /* leave files in place (demo on samples/) */
} inbox_opts;

/* What happened to one file, for the caller to report. */
typedef struct inbox_event {
	const char *path;
	int64_t id;             /* 0 when not stored */
	bool duplicate;         /* the same bytes as document `id`, not stored again */
	bool resend;            /* ... noted in its history as a resend */
	doc_state state;
	const char *error;      /* set when the file could not be stored */
	const char *stored_but; /* stored, but processing stopped: why */
} inbox_event;

typedef void (*inbox_report_fn)(const inbox_event *ev, void *ctx);

/*
 * Most file names a scan holds at a time.  It keeps them in memory to
 * sort them; an inbox fuller than this (a backlog after a long stop) is
 * taken in batches of this many, each in name order.
 */
#define INBOX_SCAN_MAX 100000

/*
 * Takes every settled regular file in the inbox (names starting with '.'
 * are skipped: temporary and hidden files), in name order (per batch of
 * INBOX_SCAN_MAX; with `keep`, the first batch only).  *out_taken gets the
 * number stored.  Returns an error only when the folder itself cannot be
 * read; a file that cannot be stored is reported and left in place.
 */
int inbox_scan(size_t *out_taken, pipeline *p, const inbox_opts *opts, int64_t now_ms,
	       inbox_report_fn report, void *ctx, ulf_err *err);

/* Takes one file (the inotify path). */
int inbox_take(inbox_event *ev, pipeline *p, const inbox_opts *opts, const char *name,
	       int64_t now_ms, ulf_err *err);

#endif
