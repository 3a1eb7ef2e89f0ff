/*
 * inbox.c - see inbox.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dynbuf.h"
#include "core/fileio.h"
#include "core/pnr.h"
#include "robot/pipeline/inbox.h"

#define TAKEN_DIR ".taken"

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The file goes to .taken as "ID-NAME", its name masked like the stored
 * one: what ulf writes names no patient. */
static int move_taken(const inbox_opts *opts, const char *name, int64_t id, ulf_err *err)
{
	char from[4096], dir[4096], to[4096], masked[1024];

	pnr_mask_into(masked, sizeof(masked), name, strlen(name));
	if (snprintf(from, sizeof(from), "%s/%s", opts->dir, name) >= (int)sizeof(from) ||
	    snprintf(dir, sizeof(dir), "%s/%s", opts->dir, TAKEN_DIR) >= (int)sizeof(dir) ||
	    strlen(masked) < strlen(name) ||
	    snprintf(to, sizeof(to), "%s/%lld-%s", dir, (long long)id, masked) >= (int)sizeof(to))
		return ulf_err_set(err, ULF_EINVAL, "%s: path too long", masked);
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return ulf_err_set(err, ULF_EIO, "%s: %s", dir, strerror(errno));
	if (rename(from, to) < 0)
		return ulf_err_set(err, ULF_EIO, "%s: cannot move to %s: %s", from, dir,
				   strerror(errno));
	return 0;
}

/*
 * The same bytes as document `id` were taken from the inbox as `name`: a
 * sender's resend, noted in the document's history - unless it is the
 * file of that document itself, taken again because the robot stopped
 * between storing it and moving it out (the document came from the inbox
 * under this name, and its file never reached .taken).  With --keep the
 * files stay in place and every scan takes them again: no resend can be
 * told from the file seen before, and none is noted.
 */
static int note_resend(bool *out, pipeline *p, const inbox_opts *opts, const char *name,
		       int64_t id, int64_t now, ulf_err *err)
{
	store *s = pipeline_store(p);
	char *source = NULL, *was = NULL, taken[4096];
	struct stat st;
	int rc;

	*out = false;
	if (opts->keep)
		return 0;
	rc = store_get_text(&source, s, id, "source", err);
	if (rc == 0)
		rc = store_get_text(&was, s, id, "name", err);
	if (rc)
		goto out;
	if (source && !strcmp(source, "inbox") && was && !strcmp(was, name)) {
		if (snprintf(taken, sizeof(taken), "%s/%s/%lld-%s", opts->dir, TAKEN_DIR,
			     (long long)id, name) >= (int)sizeof(taken)) {
			rc = ulf_err_set(err, ULF_EINVAL, "%s: path too long", name);
			goto out;
		}
		if (stat(taken, &st) < 0 && errno == ENOENT)
			goto out;   /* its own file, taken again */
	}
	rc = store_note_resend(s, id, "inbox", NULL, name, now, err);
	*out = rc == 0;
out:
	free(source);
	free(was);
	return rc;
}

int inbox_take(inbox_event *ev, pipeline *p, const inbox_opts *opts, const char *name,
	       int64_t now_ms, ulf_err *err)
{
	char path[4096];
	char *data = NULL;
	size_t len = 0;
	int rc;

	memset(ev, 0, sizeof(*ev));
	if (snprintf(path, sizeof(path), "%s/%s", opts->dir, name) >= (int)sizeof(path))
		return ulf_err_set(err, ULF_EINVAL, "%s: path too long", name);
	rc = file_read(&data, &len, path, 0, err);
	if (rc)
		return rc;
	/* An oversized file is still stored (the queue shows it); the reader
	 * refuses it by its own limit. */
	rc = pipeline_receive(&ev->id, &ev->duplicate, &ev->state, p, "inbox", name,
			      data, len, now_ms / 1000, err);
	free(data);
	if (ev->id == 0)
		return rc;   /* not stored: the file stays */
	/* known bytes: a resend to note, or the file is left to try again */
	if (rc == 0 && ev->duplicate &&
	    (rc = note_resend(&ev->resend, p, opts, name, ev->id, now_ms / 1000, err)) != 0)
		return rc;
	ev->stored_but = rc ? err->msg : NULL;
	/* stored durably: the file may go even if processing must be resumed */
	if (!opts->keep) {
		ulf_err mv;
		ulf_err_clear(&mv);
		if (move_taken(opts, name, ev->id, &mv) && !rc)
			return ulf_err_set(err, mv.code, "%s", mv.msg);
	}
	return 0;
}

/* One batch: the first INBOX_SCAN_MAX settled files the folder lists,
 * taken in name order; *out_full when there may be more. */
static int scan_batch(size_t *out_taken, bool *out_full, pipeline *p, const inbox_opts *opts,
		      int64_t now_ms, inbox_report_fn report, void *ctx, ulf_err *err)
{
	DIR *d = opendir(opts->dir);
	struct dirent *de;
	dynbuf held;   /* the names, INBOX_SCAN_MAX at most */
	char **names = NULL, *name, path[4096];
	size_t n = 0, i;
	int rc = 0;

	*out_taken = 0;
	*out_full = false;
	if (!d)
		return ulf_err_set(err, ULF_EIO, "%s: cannot open inbox: %s", opts->dir,
				   strerror(errno));
	dynbuf_init(&held, INBOX_SCAN_MAX * sizeof(char *));
	while (n < INBOX_SCAN_MAX && (de = readdir(d)) != NULL) {
		struct stat st;
		int64_t mtime_ms;

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", opts->dir, de->d_name) >= (int)sizeof(path) ||
		    stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
		if (now_ms - mtime_ms < opts->settle_ms)
			continue;   /* still being written: the next scan takes it */
		name = strdup(de->d_name);
		if (!name || dynbuf_add(&held, &name, sizeof(name)) != 0) {
			free(name);
			rc = ulf_err_set(err, ULF_ENOMEM, "out of memory");
			goto out;
		}
		names = dynbuf_items(&held);
		n++;
	}
	*out_full = n == INBOX_SCAN_MAX;
	if (n)   /* qsort(NULL, 0) is undefined */
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		inbox_event ev;
		ulf_err why;

		ulf_err_clear(&why);
		snprintf(path, sizeof(path), "%s/%s", opts->dir, names[i]);
		if (inbox_take(&ev, p, opts, names[i], now_ms, &why) == 0)
			(*out_taken)++;
		else
			ev.error = why.msg;
		ev.path = path;
		if (report)
			report(&ev, ctx);
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	dynbuf_release(&held);
	closedir(d);
	return rc;
}

int inbox_scan(size_t *out_taken, pipeline *p, const inbox_opts *opts, int64_t now_ms,
	       inbox_report_fn report, void *ctx, ulf_err *err)
{
	size_t taken;
	bool full;
	int rc;

	*out_taken = 0;
	/* a full batch leaves files behind: again, as long as files leave the
	 * inbox (kept ones would be listed again and again) */
	do {
		rc = scan_batch(&taken, &full, p, opts, now_ms, report, ctx, err);
		*out_taken += taken;
	} while (rc == 0 && full && taken > 0 && !opts->keep);
	return rc;
}
